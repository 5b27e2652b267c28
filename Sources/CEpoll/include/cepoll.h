// Thin wrappers for the Linux calls Glibc does not expose to Swift (epoll,
// signalfd). No policy here: the reactor in Swift decides what to watch and when.
// struct epoll_event is packed on x86_64, which Swift cannot import, so events
// cross this line as a plain struct.
#ifndef CEPOLL_H
#define CEPOLL_H

#include <stdint.h>
#include <sys/types.h>

typedef struct zr_event {
  uint64_t data;    // the token given to zr_epoll_ctl
  uint32_t events;  // ZR_EPOLL* bits
} zr_event;

// Same values as the kernel's EPOLL* bits (checked in epoll_shim.c).
enum {
  ZR_EPOLLIN = 0x001,
  ZR_EPOLLOUT = 0x004,
  ZR_EPOLLERR = 0x008,
  ZR_EPOLLHUP = 0x010,
  ZR_EPOLLRDHUP = 0x2000,
};

enum { ZR_CTL_ADD = 1, ZR_CTL_DEL = 2, ZR_CTL_MOD = 3 };

// All return -1 with errno set on failure, like the calls they wrap.
int zr_epoll_create(void);  // close-on-exec
int zr_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
// Returns the number of events stored (at most 128 per call); EINTR is the
// caller's to handle.
int zr_epoll_wait(int epfd, zr_event *out, int max, int timeout_ms);

// Blocks `signals` for the calling thread (and so for threads it starts later)
// and returns a non-blocking, close-on-exec signalfd for them. Pass fd -1 for a
// new signalfd, or an existing one to replace its set.
int zr_signalfd(int fd, const int *signals, int count);
// Reads one signalfd_siginfo: returns the signal number, or -1 (errno EAGAIN
// when none is pending).
int zr_signalfd_read(int fd);

// accept4 (needs _GNU_SOURCE, so Swift cannot see it): the new socket is
// non-blocking and close-on-exec. `addr`/`len` as for accept.
int zr_accept(int fd, void *addr, uint32_t *len);

#include "stall_watch.h"  // the loop's watchdog thread

#endif
