// The handler budget. A count hook would slow every Lua instruction of a
// handler about twofold, so handlers run without one: a watchdog thread
// samples which step is running, and when one step has run for the whole
// budget it signals the Lua thread, whose signal handler sets a hook on the
// running coroutine (lua_sethook may be called from a signal handler). The
// hook then aborts the step. Coroutines an app creates itself carry a light
// count hook from birth, as the signal can reach only the coroutine zofhost
// resumed.
#define _GNU_SOURCE
#include "cshim_lua.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#define OVERRUN_SIGNAL SIGURG

// One Lua step runs at a time in the process (all Lua runs on one thread), so
// the state the watchdog samples is global: no Lua state's lifetime bounds it.
static struct {
  _Atomic uint64_t step;        // bumped at every handler step
  _Atomic int in_step;          // a step is running
  _Atomic int64_t budget_ns;    // of the running step
  _Atomic uint64_t overrun;     // the step the watchdog found over budget
  pthread_t thread;             // the Lua thread, where the signal goes
  lua_State *running;           // the coroutine the step resumed (Lua thread only)
} watch;

static pthread_once_t watch_once = PTHREAD_ONCE_INIT;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int overrun_now(void) {
  return atomic_load_explicit(&watch.in_step, memory_order_relaxed) &&
         atomic_load_explicit(&watch.overrun, memory_order_relaxed) ==
             atomic_load_explicit(&watch.step, memory_order_relaxed);
}

int zs_budget_overrun(void) { return overrun_now(); }

int zs_budget_in_step(void) { return atomic_load_explicit(&watch.in_step, memory_order_relaxed); }
lua_State *zs_budget_running(void) { return watch.running; }

// Runs every instruction once the signal set it, or every 1000 instructions
// in an app's own coroutines. Where it can, it yields the step's coroutine
// straight out of any pcall the app wrapped around its loop, so the app cannot
// swallow the abort; where Lua cannot yield (a metamethod, a C function,
// top-level code) it raises, and keeps raising at every instruction until the
// step is gone.
static void budget_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  zs_watch_poll(L);  // the loop's watchdog may be asking what runs
  if (!mem->armed) {
    lua_sethook(L, NULL, 0, 0);
    return;
  }
  if (!mem->aborting) {
    if (!overrun_now()) {
      // A signal that came as its step ended: the hook is not needed.
      if (lua_gethookcount(L) == 1) lua_sethook(L, NULL, 0, 0);
      return;
    }
    mem->aborting = 1;
    // Found in a coroutine of the app's own: the step's coroutine must stop
    // at its next instruction too, whether or not the signal has come yet.
    if (watch.running && watch.running != L) lua_sethook(watch.running, budget_hook, LUA_MASKCOUNT, 1);
  }
  if (lua_isyieldable(L)) {
    lua_yield(L, 0);
    return;
  }
  if (lua_gethookcount(L) != 1) lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
  luaL_error(L, "handler ran past its time budget (--handler-budget-ms) and was aborted");
}

static void on_overrun(int sig) {
  (void)sig;
  int saved = errno;
  if (watch.running && (overrun_now() || zs_watch_wanted())) lua_sethook(watch.running, budget_hook, LUA_MASKCOUNT, 1);
  errno = saved;
}

// The watchdog's question reaches the Lua thread as the overrun does.
void zs_budget_poke(void) {
  if (atomic_load_explicit(&watch.in_step, memory_order_relaxed)) pthread_kill(watch.thread, OVERRUN_SIGNAL);
}

// Samples a few times per budget; a step seen running for a whole budget is
// over it (it began before it was first seen).
static void *watchdog(void *arg) {
  (void)arg;
  uint64_t seen = 0;
  int64_t since = 0;
  for (;;) {
    int64_t budget = atomic_load_explicit(&watch.budget_ns, memory_order_relaxed);
    int64_t interval = budget / 4;
    if (interval < 1000000) interval = 1000000;
    if (interval > 50000000) interval = 50000000;
    struct timespec ts = {interval / 1000000000, interval % 1000000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
    uint64_t step = atomic_load_explicit(&watch.step, memory_order_relaxed);
    if (!atomic_load_explicit(&watch.in_step, memory_order_relaxed) || step != seen) {
      seen = step;
      since = now_ns();
      continue;
    }
    if (now_ns() - since >= budget && atomic_load_explicit(&watch.overrun, memory_order_relaxed) != step) {
      atomic_store_explicit(&watch.overrun, step, memory_order_relaxed);
      pthread_kill(watch.thread, OVERRUN_SIGNAL);
    }
  }
  return NULL;
}

static void start_watch(void) {
  struct sigaction sa;
  sa.sa_handler = on_overrun;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(OVERRUN_SIGNAL, &sa, NULL);
  // The watchdog takes no signal at all: a process-directed one (SIGHUP,
  // SIGTERM) must reach the thread that waits for it with signalfd.
  sigset_t block, old;
  sigfillset(&block);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_create(&t, &attr, watchdog, NULL);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void next_step(void) {
  uint64_t s = atomic_load_explicit(&watch.step, memory_order_relaxed);
  atomic_store_explicit(&watch.step, s + 1, memory_order_relaxed);
}

void zs_budget_arm(lua_State *L, lua_State *co, double seconds) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  mem->armed = seconds > 0;
  if (mem->armed) {
    pthread_once(&watch_once, start_watch);
    watch.thread = pthread_self();
    watch.running = co;
    atomic_store_explicit(&watch.budget_ns, (int64_t)(seconds * 1e9), memory_order_relaxed);
    next_step();
    atomic_store_explicit(&watch.in_step, 1, memory_order_relaxed);
  } else {
    atomic_store_explicit(&watch.in_step, 0, memory_order_relaxed);
    watch.running = NULL;
    if (lua_gethook(co) != NULL) lua_sethook(co, NULL, 0, 0);
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

// run(owner, co, ...) -> ok, tag, value, aborted: resumes co with the budget
// armed, as arm + coroutine.resume + disarm would, in one call (a handler's
// first step is the hottest path there is), as owner `owner`'s code (see
// zs_mem; the owner before it after). Only the first two values the
// coroutine yields or returns are kept.
static int lua_run_armed(lua_State *L) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  lua_State *co = lua_tothread(L, 2);
  if (co == NULL) return luaL_error(L, "run: needs a coroutine");
  int owner = zs_mem_owner(mem, lua_tointeger(L, 1));
  int narg = lua_gettop(L) - 2;
  int st = lua_status(co);
  if (!(st == LUA_YIELD || (st == LUA_OK && lua_gettop(co) > 0))) return luaL_error(L, "run: cannot resume this coroutine");
  if (!lua_checkstack(co, narg)) return luaL_error(L, "run: too many arguments");
  lua_xmove(L, co, narg);
  zs_budget_arm(L, co, mem->budget);
  int was = mem->owner;
  mem->owner = owner;
  int nres = 0;
  int status = lua_resume(co, L, narg, &nres);
  mem->owner = was;
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

void zs_budget_tick(void) { next_step(); }

// tick(owner): the next handler of a batch starts, with a whole budget of
// its own, as owner `owner`'s code (see zs_mem).
static int lua_tick(lua_State *L) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  lua_Integer o = lua_tointeger(L, 1);
  mem->owner = (lua_Unsigned)o < mem->nowned ? (int)o : zs_mem_owner(mem, o);
  next_step();
  return 0;
}

// watch(co): an app's own coroutine checks for an overrun every 1000 instructions.
static int lua_watch(lua_State *L) {
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  lua_State *co = lua_tothread(L, 1);
  if (co && mem->budget > 0) lua_sethook(co, budget_hook, LUA_MASKCOUNT, 1000);
  lua_settop(L, 1);
  return 1;
}

void zs_push_budget_fns(lua_State *L) {
  static const luaL_Reg fns[] = {
      {"run", lua_run_armed}, {"arm", lua_arm}, {"disarm", lua_disarm},
      {"tick", lua_tick},     {"watch", lua_watch}, {NULL, NULL},
  };
  luaL_setfuncs(L, fns, 0);
}
