// Naming what runs, for the loop's watchdog (stall_watch.c in CEpoll). The
// hot path pays nothing for it: the watchdog asks only once the loop has
// stalled, and the answer comes from the Lua thread itself, where reading
// the Lua state is safe. A request bumps `want` and sends the budget's
// signal; its handler sets the budget hook on the running coroutine, and the
// hook (or the pattern matcher, between steps) calls the function
// dispatch.lua keeps in the registry under "zofhost.running", copies its
// answer here and marks the request done. A handler stuck in a C or Swift
// function runs no hook: the watchdog waits ASK_MS for the answer, and when
// the process is about to end anyway it reads the stuck coroutine's frames
// from its own thread for the app's file and line.
#define _GNU_SOURCE
#include "cshim_lua.h"
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define ASK_MS 300

static _Atomic unsigned want, done;
static char answer_text[400];

int zs_watch_wanted(void) {
  return atomic_load_explicit(&want, memory_order_relaxed) != atomic_load_explicit(&done, memory_order_relaxed);
}

// On the Lua thread, in a hook or between matcher steps.
void zs_watch_poll(lua_State *L) {
  unsigned w = atomic_load_explicit(&want, memory_order_acquire);
  if (w == atomic_load_explicit(&done, memory_order_relaxed)) return;
  zs_mem *mem;
  lua_getallocf(L, (void **)&mem);
  // The question is the runtime's to answer: no app's cap applies.
  int was = mem->owner;
  mem->owner = 0;
  int top = lua_gettop(L);
  const char *s = NULL;
  if (lua_checkstack(L, 3)) {
    lua_pushliteral(L, "zofhost.running");
    if (lua_rawget(L, LUA_REGISTRYINDEX) == LUA_TFUNCTION && lua_pcall(L, 0, 1, 0) == LUA_OK)
      s = lua_tostring(L, -1);
  }
  snprintf(answer_text, sizeof answer_text, "%s", s ? s : "the runtime's own Lua, between handlers");
  lua_settop(L, top);
  mem->owner = was;
  atomic_store_explicit(&done, w, memory_order_release);
}

// Where the stuck coroutine's app code is: its innermost frame from a file.
// Read from the watchdog thread while the Lua thread is inside a C or Swift
// call, so only when the process ends right after.
static size_t peek(char *buf, size_t cap) {
  lua_State *co = zs_budget_running();
  lua_Debug ar;
  for (int level = 0; co && level < 32 && lua_getstack(co, level, &ar); level++) {
    if (lua_getinfo(co, "Sl", &ar) && ar.source && ar.source[0] == '@')
      return (size_t)snprintf(buf, cap, "a handler stuck in a C or Swift function, called at %s:%d", ar.short_src,
                              ar.currentline);
  }
  return 0;
}

size_t zs_watch_describe(char *buf, size_t cap, int final) {
  int n;
  if (!zs_budget_in_step()) {
    n = snprintf(buf, cap, "no handler (the core itself)");
    return n < 0 ? 0 : (size_t)n;
  }
  unsigned w = atomic_fetch_add_explicit(&want, 1, memory_order_acq_rel) + 1;
  zs_budget_poke();
  for (int i = 0; i < ASK_MS / 10; i++) {
    if (atomic_load_explicit(&done, memory_order_acquire) == w) {
      n = snprintf(buf, cap, "%s", answer_text);
      return n < 0 ? 0 : (size_t)n;
    }
    struct timespec ts = {0, 10000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
  }
  if (final) {
    size_t k = peek(buf, cap);
    if (k > 0) return k;
  }
  n = snprintf(buf, cap, "a handler stuck in a C or Swift function (it cannot be named until it returns)");
  return n < 0 ? 0 : (size_t)n;
}
