#!/usr/bin/python3
"""The other ends of the app sockets in 60_sockets.sh, with the plain socket module.

  sockets_peer.py sink PORT [READ_DELAY]
      TCP on 127.0.0.1:PORT. Each connection sends "LEN n\\n" then n bytes; the
      sink reads them (64 KiB at a time, sleeping READ_DELAY seconds between
      reads, so the sender must wait) and answers "got n <sha256>\\n".
  sockets_peer.py collector PORT FILE
      UDP on 127.0.0.1:PORT: every datagram is appended to FILE.
  sockets_peer.py echo PORT SECONDS
      For SECONDS, a new TCP connection to 127.0.0.1:PORT every 50 ms, one line
      sent and its echo read on each; prints "echo: ok N failed M" and exits 1
      if any failed.
  sockets_peer.py pattern N
      Prints the sha256 of the N bytes the test app sends.
"""
import hashlib
import socket
import sys
import time

BLOCK = b"0123456789abcdef" * 4096  # 64 KiB, as the app sends them


def pattern_sha(n):
    h = hashlib.sha256()
    while n > 0:
        piece = BLOCK[: min(n, len(BLOCK))]
        h.update(piece)
        n -= len(piece)
    return h.hexdigest()


def sink(port, delay):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(8)
    print("sink listening", flush=True)
    while True:
        conn, _ = srv.accept()
        with conn:
            f = conn.makefile("rb")
            head = f.readline().split()
            if len(head) != 2 or head[0] != b"LEN":
                conn.sendall(b"bad header\n")
                continue
            want, got, h = int(head[1]), 0, hashlib.sha256()
            while got < want:
                data = f.read1(min(65536, want - got))
                if not data:
                    break
                h.update(data)
                got += len(data)
                if delay:
                    time.sleep(delay)
            conn.sendall(b"got %d %s\n" % (got, h.hexdigest().encode()))
            print("sink: got %d bytes" % got, flush=True)


def collector(port, path):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    print("collector listening", flush=True)
    with open(path, "ab", buffering=0) as out:
        while True:
            data, _ = s.recvfrom(65536)
            out.write(data if data.endswith(b"\n") else data + b"\n")


def echo(port, seconds):
    ok = failed = 0
    end = time.time() + seconds
    i = 0
    while time.time() < end:
        i += 1
        line = b"ping %d\n" % i
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=3) as c:
                c.sendall(line)
                got = c.makefile("rb").readline()
            if got == line:
                ok += 1
            else:
                failed += 1
                print("echo: %r came back as %r" % (line, got), flush=True)
        except OSError as e:
            failed += 1
            print("echo: %d: %s" % (i, e), flush=True)
        time.sleep(0.05)
    print("echo: ok %d failed %d" % (ok, failed), flush=True)
    return 1 if failed or not ok else 0


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "sink":
        sink(int(argv[2]), float(argv[3]) if len(argv) > 3 else 0)
    elif cmd == "collector":
        collector(int(argv[2]), argv[3])
    elif cmd == "echo":
        return echo(int(argv[2]), float(argv[3]))
    elif cmd == "pattern":
        print(pattern_sha(int(argv[2])))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
