#!/usr/bin/env bash
# End to end: a bus subscriber that never reads must not grow zofhost's
# memory (docs/bus.md: the XPUB's high-water mark drops instead).
#
# zofhost serves the bus with tests/e2e/apps-bus-flood/flood.lua. A Python
# SUB subscribes to everything and never reads; a PUSH sends flood.start,
# and the app emits ~1 KB events as fast as bursts of 200 per 10 ms allow
# for 10 s. zofhost's VmRSS (/proc/PID/status) is taken as the flood starts
# and when it ends: growth must stay under 20 MB.
set -euo pipefail

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
zt_init

PY=/usr/bin/python3
[ -x "$PY" ] || zt_die "$PY not found"
"$PY" -c 'import zmq' 2>/dev/null || zt_die "pyzmq not found for $PY; run scripts/deps test (python3-zmq)"
problems=()
P_PID=""
stop_peer() {
  [ -n "$P_PID" ] || return 0
  kill -TERM "$P_PID" 2>/dev/null || true
  wait "$P_PID" 2>/dev/null || true
  P_PID=""
}
trap 'stop_peer; zt_cleanup' EXIT

mkdir -p "$ZT_TMP/apps"
cp "$ZT_ROOT/tests/e2e/apps-bus-flood/flood.lua" "$ZT_TMP/apps/"
emit="tcp://127.0.0.1:$(free_port)"
reg="tcp://127.0.0.1:$(free_port)"
zofhost_start --listen "127.0.0.1:$(free_port)" --apps "$ZT_TMP/apps" --bus-server "$emit,$reg"
wait_listen "${reg##*:}" 15 || zt_die "zofhost never bound $reg"

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$ZT_CTL_PID/status"; }

# The stuck subscriber: subscribes, starts the flood, then only sleeps.
"$PY" -c '
import sys, time, zmq
ctx = zmq.Context()
sub = ctx.socket(zmq.SUB); sub.connect(sys.argv[2]); sub.setsockopt(zmq.SUBSCRIBE, b"")
push = ctx.socket(zmq.PUSH); push.connect(sys.argv[1])
time.sleep(0.5)
push.send(b"flood.start\0[]")
time.sleep(60)
' "$emit" "$reg" &
P_PID=$!

for _ in $(seq 1 100); do
  grep -q "flood started" "$ZT_CTL_LOG" && break
  sleep 0.1
done
grep -q "flood started" "$ZT_CTL_LOG" || zt_die "the flood never started"
start_kb=$(rss)
peak_kb=$start_kb
for _ in $(seq 1 300); do
  now=$(rss); [ "$now" -gt "$peak_kb" ] && peak_kb=$now
  grep -q "flood done" "$ZT_CTL_LOG" && break
  sleep 0.1
done
end_kb=$(rss)
done_line=$(grep -o 'flood done.*' "$ZT_CTL_LOG" || true)
[ -n "$done_line" ] || problems+=("the flood never finished")
growth=$(( (end_kb - start_kb) / 1024 ))
peak=$(( (peak_kb - start_kb) / 1024 ))
zt_say "$done_line; VmRSS start ${start_kb} kB, end ${end_kb} kB (+${growth} MB, peak +${peak} MB)"
[ "$growth" -lt 20 ] || problems+=("VmRSS grew by ${growth} MB with a subscriber that never reads")
[ "$peak" -lt 20 ] || problems+=("VmRSS peaked ${peak} MB above the start")
stop_peer
controller_alive || problems+=("zofhost died")
zofhost_stop || problems+=("zofhost did not stop cleanly")
if log_has_errors "$ZT_CTL_LOG" >/dev/null; then problems+=("error lines: $(log_has_errors "$ZT_CTL_LOG" | head -3)"); fi

if [ "${#problems[@]}" -gt 0 ]; then
  for p in "${problems[@]}"; do zt_say "FAIL: $p"; done
  exit 1
fi
zt_say "PASS: bus subscriber that never reads (memory bounded)"
