#!/usr/bin/python3
"""The client of bench/sockets/run: against a line echo server on 127.0.0.1.

  echo_client.py PORT [ROUNDS] [MEGABYTES]

Round trips: ROUNDS (default 20000) lines of 64 bytes, one at a time, each
timed from send to its echo; prints p50 and p99 in microseconds. Throughput:
MEGABYTES (default 200) in lines of 16 KiB, written by one thread while this
one reads the echo; prints MB/s (10^6 bytes) of echoed data.
"""
import socket
import sys
import threading
import time


def round_trips(port, rounds):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb")
    line = b"x" * 63 + b"\n"
    for _ in range(200):  # warm up
        s.sendall(line)
        f.readline()
    times = []
    for _ in range(rounds):
        t = time.perf_counter_ns()
        s.sendall(line)
        if f.readline() != line:
            raise SystemExit("bad echo")
        times.append(time.perf_counter_ns() - t)
    s.close()
    times.sort()
    return times[len(times) // 2] / 1000, times[len(times) * 99 // 100] / 1000


def throughput(port, megabytes):
    s = socket.create_connection(("127.0.0.1", port))
    line = b"y" * 16383 + b"\n"
    count = megabytes * 1000000 // len(line)
    total = count * len(line)

    def write():
        for _ in range(count):
            s.sendall(line)

    start = time.perf_counter()
    w = threading.Thread(target=write)
    w.start()
    got = 0
    while got < total:
        data = s.recv(1 << 20)
        if not data:
            raise SystemExit("closed after %d bytes" % got)
        got += len(data)
    elapsed = time.perf_counter() - start
    w.join()
    s.close()
    return total / elapsed / 1e6


def main(argv):
    port = int(argv[1])
    rounds = int(argv[2]) if len(argv) > 2 else 20000
    mb = int(argv[3]) if len(argv) > 3 else 200
    p50, p99 = round_trips(port, rounds)
    mbs = throughput(port, mb)
    print("round trip p50 %.1f us  p99 %.1f us  throughput %.0f MB/s" % (p50, p99, mbs))


if __name__ == "__main__":
    main(sys.argv)
