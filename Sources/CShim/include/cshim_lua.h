// Every Lua call that can raise (longjmp) happens on the C side of this line.
// Swift only calls these wrappers, and Swift functions exposed to Lua return a
// status that the C trampoline turns into lua_error / lua_yield after the
// Swift frame has returned.
#ifndef CSHIM_LUA_H
#define CSHIM_LUA_H

#include <stddef.h>
#include <stdint.h>
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>

// Lua memory accounting, by owner: 0 the runtime, n the app made n-th
// (apps.lua). Every block names its owner (zs_alloc), and `owned[o]` is what
// owner o holds. `owner` is whose code runs: the runtime's (between handlers,
// and in Swift, which the trampolines and zs_pcall run as the runtime's),
// or the app's whose handler or task runs (run(owner, co, ...) and
// tick(owner) in lua_budget.c, new_event) or whose file loads. `limit` caps
// each app (0 means none: zs_open makes it SIZE_MAX); the runtime has no
// cap. An allocation past an app's cap fails, and `refused` names the app.
typedef struct zs_mem {
  size_t *owned;
  size_t nowned;    // slots in `owned` (zs_mem_owner grows it)
  size_t limit;
  int owner;
  int first_owner;  // the first app in dispatch order (see new_event)
  int refused;
  // Handler budget (lua_budget.c): `armed` while a step runs under it,
  // `aborting` once it is being cut off.
  int armed;
  int aborting;
  double budget;  // seconds per handler step
  int mac_cache;  // registry reference of the MAC text cache (mac_text.c)
  // Where the next frame of the batch in dispatch starts (0-based): new_event
  // moves past each frame it makes an event of (see zs_push_event_maker).
  size_t batch_at;
  // Set (interrupt(), see zs_set_interrupt) when a handler did something
  // Swift must see to before the batch's next event: new_event makes none.
  int interrupted;
} zs_mem;

// A Swift function callable from Lua. It returns the number of results, or
// ZS_RAISE with the error value on top of the stack.
typedef int (*zs_fn)(lua_State *L);
#define ZS_RAISE (-1)

lua_State *zs_open(zs_mem *mem);  // new state with the standard libraries; NULL on failure
void zs_close(lua_State *L);
// Owner o, with a slot in zs_mem.owned (0 if o is none or cannot have one).
int zs_mem_owner(zs_mem *mem, lua_Integer o);
// What owner `owner` holds in bytes; a negative owner: everyone's.
size_t zs_mem_owned(const zs_mem *mem, int owner);
// For the table on top: own(n) -> previous owner, first_owner(n), and
// refused() -> owner, cap (see lua_shim.c).
void zs_set_mem_fns(lua_State *L);
void zs_setctx(lua_State *L, void *ctx);  // per-state pointer (LUA_EXTRASPACE), shared by its threads
void *zs_getctx(lua_State *L);

// Protected calls: return LUA_OK or an error status with the message (with
// traceback for zs_pcall) on top of the stack.
int zs_pcall(lua_State *L, int nargs, int nresults);
int zs_loadbuffer(lua_State *L, const char *buf, size_t len, const char *name);

void zs_pushfn(lua_State *L, zs_fn fn);

// Arms the budget for `seconds` from now for a step that resumes thread `co`;
// 0 disarms it.
void zs_budget_arm(lua_State *L, lua_State *co, double seconds);
// True once (and clears it) if the last step was aborted by the budget.
int zs_budget_take_abort(lua_State *L);
// The next handler of a batch starts: a whole budget of its own.
void zs_budget_tick(void);
// Whether the watchdog found the running step over its budget (any thread).
int zs_budget_overrun(void);
// For the loop's watchdog (lua_watchdog.c): whether a step runs, the
// coroutine it resumed, and a nudge (the budget's signal) to the Lua thread.
int zs_budget_in_step(void);
lua_State *zs_budget_running(void);
void zs_budget_poke(void);
// Whether the watchdog asked what runs; zs_watch_poll answers it on the Lua
// thread; zs_watch_describe asks, from the watchdog's thread (a describer of
// stall_watch.h).
int zs_watch_wanted(void);
void zs_watch_poll(lua_State *L);
size_t zs_watch_describe(char *buf, size_t cap, int final);
// string.find, match, gmatch and gsub that the budget can cut off, in place
// of the standard ones (lua_patterns.c).
void zs_open_patterns(lua_State *L);
// The Lua functions run(owner, co, ...), arm(co), disarm(co) -> aborted,
// tick(owner) and watch(co), in C: they run for every handler, so they skip the Swift trampoline.
void zs_push_budget_fns(lua_State *L);
void zs_setfuncs(lua_State *L, const char *name, zs_fn fn);  // t[name] = fn for the table on top
// As zs_setfuncs, for the table below `nup` values on top: they become upvalues
// 2..nup+1 of fn's closure (popped), so strings fn pushes on every call are
// made once and pushed with lua_pushvalue(L, zs_upvalueindex(k)).
void zs_setfuncs_up(lua_State *L, const char *name, zs_fn fn, int nup);
// Pushes fn's closure with the `nup` values on top as its upvalues 2..nup+1 (popped).
void zs_pushfn_up(lua_State *L, zs_fn fn, int nup);
// An event made from a frame holds in its array part the record of its
// batch and where its frame starts in the batch's string; the record holds
// what every event of the batch shares: that string, the connection, the
// time and the message type. The prelude reads them as fields on first read.
enum { ZS_EV_BATCH = 1, ZS_EV_OFFSET = 2 };
enum { ZS_REC_FRAMES = 1, ZS_REC_CONN = 2, ZS_REC_TIME = 3, ZS_REC_TYPE = 4 };
// An event's PACKET_IN message whose match (or more) waits keeps its event,
// which has the frame, in its array part too.
enum { ZS_MSG_EVENT = 1 };

// The closures of an event's lazy fields (core.lazy_fields) share one set of
// upvalues, laid out by Swift; these are the positions C reads.
typedef struct zs_lazy_ups {
  int event_mt, rest_mt;                 // metatables: events, PACKET_IN messages whose rest waits
  int msg, buffer_id, in_port;           // strings
} zs_lazy_ups;

// A PACKET_IN head field as Swift reads it off the frame: `name` is the
// upvalue holding its name (a reserved port, NO_BUFFER), 0 for the number
// `value`, -1 for none.
typedef struct zs_head_field {
  int64_t value;
  int name;
} zs_head_field;
// Reads the head of the PACKET_IN frame b[0..<n] after the whole-frame check;
// 0 for a frame the codec must word the error of (or another type).
typedef int (*zs_head_fn)(const unsigned char *b, size_t n, zs_head_field *buffer_id, zs_head_field *in_port);

// Once per process: the upvalue layout, Swift's maker of an event's message
// (pushes it, or returns ZS_RAISE) and its reader of PACKET_IN heads.
void zs_set_lazy(const zs_lazy_ups *ups, zs_fn message, zs_head_fn head);
// Pushes event_index, an event's __index: `msg` goes to the message maker,
// any other key to `fn`; the `nup` values on top become upvalues 2..nup+1
// (popped). See lua_shim.c.
void zs_push_event_index(lua_State *L, zs_fn fn, int nup);
// Pushes new_event(record, frames, head [, at]) with the same upvalues (the
// record's frames again): the event of the frame starting at byte `at`
// (1-based) of `frames`, or without `at` of the batch's next frame
// (zs_mem.batch_at; nothing past the last). With `head` (a PACKET_IN's
// event) it comes with its message's head. See lua_shim.c.
void zs_push_event_maker(lua_State *L, int nup);
// t.interrupt = interrupt() for the table on top: it sets zs_mem.interrupted.
void zs_set_interrupt(lua_State *L);
// For the table on top: t.slots, the ZS_EV_* and ZS_REC_* positions by name
// (EV_BATCH, EV_OFFSET, REC_FRAMES, ...), and t.record(frames, conn, time,
// type), which makes a batch's record in that layout. The runtime's Lua
// reads the layout from these, so it is written once, here.
void zs_set_slots(lua_State *L);
// For a closure with those upvalues: pushes the head message of the event
// at `ev` if it is a PACKET_IN the whole-frame check takes (1), else 0 with
// nothing pushed.
int zs_push_packet_in_head(lua_State *L, int ev);
// Pushes template:send, made of the Swift way `fast` (it returns 0 for what
// it leaves, or ZS_RAISE) and the Lua way on top, with the table below it whose [1] is the
// running handler's connection (both popped). See lua_shim.c.
void zs_push_template_send(lua_State *L, zs_fn fast);

// Packet tables decoded only up to Ethernet: zs_set_partial pops the
// metatable of PACKET_IN messages whose fields past the head wait, then that
// of PACKET_IN messages, and below them the packets' weak frame table and
// their metatable, into the registry; zs_partial_frame pushes the frame of
// the table at idx and returns 1 if it is such a packet (else 0, nothing
// pushed); zs_partial_done marks it whole. zs_lazy_message and
// zs_lazy_message_rest: whether the table at idx has the one or the other
// message metatable; zs_push_message_mt pushes the first.
void zs_set_partial(lua_State *L);
int zs_partial_frame(lua_State *L, int idx);
void zs_partial_done(lua_State *L, int idx);
int zs_lazy_message(lua_State *L, int idx);
int zs_lazy_message_rest(lua_State *L, int idx);
void zs_push_message_mt(lua_State *L);
// A 6-byte MAC address as "aa:bb:cc:dd:ee:ff", through a cache of recent
// ones that zs_mac_cache_open (at the state's start) makes.
void zs_mac_cache_open(lua_State *L);
void zs_push_mac6(lua_State *L, const unsigned char *b);
// Small wrappers of Lua's macros and API, as functions Swift can see.
int zs_upvalueindex(int i);
void zs_pop(lua_State *L, int n);
void zs_newtable(lua_State *L);
const char *zs_tolstring(lua_State *L, int idx, size_t *len);  // strings only; NULL otherwise
int zs_isinteger(lua_State *L, int idx);
int zs_ref(lua_State *L);             // pops top into the registry
void zs_unref(lua_State *L, int ref);
void zs_getref(lua_State *L, int ref);
int zs_next(lua_State *L, int idx);   // lua_next on a table (raw), keys never altered

#endif
