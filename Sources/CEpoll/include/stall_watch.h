// The loop's watchdog: a thread that sees the event loop has not turned for
// too long, says so on stderr, and ends the process when SIGTERM or SIGINT
// waits for a loop that cannot read it. No Lua here: what is running is
// asked of a describer the Lua side registers.
#ifndef STALL_WATCH_H
#define STALL_WATCH_H

#include <stddef.h>

// Writes what the loop is running into buf (NUL-terminated); returns its
// length. `final` is 1 when the process is about to end (the describer may
// then read the stuck thread's Lua stack). Called on the watchdog thread.
typedef size_t (*zr_describe_fn)(char *buf, size_t cap, int final);

// The loop: once before it waits for events and once after (so the count is
// odd while it waits). Cheap: one relaxed atomic add.
void zr_stall_turn(void);
// Starts the watchdog (once per process; later calls only change the bound).
// Signals must be blocked by then, so the thread never takes them.
void zr_stall_start(double warn_seconds);
void zr_stall_set_describer(zr_describe_fn fn);
// What the watchdog wrote about the last stall, once: 1 with it in buf, else 0.
int zr_stall_take_note(char *buf, size_t cap);

#endif
