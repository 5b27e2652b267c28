#!/usr/bin/env bash
# End to end: apps talking to the network through zofhost's sockets while a
# real Open vSwitch keeps the learning switch working. zofhost runs
# apps-lua/l2_switch.lua and tests/e2e/apps-sockets (which requires the
# bundled flow_export); the peers are Python with the plain socket module
# (sockets_peer.py), all on 127.0.0.1.
#
#   1. A 10 MB transfer from an app to a Python TCP sink that reads slowly
#      (the app's sends must wait): the sink's byte count and sha256 must match,
#      and pings between two hosts of the bridge must all pass meanwhile.
#   2. A flow added with SEND_FLOW_REM expires: flow_export sends its
#      FLOW_REMOVED as a JSON line to a Python UDP collector.
#   3. A Python client makes a new connection to the app's echo listener every
#      50 ms while zofhost gets three SIGHUPs (by pid): every connection must
#      be served, none refused, across the reloads.
# Fails on any error line in zofhost's log. Everything is stopped by pid.
#
#   ZOF_E2E_SOCKETS_SIZE   bytes to transfer (10485760)
set -euo pipefail

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
zt_init

PY=/usr/bin/python3
[ -x "$PY" ] || zt_die "$PY not found"
PEER="$ZT_ROOT/tests/e2e/sockets_peer.py"
SIZE=${ZOF_E2E_SOCKETS_SIZE:-10485760}
BR="${ZT_PREFIX}b"
APPS="$ZT_TMP/apps"
mkdir -p "$APPS"
cp "$ZT_ROOT/apps-lua/l2_switch.lua" "$ZT_ROOT/tests/e2e/apps-sockets/sockets_e2e.lua" "$APPS/"
problems=()
PEER_PIDS=()

stop_peers() {
  local pid
  for pid in "${PEER_PIDS[@]}"; do
    if zt_alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  done
  PEER_PIDS=()
}
trap 'stop_peers; zt_cleanup' EXIT

port=$(free_port)
sink=$(free_port)
echo_port=$(free_port)
collector=$(free_port)
cat >"$APPS/sockets.conf" <<EOF
return {sink = $sink, echo = $echo_port, collector = $collector, size = $SIZE}
EOF

# The collector first: flow_export's datagrams must find it.
"$PY" "$PEER" collector "$collector" "$ZT_TMP/collected.jsonl" >"$ZT_TMP/collector.log" 2>&1 &
PEER_PIDS+=($!)

ovs_start
zofhost_start --listen "127.0.0.1:$port" --apps "$APPS"
wait_listen "$port" 15 || zt_die "zofhost never listened on port $port"
wait_listen "$echo_port" 15 || zt_die "the app never listened on port $echo_port"
bridge_add "$BR" OpenFlow13 "$port"
for i in 1 2; do host_add "$BR" "${ZT_PREFIX}h$i" "10.213.6.$i/24"; done
wait_controller "$port" 15 || zt_die "the switch never connected"
ping_all 3 || problems+=("$ZT_PING_FAILED ping pair(s) failed before the transfer")

# 1. The transfer, with a steady ping across the bridge meanwhile.
ip netns exec "${ZT_PREFIX}h1" ping -i 0.1 -c 40 -W 1 10.213.6.2 >"$ZT_TMP/ping.txt" 2>&1 &
ping_pid=$!
sleep 0.3
"$PY" "$PEER" sink "$sink" 0.012 >"$ZT_TMP/sink.log" 2>&1 &
PEER_PIDS+=($!)
for _ in $(seq 1 300); do
  grep -q "^.*transfer: " "$ZT_CTL_LOG" && break
  sleep 0.1
done
wait "$ping_pid" || true
transfer=$(grep -o "transfer: .*" "$ZT_CTL_LOG" || true)
zt_say "${transfer:-no transfer line in the log}"
want="got $SIZE $("$PY" "$PEER" pattern "$SIZE")"
[[ "$transfer" == *"sink answered $want"* ]] || problems+=("the sink did not get the $SIZE bytes the app sent")
secs=$(grep -Eo 'answered .* in [0-9.]+ s' <<<"$transfer" | grep -Eo '[0-9.]+ s$' | grep -Eo '^[0-9.]+' || echo 0)
sent=$(grep -Eo '[0-9]+ packets transmitted' "$ZT_TMP/ping.txt" | grep -Eo '^[0-9]+' || echo 0)
got=$(grep -Eo '[0-9]+ received' "$ZT_TMP/ping.txt" | grep -Eo '^[0-9]+' || echo 0)
zt_say "pings during the transfer (it took $secs s): $got of $sent answered"
[ "$sent" -ge 30 ] && [ "$got" -eq "$sent" ] || problems+=("pings lost during the transfer: $got of $sent")
awk -v s="$secs" 'BEGIN { exit !(s >= 1) }' || problems+=("the transfer took $secs s: the sink's slow reads did not hold the app's sends")

# 2. FLOW_REMOVED as JSON at the collector (the flow lives a second).
for _ in $(seq 1 50); do
  grep -q '"reason":"HARD_TIMEOUT"' "$ZT_TMP/collected.jsonl" 2>/dev/null && break
  sleep 0.1
done
line=$(grep -m1 '"reason":"HARD_TIMEOUT"' "$ZT_TMP/collected.jsonl" 2>/dev/null || true)
zt_say "collector: ${line:-nothing}"
[[ "$line" == *'"datapath_id":"'* && "$line" == *'"eth_type":34997'* ]] ||
  problems+=("no FLOW_REMOVED line with the flow's match at the collector")

# 3. Reloads while a client keeps connecting to the app's listener.
"$PY" "$PEER" echo "$echo_port" 4 >"$ZT_TMP/echo.txt" 2>&1 &
echo_pid=$!
sleep 0.5
for _ in 1 2 3; do
  kill -HUP "$ZT_CTL_PID"
  sleep 1
done
echo_rc=0
wait "$echo_pid" || echo_rc=$?
zt_say "$(tail -n 1 "$ZT_TMP/echo.txt")"
[ "$echo_rc" -eq 0 ] || problems+=("connections to the app's listener failed across reloads: $(head -n 3 "$ZT_TMP/echo.txt" | tr '\n' ' ')")
reloads=$(grep -c "reload [0-9]*: " "$ZT_CTL_LOG" || true)
[ "$reloads" -eq 3 ] || problems+=("$reloads reloads in the log, not 3")
ping_all 3 || problems+=("$ZT_PING_FAILED ping pair(s) failed after the reloads")

controller_stop || problems+=("zofhost did not stop cleanly (status $ZT_CTL_STATUS)")
stop_peers
if errors=$(log_has_errors "$ZT_CTL_LOG"); then
  problems+=("error lines in the log")
  printf '%s\n' "$errors" | head -n 20 | sed 's/^/    log: /'
fi
if [ "${#problems[@]}" -eq 0 ]; then
  zt_say "PASS: sockets"
else
  zt_say "FAIL: sockets: $(IFS=';'; echo "${problems[*]}")"
  tail -n 40 "$ZT_CTL_LOG" || true
  exit 1
fi
