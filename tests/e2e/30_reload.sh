#!/usr/bin/env bash
# End to end: live reload under load. While a host pings another every 0.1 s and
# PACKET_INs keep coming (ovs-ofctl packet-out ... actions=CONTROLLER), zofhost
# gets 20 SIGHUPs. The switch's TCP connection must be the same one before and
# after, no ping may be lost, and the log must show 20 reloads. Then an edit
# with a syntax error is reloaded: the log says so and the old apps keep serving.
set -euo pipefail

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
zt_init

VERSION=${ZOF_E2E_RELOAD_VERSION:-OpenFlow13}
BR="${ZT_PREFIX}b"
APPS="$ZT_TMP/apps"
mkdir -p "$APPS"
cp "$ZT_ROOT"/apps-lua/*.lua "$APPS/"
problems=()

ovs_start
port=$(free_port)
zofhost_start --listen "127.0.0.1:$port" --apps "$APPS" --pid-file "$ZT_TMP/zofhost.pidfile"
wait_listen "$port" 15 || zt_die "zofhost never listened on port $port"
bridge_add "$BR" "$VERSION" "$port"
for i in 1 2 3; do host_add "$BR" "${ZT_PREFIX}h$i" "10.213.3.$i/24"; done
wait_controller "$port" 15 || zt_die "the switch never connected"
[ "$(cat "$ZT_TMP/zofhost.pidfile")" = "$ZT_CTL_PID" ] || problems+=("--pid-file does not hold zofhost's pid")

conn_before=$(ss -Htn state established "( sport = :$port )" | awk '{print $3, $4}')
ping_all 3 || problems+=("$ZT_PING_FAILED ping pair(s) failed before the reloads")

# A steady ping (learning done above) and a stream of PACKET_INs from the bridge.
ip netns exec "${ZT_PREFIX}h1" ping -i 0.1 -c 130 -W 1 10.213.3.2 >"$ZT_TMP/ping.txt" 2>&1 &
ping_pid=$!
pkt="ffffffffffff020000000099""0800""450000140001000040ff0000""0a0d0363""0a0d03ff"
(
  for _ in $(seq 1 120); do
    ovs-ofctl -O "$VERSION" packet-out "$BR" "in_port=LOCAL packet=$pkt actions=CONTROLLER" 2>/dev/null || true
    sleep 0.1
  done
) &
gen_pid=$!

sleep 1
for _ in $(seq 1 20); do
  kill -HUP "$ZT_CTL_PID"
  sleep 0.5
done
wait "$ping_pid" || true
wait "$gen_pid" || true

conn_after=$(ss -Htn state established "( sport = :$port )" | awk '{print $3, $4}')
reloads=$(grep -c "reload [0-9]*: " "$ZT_CTL_LOG" || true)
sent=$(grep -Eo '[0-9]+ packets transmitted' "$ZT_TMP/ping.txt" | grep -Eo '^[0-9]+' || echo 0)
got=$(grep -Eo '[0-9]+ received' "$ZT_TMP/ping.txt" | grep -Eo '^[0-9]+' || echo 0)
zt_say "connection before: $conn_before; after: $conn_after"
zt_say "reloads logged: $reloads; pings: $got of $sent answered"
grep "reload 20: " "$ZT_CTL_LOG" | sed 's/^/    /' || true

[ -n "$conn_before" ] && [ "$conn_before" = "$conn_after" ] || problems+=("the switch connection changed ($conn_before -> $conn_after)")
[ "$reloads" -eq 20 ] || problems+=("$reloads reloads in the log, not 20")
[ "$sent" -ge 100 ] && [ "$got" -eq "$sent" ] || problems+=("pings lost during reloads: $got of $sent")
grep -q "CHANNEL_DOWN" "$ZT_CTL_LOG" && problems+=("a CHANNEL_DOWN happened")

# A broken edit: the reload fails, says where, and the old apps keep serving.
printf 'local app = zof.app("broken"\nthis is not lua\n' >"$APPS/zz_broken.lua"
kill -HUP "$ZT_CTL_PID"
for _ in $(seq 1 25); do grep -q "reload failed" "$ZT_CTL_LOG" && break; sleep 0.2; done
grep -q "reload failed: .*zz_broken.lua:2:" "$ZT_CTL_LOG" || problems+=("no reload failure naming zz_broken.lua:2")
hosts_flush_neigh
bridge_del_flows "$BR" "$VERSION"
ovs-ofctl -O "$VERSION" add-flow "$BR" "priority=0,actions=CONTROLLER:65535"
ping_all 3 || problems+=("$ZT_PING_FAILED ping pair(s) failed after the broken reload")
reloads_after=$(grep -c "reload [0-9]*: " "$ZT_CTL_LOG" || true)
[ "$reloads_after" -eq 20 ] || problems+=("the broken edit was loaded")

controller_stop || problems+=("zofhost did not stop cleanly (status $ZT_CTL_STATUS)")
[ ! -e "$ZT_TMP/zofhost.pidfile" ] || problems+=("the pid file was not removed at exit")
# The broken reload is meant to log errors; anything else is a failure.
if errors=$(log_has_errors "$ZT_CTL_LOG" | grep -v "reload failed"); then
  problems+=("unexpected error lines in the log")
  printf '%s\n' "$errors" | head -n 20 | sed 's/^/    log: /'
fi

if [ "${#problems[@]}" -eq 0 ]; then
  zt_say "PASS: reload under load ($VERSION)"
else
  zt_say "FAIL: reload under load ($VERSION): $(IFS=';'; echo "${problems[*]}")"
  tail -n 30 "$ZT_CTL_LOG" || true
  exit 1
fi
