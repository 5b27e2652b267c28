// The loop's watchdog thread. It samples the loop's turn count a few times a
// second; an even count (working, not waiting) unchanged for the warning bound
// is a stall, which it reports on stderr at once, from this thread: the loop
// may never come back to log it. It writes with write(2) from a buffer
// formatted here, taking no lock the stuck thread could hold (stdio's,
// malloc's, the logger's). The loop logs the stall again, whole, when it
// comes back (Controller+Watchdog.swift).
//
// Signals are read by the loop through a signalfd and blocked in every
// thread, so a stuck loop never sees SIGTERM or SIGINT: they stay pending
// (sigpending shows them to any thread). One that has waited SIGNAL_GRACE
// for a loop that did not turn ends the process, with 128 + the signal.
#define _GNU_SOURCE
#include "stall_watch.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SAMPLE_NS 100000000LL         // 100 ms
#define SIGNAL_GRACE_NS 2000000000LL  // a pending SIGTERM/SIGINT waits this long for the loop

static struct {
  _Atomic uint64_t turns;
  _Atomic int64_t warn_ns;
  _Atomic(zr_describe_fn) describe;
  _Atomic int note_ready;
  char note[512];
} sw;

static pthread_once_t sw_once = PTHREAD_ONCE_INIT;

void zr_stall_turn(void) { atomic_fetch_add_explicit(&sw.turns, 1, memory_order_relaxed); }

void zr_stall_set_describer(zr_describe_fn fn) { atomic_store(&sw.describe, fn); }

static int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void describe(char *buf, size_t cap, int final) {
  zr_describe_fn fn = atomic_load(&sw.describe);
  if (fn == NULL || fn(buf, cap, final) == 0) snprintf(buf, cap, "nothing the watchdog can name");
}

// One line on stderr, written whole with write(2).
static void say(const char *fmt, ...) {
  char line[768];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n > sizeof line - 2) n = sizeof line - 2;
  line[n++] = '\n';
  for (ssize_t off = 0; off < n;) {
    ssize_t w = write(2, line + off, (size_t)(n - off));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    off += w;
  }
}

static int pending_exit_signal(void) {
  sigset_t set;
  if (sigpending(&set) != 0) return 0;
  if (sigismember(&set, SIGTERM)) return SIGTERM;
  if (sigismember(&set, SIGINT)) return SIGINT;
  return 0;
}

static void *watch_loop(void *arg) {
  (void)arg;
  uint64_t seen = atomic_load_explicit(&sw.turns, memory_order_relaxed);
  int64_t since = mono_ns(), signal_at = 0;
  int warned = 0;
  char what[400];
  for (;;) {
    struct timespec ts = {0, SAMPLE_NS};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
    uint64_t turns = atomic_load_explicit(&sw.turns, memory_order_relaxed);
    int64_t now = mono_ns();
    if (turns != seen) {
      seen = turns;
      since = now;
      warned = 0;
    }
    int working = (turns & 1) == 0;  // odd: waiting for events
    double stalled = working ? (double)(now - since) / 1e9 : 0;
    int sig = working ? pending_exit_signal() : 0;
    if (sig) {
      if (signal_at == 0) signal_at = now;
      if (now - signal_at >= SIGNAL_GRACE_NS) {
        describe(what, sizeof what, 1);
        say("zofhost: %s while the loop was stuck for %.1f s, running %s; exiting with status %d",
            sig == SIGTERM ? "SIGTERM" : "SIGINT", stalled, what, 128 + sig);
        _exit(128 + sig);
      }
    } else {
      signal_at = 0;
    }
    double warn = (double)atomic_load_explicit(&sw.warn_ns, memory_order_relaxed) / 1e9;
    if (working && !warned && warn > 0 && stalled >= warn) {
      warned = 1;
      describe(what, sizeof what, 0);
      say("zofhost: warning: the loop has not turned for %.1f s; running %s", stalled, what);
      if (!atomic_load_explicit(&sw.note_ready, memory_order_acquire)) {
        snprintf(sw.note, sizeof sw.note, "%s", what);
        atomic_store_explicit(&sw.note_ready, 1, memory_order_release);
      }
    }
  }
  return NULL;
}

static void start_thread(void) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);  // this thread takes no signal
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_create(&t, &attr, watch_loop, NULL);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void zr_stall_start(double warn_seconds) {
  atomic_store_explicit(&sw.warn_ns, (int64_t)(warn_seconds * 1e9), memory_order_relaxed);
  pthread_once(&sw_once, start_thread);
}

int zr_stall_take_note(char *buf, size_t cap) {
  if (!atomic_load_explicit(&sw.note_ready, memory_order_acquire)) return 0;
  snprintf(buf, cap, "%s", sw.note);
  atomic_store_explicit(&sw.note_ready, 0, memory_order_release);
  return 1;
}
