#!/usr/bin/env bash
# End to end: the bundled learning switch (apps-lua) drives a real Open vSwitch
# (OpenFlow 1.0, 1.3, 1.4 and 1.5 by default).
#
# One private OVS, one user-space bridge in secure fail mode, hosts in network
# namespaces. For each OpenFlow version in ZOF_E2E_VERSIONS the bridge is made to
# speak only that version, a fresh controller is started on a fresh loopback
# port, and every host must ping every other host. A case fails if a ping fails,
# the controller dies or will not stop on SIGTERM, or its log has an error line.
#
#   ZOF_E2E_VERSIONS     versions to run, one case each ("OpenFlow10 OpenFlow13")
#   ZOF_E2E_HOSTS        number of hosts (3)
#   ZOF_E2E_CONTROLLER   zofhost (default) or testcontroller (checks the harness)
set -euo pipefail

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
zt_init

VERSIONS=${ZOF_E2E_VERSIONS:-"OpenFlow10 OpenFlow13 OpenFlow14 OpenFlow15"}
NHOSTS=${ZOF_E2E_HOSTS:-3}
BR="${ZT_PREFIX}b"
CONTROLLER=${ZOF_E2E_CONTROLLER:-zofhost}

ovs_start

pass=0 fail=0 first=1
for version in $VERSIONS; do
  case_name="l2_switch_ping $version ($CONTROLLER, $NHOSTS hosts)"
  zt_say "--- case: $case_name"
  started=$(date +%s)
  problems=()

  port=$(free_port)
  controller_start "$port" "$version"
  # Only a listening controller gets the bridge's first connect attempt; refused
  # attempts back off for seconds (see wait_listen in lib.sh).
  wait_listen "$port" 15 || problems+=("the controller never listened on port $port")

  if [ "$first" = 1 ]; then
    bridge_add "$BR" "$version" "$port"
    for i in $(seq 1 "$NHOSTS"); do
      host_add "$BR" "${ZT_PREFIX}h$i" "10.213.1.$i/24"
    done
    first=0
  else
    bridge_set_controller "$BR" "$version" "$port"
  fi
  hosts_flush_neigh

  if [ "${#problems[@]}" -eq 0 ] && wait_controller "$port" 15; then
    ping_all 3 || problems+=("$ZT_PING_FAILED ping pair(s) failed")
  elif [ "${#problems[@]}" -eq 0 ]; then
    problems+=("the switch never connected to the controller")
  fi

  # Snapshot the flows while the controller's work is still there.
  flows_dump=$(bridge_dump "$BR" "$version" 2>&1 || true)

  if ! controller_alive; then
    problems+=("the controller died during the case")
  fi
  if ! controller_stop; then
    problems+=("the controller did not stop cleanly (status $ZT_CTL_STATUS)")
  fi
  if errors=$(log_has_errors "$ZT_CTL_LOG"); then
    problems+=("error lines in the controller log")
    printf '%s\n' "$errors" | head -n 20 | sed 's/^/    log: /'
  fi

  # Next case starts from an empty table: flows outlive the controller in
  # secure mode. (Use the version the bridge speaks right now.)
  bridge_del_flows "$BR" "$version" || problems+=("del-flows failed")

  took=$(($(date +%s) - started))
  if [ "${#problems[@]}" -eq 0 ]; then
    zt_say "PASS: $case_name in ${took}s"
    pass=$((pass + 1))
  else
    zt_say "FAIL: $case_name in ${took}s: $(IFS=';'; echo "${problems[*]}")"
    fail=$((fail + 1))
    echo "--- controller log, last 40 lines ($ZT_CTL_LOG)"
    tail -n 40 "$ZT_CTL_LOG" 2>/dev/null || true
    printf '%s\n' "$flows_dump"
  fi
done

zt_say "l2_switch_ping: $pass case(s) passed, $fail failed"
[ "$fail" -eq 0 ]
