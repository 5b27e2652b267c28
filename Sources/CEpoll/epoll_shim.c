#define _GNU_SOURCE
#include "cepoll.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

_Static_assert(ZR_EPOLLIN == EPOLLIN, "EPOLLIN");
_Static_assert(ZR_EPOLLOUT == EPOLLOUT, "EPOLLOUT");
_Static_assert(ZR_EPOLLERR == EPOLLERR, "EPOLLERR");
_Static_assert(ZR_EPOLLHUP == EPOLLHUP, "EPOLLHUP");
_Static_assert(ZR_EPOLLRDHUP == EPOLLRDHUP, "EPOLLRDHUP");
_Static_assert(ZR_CTL_ADD == EPOLL_CTL_ADD, "EPOLL_CTL_ADD");
_Static_assert(ZR_CTL_DEL == EPOLL_CTL_DEL, "EPOLL_CTL_DEL");
_Static_assert(ZR_CTL_MOD == EPOLL_CTL_MOD, "EPOLL_CTL_MOD");

int zr_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int zr_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = events;
  ev.data.u64 = data;
  return epoll_ctl(epfd, op, fd, &ev);
}

int zr_epoll_wait(int epfd, zr_event *out, int max, int timeout_ms) {
  enum { CHUNK = 128 };
  struct epoll_event evs[CHUNK];
  if (max > CHUNK) max = CHUNK;
  int n = epoll_wait(epfd, evs, max, timeout_ms);
  for (int i = 0; i < n; i++) {
    out[i].data = evs[i].data.u64;
    out[i].events = evs[i].events;
  }
  return n;
}

int zr_signalfd(int fd, const int *signals, int count) {
  sigset_t set;
  sigemptyset(&set);
  for (int i = 0; i < count; i++) {
    if (sigaddset(&set, signals[i]) != 0) return -1;
  }
  int err = pthread_sigmask(SIG_BLOCK, &set, NULL);
  if (err != 0) {
    errno = err;
    return -1;
  }
  return signalfd(fd, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int zr_signalfd_read(int fd) {
  struct signalfd_siginfo info;
  ssize_t n;
  do {
    n = read(fd, &info, sizeof info);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -1;
  if (n != (ssize_t)sizeof info) {
    errno = EIO;
    return -1;
  }
  return (int)info.ssi_signo;
}

int zr_accept(int fd, void *addr, uint32_t *len) {
  socklen_t n = *len;
  int s = accept4(fd, (struct sockaddr *)addr, &n, SOCK_NONBLOCK | SOCK_CLOEXEC);
  *len = n;
  return s;
}
