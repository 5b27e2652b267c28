#!/usr/bin/env bash
# End to end: switch channels as deployments use them, against a real Open
# vSwitch, all on loopback and the test's own namespaces.
#
#   tls      the bridge connects with ssl: using ovs-pki certificates made in
#            the test's folder; zofhost listens with tls:; pings pass on
#            OpenFlow 1.3, then again with the bridge on 1.0
#   bad_ca   the bridge's certificate comes from another CA: zofhost refuses it
#   ptcp     the bridge listens (ptcp:), zofhost connects out; pings pass;
#            ovs-vswitchd is stopped (by pid) and started again: zofhost
#            connects again by itself and pings pass again
#   pssl     the same over TLS (pssl:, zofhost's --connect tls:)
#   roles    two zofhost instances on one bridge: one MASTER, one SLAVE with
#            generation id 7; the slave's FLOW_MODs are refused by zofhost
#            itself; ovs-vsctl shows both roles; pings pass through the master
#            (OpenFlow 1.3, then 1.0 with Nicira's role request). On 1.3
#            a reload gives the slave an app that asks for MASTER with
#            generation id 8: the master is demoted (its app sees
#            ROLE_CHANGED from the switch, ovs-vsctl shows the swap), tries
#            to take the switch back with id 7 and is refused as STALE
set -euo pipefail

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
zt_init
command -v ovs-pki >/dev/null 2>&1 || zt_die "ovs-pki not found; run scripts/deps test"

BR="${ZT_PREFIX}b"
APPS="$ZT_ROOT/apps-lua"
V=OpenFlow13
SECOND_PID=""     # the second zofhost of the roles case
SECOND_LOG=""
fail=0 pass=0

second_stop() {
  local pid=$SECOND_PID
  [ -n "$pid" ] || return 0
  SECOND_PID=""
  kill -TERM "$pid" 2>/dev/null || true
  zt_wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
trap 'second_stop; zt_cleanup' EXIT

result() {  # result NAME PROBLEMS...
  local name=$1
  shift
  if [ "$#" -eq 0 ]; then
    zt_say "PASS: $name"
    pass=$((pass + 1))
  else
    zt_say "FAIL: $name: $(IFS=';'; echo "$*")"
    fail=$((fail + 1))
    echo "--- controller log, last 30 lines ($ZT_CTL_LOG)"
    tail -n 30 "$ZT_CTL_LOG" 2>/dev/null || true
    bridge_dump "$BR" "$V" 2>&1 | tail -n 25
  fi
}

# wait_log FILE PATTERN SECONDS
wait_log() {
  for _ in $(seq 1 $(($3 * 10))); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# ------------------------------------------------------------------- certificates
PKI="$ZT_TMP/pki"
mkdir -p "$PKI"
(
  cd "$PKI"
  ovs-pki --dir="$PKI/ca" --log="$PKI/ovs-pki.log" init >/dev/null
  ovs-pki --dir="$PKI/ca" --log="$PKI/ovs-pki.log" req+sign ctl controller >/dev/null
  ovs-pki --dir="$PKI/ca" --log="$PKI/ovs-pki.log" req+sign sw switch >/dev/null
  ovs-pki --dir="$PKI/other" --log="$PKI/ovs-pki.log" init >/dev/null
  ovs-pki --dir="$PKI/other" --log="$PKI/ovs-pki.log" req+sign rogue switch >/dev/null
) || zt_die "ovs-pki failed; see $PKI/ovs-pki.log"
zt_say "certificates made with ovs-pki in $PKI"

# User-space OVS datapaths share one tap, ovs-netdev: while another test's
# OVS holds it, bridges here would fail to open. Wait (bounded) for it.
for _ in $(seq 1 120); do
  ip link show dev ovs-netdev >/dev/null 2>&1 || break
  sleep 1
done
ip link show dev ovs-netdev >/dev/null 2>&1 && zt_die "another user-space Open vSwitch holds ovs-netdev; try again later"
ovs_start
TLS_ARGS=(--tls-cert "$PKI/ctl-cert.pem" --tls-key "$PKI/ctl-privkey.pem" --tls-ca "$PKI/ca/switchca/cacert.pem")

# --------------------------------------------------------------------------- tls
zt_say "--- case: tls"
problems=()
port=$(free_port)
zofhost_start --listen "tls:127.0.0.1:$port" "${TLS_ARGS[@]}" --versions 1.0,1.3 --apps "$APPS"
wait_listen "$port" 15 || problems+=("zofhost never listened")
zt_vsctl set-ssl "$PKI/sw-privkey.pem" "$PKI/sw-cert.pem" "$PKI/ca/controllerca/cacert.pem"
ZT_BRIDGES+=("$BR")
zt_vsctl add-br "$BR" -- set bridge "$BR" datapath_type=netdev fail_mode=secure protocols=$V \
  other-config:disable-in-band=true -- set-controller "$BR" "ssl:127.0.0.1:$port" \
  -- set controller "$BR" max_backoff=1000
for i in 1 2; do host_add "$BR" "${ZT_PREFIX}h$i" "10.213.7.$i/24"; done
if wait_log "$ZT_CTL_LOG" "CHANNEL_UP .*over TLSv1" 15; then
  ping_all 3 || problems+=("$ZT_PING_FAILED ping pair(s) failed over TLS")
  grep -o "over TLSv1[^,]*, peer [^ ]*" "$ZT_CTL_LOG" | head -n 1 | sed 's/^/    /'
  # The same over TLS on OpenFlow 1.0 (changing protocols drops the channel).
  bridge_del_flows "$BR" "$V" || true
  zt_vsctl set bridge "$BR" protocols=OpenFlow10
  up10=""
  for _ in $(seq 1 150); do
    [ "$(grep -c "CHANNEL_UP datapath .*OpenFlow 1.0.*over TLSv1" "$ZT_CTL_LOG" || true)" -gt 0 ] && { up10=1; break; }
    sleep 0.1
  done
  if [ -n "$up10" ]; then
    hosts_flush_neigh
    ping_all 3 || problems+=("$ZT_PING_FAILED ping pair(s) failed over TLS on OpenFlow 1.0")
    grep -o "CHANNEL_UP datapath .*OpenFlow 1.0.*over TLSv1[^,]*" "$ZT_CTL_LOG" | tail -n 1 | sed 's/^/    /'
  else
    problems+=("no CHANNEL_UP over TLS on OpenFlow 1.0")
  fi
  bridge_del_flows "$BR" OpenFlow10 || true
  zt_vsctl set bridge "$BR" protocols=$V
else
  problems+=("no CHANNEL_UP over TLS")
fi

# ------------------------------------------------------------------------ bad_ca
# Same zofhost; the bridge now presents a certificate from another CA.
zt_say "--- case: bad_ca"
result tls "${problems[@]}"
problems=()
ups=$(grep -c "CHANNEL_UP datapath" "$ZT_CTL_LOG" || true)
# (OVS keeps a connection up across set-ssl: drop the controller first.)
zt_vsctl del-controller "$BR"
zt_vsctl set-ssl "$PKI/rogue-privkey.pem" "$PKI/rogue-cert.pem" "$PKI/ca/controllerca/cacert.pem"
zt_vsctl set-controller "$BR" "ssl:127.0.0.1:$port" -- set controller "$BR" max_backoff=1000
if ! wait_log "$ZT_CTL_LOG" "closed before CHANNEL_UP: TLS handshake failed.*certificate verify failed" 15; then
  problems+=("no refused handshake in the log")
else
  grep -m1 "certificate verify failed" "$ZT_CTL_LOG" | sed 's/^/    /'
fi
sleep 2
[ "$(grep -c "CHANNEL_UP datapath" "$ZT_CTL_LOG" || true)" = "$ups" ] || problems+=("a channel came up with the rogue certificate")
controller_alive || problems+=("zofhost died")
controller_stop || problems+=("zofhost did not stop cleanly")
errs=$(log_has_errors "$ZT_CTL_LOG" || true)
[ -z "$errs" ] || problems+=("error lines in the log: $errs")
result bad_ca "${problems[@]}"
zt_vsctl del-ssl
bridge_del_flows "$BR" "$V" || true

# -------------------------------------------------------------------------- ptcp
zt_say "--- case: ptcp"
problems=()
port=$(free_port)
zt_vsctl set-controller "$BR" "ptcp:$port:127.0.0.1"
wait_listen "$port" 15 || problems+=("OVS never listened on ptcp:$port")
zofhost_start --connect "tcp:127.0.0.1:$port" --apps "$APPS"
hosts_flush_neigh
if wait_log "$ZT_CTL_LOG" "CHANNEL_UP" 15; then
  ping_all 3 || problems+=("$ZT_PING_FAILED ping pair(s) failed")
else
  problems+=("no CHANNEL_UP connecting out")
fi
# The switch restarts: its listener and the channel go away and come back.
ups=$(grep -c "CHANNEL_UP datapath" "$ZT_CTL_LOG" || true)
zt_ovs_daemon_stop ovs-vswitchd "$ZT_VSWITCHD_PID" || problems+=("ovs-vswitchd did not stop")
wait_log "$ZT_CTL_LOG" "CHANNEL_DOWN|closed" 10 || problems+=("zofhost never saw the channel go")
ovs-vswitchd "unix:$OVS_RUNDIR/db.sock" -vconsole:warn --pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" \
  --log-file="$OVS_LOGDIR/ovs-vswitchd.log" --detach --no-chdir || problems+=("ovs-vswitchd did not start again")
ZT_VSWITCHD_PID=$(cat "$OVS_RUNDIR/ovs-vswitchd.pid")
zt_say "ovs-vswitchd restarted (pid $ZT_VSWITCHD_PID)"
wait_listen "$port" 15 || problems+=("OVS never listened again on ptcp:$port")
up_again=""
for _ in $(seq 1 200); do
  [ "$(grep -c "CHANNEL_UP datapath" "$ZT_CTL_LOG" || true)" -gt "$ups" ] && { up_again=1; break; }
  sleep 0.1
done
if [ -n "$up_again" ]; then
  zt_say "zofhost connected again after the restart"
  hosts_flush_neigh
  ping_all 3 || problems+=("$ZT_PING_FAILED ping pair(s) failed after OVS restarted")
else
  problems+=("no CHANNEL_UP after OVS restarted")
fi
controller_alive || problems+=("zofhost died")
controller_stop || problems+=("zofhost did not stop cleanly")
errs=$(log_has_errors "$ZT_CTL_LOG" || true)
[ -z "$errs" ] || problems+=("error lines in the log: $errs")
result ptcp "${problems[@]}"
bridge_del_flows "$BR" "$V" || true

# -------------------------------------------------------------------------- pssl
# The bridge listens for TLS (pssl:); zofhost connects out over TLS and checks
# the switch's certificate against the switch CA.
zt_say "--- case: pssl"
problems=()
port=$(free_port)
zt_vsctl set-ssl "$PKI/sw-privkey.pem" "$PKI/sw-cert.pem" "$PKI/ca/controllerca/cacert.pem"
zt_vsctl set-controller "$BR" "pssl:$port:127.0.0.1"
wait_listen "$port" 15 || problems+=("OVS never listened on pssl:$port")
zofhost_start --connect "tls:127.0.0.1:$port" "${TLS_ARGS[@]}" --apps "$APPS"
hosts_flush_neigh
if wait_log "$ZT_CTL_LOG" "CHANNEL_UP .*over TLSv1" 15; then
  ping_all 3 || problems+=("$ZT_PING_FAILED ping pair(s) failed")
else
  problems+=("no CHANNEL_UP connecting out over TLS")
fi
controller_alive || problems+=("zofhost died")
controller_stop || problems+=("zofhost did not stop cleanly")
errs=$(log_has_errors "$ZT_CTL_LOG" || true)
[ -z "$errs" ] || problems+=("error lines in the log: $errs")
result pssl "${problems[@]}"
zt_vsctl del-ssl
bridge_del_flows "$BR" "$V" || true

# ------------------------------------------------------------------------- roles
# On 1.3 with ROLE_REQUEST and a generation id; on 1.0 with Nicira's role
# request, which has none.
for RV in OpenFlow13 OpenFlow10; do
  GEN=" generation 7"
  [ "$RV" = OpenFlow13 ] || GEN=" \\(request\\)"
  zt_say "--- case: roles $RV"
  problems=()
  pm=$(free_port)
  ps=$(free_port)
  # Each instance: the bundled apps and role_watch, in a folder of its own.
  rm -rf "$ZT_TMP/apps-first" "$ZT_TMP/apps-second"
  for d in apps-first apps-second; do
    mkdir -p "$ZT_TMP/$d"
    cp "$APPS"/*.lua "$ZT_ROOT/tests/e2e/apps-roles/role_watch.lua" "$ZT_TMP/$d/"
  done
  zofhost_start --listen "127.0.0.1:$pm" --role master --generation-id 7 --apps "$ZT_TMP/apps-first"
  SECOND_LOG="$ZT_TMP/zofhost-slave.log"
  "${ZOFHOST:-$ZT_ROOT/.build/debug/zofhost}" --listen "127.0.0.1:$ps" --role slave --generation-id 7 \
    --apps "$ZT_TMP/apps-second" >"$SECOND_LOG" 2>&1 </dev/null &
  SECOND_PID=$!
  zt_say "second zofhost (slave) started (pid $SECOND_PID)"
  wait_listen "$pm" 15 || problems+=("master never listened")
  wait_listen "$ps" 15 || problems+=("slave never listened")
  zt_vsctl set bridge "$BR" protocols="$RV" -- set-controller "$BR" "tcp:127.0.0.1:$pm" "tcp:127.0.0.1:$ps"
  for u in $(zt_vsctl --bare --columns=_uuid find controller); do zt_vsctl set controller "$u" max_backoff=1000; done
  wait_log "$ZT_CTL_LOG" "role EQUAL -> MASTER$GEN" 15 || problems+=("master never became MASTER")
  wait_log "$SECOND_LOG" "role EQUAL -> SLAVE$GEN" 15 || problems+=("slave never became SLAVE")
  wait_log "$SECOND_LOG" "is SLAVE: FLOW_MOD refused|has a SLAVE role request out: FLOW_MOD refused" 10 ||
    problems+=("the slave's FLOW_MOD was not refused by zofhost")
  grep -m1 "FLOW_MOD refused" "$SECOND_LOG" | sed 's/^.*\(datapath.*refused\).*/    slave: \1/'
  if grep -q "IS_SLAVE" "$SECOND_LOG"; then problems+=("a slave FLOW_MOD reached the switch (IS_SLAVE error)"); fi
  roles=""
  for _ in $(seq 1 150); do
    roles=$(zt_vsctl --bare --columns=role list controller | grep -v '^$' | sort | tr '\n' ' ' || true)
    [ "$roles" = "master slave " ] && break
    sleep 0.1
  done
  zt_say "ovs-vsctl list controller roles: $roles"
  [ "$roles" = "master slave " ] || problems+=("ovs-vsctl shows roles '$roles'")
  hosts_flush_neigh
  ping_all 3 || problems+=("$ZT_PING_FAILED ping pair(s) failed through the master")
  if [ "$RV" = OpenFlow13 ]; then
    # A higher generation id demotes the master; its old one is stale.
    cp "$ZT_ROOT/tests/e2e/apps-usurp/usurp.lua" "$ZT_TMP/apps-second/"
    kill -HUP "$SECOND_PID"
    wait_log "$SECOND_LOG" "asked MASTER with generation 8: MASTER generation 8" 15 ||
      problems+=("the second instance did not become MASTER with generation 8")
    wait_log "$ZT_CTL_LOG" "role MASTER -> SLAVE generation 8 \(status MASTER_REQUEST\)" 10 ||
      problems+=("the first instance was not told it is SLAVE now")
    wait_log "$ZT_CTL_LOG" "ROLE_CHANGED SLAVE generation 8 status MASTER_REQUEST" 10 ||
      problems+=("the first instance's app saw no ROLE_CHANGED to SLAVE")
    wait_log "$ZT_CTL_LOG" "take-back with generation 7 refused: ROLE_REQUEST_FAILED STALE" 10 ||
      problems+=("the stale take-back was not refused as STALE")
    grep -hE "ROLE_CHANGED SLAVE|take-back|asked MASTER" "$ZT_CTL_LOG" "$SECOND_LOG" | sed 's/^/    /'
    swapped=""
    for _ in $(seq 1 150); do
      swapped=$(zt_vsctl --bare --columns=role find controller "target=\"tcp:127.0.0.1:$ps\"" | grep -v '^$' || true)/$(
        zt_vsctl --bare --columns=role find controller "target=\"tcp:127.0.0.1:$pm\"" | grep -v '^$' || true)
      [ "$swapped" = "master/slave" ] && break
      sleep 0.1
    done
    zt_say "after the demotion ovs-vsctl shows second/first: $swapped"
    [ "$swapped" = "master/slave" ] || problems+=("ovs-vsctl shows second/first roles '$swapped'")
  fi
  zt_alive "$SECOND_PID" || problems+=("the slave zofhost died")
  second_stop
  controller_alive || problems+=("the master zofhost died")
  controller_stop || problems+=("the master did not stop cleanly")
  errs=$(log_has_errors "$ZT_CTL_LOG" || true)
  [ -z "$errs" ] || problems+=("error lines in the master's log: $errs")
  result "roles $RV" "${problems[@]}"
  [ "$RV" = "$V" ] || zt_vsctl set bridge "$BR" protocols=$V
  bridge_del_flows "$BR" "$RV" || true
done

zt_say "channels: $pass case(s) passed, $fail failed"
[ "$fail" -eq 0 ]
