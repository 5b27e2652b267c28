"""The clients of bench/bus/run: a PUSH process sends COUNT events named
bench (a JSON array, about 100 bytes) to EMIT as fast as it can while a
SUB here, registered at REG, counts them. Prints events/s (first send to
last arrival) and how many were lost (publishers drop past their HWM).
Usage: client.py EMIT_ADDR REG_ADDR [COUNT]"""
import multiprocessing
import sys
import time

import zmq

EVENT = b'bench\0[1,"' + b"x" * 86 + b'"]'


def push(addr, count, go):
    ctx = zmq.Context()
    s = ctx.socket(zmq.PUSH)
    s.connect(addr)
    go.wait()
    for _ in range(count):
        s.send(EVENT)
    s.close(linger=5000)


def main():
    emit, reg = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 200000
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.rcvhwm = 0
    sub.connect(reg)
    sub.setsockopt(zmq.SUBSCRIBE, b"bench\0")
    # Warm up: one event through before timing.
    warm = ctx.socket(zmq.PUSH)
    warm.connect(emit)
    while True:
        warm.send(EVENT)
        if sub.poll(200):
            break
    while sub.poll(100):
        sub.recv()
    go = multiprocessing.Event()
    p = multiprocessing.Process(target=push, args=(emit, count, go))
    p.start()
    time.sleep(0.3)
    got = 0
    t0 = time.perf_counter()
    go.set()
    last = t0
    while got < count and sub.poll(1000):
        sub.recv()
        got += 1
        last = time.perf_counter()
    p.join()
    rate = got / (last - t0) if got else 0
    print(f"{rate:,.0f} events/s ({got} of {count} arrived, {count - got} lost)")


if __name__ == "__main__":
    main()
