#!/usr/bin/env bash
# End to end: apps built from apps. Three Open vSwitch bridges wired in a
# triangle (a loop), one host on each, OpenFlow 1.3. zofhost runs
# tests/e2e/apps-multi, whose app requires l2_multi, which requires topology
# (both from the bundled library).
#
#   1. The topology app finds every link by LLDP: the LINK_ADD lines in the log
#      must be exactly the six directed links of the wiring this test made.
#   2. l2_multi lets every host ping every other, loop and all.
#   3. One cable goes down: its two links are deleted, and the hosts it joined
#      still reach each other around the triangle. It comes back: the links
#      are found again.
# Fails on any error line in zofhost's log. Everything is stopped by pid.
#
#   ZOF_E2E_VERSION   the OpenFlow version the bridges speak (OpenFlow13)
set -euo pipefail

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
zt_init

P=$ZT_PREFIX
OFV=${ZOF_E2E_VERSION:-OpenFlow13}
case "$OFV" in
  OpenFlow10) VNUM=1.0 ;; OpenFlow13) VNUM=1.3 ;; OpenFlow14) VNUM=1.4 ;; OpenFlow15) VNUM=1.5 ;;
  *) zt_die "ZOF_E2E_VERSION must be OpenFlow10, OpenFlow13, OpenFlow14 or OpenFlow15" ;;
esac
APPS="$ZT_ROOT/tests/e2e/apps-multi"
problems=()

ovs_start
port=$(free_port)
zofhost_start --listen "127.0.0.1:$port" --apps "$APPS" --versions "$VNUM"
wait_listen "$port" 15 || zt_die "zofhost never listened"

dpid() { printf '00:00:00:00:00:00:00:%02x' "$1"; }
for i in 1 2 3; do
  bridge_add "${P}s$i" "$OFV" "$port"
  zt_vsctl set bridge "${P}s$i" other-config:datapath-id="$(printf '%016x' "$i")"
  host_add "${P}s$i" "${P}h$i" "10.213.2.$i/24"
done
# The triangle: s1-s2, s2-s3, s3-s1. Cable ends are named <prefix>c<from><to>.
cables="1:2 2:3 3:1"
for c in $cables; do
  a=${c%:*} b=${c#*:}
  bridge_link "${P}s$a" "${P}s$b" "${P}c$a$b" "${P}c$b$a"
done
wait_controller "$port" 20 3 || zt_die "the three bridges did not all connect"

# The links the wiring makes, as topology reports them.
expected_links() {
  local c a b pa pb
  for c in $cables; do
    a=${c%:*} b=${c#*:}
    pa=$(ofport "${P}c$a$b") pb=$(ofport "${P}c$b$a")
    echo "$(dpid "$a"):$pa -> $(dpid "$b"):$pb"
    echo "$(dpid "$b"):$pb -> $(dpid "$a"):$pa"
  done | sort
}
want=$(expected_links)
zt_debug "expected links: $want"

# log_links WORD: the links of the WORD lines (LINK_ADD, LINK_DELETE) in zofhost's log, sorted.
log_links() { grep -oE "$1 [0-9a-f:]+:[0-9]+ -> [0-9a-f:]+:[0-9]+" "$ZT_CTL_LOG" | sed "s/^$1 //" | sort -u || true; }
wait_for() {  # wait_for SECONDS COMMAND...: polls COMMAND every 0.2 s
  local tries=$(($1 * 5)); shift
  while [ "$tries" -gt 0 ]; do
    "$@" && return 0
    sleep 0.2
    tries=$((tries - 1))
  done
  return 1
}
all_links_found() { [ "$(log_links LINK_ADD)" = "$want" ]; }

if wait_for 20 all_links_found; then
  zt_say "topology found the 6 links of the triangle"
else
  problems+=("links found differ from the wiring")
  echo "--- wanted:"; echo "$want"; echo "--- found:"; log_links LINK_ADD
fi

hosts_flush_neigh
ping_all 3 || problems+=("$ZT_PING_FAILED ping pair(s) failed with the whole triangle up")

# Cut s1-s2. Both of its directed links must go; h1 and h2 reach each other through s3.
cut=$(expected_links | grep -E "^$(dpid 1):$(ofport "${P}c12") |^$(dpid 2):$(ofport "${P}c21") " | sort)
ip link set dev "${P}c12" down
cut_gone() { [ "$(log_links LINK_DELETE)" = "$cut" ]; }
if wait_for 15 cut_gone; then
  zt_say "the cut cable's 2 links were deleted"
else
  problems+=("cutting s1-s2 did not delete exactly its two links")
  echo "--- wanted deleted:"; echo "$cut"; echo "--- deleted:"; log_links LINK_DELETE
fi
hosts_flush_neigh
ping_all 3 || problems+=("$ZT_PING_FAILED ping pair(s) failed with s1-s2 cut")

# Mend it: the links come back (LINK_ADD lines for them appear a second time).
before=$(grep -c "LINK_ADD" "$ZT_CTL_LOG" || true)
ip link set dev "${P}c12" up
relinked() { [ "$(grep -c "LINK_ADD" "$ZT_CTL_LOG" || true)" -ge $((before + 2)) ]; }
wait_for 15 relinked || problems+=("the mended cable's links were not found again")
ping_all 3 || problems+=("$ZT_PING_FAILED ping pair(s) failed after mending s1-s2")

controller_alive || problems+=("zofhost died")
if errors=$(log_has_errors "$ZT_CTL_LOG"); then
  problems+=("error lines in zofhost's log")
  printf '%s\n' "$errors" | head -n 20 | sed 's/^/    log: /'
fi
controller_stop || problems+=("zofhost did not stop cleanly (status $ZT_CTL_STATUS)")

if [ "${#problems[@]}" -eq 0 ]; then
  zt_say "PASS: topology and l2_multi on a triangle of 3 bridges (OpenFlow $VNUM)"
else
  zt_say "FAIL: $(IFS=';'; echo "${problems[*]}")"
  echo "--- zofhost log, last 60 lines ($ZT_CTL_LOG)"
  tail -n 60 "$ZT_CTL_LOG" || true
  for i in 1 2 3; do bridge_dump "${P}s$i" "$OFV" | head -n 30; done
  exit 1
fi
