#!/usr/bin/env bash
# End to end: the events bus (docs/bus.md), over TCP on 127.0.0.1, no switch.
#
#   1. zofhost S serves the bus (--bus-server) with tests/e2e/apps-bus's
#      bus_server.lua. A Python client (bus_peer.py, pyzmq) registers for
#      lua.tick, which the app emits, and emits py.ping, which the app
#      handles and answers with lua.pong: both must reach Python.
#   2. zofhost C joins S's bus (--bus-connect) with bus_client.lua: C's app
#      emits c.hello, S's app handles it and emits s.ack, C's app handles
#      that. Both logs must say so.
#   3. zofhost S2 serves the bus with CURVE (--bus-curve-dir, keys made by
#      pyzmq's zmq.auth.create_certificates): a Python client whose key is
#      in the folder gets lua.pong; one with a key made elsewhere gets
#      nothing, and S2 logs the ZAP refusal.
# Fails on any error line in either log. Everything is stopped by pid.
set -euo pipefail

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
zt_init

PY=/usr/bin/python3
[ -x "$PY" ] || zt_die "$PY not found"
"$PY" -c 'import zmq' 2>/dev/null || zt_die "pyzmq not found for $PY; run scripts/deps test (python3-zmq)"
BIN=${ZOFHOST:-$ZT_ROOT/.build/debug/zofhost}
problems=()
C_PID=""

stop_client() {
  [ -n "$C_PID" ] || return 0
  if zt_alive "$C_PID"; then kill -TERM "$C_PID" 2>/dev/null || true; fi
  zt_wait_gone "$C_PID" 5 || kill -KILL "$C_PID" 2>/dev/null || true
  wait "$C_PID" 2>/dev/null || true
  C_PID=""
}
trap 'stop_client; zt_cleanup' EXIT

mkdir -p "$ZT_TMP/apps-s" "$ZT_TMP/apps-c"
cp "$ZT_ROOT/tests/e2e/apps-bus/bus_server.lua" "$ZT_TMP/apps-s/"
cp "$ZT_ROOT/tests/e2e/apps-bus/bus_client.lua" "$ZT_TMP/apps-c/"
emit="tcp://127.0.0.1:$(free_port)"
reg="tcp://127.0.0.1:$(free_port)"

zofhost_start --listen "127.0.0.1:$(free_port)" --apps "$ZT_TMP/apps-s" --bus-server "$emit,$reg"
wait_listen "${reg##*:}" 15 || zt_die "zofhost S never bound $reg"

# 1. Python and the server's app.
if "$PY" "$ZT_ROOT/tests/e2e/bus_peer.py" "$emit" "$reg" >"$ZT_TMP/peer.log" 2>&1; then
  zt_say "python client: $(tr '\n' ' ' <"$ZT_TMP/peer.log")"
else
  problems+=("python client: $(tr '\n' ' ' <"$ZT_TMP/peer.log")")
fi
grep -q "S got py.ping" "$ZT_CTL_LOG" || problems+=("S's app never handled py.ping")

# 2. A second zofhost on S's bus.
C_LOG="$ZT_TMP/zofhost-c.log"
"$BIN" --listen "127.0.0.1:$(free_port)" --apps "$ZT_TMP/apps-c" --bus-connect "$emit,$reg" >"$C_LOG" 2>&1 </dev/null &
C_PID=$!
zt_say "zofhost C started (pid $C_PID)"
for _ in $(seq 1 100); do
  grep -q "C got s.ack" "$C_LOG" 2>/dev/null && break
  sleep 0.1
done
grep -q "S got c.hello" "$ZT_CTL_LOG" || problems+=("S's app never handled C's c.hello")
grep -q "C got s.ack" "$C_LOG" || problems+=("C's app never handled S's s.ack")
zt_say "$(grep -o 'S got c.hello.*' "$ZT_CTL_LOG" | head -1); $(grep -o 'C got s.ack.*' "$C_LOG" | head -1)"

zt_alive "$C_PID" || problems+=("zofhost C died")
stop_client
controller_alive || problems+=("zofhost S died")
zofhost_stop || problems+=("zofhost S did not stop cleanly")
S_LOG=$ZT_CTL_LOG

# 3. CURVE: listed key served, unlisted refused.
keys="$ZT_TMP/curve" other="$ZT_TMP/curve-other"
mkdir -p "$keys" "$other"
"$PY" -c 'import sys, zmq.auth
for n in ("server", "alice"): zmq.auth.create_certificates(sys.argv[1], n)
zmq.auth.create_certificates(sys.argv[2], "mallory")' "$keys" "$other"
emit="tcp://127.0.0.1:$(free_port)"
reg="tcp://127.0.0.1:$(free_port)"
zofhost_start --listen "127.0.0.1:$(free_port)" --apps "$ZT_TMP/apps-s" --bus-server "$emit,$reg" --bus-curve-dir "$keys"
wait_listen "${reg##*:}" 15 || zt_die "zofhost S2 never bound $reg"
good=$("$PY" "$ZT_ROOT/tests/e2e/bus_curve_peer.py" "$emit" "$reg" "$keys/alice.key_secret" "$keys/server.key" 2>&1 || true)
bad=$("$PY" "$ZT_ROOT/tests/e2e/bus_curve_peer.py" "$emit" "$reg" "$other/mallory.key_secret" "$keys/server.key" 2>&1 || true)
zt_say "curve: listed key: $good; unlisted key: $bad"
case $good in served*) ;; *) problems+=("CURVE client with a listed key not served: $good") ;; esac
[ "$bad" = refused ] || problems+=("CURVE client with an unlisted key was not refused: $bad")
grep -q "refused a client (ZAP 400)" "$ZT_CTL_LOG" || problems+=("S2 never logged the ZAP refusal")
controller_alive || problems+=("zofhost S2 died")
zofhost_stop || problems+=("zofhost S2 did not stop cleanly")

for log in "$S_LOG" "$ZT_CTL_LOG" "$C_LOG"; do
  if log_has_errors "$log" >/dev/null; then problems+=("error lines in $(basename "$log"): $(log_has_errors "$log" | head -3)"); fi
done

if [ "${#problems[@]}" -gt 0 ]; then
  for p in "${problems[@]}"; do zt_say "FAIL: $p"; done
  exit 1
fi
zt_say "PASS: bus (python <-> app, zofhost <-> zofhost, CURVE listed/unlisted)"
