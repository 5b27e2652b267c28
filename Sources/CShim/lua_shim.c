#include "cshim_lua.h"
#include <lua5.4/lualib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *zs_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  zs_mem *mem = ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    free(ptr);
    mem->used -= old;
    return NULL;
  }
  // Only growth counts against the cap; shrinking must always succeed.
  if (mem->limit && !mem->relaxed && nsize > old && mem->used + (nsize - old) > mem->limit)
    return NULL;
  void *p = realloc(ptr, nsize);
  if (p) mem->used = mem->used - old + nsize;
  return p;
}

static int open_libs(lua_State *L) {
  luaL_openlibs(L);
  return 0;
}

lua_State *zs_open(zs_mem *mem) {
  lua_State *L = lua_newstate(zs_alloc, mem);
  if (!L) return NULL;
  lua_pushcfunction(L, open_libs);
  if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
    lua_close(L);
    return NULL;
  }
  return L;
}

void zs_close(lua_State *L) { lua_close(L); }

void zs_setctx(lua_State *L, void *ctx) { memcpy(lua_getextraspace(L), &ctx, sizeof ctx); }

void *zs_getctx(lua_State *L) {
  void *ctx;
  memcpy(&ctx, lua_getextraspace(L), sizeof ctx);
  return ctx;
}

static int traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int zs_pcall(lua_State *L, int nargs, int nresults) {
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, traceback);
  lua_insert(L, base);
  // App code runs under the memory cap; Swift code around it does not.
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  int was = mem->relaxed;
  mem->relaxed = 0;
  int status = lua_pcall(L, nargs, nresults, base);
  mem->relaxed = was;
  lua_remove(L, base);
  return status;
}

int zs_loadbuffer(lua_State *L, const char *buf, size_t len, const char *name) {
  return luaL_loadbufferx(L, buf, len, name, "t");
}

int zs_loadfile(lua_State *L, const char *path) { return luaL_loadfilex(L, path, "t"); }

// Runs a Swift function; raising happens here, after the Swift frame is gone.
static int trampoline(lua_State *L) {
  zs_fn fn = (zs_fn)lua_touserdata(L, lua_upvalueindex(1));
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  int was = mem->relaxed;
  mem->relaxed = 1;
  int n = fn(L);
  mem->relaxed = was;
  if (n == ZS_RAISE) return lua_error(L);
  return n;
}

void zs_pushfn(lua_State *L, zs_fn fn) {
  lua_pushlightuserdata(L, (void *)fn);
  lua_pushcclosure(L, trampoline, 1);
}

void zs_setfuncs(lua_State *L, const char *name, zs_fn fn) {
  zs_pushfn(L, fn);
  lua_setfield(L, -2, name);
}

void zs_setfuncs_up(lua_State *L, const char *name, zs_fn fn, int nup) {
  lua_pushlightuserdata(L, (void *)fn);
  lua_insert(L, -(nup + 1));
  lua_pushcclosure(L, trampoline, nup + 1);
  lua_setfield(L, -2, name);
}

int zs_registryindex(void) { return LUA_REGISTRYINDEX; }
int zs_upvalueindex(int i) { return lua_upvalueindex(i); }
void zs_pop(lua_State *L, int n) { lua_pop(L, n); }
void zs_newtable(lua_State *L) { lua_newtable(L); }

const char *zs_tolstring(lua_State *L, int idx, size_t *len) {
  if (lua_type(L, idx) != LUA_TSTRING) return NULL;
  return lua_tolstring(L, idx, len);
}

int zs_isinteger(lua_State *L, int idx) { return lua_isinteger(L, idx); }
int zs_isnoneornil(lua_State *L, int idx) { return lua_isnoneornil(L, idx); }
int zs_ref(lua_State *L) { return luaL_ref(L, LUA_REGISTRYINDEX); }
void zs_unref(lua_State *L, int ref) { luaL_unref(L, LUA_REGISTRYINDEX, ref); }
void zs_getref(lua_State *L, int ref) { lua_rawgeti(L, LUA_REGISTRYINDEX, ref); }
int zs_next(lua_State *L, int idx) { return lua_next(L, idx); }

static double monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

// Runs every 1000 instructions. Past the deadline it yields the handler's
// coroutine straight out of any pcall the app wrapped around its loop (a hook
// may yield in Lua 5.4), so the app cannot swallow the abort. Where Lua cannot
// yield (a metamethod, a C function, top-level code) it raises instead, and
// keeps raising on every check until the handler is gone.
static void budget_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  if (!mem->armed) {
    // A thread created while its parent was hooked inherited the hook.
    lua_sethook(L, NULL, 0, 0);
    return;
  }
  if (!mem->aborting) {
    // The clock starts at the first check: a step shorter than one hook
    // interval (most handlers) never reads it.
    if (mem->deadline == 0) {
      mem->deadline = monotonic() + mem->armed_for;
      return;
    }
    if (monotonic() < mem->deadline) return;
    mem->aborting = 1;
  }
  if (lua_isyieldable(L)) {
    lua_yield(L, 0);
    return;
  }
  // Check at every instruction now, so code after an app's pcall cannot run.
  if (lua_gethookcount(L) != 1) lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
  luaL_error(L, "handler ran past its time budget (--handler-budget-ms) and was aborted");
}

void zs_budget_arm(lua_State *L, lua_State *co, double seconds) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  mem->armed = seconds > 0;
  if (mem->armed) {
    mem->deadline = 0;
    mem->armed_for = seconds;
    lua_sethook(co, budget_hook, LUA_MASKCOUNT, 1000);
  } else {
    lua_sethook(co, NULL, 0, 0);
  }
}

int zs_budget_take_abort(lua_State *L) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  int was = mem->aborting;
  mem->aborting = 0;
  return was;
}

static int lua_arm(lua_State *L) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  lua_State *co = lua_tothread(L, 1);
  zs_budget_arm(L, co ? co : L, mem->budget);
  return 0;
}

static int lua_disarm(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  zs_budget_arm(L, co ? co : L, 0);
  lua_pushboolean(L, zs_budget_take_abort(L));
  return 1;
}

// run(co, ...) -> ok, tag, value, aborted: resumes co with the budget armed,
// as arm + coroutine.resume + disarm would, in one call (a handler's first
// step is the hottest path there is). Only the first two values the
// coroutine yields or returns are kept.
static int lua_run_armed(lua_State *L) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  lua_State *co = lua_tothread(L, 1);
  if (co == NULL) return luaL_error(L, "run: needs a coroutine");
  int narg = lua_gettop(L) - 1;
  int st = lua_status(co);
  if (!(st == LUA_YIELD || (st == LUA_OK && lua_gettop(co) > 0))) return luaL_error(L, "run: cannot resume this coroutine");
  if (!lua_checkstack(co, narg)) return luaL_error(L, "run: too many arguments");
  lua_xmove(L, co, narg);
  zs_budget_arm(L, co, mem->budget);
  int nres = 0;
  int status = lua_resume(co, L, narg, &nres);
  zs_budget_arm(L, co, 0);
  int aborted = zs_budget_take_abort(L);
  lua_settop(L, 0);
  if (status == LUA_OK || status == LUA_YIELD) {
    lua_pushboolean(L, 1);
    int keep = nres < 2 ? nres : 2;
    // The values sit at the top of co's stack; keep the first `keep`.
    lua_pop(co, nres - keep);
    lua_xmove(co, L, keep);
    for (int i = keep; i < 2; i++) lua_pushnil(L);
  } else {
    lua_pushboolean(L, 0);
    lua_xmove(co, L, 1);  // the error object
    lua_pushnil(L);
  }
  lua_pushboolean(L, aborted);
  return 4;
}

void zs_push_budget_fns(lua_State *L) {
  lua_pushcfunction(L, lua_run_armed);
  lua_setfield(L, -2, "run");
  lua_pushcfunction(L, lua_arm);
  lua_setfield(L, -2, "arm");
  lua_pushcfunction(L, lua_disarm);
  lua_setfield(L, -2, "disarm");
}
