# shellcheck shell=bash
# shellcheck disable=SC2034  # the ZT_* globals are read by the tests that source this
# Helpers for the end-to-end tests. Source it from a test that runs under
# `set -euo pipefail`, then call zt_init first.
#
# Rules these helpers keep, so tests get them for free:
# - Everything started is stopped by its pid (pidfiles for the OVS daemons,
#   $! for children); nothing is ever signalled by name.
# - Open vSwitch runs privately: its run, db, log and etc directories live in a
#   temp dir of the test, and every ovs-* command is pointed there.
# - Namespaces, veths and bridges carry the prefix zt<pid of the test>, so two
#   tests at once do not collide and cleanup removes only what this test made.
# - Traffic stays on loopback (controller) and inside the test's namespaces.
# - Every wait is bounded in tries and seconds.
#
# Environment a test may set:
#   ZOFHOST              zofhost binary (default: <repo>/.build/debug/zofhost)
#   ZOF_E2E_CONTROLLER   zofhost (default) | testcontroller (ovs-testcontroller,
#                        the C reference, used to check the harness itself)
#   ZOF_E2E_SKIP=1       print "SKIP: ..." and exit 0 instead of running
#   ZOF_E2E_KEEP=1       keep the temp dir (logs, OVS db) after the test
#   ZOF_E2E_VERBOSE=1    print every helper step

ZT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ZT_ID=$$
ZT_PREFIX="zt${ZT_ID}"        # at most 9 characters: leaves room for a suffix
ZT_TMP=""
ZT_OVS_STARTED=0
ZT_OVSDB_PID=""
ZT_VSWITCHD_PID=""
ZT_BRIDGES=()
ZT_NETNS=()
ZT_LINKS=()
ZT_HOSTS=()                   # namespace names, in the order they were added
ZT_HOST_IPS=()                # their addresses without the prefix length
ZT_CTL_PID=""                 # the controller under test (zofhost or testcontroller)
ZT_CTL_KIND=""
ZT_CTL_LOG=""
ZT_CTL_STATUS=""
ZT_PING_FAILED=0
ZT_CLEANED=0

zt_say() { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
zt_debug() { [ "${ZOF_E2E_VERBOSE:-0}" != 1 ] || zt_say "$@"; }
zt_die() {
  zt_say "ERROR: $*" >&2
  exit 1
}

# True while PID is a live process (a zombie waiting to be reaped is not).
zt_alive() {
  local pid=$1 state
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# Waits up to SECONDS (tenths allowed) for PID to be gone.
zt_wait_gone() {
  local pid=$1 tenths
  tenths=$(awk -v s="$2" 'BEGIN { printf "%d", s * 10 }')
  while [ "$tenths" -gt 0 ]; do
    zt_alive "$pid" || return 0
    sleep 0.1
    tenths=$((tenths - 1))
  done
  ! zt_alive "$pid"
}

# Sets up a test: the skip switch, root check, temp dir, cleanup traps.
zt_init() {
  if [ "${ZOF_E2E_SKIP:-0}" = 1 ]; then
    echo "SKIP: ZOF_E2E_SKIP=1"
    exit 0
  fi
  [ "$(id -u)" -eq 0 ] || zt_die "end-to-end tests need root (namespaces, OVS); set ZOF_E2E_SKIP=1 to skip"
  local tool
  for tool in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-ofctl ovs-appctl ip ss ping ethtool; do
    command -v "$tool" >/dev/null 2>&1 || zt_die "$tool not found; run scripts/deps test"
  done
  ZT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/zofe2e.XXXXXX")
  trap zt_cleanup EXIT
  trap 'zt_say "interrupted"; exit 130' INT
  trap 'zt_say "terminated"; exit 143' TERM
  trap 'zt_say "hangup"; exit 129' HUP
  zt_debug "temp dir $ZT_TMP, name prefix $ZT_PREFIX"
}

# Stops everything this test started, newest first. Safe to call twice.
zt_cleanup() {
  local rc=$?
  [ "$ZT_CLEANED" = 0 ] || return "$rc"
  ZT_CLEANED=1
  set +e
  trap - INT TERM HUP
  controller_stop
  # A test that passed but could not put things back fails: leftovers matter.
  if ! ovs_stop; then
    zt_say "cleanup: OVS did not stop cleanly"
    [ "$rc" != 0 ] || rc=1
  fi
  if ! hosts_cleanup; then
    zt_say "cleanup: could not remove every namespace or veth"
    [ "$rc" != 0 ] || rc=1
  fi
  if [ -n "$ZT_TMP" ] && [ -d "$ZT_TMP" ]; then
    if [ "${ZOF_E2E_KEEP:-0}" = 1 ]; then
      zt_say "kept $ZT_TMP"
    else
      rm -rf "$ZT_TMP"
    fi
  fi
  return "$rc"
}

# Prints a TCP port on 127.0.0.1 that nothing uses, in any state. It is picked
# below the kernel's ephemeral range, so a client socket will not take it.
free_port() {
  local low port
  low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 21000 ] || low=61000
  for _ in $(seq 1 50); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % (low - 20000)))
    if [ -z "$(ss -Htan "( sport = :$port or dport = :$port )" 2>/dev/null)" ]; then
      echo "$port"
      return 0
    fi
  done
  zt_die "no free port found in 50 tries"
}

# ---------------------------------------------------------------- Open vSwitch

# The four variables every ovs-* command needs; exported so a test can also call
# ovs-vsctl / ovs-ofctl / ovs-appctl directly after ovs_start.
zt_ovs_env() {
  export OVS_RUNDIR="$ZT_TMP/ovs/run" OVS_DBDIR="$ZT_TMP/ovs/db"
  export OVS_LOGDIR="$ZT_TMP/ovs/log" OVS_SYSCONFDIR="$ZT_TMP/ovs/etc"
}

# ovs-vsctl aimed explicitly at the private database, with a bounded wait.
zt_vsctl() {
  ovs-vsctl --timeout=10 --db="unix:$OVS_RUNDIR/db.sock" "$@"
}

# Private ovsdb-server and ovs-vswitchd; returns once both answer.
ovs_start() {
  [ -n "$ZT_TMP" ] || zt_die "call zt_init before ovs_start"
  [ "$ZT_OVS_STARTED" = 0 ] || return 0
  local schema=/usr/share/openvswitch/vswitch.ovsschema
  [ -r "$schema" ] || zt_die "$schema missing; run scripts/deps test"
  zt_ovs_env
  mkdir -p "$OVS_RUNDIR" "$OVS_DBDIR" "$OVS_LOGDIR" "$OVS_SYSCONFDIR"
  ZT_OVS_STARTED=1

  ovsdb-tool create "$OVS_DBDIR/conf.db" "$schema"
  # --detach returns only once the daemon is ready (or has failed).
  ovsdb-server "$OVS_DBDIR/conf.db" -vconsole:warn --remote="punix:$OVS_RUNDIR/db.sock" \
    --pidfile="$OVS_RUNDIR/ovsdb-server.pid" --log-file="$OVS_LOGDIR/ovsdb-server.log" \
    --detach --no-chdir ||
    zt_die "ovsdb-server did not start; see $OVS_LOGDIR/ovsdb-server.log"
  ZT_OVSDB_PID=$(cat "$OVS_RUNDIR/ovsdb-server.pid")
  zt_debug "ovsdb-server pid $ZT_OVSDB_PID"

  zt_vsctl --no-wait init

  ovs-vswitchd "unix:$OVS_RUNDIR/db.sock" -vconsole:warn --pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" \
    --log-file="$OVS_LOGDIR/ovs-vswitchd.log" --detach --no-chdir ||
    zt_die "ovs-vswitchd did not start; see $OVS_LOGDIR/ovs-vswitchd.log"
  ZT_VSWITCHD_PID=$(cat "$OVS_RUNDIR/ovs-vswitchd.pid")
  zt_debug "ovs-vswitchd pid $ZT_VSWITCHD_PID"

  for _ in $(seq 1 50); do
    if ovs-appctl --timeout=2 -t ovs-vswitchd version >/dev/null 2>&1 &&
      zt_vsctl show >/dev/null 2>&1; then
      zt_debug "OVS ready"
      return 0
    fi
    zt_alive "$ZT_VSWITCHD_PID" || break
    sleep 0.2
  done
  tail -n 20 "$OVS_LOGDIR/ovs-vswitchd.log" >&2 || true
  zt_die "ovs-vswitchd is not answering"
}

# Stops one OVS daemon: "exit" over its control socket, then SIGTERM and at last
# SIGKILL by the pid recorded at start. Only that pid, and only while its command
# line still points into this test's temp dir (the pid was not reused).
zt_ovs_daemon_stop() {
  local name=$1 pid=$2
  [ -n "$pid" ] || return 0
  zt_alive "$pid" || return 0
  ovs-appctl --timeout=3 -t "$name" exit >/dev/null 2>&1
  zt_wait_gone "$pid" 5 && return 0
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$ZT_TMP"; then
    zt_say "$name (pid $pid) ignored exit; SIGTERM"
    kill -TERM "$pid" 2>/dev/null
    zt_wait_gone "$pid" 3 && return 0
    zt_say "$name (pid $pid) ignored SIGTERM; SIGKILL"
    kill -KILL "$pid" 2>/dev/null
    zt_wait_gone "$pid" 3
    if [ "$name" = ovs-vswitchd ] && ip link show dev ovs-netdev >/dev/null 2>&1; then
      # The user-space datapath's tap; a killed vswitchd cannot remove it, and
      # another OVS on this machine may share the name, so it is left alone.
      zt_say "note: tap ovs-netdev may be left over from the killed ovs-vswitchd"
    fi
    return 1
  fi
}

# Deletes every bridge this test made, then stops vswitchd and ovsdb-server.
# (The bridges' internal ports are tap devices that outlive vswitchd otherwise.)
ovs_stop() {
  [ "$ZT_OVS_STARTED" = 1 ] || return 0
  local rc=0 br
  zt_ovs_env
  if zt_alive "$ZT_OVSDB_PID"; then
    for br in "${ZT_BRIDGES[@]}"; do
      zt_vsctl --if-exists del-br "$br" >/dev/null 2>&1 || rc=1
    done
  fi
  zt_ovs_daemon_stop ovs-vswitchd "$ZT_VSWITCHD_PID" || rc=1
  zt_ovs_daemon_stop ovsdb-server "$ZT_OVSDB_PID" || rc=1
  ZT_OVS_STARTED=0
  # A tap left behind (vswitchd killed before it could delete it) is ours: remove.
  for br in "${ZT_BRIDGES[@]}"; do
    if ip link show dev "$br" >/dev/null 2>&1; then
      ip link del dev "$br" 2>/dev/null || rc=1
    fi
  done
  ZT_BRIDGES=()
  return "$rc"
}

# bridge_add NAME PROTOCOLS PORT
#   A user-space bridge in secure fail mode (no flows means drop, never "fail
#   open"), speaking PROTOCOLS (e.g. OpenFlow10 or OpenFlow10,OpenFlow13), with its
#   controller at tcp:127.0.0.1:PORT and reconnect backoff capped at 1 s. (OVS 3.1
#   applies that cap only after a first successful connection: start the
#   controller and wait_listen before pointing a bridge at it.)
bridge_add() {
  local name=$1 protocols=$2 port=$3
  [ "${#name}" -le 15 ] || zt_die "bridge name $name is longer than 15 characters"
  ZT_BRIDGES+=("$name")   # recorded first: del-br --if-exists is harmless
  zt_vsctl add-br "$name" \
    -- set bridge "$name" datapath_type=netdev fail_mode=secure protocols="$protocols" \
    other-config:disable-in-band=true \
    -- set-controller "$name" "tcp:127.0.0.1:$port" \
    -- set controller "$name" max_backoff=1000
  zt_debug "bridge $name ($protocols) -> tcp:127.0.0.1:$port"
}

# bridge_set_controller NAME PROTOCOLS PORT
#   Re-points an existing bridge at another controller port and protocol list.
bridge_set_controller() {
  local name=$1 protocols=$2 port=$3
  zt_vsctl set bridge "$name" protocols="$protocols" \
    -- set-controller "$name" "tcp:127.0.0.1:$port" \
    -- set controller "$name" max_backoff=1000
}

# bridge_del_flows NAME VERSION   (VERSION must be one the bridge speaks)
bridge_del_flows() {
  ovs-ofctl --timeout=10 -O "$2" del-flows "$1"
}

# bridge_dump NAME VERSION: flows and ports, for a failure report.
bridge_dump() {
  echo "--- ovs-ofctl -O $2 dump-flows $1"
  ovs-ofctl --timeout=10 -O "$2" dump-flows "$1" 2>&1 || true
  echo "--- ovs-ofctl -O $2 dump-ports-desc $1"
  ovs-ofctl --timeout=10 -O "$2" dump-ports-desc "$1" 2>&1 | head -n 40 || true
  echo "--- controller status"
  zt_vsctl list controller 2>&1 | grep -E '^(target|is_connected|status|role) ' || true
  echo "--- ovs-vswitchd.log (last 15 lines)"
  tail -n 15 "$OVS_LOGDIR/ovs-vswitchd.log" 2>/dev/null || true
}

# ----------------------------------------------------------------------- hosts

# host_add BRIDGE NAME IP/LEN
#   A namespace NAME whose eth0 has IP/LEN, joined to BRIDGE by a veth pair; the
#   end outside (also named NAME) becomes a bridge port. NAME must fit in 15
#   characters; start it with $ZT_PREFIX.
host_add() {
  local bridge=$1 name=$2 ip=$3
  [ "${#name}" -le 15 ] || zt_die "host name $name is longer than 15 characters"
  [[ "$ip" == */* ]] || zt_die "host_add: give the address with its length, e.g. 10.213.1.1/24"
  ip netns list | awk '{ print $1 }' | grep -qxF "$name" &&
    zt_die "namespace $name exists already (not ours; leaving it alone)"
  ip link show dev "$name" >/dev/null 2>&1 &&
    zt_die "link $name exists already (not ours; leaving it alone)"

  ip netns add "$name"
  ZT_NETNS+=("$name")
  ip link add "$name" type veth peer name eth0 netns "$name"
  ZT_LINKS+=("$name")
  ip link set dev "$name" up
  zt_vsctl add-port "$bridge" "$name"
  ip netns exec "$name" ip link set dev lo up
  ip netns exec "$name" ip addr add "$ip" dev eth0
  ip netns exec "$name" ip link set dev eth0 up
  # Checksum offload on a veth leaves TCP checksums unfilled across a user-space
  # switch; ping does not care, TCP does.
  ip netns exec "$name" ethtool -K eth0 tx off >/dev/null
  ZT_HOSTS+=("$name")
  ZT_HOST_IPS+=("${ip%/*}")
  zt_debug "host $name $ip on $bridge"
}

# bridge_link BRIDGE_A BRIDGE_B NAME_A NAME_B
#   A cable between two bridges: a veth pair whose ends NAME_A and NAME_B become
#   ports of BRIDGE_A and BRIDGE_B. Names fit in 15 characters and start with
#   $ZT_PREFIX.
bridge_link() {
  local a=$1 b=$2 na=$3 nb=$4 n
  for n in "$na" "$nb"; do
    [ "${#n}" -le 15 ] || zt_die "link name $n is longer than 15 characters"
    ip link show dev "$n" >/dev/null 2>&1 && zt_die "link $n exists already (not ours; leaving it alone)"
  done
  ip link add "$na" type veth peer name "$nb"
  ZT_LINKS+=("$na" "$nb")
  ip link set dev "$na" up
  ip link set dev "$nb" up
  zt_vsctl add-port "$a" "$na" -- add-port "$b" "$nb"
  zt_debug "cable $a:$na <-> $b:$nb"
}

# ofport NAME: the OpenFlow port number OVS gave interface NAME (waits for it).
ofport() {
  local n
  for _ in $(seq 1 50); do
    n=$(zt_vsctl get Interface "$1" ofport 2>/dev/null || true)
    if [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ]; then
      echo "$n"
      return 0
    fi
    sleep 0.1
  done
  zt_die "interface $1 has no OpenFlow port number"
}

# Forgets learned neighbours in every host (so the next pings start with ARP).
hosts_flush_neigh() {
  local h
  for h in "${ZT_HOSTS[@]}"; do
    ip netns exec "$h" ip neigh flush all >/dev/null 2>&1 || true
  done
}

# Deletes the namespaces and veths this test made (and only those).
hosts_cleanup() {
  local rc=0 n
  for n in "${ZT_NETNS[@]}"; do
    if ip netns list | awk '{ print $1 }' | grep -qxF "$n"; then
      ip netns del "$n" || rc=1
    fi
  done
  # Deleting a namespace takes its eth0, and with it the peer outside; whatever
  # is still there is removed by name (names are this test's own).
  for n in "${ZT_LINKS[@]}"; do
    if ip link show dev "$n" >/dev/null 2>&1; then
      ip link del dev "$n" 2>/dev/null || rc=1
    fi
  done
  ZT_NETNS=() ZT_LINKS=() ZT_HOSTS=() ZT_HOST_IPS=()
  return "$rc"
}

# ping_all [TRIES]
#   Every host pings every other host (one echo, 2 s wait), retrying a pair up to
#   TRIES times (default 3) while the switch learns. Prints each failing pair;
#   sets ZT_PING_FAILED and returns the number of failing pairs (0 = all good).
ping_all() {
  local tries=${1:-3} i j t ok pairs=0
  ZT_PING_FAILED=0
  for i in "${!ZT_HOSTS[@]}"; do
    for j in "${!ZT_HOSTS[@]}"; do
      [ "$i" != "$j" ] || continue
      pairs=$((pairs + 1))
      ok=0
      for t in $(seq 1 "$tries"); do
        if ip netns exec "${ZT_HOSTS[$i]}" ping -n -q -c 1 -W 2 "${ZT_HOST_IPS[$j]}" >/dev/null 2>&1; then
          ok=1
          break
        fi
        zt_debug "ping ${ZT_HOSTS[$i]} -> ${ZT_HOST_IPS[$j]}: try $t failed"
      done
      if [ "$ok" = 1 ]; then
        zt_debug "ping ${ZT_HOSTS[$i]} -> ${ZT_HOST_IPS[$j]}: ok"
      else
        zt_say "ping FAILED: ${ZT_HOSTS[$i]} -> ${ZT_HOSTS[$j]} (${ZT_HOST_IPS[$j]}), $tries tries"
        ZT_PING_FAILED=$((ZT_PING_FAILED + 1))
      fi
    done
  done
  zt_say "ping_all: $((pairs - ZT_PING_FAILED))/$pairs pairs answered"
  [ "$ZT_PING_FAILED" -le 255 ] || return 255
  return "$ZT_PING_FAILED"
}

# ------------------------------------------------------------------ controllers

# wait_controller PORT TIMEOUT [COUNT]
#   Polls until COUNT (default 1) established TCP connections have PORT as their
#   local port (the controller's side), or TIMEOUT seconds pass.
wait_controller() {
  local port=$1 timeout=$2 want=${3:-1} tenths n
  tenths=$(awk -v s="$timeout" 'BEGIN { printf "%d", s * 10 }')
  while :; do
    n=$(ss -Htn state established "( sport = :$port )" 2>/dev/null | wc -l)
    if [ "$n" -ge "$want" ]; then
      zt_debug "$n connection(s) on port $port"
      return 0
    fi
    [ "$tenths" -gt 0 ] || break
    if [ -n "$ZT_CTL_PID" ] && ! zt_alive "$ZT_CTL_PID"; then
      zt_say "controller (pid $ZT_CTL_PID) died while waiting for the switch"
      return 1
    fi
    sleep 0.1
    tenths=$((tenths - 1))
  done
  zt_say "no switch connected to port $port within ${timeout}s ($n of $want)"
  return 1
}

# wait_listen PORT TIMEOUT
#   Polls until something listens on TCP PORT, or TIMEOUT seconds pass (or the
#   controller under test dies). Point a bridge at a controller only after this:
#   OVS 3.1 applies max_backoff only once a connection has been made, so refused
#   first attempts back off 1, 2, 4, 8 s.
wait_listen() {
  local port=$1 timeout=$2 tenths
  tenths=$(awk -v s="$timeout" 'BEGIN { printf "%d", s * 10 }')
  while :; do
    if [ -n "$(ss -Htln "( sport = :$port )" 2>/dev/null)" ]; then
      zt_debug "listening on port $port"
      return 0
    fi
    [ "$tenths" -gt 0 ] || break
    if [ -n "$ZT_CTL_PID" ] && ! zt_alive "$ZT_CTL_PID"; then
      zt_say "controller (pid $ZT_CTL_PID) died before listening on port $port"
      return 1
    fi
    sleep 0.1
    tenths=$((tenths - 1))
  done
  zt_say "nothing listens on port $port after ${timeout}s"
  return 1
}

# zofhost_start ARGS...   starts $ZOFHOST ARGS in the background, output to a log.
zofhost_start() {
  local bin=${ZOFHOST:-$ZT_ROOT/.build/debug/zofhost}
  [ "${bin#/}" != "$bin" ] || bin="$ZT_ROOT/$bin"
  [ -x "$bin" ] || zt_die "zofhost binary $bin not found; run swift build (or set ZOFHOST)"
  [ -z "$ZT_CTL_PID" ] || zt_die "a controller is running already (pid $ZT_CTL_PID)"
  ZT_CTL_LOG="$ZT_TMP/zofhost.$(date +%s%N).log"
  "$bin" "$@" >"$ZT_CTL_LOG" 2>&1 </dev/null &
  ZT_CTL_PID=$!
  ZT_CTL_KIND=zofhost
  echo "$ZT_CTL_PID" >"$ZT_TMP/zofhost.pid"
  zt_say "zofhost started (pid $ZT_CTL_PID): $bin $*"
}

# testcontroller_start PORT PROTOCOLS: the C learning switch from OVS, as a child.
testcontroller_start() {
  local port=$1 protocols=$2
  [ -z "$ZT_CTL_PID" ] || zt_die "a controller is running already (pid $ZT_CTL_PID)"
  command -v ovs-testcontroller >/dev/null 2>&1 || zt_die "ovs-testcontroller not found; run scripts/deps test"
  ZT_CTL_LOG="$ZT_TMP/testcontroller.$(date +%s%N).log"
  # Its control socket goes to $OVS_RUNDIR (exported by ovs_start), never /var/run.
  mkdir -p "$ZT_TMP/ovs/run"
  OVS_RUNDIR="$ZT_TMP/ovs/run" ovs-testcontroller -O "$protocols" --no-chdir \
    --unixctl="$ZT_TMP/ovs/run/testcontroller.ctl" \
    "ptcp:$port:127.0.0.1" >"$ZT_CTL_LOG" 2>&1 </dev/null &
  ZT_CTL_PID=$!
  ZT_CTL_KIND=testcontroller
  echo "$ZT_CTL_PID" >"$ZT_TMP/testcontroller.pid"
  zt_say "ovs-testcontroller started (pid $ZT_CTL_PID) on 127.0.0.1:$port ($protocols)"
}

# controller_start PORT PROTOCOLS: the controller ZOF_E2E_CONTROLLER names, with
# the repo's bundled apps when it is zofhost.
controller_start() {
  local port=$1 protocols=$2
  case "${ZOF_E2E_CONTROLLER:-zofhost}" in
    zofhost) zofhost_start --listen "127.0.0.1:$port" --apps "$ZT_ROOT/apps-lua" ;;
    testcontroller) testcontroller_start "$port" "$protocols" ;;
    *) zt_die "ZOF_E2E_CONTROLLER must be zofhost or testcontroller" ;;
  esac
}

# True while the controller under test is running.
controller_alive() { zt_alive "$ZT_CTL_PID"; }

# controller_stop: SIGTERM by pid, up to 5 s to exit, then SIGKILL by pid.
#   Sets ZT_CTL_STATUS (its exit status) and prints how it ended. Returns 1 if it
#   had died before being asked to stop, or needed SIGKILL.
controller_stop() {
  local pid=$ZT_CTL_PID what=${ZT_CTL_KIND:-controller} rc=0 status=0
  [ -n "$pid" ] || return 0
  ZT_CTL_PID=""
  if ! zt_alive "$pid"; then
    wait "$pid" 2>/dev/null || status=$?
    ZT_CTL_STATUS=$status
    zt_say "$what (pid $pid) had already exited, status $status"
    return 1
  fi
  kill -TERM "$pid" 2>/dev/null || true
  if ! zt_wait_gone "$pid" 5; then
    zt_say "$what (pid $pid) still running 5 s after SIGTERM; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    zt_wait_gone "$pid" 3 || true
    rc=1
  fi
  wait "$pid" 2>/dev/null || status=$?
  ZT_CTL_STATUS=$status
  zt_say "$what (pid $pid) stopped, exit status $status"
  return "$rc"
}
zofhost_stop() { controller_stop "$@"; }

# log_has_errors LOGFILE
#   True (status 0) if the log has a line at level error or critical, printing
#   those lines. Knows swift-log's StreamLogHandler format
#   ("2026-11-23T19:30:00+0000 error zofhost : ...") and OVS's vlog format
#   ("...|00012|rconn|ERR|...") for the reference controller.
log_has_errors() {
  local file=$1
  [ -f "$file" ] || return 1
  grep -E '^[^ ]+ (error|critical) |\|(ERR|EMER)\|' "$file"
}
