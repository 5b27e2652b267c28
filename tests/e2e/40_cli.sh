#!/usr/bin/env bash
# End to end, no switch needed: the zofhost command itself. Bad flags and a
# missing folder exit 2 with one line; a broken app exits 1 naming file:line;
# `zofhost check` exits 0/1; SIGHUP runs SIGNAL then a reload; SIGTERM runs
# SIGNAL then STOP and exits 0; an app can veto SIGINT, and a second SIGINT
# exits at once.
set -euo pipefail

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
zt_init

BIN=${ZOFHOST:-$ZT_ROOT/.build/debug/zofhost}
[ "${BIN#/}" != "$BIN" ] || BIN="$ZT_ROOT/$BIN"
problems=()
expect() {  # expect NAME WANT_STATUS PATTERN -- command...
  local name=$1 want=$2 pattern=$3; shift 4
  local out rc=0
  out=$("$@" 2>&1 </dev/null) || rc=$?
  if [ "$rc" != "$want" ] || ! grep -Eq -- "$pattern" <<<"$out"; then
    problems+=("$name: status $rc (want $want), output: $(head -c 300 <<<"$out")")
  else
    zt_say "ok: $name (status $rc): $(head -n 1 <<<"$out")"
  fi
}

good="$ZT_TMP/good" bad="$ZT_TMP/bad"
mkdir -p "$good" "$bad"
cat >"$good/signals.lua" <<'LUA'
local app = zof.app("signals")
local vetoed = false
app:event("SIGNAL", function(ev)
  print("SIGNAL " .. ev.signal .. " exit=" .. tostring(ev.exit))
  if ev.signal == "SIGINT" and not vetoed then vetoed = true; ev.exit = false end
end)
app:event("STOP", function() print("STOP") end)
app:event("START", function() print("START") end)
LUA
printf 'local app = zof.app("bad")\napp:event("START" function() end)\n' >"$bad/bad.lua"

expect "unknown flag" 2 "^zofhost: Unknown option '--bogus'" -- "$BIN" --bogus
expect "missing apps folder" 2 "folder '/nonexistent' does not exist" -- "$BIN" --apps /nonexistent
expect "bad --listen" 2 "--listen: 'x:y' is not" -- "$BIN" --apps "$good" --listen x:y
expect "syntax error at start" 1 "bad.lua:2:" -- "$BIN" --apps "$bad" --listen 127.0.0.1:0
expect "check on good apps" 0 "1 apps load" -- "$BIN" check --apps "$good"
expect "check on a broken app" 1 "error: .*bad.lua:2:" -- "$BIN" check --apps "$bad"

# Signals: SIGTERM after a vetoed SIGINT.
log="$ZT_TMP/signals.log"
"$BIN" --apps "$good" --listen 127.0.0.1:0 >"$log" 2>&1 </dev/null &
pid=$!
for _ in $(seq 1 50); do grep -q "\[signals\] START" "$log" && break; sleep 0.1; done
kill -INT "$pid"; sleep 0.5
zt_alive "$pid" || problems+=("zofhost exited although the app vetoed SIGINT")
kill -HUP "$pid"
for _ in $(seq 1 50); do grep -q "reload 1: " "$log" && break; sleep 0.1; done
grep -q "reload 1: " "$log" || problems+=("SIGHUP did not reload the apps")
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" = 0 ] || problems+=("SIGTERM: exit status $rc, want 0")
order=$(grep -Eo "SIGNAL SIG[A-Z]+ exit=[a-z]+|\] STOP" "$log" | tr '\n' ' ')
# SIGHUP: SIGNAL to the old apps, their STOP, then the new generation's START.
[ "$order" = "SIGNAL SIGINT exit=true SIGNAL SIGHUP exit=false ] STOP SIGNAL SIGTERM exit=true ] STOP " ] ||
  problems+=("signal events in the wrong order: $order")

# A second SIGINT exits at once.
"$BIN" --apps "$good" --listen 127.0.0.1:0 >"$log" 2>&1 </dev/null &
pid=$!
for _ in $(seq 1 50); do grep -q "\[signals\] START" "$log" && break; sleep 0.1; done
kill -INT "$pid"; sleep 0.3; kill -INT "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" = 130 ] || problems+=("second SIGINT: exit status $rc, want 130")
grep -q "second SIGINT: exiting at once" "$log" || problems+=("second SIGINT not logged")

if [ "${#problems[@]}" -eq 0 ]; then
  zt_say "PASS: command line, exit codes and signals"
else
  printf '    %s\n' "${problems[@]}"
  zt_say "FAIL: command line, exit codes and signals"
  exit 1
fi
