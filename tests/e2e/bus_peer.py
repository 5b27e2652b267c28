"""The external program of tests/e2e/80_bus.sh (run with /usr/bin/python3,
which has Debian's python3-zmq): registers for lua.tick and lua.pong, emits
py.ping until a Lua app answers it. Exits 0 when both came, 1 otherwise."""
import json
import sys
import time

import zmq

emit_addr, reg_addr = sys.argv[1], sys.argv[2]
ctx = zmq.Context()
push = ctx.socket(zmq.PUSH)
push.setsockopt(zmq.LINGER, 0)
push.connect(emit_addr)
sub = ctx.socket(zmq.SUB)
sub.setsockopt(zmq.LINGER, 0)
sub.connect(reg_addr)
for name in (b"lua.tick", b"lua.pong"):
    sub.setsockopt(zmq.SUBSCRIBE, name + b"\0")

seen = {}
deadline = time.monotonic() + 15
n = 0
while time.monotonic() < deadline and not ("lua.tick" in seen and "lua.pong" in seen):
    n += 1
    try:
        push.send(b"py.ping\0" + json.dumps([n]).encode(), zmq.NOBLOCK)
    except zmq.Again:
        pass
    if sub.poll(100):
        frame = sub.recv()
        name, _, payload = frame.partition(b"\0")
        name = name.decode()
        if name not in seen:
            print("got %s %s" % (name, payload.decode()), flush=True)
        seen[name] = json.loads(payload)
ok = "lua.tick" in seen and "lua.pong" in seen and seen["lua.pong"][1] == {"from": "S"}
print("ok" if ok else "missing: %s" % sorted({"lua.tick", "lua.pong"} - set(seen)), flush=True)
ctx.destroy(linger=0)
sys.exit(0 if ok else 1)
