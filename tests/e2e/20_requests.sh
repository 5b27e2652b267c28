#!/usr/bin/env bash
# End to end: a handler that waits on the switch's replies. On CHANNEL_UP the app
# in apps-requests/ requests the switch description, its ports, port counters
# and a barrier; the log must show each reply with what the bridge really has.
set -euo pipefail

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
zt_init

VERSIONS=${ZOF_E2E_VERSIONS:-"OpenFlow10 OpenFlow13"}
BR="${ZT_PREFIX}b"
APPS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/apps-requests"

ovs_start
pass=0 fail=0 first=1
for version in $VERSIONS; do
  case_name="requests $version"
  zt_say "--- case: $case_name"
  problems=()
  port=$(free_port)
  zofhost_start --listen "127.0.0.1:$port" --apps "$APPS"
  wait_listen "$port" 15 || problems+=("zofhost never listened on port $port")
  if [ "$first" = 1 ]; then
    bridge_add "$BR" "$version" "$port"
    for i in 1 2; do host_add "$BR" "${ZT_PREFIX}h$i" "10.213.2.$i/24"; done
    first=0
  else
    bridge_set_controller "$BR" "$version" "$port"
  fi
  wait_controller "$port" 15 || problems+=("the switch never connected")

  # The replies come within a second of the connection; allow for slow machines.
  for _ in $(seq 1 50); do
    grep -q "BARRIER" "$ZT_CTL_LOG" && break
    sleep 0.2
  done
  # Ports can be added after the channel came up; the bridge's own port is always there.
  grep -Eq "DESC 00:00:[0-9a-f:]+ mfr=\"Nicira, Inc.\" sw=\"[0-9]" "$ZT_CTL_LOG" || problems+=("no DESC reply with OVS's description")
  grep -Eq "PORTS [1-9][0-9]* .*${BR}" "$ZT_CTL_LOG" || problems+=("no port list naming the bridge port")
  grep -Eq "PORT_STATS [1-9]" "$ZT_CTL_LOG" || problems+=("no PORT_STATS reply with counters")
  grep -q "BARRIER BARRIER_REPLY" "$ZT_CTL_LOG" || problems+=("no BARRIER_REPLY")

  controller_stop || problems+=("zofhost did not stop cleanly (status $ZT_CTL_STATUS)")
  if errors=$(log_has_errors "$ZT_CTL_LOG"); then
    problems+=("error lines in the log")
    printf '%s\n' "$errors" | head -n 20 | sed 's/^/    log: /'
  fi
  if [ "${#problems[@]}" -eq 0 ]; then
    zt_say "PASS: $case_name"
    grep -E "DESC|PORT|BARRIER" "$ZT_CTL_LOG" | sed 's/^/    /'
    pass=$((pass + 1))
  else
    zt_say "FAIL: $case_name: $(IFS=';'; echo "${problems[*]}")"
    tail -n 40 "$ZT_CTL_LOG" || true
    fail=$((fail + 1))
  fi
done
zt_say "requests: $pass case(s) passed, $fail failed"
[ "$fail" -eq 0 ]
