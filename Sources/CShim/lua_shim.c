#include "cshim_lua.h"
#include <lua5.4/lualib.h>
#include <mimalloc.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Lua makes and frees small objects by the thousand per batch (event and
// message tables, strings); mimalloc's free lists take them without the
// bin consolidation glibc's malloc does after a garbage-collection sweep.
// Every block starts with a word naming its owner (0 the runtime, n app n,
// see zs_mem), so that whoever frees it, the GC included, credits that
// owner. 8 bytes keep Lua's alignment (LUAI_MAXALIGN is 8 in 5.4) and most
// of Lua's objects in the same mimalloc size class as without.
#define HEAD sizeof(size_t)

static void *refuse(zs_mem *mem) {
  mem->refused = mem->owner;
  return NULL;
}

// The three ways apart, each with as few registers to keep across its call
// into mimalloc as it can (allocation is most of a PACKET_IN's C work).
__attribute__((noinline)) static void *new_block(zs_mem *mem, size_t nsize) {
  size_t o = (size_t)mem->owner;
  if (o && mem->owned[o] + nsize > mem->limit) return refuse(mem);
  size_t *b = mi_malloc(nsize + HEAD);
  if (b == NULL) return NULL;
  o = (size_t)mem->owner;
  mem->owned[o] += nsize;
  *b = o;
  return b + 1;
}

__attribute__((noinline)) static void *free_block(zs_mem *mem, size_t *b, size_t osize) {
  mem->owned[*b] -= osize;
  mi_free(b);
  return NULL;
}

// A block resized becomes the running code's: an app that grows a table the
// runtime made (a datapath, say) pays for it. Only growth counts against the
// cap; shrinking must always succeed.
__attribute__((noinline)) static void *resize_block(zs_mem *mem, size_t *b, size_t osize, size_t nsize) {
  size_t was = *b, o = (size_t)mem->owner;
  if (o && nsize > osize && mem->owned[o] + nsize - (o == was ? osize : 0) > mem->limit) return refuse(mem);
  b = mi_realloc(b, nsize + HEAD);
  if (b == NULL) return NULL;
  mem->owned[*b] -= osize;  // (the header came along: still the old owner)
  o = (size_t)mem->owner;
  mem->owned[o] += nsize;
  *b = o;
  return b + 1;
}

static void *zs_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  if (ptr == NULL) return nsize ? new_block(ud, nsize) : NULL;
  if (nsize == 0) return free_block(ud, (size_t *)ptr - 1, osize);
  return resize_block(ud, (size_t *)ptr - 1, osize, nsize);
}

int zs_mem_owner(zs_mem *mem, lua_Integer o) {
  if (o <= 0 || o > INT_MAX / 2) return 0;
  if ((size_t)o >= mem->nowned) {
    size_t n = mem->nowned;
    while (n <= (size_t)o) n *= 2;
    size_t *p = realloc(mem->owned, n * sizeof *p);
    if (p == NULL) return 0;
    memset(p + mem->nowned, 0, (n - mem->nowned) * sizeof *p);
    mem->owned = p;
    mem->nowned = n;
  }
  return (int)o;
}

size_t zs_mem_owned(const zs_mem *mem, int owner) {
  if (owner >= 0) return (size_t)owner < mem->nowned ? mem->owned[owner] : 0;
  size_t sum = 0;
  for (size_t i = 0; i < mem->nowned; i++) sum += mem->owned[i];
  return sum;
}

// own(n) -> the owner before: the code that runs from now on is owner n's
// (an app file as it loads, once it has made its app).
static int lua_own(lua_State *L) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  lua_pushinteger(L, mem->owner);
  mem->owner = zs_mem_owner(mem, lua_tointeger(L, 1));
  return 1;
}

// first_owner(n): the owner of the first app in dispatch order, whose
// handler new_event starts.
static int lua_first_owner(lua_State *L) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  mem->first_owner = zs_mem_owner(mem, lua_tointeger(L, 1));
  return 0;
}

// refused() -> owner, cap: whose allocation the cap refused last (0 for
// none), and the cap in bytes; clears it.
static int lua_refused(lua_State *L) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  lua_pushinteger(L, mem->refused);
  lua_pushinteger(L, (lua_Integer)(mem->limit == SIZE_MAX ? 0 : mem->limit));
  mem->refused = 0;
  return 2;
}

void zs_set_mem_fns(lua_State *L) {
  static const luaL_Reg fns[] = {{"own", lua_own}, {"first_owner", lua_first_owner}, {"refused", lua_refused}, {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
}

static int open_libs(lua_State *L) {
  luaL_openlibs(L);
  zs_open_patterns(L);  // string.find & co. that the budget can cut off
  zs_mac_cache_open(L);
  return 0;
}

lua_State *zs_open(zs_mem *mem) {
  mem->nowned = 16;
  mem->owned = calloc(mem->nowned, sizeof *mem->owned);
  if (mem->owned == NULL) return NULL;
  if (mem->limit == 0) mem->limit = SIZE_MAX;
  mem->owner = 0;
  lua_State *L = lua_newstate(zs_alloc, mem);
  if (!L) {
    free(mem->owned);
    mem->owned = NULL;
    return NULL;
  }
  lua_pushcfunction(L, open_libs);
  if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
    zs_close(L);
    return NULL;
  }
  return L;
}

void zs_close(lua_State *L) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  lua_close(L);
  free(mem->owned);
  mem->owned = NULL;
  mem->nowned = 0;
}

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
  // Swift calls the runtime's Lua, which runs as the runtime (owner 0) until
  // it runs an app's code.
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  int was = mem->owner;
  mem->owner = 0;
  int status = lua_pcall(L, nargs, nresults, base);
  mem->owner = was;
  lua_remove(L, base);
  return status;
}

int zs_loadbuffer(lua_State *L, const char *buf, size_t len, const char *name) {
  return luaL_loadbufferx(L, buf, len, name, "t");
}

// Calls a Swift function as the runtime: what Swift makes is the runtime's,
// and no app's cap applies (see zs_mem).
static int call_fn(lua_State *L, zs_fn fn) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  int was = mem->owner;
  mem->owner = 0;
  int n = fn(L);
  mem->owner = was;
  return n;
}

// Calls the Swift function in upvalue 1.
static int call_swift(lua_State *L) { return call_fn(L, (zs_fn)lua_touserdata(L, lua_upvalueindex(1))); }

// Runs a Swift function; raising happens here, after the Swift frame is gone.
static int trampoline(lua_State *L) {
  int n = call_swift(L);
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

// template:send. The Swift way (upvalue 1) sends a patchable template from a
// handler or task in one call, or raises; a template it must fill in and
// encode it leaves to the Lua way (upvalue 3), called with the same
// arguments. Upvalue 2 is the table whose [1] is the running handler's
// connection; upvalue 4 the key "id" (of the template's number).
static int template_send(lua_State *L) {
  lua_settop(L, 3);
  int n = call_swift(L);
  if (n == ZS_RAISE) return lua_error(L);
  if (n > 0) return n;
  lua_settop(L, 3);
  lua_pushvalue(L, lua_upvalueindex(3));
  lua_insert(L, 1);
  lua_call(L, 3, 1);
  return 1;
}

void zs_push_template_send(lua_State *L, zs_fn fast) {
  lua_pushlightuserdata(L, (void *)fast);
  lua_insert(L, -3);
  lua_pushliteral(L, "id");
  lua_pushcclosure(L, template_send, 4);
}

// Set once (the same for every state): see zs_set_lazy.
static zs_lazy_ups ups;
static zs_fn event_message;
static zs_head_fn read_head;

void zs_set_lazy(const zs_lazy_ups *u, zs_fn message, zs_head_fn head) {
  ups = *u;
  event_message = message;
  read_head = head;
}

static void set_head_field(lua_State *L, int t, int key, const zs_head_field *f) {
  if (f->name < 0) return;
  lua_pushvalue(L, lua_upvalueindex(key));
  if (f->name > 0)
    lua_pushvalue(L, lua_upvalueindex(f->name));
  else
    lua_pushinteger(L, (lua_Integer)f->value);
  lua_rawset(L, t);
}

// The head message of the PACKET_IN event at `ev` (absolute) whose frame
// starts at byte `at` (1-based) of s[0..<len]: as far as the frame's length
// field says and the string goes, as Swift's withFrame cuts it. It has room
// for its head, `data` and `pkt`; the rest grows it once, if read.
static int push_head(lua_State *L, int ev, const char *s, size_t len, lua_Integer at) {
  if (at < 1 || (size_t)(at - 1) > len) return 0;
  const unsigned char *b = (const unsigned char *)s + (at - 1);
  size_t n = len - (size_t)(at - 1);
  if (n >= 4) {
    size_t flen = (size_t)b[2] << 8 | b[3];
    if (flen < n) n = flen;
  }
  zs_head_field buffer_id, in_port;
  if (!read_head(b, n, &buffer_id, &in_port)) return 0;
  lua_createtable(L, 1, 4);
  int m = lua_gettop(L);
  lua_pushvalue(L, ev);
  lua_rawseti(L, m, ZS_MSG_EVENT);
  set_head_field(L, m, ups.buffer_id, &buffer_id);
  set_head_field(L, m, ups.in_port, &in_port);
  lua_pushvalue(L, lua_upvalueindex(ups.rest_mt));
  lua_setmetatable(L, m);
  return 1;
}

int zs_push_packet_in_head(lua_State *L, int ev) {
  ev = lua_absindex(L, ev);
  int top = lua_gettop(L);
  lua_rawgeti(L, ev, ZS_EV_BATCH);
  int ok = 0;
  if (lua_type(L, -1) == LUA_TTABLE) {
    lua_rawgeti(L, top + 1, ZS_REC_FRAMES);
    lua_rawgeti(L, ev, ZS_EV_OFFSET);
    size_t len;
    const char *s = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &len) : NULL;
    ok = s != NULL && lua_isinteger(L, -1) && push_head(L, ev, s, len, lua_tointeger(L, -1));
  }
  if (ok) lua_replace(L, top + 1);
  lua_settop(L, top + ok);
  return ok;
}

// new_event(record, frames, head [, at]): the record's frames at hand, and
// whether the event comes with its message's head (a PACKET_IN's; passing
// them costs less than reading them). The event keeps its batch's record
// and where its frame starts in its array part, set without hashing a key:
// every key an event holds costs about as much as the rest of making it, so
// even its type is read from the record. Its hash part has room for the
// fields handlers read first (msg, datapath_id, ...), so keeping those grows
// nothing. A PACKET_IN's message head, which nearly every handler reads,
// comes with it: made here, it costs no __index call, nor a trip through
// Swift but to read the frame.
// Without `at`, it walks the batch (until interrupted): frames are whole, as
// the channel cut them. It moves past the frame before making anything, so
// an event that cannot be made (the memory cap) is not tried again.
// The event's first handler starts its budget here, which spares the
// dispatcher a call per event (see the prelude); walking the batch, the
// event is made as the runtime's, and then the code running is the first
// app's in dispatch order (zs_mem.first_owner), as a handler's would be.
static int new_event(lua_State *L) {
  int n = lua_gettop(L), ev = n + 1;
  size_t len;
  const char *s = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &len) : NULL;
  if (s == NULL) return 0;
  lua_Integer at;
  zs_mem *mem = NULL;
  if (n < 4) {
    lua_getallocf(L, (void **)&mem);
    mem->owner = 0;
    size_t pos = mem->batch_at;
    if (pos >= len || mem->interrupted) return 0;
    size_t flen = len - pos;
    if (flen >= 4) {
      size_t said = (size_t)(unsigned char)s[pos + 2] << 8 | (unsigned char)s[pos + 3];
      flen = said < 8 ? 8 : said;
    }
    mem->batch_at = pos + flen;
    at = (lua_Integer)pos + 1;
  } else {
    at = lua_tointeger(L, 4);
  }
  zs_budget_tick();
  lua_createtable(L, ZS_EV_OFFSET, 4);
  lua_pushvalue(L, 1);
  lua_rawseti(L, ev, ZS_EV_BATCH);
  lua_pushinteger(L, at);
  lua_rawseti(L, ev, ZS_EV_OFFSET);
  lua_pushvalue(L, lua_upvalueindex(ups.event_mt));
  lua_setmetatable(L, ev);
  if (lua_toboolean(L, 3)) {
    lua_pushvalue(L, lua_upvalueindex(ups.msg));
    if (push_head(L, ev, s, len, at))
      lua_rawset(L, ev);
    else
      lua_pop(L, 1);
  }
  if (mem) mem->owner = mem->first_owner;
  return 1;
}

static int interrupt(lua_State *L) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  mem->interrupted = 1;
  return 0;
}

void zs_set_interrupt(lua_State *L) {
  lua_pushcfunction(L, interrupt);
  lua_setfield(L, -2, "interrupt");
}

static int make_record(lua_State *L) {
  lua_settop(L, 4);
  lua_createtable(L, ZS_REC_TYPE, 0);
  lua_pushvalue(L, 1);
  lua_rawseti(L, 5, ZS_REC_FRAMES);
  lua_pushvalue(L, 2);
  lua_rawseti(L, 5, ZS_REC_CONN);
  lua_pushvalue(L, 3);
  lua_rawseti(L, 5, ZS_REC_TIME);
  lua_pushvalue(L, 4);
  lua_rawseti(L, 5, ZS_REC_TYPE);
  return 1;
}

void zs_set_slots(lua_State *L) {
  static const struct { const char *name; int at; } slots[] = {
    {"EV_BATCH", ZS_EV_BATCH}, {"EV_OFFSET", ZS_EV_OFFSET}, {"REC_FRAMES", ZS_REC_FRAMES},
    {"REC_CONN", ZS_REC_CONN}, {"REC_TIME", ZS_REC_TIME}, {"REC_TYPE", ZS_REC_TYPE},
    {"MSG_EVENT", ZS_MSG_EVENT}};
  lua_createtable(L, 0, (int)(sizeof slots / sizeof slots[0]));
  for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
    lua_pushinteger(L, slots[i].at);
    lua_setfield(L, -2, slots[i].name);
  }
  lua_setfield(L, -2, "slots");
  lua_pushcfunction(L, make_record);
  lua_setfield(L, -2, "record");
}

void zs_push_event_maker(lua_State *L, int nup) {
  lua_pushnil(L);  // (upvalue 1, a Swift function's in the other closures)
  lua_insert(L, -(nup + 1));
  lua_pushcclosure(L, new_event, nup + 1);
}

// The __index of events made from a frame. `msg`, read first by most
// handlers of events that do not come with it, goes straight to Swift's
// maker of an event's message and is kept in the event here; any other key
// to the Swift function in upvalue 1.
static int event_index(lua_State *L) {
  lua_settop(L, 2);
  if (lua_rawequal(L, 2, lua_upvalueindex(ups.msg))) {
    if (call_fn(L, event_message) == ZS_RAISE) return lua_error(L);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
  }
  int n = call_swift(L);
  if (n == ZS_RAISE) return lua_error(L);
  return n;
}

void zs_push_event_index(lua_State *L, zs_fn fn, int nup) {
  lua_pushlightuserdata(L, (void *)fn);
  lua_insert(L, -(nup + 1));
  lua_pushcclosure(L, event_index, nup + 1);
}

void zs_pushfn_up(lua_State *L, zs_fn fn, int nup) {
  lua_pushlightuserdata(L, (void *)fn);
  lua_insert(L, -(nup + 1));
  lua_pushcclosure(L, trampoline, nup + 1);
}

void zs_setfuncs_up(lua_State *L, const char *name, zs_fn fn, int nup) {
  zs_pushfn_up(L, fn, nup);
  lua_setfield(L, -2, name);
}

int zs_upvalueindex(int i) { return lua_upvalueindex(i); }
void zs_pop(lua_State *L, int n) { lua_pop(L, n); }
void zs_newtable(lua_State *L) { lua_newtable(L); }

const char *zs_tolstring(lua_State *L, int idx, size_t *len) {
  if (lua_type(L, idx) != LUA_TSTRING) return NULL;
  return lua_tolstring(L, idx, len);
}

int zs_isinteger(lua_State *L, int idx) { return lua_isinteger(L, idx); }
int zs_ref(lua_State *L) { return luaL_ref(L, LUA_REGISTRYINDEX); }
void zs_unref(lua_State *L, int ref) { luaL_unref(L, LUA_REGISTRYINDEX, ref); }
void zs_getref(lua_State *L, int ref) { lua_rawgeti(L, LUA_REGISTRYINDEX, ref); }
int zs_next(lua_State *L, int idx) { return lua_next(L, idx); }

// Packet tables whose layers above Ethernet wait to be read (see the
// prelude): their metatable and the weak table of their frames, kept in the
// registry so Swift can finish one before reading it; and the metatable of
// PACKET_IN messages, whose match may wait likewise, and of those whose
// fields past the head wait too. Raw accesses only.
static const char partial_mt_key = 0, partial_raw_key = 0, message_mt_key = 0, message_rest_mt_key = 0;

void zs_set_partial(lua_State *L) {
  lua_rawsetp(L, LUA_REGISTRYINDEX, &message_rest_mt_key);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &message_mt_key);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &partial_raw_key);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &partial_mt_key);
}

// Whether the table at idx has the metatable the registry keeps under key.
static int has_mt(lua_State *L, int idx, const char *key) {
  if (!lua_getmetatable(L, idx)) return 0;
  lua_rawgetp(L, LUA_REGISTRYINDEX, key);
  int same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return same;
}

int zs_lazy_message(lua_State *L, int idx) { return has_mt(L, idx, &message_mt_key); }

int zs_lazy_message_rest(lua_State *L, int idx) { return has_mt(L, idx, &message_rest_mt_key); }

void zs_push_message_mt(lua_State *L) { lua_rawgetp(L, LUA_REGISTRYINDEX, &message_mt_key); }

int zs_partial_frame(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  if (!has_mt(L, idx, &partial_mt_key)) return 0;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &partial_raw_key);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  lua_remove(L, -2);
  if (lua_type(L, -1) != LUA_TSTRING) {
    lua_pop(L, 1);
    return 0;
  }
  return 1;
}

void zs_partial_done(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &partial_raw_key);
  lua_pushvalue(L, idx);
  lua_pushnil(L);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_pushnil(L);
  lua_setmetatable(L, idx);
}

