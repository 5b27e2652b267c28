"""The baseline of bench/bus/run: a plain pyzmq PULL -> PUB forwarder.
Usage: forwarder.py EMIT_ADDR REG_ADDR"""
import sys

import zmq

ctx = zmq.Context()
pull = ctx.socket(zmq.PULL)
pull.bind(sys.argv[1])
pub = ctx.socket(zmq.PUB)
pub.bind(sys.argv[2])
print("forwarding", flush=True)
while True:
    pub.send(pull.recv())
