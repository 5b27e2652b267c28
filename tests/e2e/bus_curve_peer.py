"""A CURVE client of tests/e2e/80_bus.sh: with the key pair in KEYFILE it
pushes py.ping and waits for the app's lua.pong (SERVERKEY is the server's
public key file). Prints "served" or "refused" (nothing within 3 s)."""
import json, sys, time
import zmq, zmq.auth

emit, reg, keyfile, serverkey = sys.argv[1:5]
pub, sec = zmq.auth.load_certificate(keyfile)
spub, _ = zmq.auth.load_certificate(serverkey)
ctx = zmq.Context()
socks = []
for kind, addr in ((zmq.SUB, reg), (zmq.PUSH, emit)):
    s = ctx.socket(kind)
    s.curve_publickey, s.curve_secretkey, s.curve_serverkey = pub, sec, spub
    s.linger = 0
    s.connect(addr)
    socks.append(s)
sub, push = socks
sub.setsockopt(zmq.SUBSCRIBE, b"lua.pong\0")
time.sleep(0.3)
end = time.time() + 3
while time.time() < end:
    try:
        push.send(b"py.ping\0" + json.dumps(["curve"]).encode(), zmq.NOBLOCK)
    except zmq.Again:
        pass
    if sub.poll(200):
        name, _, payload = sub.recv().partition(b"\0")
        print("served", name.decode(), payload.decode())
        sys.exit(0)
print("refused")
