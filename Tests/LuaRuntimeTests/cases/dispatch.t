=== precedence: highest first, equal precedence keeps load order
--- app a.lua
local app = zof.app("a", {precedence = 50})
app:event("START", function() print("first of the 50s") end)
--- app b.lua
local app = zof.app("b", {precedence = 200})
app:event("START", function() print("the 200") end)
--- app c.lua
local app = zof.app("c", {precedence = 50})
app:event("START", function() print("second of the 50s") end)
--- app d.lua
local app = zof.app("d")
app:event("START", function() print("default is 100") end)
--- log
[b] the 200
[d] default is 100
[a] first of the 50s
[c] second of the 50s

=== only the first matching handler of an app runs; filters read msg and pkt
--- app a.lua
local app = zof.app("a")
app:message("PACKET_IN", {eth_type = 0x0800}, function(ev) print("ipv4 handler") end)
app:message("PACKET_IN", {eth_type = 0x0806}, function(ev) print("arp handler", ev.msg.pkt.arp_spa) end)
app:message("PACKET_IN", function(ev) print("catch-all packet-in") end)
app:message("*", function(ev) print("any type " .. ev.type) end)
--- switch 1.3
--- input
packet_in(1, eth("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0x0806, arp(1, "02:00:00:00:00:01", "10.0.0.1", "00:00:00:00:00:00", "10.0.0.2"))),
packet_in(1, eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x86dd, "")),
{type = "BARRIER_REPLY"},
--- log
[a] any type CHANNEL_UP
[a] arp handler	10.0.0.1
[a] catch-all packet-in
[a] any type BARRIER_REPLY
--- no_log
ipv4 handler

=== table filters read the message, every layer of its packet, then the event; an app's own metatables and __eq count too
--- app a.lua
local app = zof.app("a")
app:message("PACKET_IN", {in_port = 1, eth_type = 0x0800, ip_proto = 17, reason = "NO_MATCH"}, function(ev) print("a: udp from port 1") end)
app:message("PACKET_IN", function(ev) print("a: other", ev.msg.in_port) end)
--- app b.lua
local app = zof.app("b")
app:message("PACKET_IN", {datapath_id = "00:00:00:00:00:00:00:01", version = 4, type = "PACKET_IN", eth_dst = "02:00:00:00:00:02"},
  function(ev) print("b: to 02 on dp 1, version 4", ev.msg.pkt.udp_dst) end)
--- app c.lua
local app = zof.app("c")
app:message("PACKET_IN", {udp_dst = 54}, function(ev) print("c: never") end)
app:message("PACKET_IN", {udp_dst = 53, in_port = 2}, function(ev) print("c: never either") end)
app:message("PACKET_IN", {udp_dst = 53}, function(ev) print("c: dns", ev.msg.pkt.ipv4_src) end)
--- app d.lua
local app = zof.app("d")
local EQ = {__eq = function() return true end}
app:event("PROBE", {who = "x"}, function(ev) print("d: probe from x, through its __index") end)
app:event("PROBE", {tag = setmetatable({}, EQ)}, function(ev) print("d: tag equal, through __eq") end)
app:event("PROBE", function(ev) print("d: probe matched no filter", ev.who) end)
app:event("START", function()
  zof.post(setmetatable({event = "PROBE"}, {__index = {who = "x"}}))
  zof.post({event = "PROBE", tag = setmetatable({}, EQ)})
  zof.post({event = "PROBE", who = "y"})
end)
--- switch 1.3
--- input
packet_in(1, eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, string.pack(">I2I2I2I2", 1234, 53, 8, 0)))),
packet_in(2, eth("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0x0806, arp(1, "02:00:00:00:00:01", "10.0.0.1", "00:00:00:00:00:00", "10.0.0.2"))),
--- log
[d] d: probe from x, through its __index
[d] d: tag equal, through __eq
[d] d: probe matched no filter	y
[a] a: udp from port 1
[b] b: to 02 on dp 1, version 4	53
[c] c: dns	10.0.0.1
[a] a: other	2
--- no_log
c: never

=== a packet an earlier app replaced is matched as Lua reads it: through its own __index, or not at all when it is not a table
--- app a.lua
local app = zof.app("a", {precedence = 200})
app:message("PACKET_IN", function(ev)
  if ev.msg.in_port == 1 then
    ev.msg.pkt = setmetatable({}, {__index = {eth_type = 0x1234}})
  else
    ev.msg.pkt = "not a table"
  end
end)
--- app b.lua
local app = zof.app("b")
app:message("PACKET_IN", {eth_type = 0x1234}, function(ev) print("b: 0x1234 through __index on port " .. ev.msg.in_port) end)
app:message("PACKET_IN", function(ev) print("b: no match on port " .. ev.msg.in_port) end)
--- switch 1.3
--- input
packet_in(1),
packet_in(2, eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x1234, "")),
--- log
[b] b: 0x1234 through __index on port 1
[b] b: no match on port 2
--- no_log
failed

=== message type names match case-insensitively
--- app a.lua
local app = zof.app("a")
app:message("packet_in", function(ev) print("got " .. ev.type .. " on " .. ev.datapath_id) end)
--- switch 1.0
--- input
packet_in(2),
--- log
[a] got PACKET_IN on 00:00:00:00:00:00:00:01

=== a synchronous handler stops propagation with zof.STOP
--- app a.lua
local app = zof.app("a", {precedence = 300})
app:event("START", function() print("a stops it") return zof.STOP end)
--- app b.lua
local app = zof.app("b")
app:event("START", function() print("b must not see it") end)
--- log
[a] a stops it
--- no_log
b must not see it

=== events are shared and mutable: a later app sees an earlier app's change
--- app a.lua
local app = zof.app("a", {precedence = 300})
app:message("PACKET_IN", function(ev) ev.seen_by = "a"; ev.msg.in_port = 99 end)
--- app b.lua
local app = zof.app("b")
app:message("PACKET_IN", function(ev) print("b sees", ev.seen_by, ev.msg.in_port) end)
--- switch 1.3
--- input
packet_in(1),
--- log
[b] b sees	a	99

=== an error in one handler is isolated: logged with traceback, EXCEPTION posted, later apps still run
--- app a.lua
local app = zof.app("a", {precedence = 300})
local function deep() error("boom in a") end
app:message("PACKET_IN", function(ev) deep() end)
--- app b.lua
local app = zof.app("b")
app:message("PACKET_IN", function(ev) print("b still runs") end)
app:event("EXCEPTION", function(ev) print("exception from " .. ev.app .. ": " .. ev.error .. " during " .. ev.source.type) end)
--- switch 1.3
--- input
packet_in(1),
packet_in(1),
--- log
error [a] message PACKET_IN handler at
boom in a
stack traceback:
in upvalue 'deep'
[b] b still runs
boom in a during PACKET_IN
error [a] message PACKET_IN handler at
[b] b still runs
--- no_log
dispatch.lua
tasks.lua

=== an error in an EXCEPTION handler is logged but not posted again
--- app a.lua
local app = zof.app("a")
app:event("START", function() error("first") end)
app:event("EXCEPTION", function(ev) print("handling " .. ev.error); error("second") end)
--- log
first
[a] handling
second
--- no_log
handling [string

=== CHANNEL_UP carries the datapath and its ports; CHANNEL_DOWN follows a hang-up
--- app a.lua
local app = zof.app("a")
app:message("CHANNEL_UP", function(ev)
  local names = {}
  for _, p in ipairs(ev.msg.ports) do names[#names + 1] = p.name end
  print("up", ev.datapath_id, ev.datapath.id, ev.version, table.concat(names, ","), #ev.datapath.ports, #zof.datapaths())
end)
app:message("CHANNEL_DOWN", function(ev) print("down", ev.datapath_id, ev.msg.reason ~= nil) end)
--- switch 1.3
--- close
--- log
[a] up	00:00:00:00:00:00:00:01	1	4	p1,p2,p3	3	1
[a] down	00:00:00:00:00:00:00:01	true

=== zof.send goes to the event's datapath; a compiled template encodes per version
--- app a.lua
local app = zof.app("a")
local T = zof.compile{type = "FLOW_MOD", msg = {priority = 7, instructions = {{instruction = "APPLY_ACTIONS", actions = {{action = "OUTPUT", port_no = "CONTROLLER", max_len = "NO_BUFFER"}}}}}}
app:message("CHANNEL_UP", function(ev)
  zof.send{type = "BARRIER_REQUEST"}
  T:send()
  T:send()
end)
--- switch 1.0
--- output
{type = "BARRIER_REQUEST"},
{type = "FLOW_MOD", msg = {priority = 7}},
{type = "FLOW_MOD", msg = {priority = 7}},

=== sending outside any datapath context is an error that says so
--- app a.lua
local app = zof.app("a")
app:event("START", function() zof.send{type = "BARRIER_REQUEST"} end)
--- log
zof.send: no datapath here

=== a message the version cannot express is an error naming the field
--- app a.lua
local app = zof.app("a")
app:message("CHANNEL_UP", function(ev)
  zof.send{type = "FLOW_MOD", msg = {instructions = {{instruction = "GOTO_TABLE", table_id = 1}}}}
end)
--- switch 1.0
--- log
GOTO_TABLE

=== zof.sleep suspends a handler; the next app runs first, the rest runs later
--- app a.lua
local app = zof.app("a", {precedence = 200})
app:event("START", function() print("a before sleep"); zof.sleep(0.01); print("a after sleep") end)
--- app b.lua
local app = zof.app("b")
app:event("START", function() print("b runs while a sleeps") end)
--- switch 1.3
--- log
[a] a before sleep
[b] b runs while a sleeps
[a] a after sleep

=== returning zof.STOP after a yield is an error that says so
--- app a.lua
local app = zof.app("a")
app:event("START", function() zof.sleep(0) return zof.STOP end)
--- switch 1.3
--- log
zof.STOP returned after the handler waited

=== each app file has its own globals
--- app a.lua
counter = 1
local app = zof.app("a", {precedence = 200})
app:event("START", function() print("a sees", counter) end)
--- app b.lua
local app = zof.app("b")
app:event("START", function() print("b sees", counter) end)
--- log
[a] a sees	1
[b] b sees	nil

=== a value that cannot go into a message is an error naming where it is
--- app a.lua
local app = zof.app("a")
app:message("CHANNEL_UP", function(ev)
  local ok, err = pcall(zof.send, {type = "FLOW_MOD", msg = {match = {in_port = 1.5}}})
  print(err)
  ok, err = pcall(zof.send, {type = "PACKET_OUT", msg = {actions = {{action = "OUTPUT", port_no = print}}}})
  print(err)
end)
--- switch 1.3
--- log
msg.match.in_port: 1.5 is not a whole number
msg.actions[1].port_no: a function cannot go into a message

=== template slots: numbers are patched into the bytes, anything else takes the slow path with the same result
--- app a.lua
local app = zof.app("a")
local FM = zof.compile{type = "FLOW_MOD", msg = {priority = "$prio", idle_timeout = 30, buffer_id = "$buf",
  match = {in_port = "$in", eth_dst = "$dst"},
  instructions = {{instruction = "APPLY_ACTIONS", actions = {{action = "OUTPUT", port_no = "$out"}}}}}}
local PO = zof.compile{type = "PACKET_OUT", msg = {in_port = "$in", data = "$data",
  actions = {{action = "OUTPUT", port_no = "FLOOD"}}}}
app:message("CHANNEL_UP", function(ev)
  FM:send{prio = 7, buf = 0x12345678, ["in"] = 3, dst = "02:00:00:00:00:09", out = 2}
  FM:send{prio = 8, buf = "NO_BUFFER", ["in"] = 4, dst = "02:00:00:00:00:0a", out = "IN_PORT"}
  PO:send{["in"] = 5, data = "abc"}
  local ok, err = pcall(FM.send, FM, {prio = 1})
  print(err)
  -- Errors the patching way words itself, at the app's line.
  ok, err = pcall(function() FM.send({}, {prio = 1}) end)
  print(err)
  ok, err = pcall(function() FM:send({prio = 1}, {conn_id = 999}) end)
  print(err)
end)
--- switch 1.3
--- output
{type = "FLOW_MOD", msg = {priority = 7, idle_timeout = 30, buffer_id = 0x12345678, match = {in_port = 3, eth_dst = "02:00:00:00:00:09"}, instructions = {{instruction = "APPLY_ACTIONS", actions = {{action = "OUTPUT", port_no = 2}}}}}},
{type = "FLOW_MOD", msg = {priority = 8, buffer_id = "NO_BUFFER", match = {in_port = 4, eth_dst = "02:00:00:00:00:0a"}, instructions = {{instruction = "APPLY_ACTIONS", actions = {{action = "OUTPUT", port_no = "IN_PORT"}}}}}},
{type = "PACKET_OUT", msg = {in_port = 5, data = "abc"}},
--- log
has no value
a.lua:14: not a compiled template
a.lua:16: datapath is not connected

=== message type names match in any case when sent
--- app a.lua
local app = zof.app("a")
app:message("CHANNEL_UP", function(ev)
  zof.send{type = "barrier_request"}
  zof.send{type = "Flow_Mod", msg = {priority = 3}}
  zof.send{type = "request.desc"}
  print(select(2, pcall(zof.send, {type = "no_such_type"})))
end)
--- switch 1.3
--- output
{type = "BARRIER_REQUEST"},
{type = "FLOW_MOD", msg = {priority = 3}},
{type = "REQUEST.DESC"},
--- log
zof.send: cannot encode for OpenFlow 1.3 (00:00:00:00:00:00:00:01): NO_SUCH_TYPE at offset 0: message type NO_SUCH_TYPE does not exist in OpenFlow 1.3

=== template:send of a message the switch's version cannot say is an error at the app's line, and nothing goes out
--- app a.lua
local app = zof.app("a")
local METER = zof.compile{type = "METER_MOD", msg = {command = "ADD", meter_id = 1}}
local GOTO = zof.compile{type = "FLOW_MOD", msg = {priority = "$p", instructions = {{instruction = "GOTO_TABLE", table_id = 2}}}}
local OK = zof.compile{type = "FLOW_MOD", msg = {priority = "$p"}}
app:message("CHANNEL_UP", function(ev)
  print(select(2, pcall(function() METER:send() end)))
  print(select(2, pcall(function() GOTO:send{p = 5} end)))
  print(select(2, pcall(function() GOTO:send{p = "x"} end)))
  OK:send{p = 6}
end)
--- switch 1.0
--- output
{type = "FLOW_MOD", msg = {priority = 6}},
--- log
a.lua:6: template:send: cannot encode for OpenFlow 1.0 (00:00:00:00:00:00:00:01): METER_MOD at offset 0: message type METER_MOD does not exist in OpenFlow 1.0
a.lua:7: template:send: cannot encode for OpenFlow 1.0 (00:00:00:00:00:00:00:01): FLOW_MOD at offset 8: instruction GOTO_TABLE cannot be expressed in OpenFlow 1.0
a.lua:8: template:send: cannot encode for OpenFlow 1.0 (00:00:00:00:00:00:00:01): FLOW_MOD at offset 8: unknown priority 'x'

=== a template without MAC slots is patched: priority, buffer, ports and timeouts are all numbers
--- app a.lua
local app = zof.app("a")
local FM = zof.compile{type = "FLOW_MOD", msg = {priority = "$prio", idle_timeout = "$idle", buffer_id = "$buf",
  match = {in_port = "$in"},
  instructions = {{instruction = "APPLY_ACTIONS", actions = {{action = "OUTPUT", port_no = "$out"}}}}}}
app:message("CHANNEL_UP", function(ev)
  for i = 1, 3 do FM:send{prio = 100 + i, idle = i, buf = 1000 + i, ["in"] = i, out = 10 + i} end
end)
--- switch 1.0
--- output
{type = "FLOW_MOD", msg = {priority = 101, idle_timeout = 1, buffer_id = 1001, match = {in_port = 1}, instructions = {{instruction = "APPLY_ACTIONS", actions = {{action = "OUTPUT", port_no = 11}}}}}},
{type = "FLOW_MOD", msg = {priority = 102, idle_timeout = 2, buffer_id = 1002, match = {in_port = 2}, instructions = {{instruction = "APPLY_ACTIONS", actions = {{action = "OUTPUT", port_no = 12}}}}}},
{type = "FLOW_MOD", msg = {priority = 103, idle_timeout = 3, buffer_id = 1003, match = {in_port = 3}, instructions = {{instruction = "APPLY_ACTIONS", actions = {{action = "OUTPUT", port_no = 13}}}}}},

=== a filter that raises fails that app's match only; later apps still get the message
--- app a.lua
local app = zof.app("a", {precedence = 200})
app:message("PACKET_IN", function(ev) error("filter blew up") end, function(ev) print("never") end)
app:message("PACKET_IN", function(ev) print("a's second handler must not run") end)
--- app b.lua
local app = zof.app("b")
app:message("PACKET_IN", {in_port = 7}, function(ev) print("b got in_port " .. ev.msg.in_port) end)
--- switch 1.3
--- input
packet_in(7),
--- log
filter blew up
[b] b got in_port 7
--- no_log
never
second handler must not run

=== PACKET_INs of one read: a handler that waits becomes a task, and the rest of the batch goes on
--- app a.lua
local app = zof.app("a", {precedence = 300})
app:message("PACKET_IN", function(ev)
  local port = ev.msg.in_port
  print("a starts " .. port)
  if port == 1 then
    zof.sleep(0)
    print("a resumes " .. port .. " xid " .. ev.xid)
  end
end)
--- app b.lua
local app = zof.app("b")
app:message("PACKET_IN", function(ev) print("b sees " .. ev.msg.in_port .. " v" .. ev.version) end)
--- switch 1.3
--- input
{type = "PACKET_IN", xid = 7, msg = {in_port = 1, reason = "NO_MATCH", data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
{type = "PACKET_IN", xid = 8, msg = {in_port = 2, reason = "NO_MATCH", data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
{type = "PACKET_IN", xid = 9, msg = {in_port = 3, reason = "NO_MATCH", data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
--- log
[a] a starts 1
[b] b sees 1 v4
[a] a starts 2
[b] b sees 2 v4
[a] a starts 3
[b] b sees 3 v4
[a] a resumes 1 xid 7

=== PACKET_INs of one read: an event posted during one is seen before the next, and STOP ends only its own
--- app a.lua
local app = zof.app("a", {precedence = 300, emits = {"SEEN"}})
app:message("PACKET_IN", function(ev)
  local port = ev.msg.in_port
  if port == 2 then return zof.STOP end
  zof.post{event = "SEEN", port = port}
end)
--- app b.lua
local app = zof.app("b")
app:message("PACKET_IN", function(ev) print("b sees " .. ev.msg.in_port) end)
app:event("SEEN", function(ev) print("b told " .. ev.port) end)
--- switch 1.3
--- input
packet_in(1),
packet_in(2),
packet_in(3),
--- log
[b] b sees 1
[b] b told 1
[b] b sees 3
[b] b told 3
--- no_log
b sees 2

=== PACKET_INs of one read: after a handler closes the connection, the rest are not delivered
--- app a.lua
local app = zof.app("a")
app:message("PACKET_IN", function(ev)
  print("a sees " .. ev.msg.in_port)
  if ev.msg.in_port == 2 then ev.datapath:close() end
end)
app:message("CHANNEL_DOWN", function(ev) print("down") end)
--- switch 1.0
--- input
packet_in(1),
packet_in(2),
packet_in(3),
--- log
[a] a sees 1
[a] a sees 2
[a] down
--- no_log
a sees 3

=== PACKET_INs of one read: an error in one handler fails only that event's handler, with its own traceback
--- app a.lua
local app = zof.app("a")
local function check(port) if port == 2 then error("bad port " .. port) end end
app:message("PACKET_IN", function(ev)
  check(ev.msg.in_port)
  print("a sees " .. ev.msg.in_port)
end)
--- switch 1.3
--- input
packet_in(1),
packet_in(2),
packet_in(3),
--- log
[a] a sees 1
bad port 2
stack traceback:
in upvalue 'check'
[a] a sees 3
--- no_log
xpcall
dispatch_loop

=== a message event's fields are made as they are read; pairs walks them all and nothing it keeps for itself
--- app a.lua
local app = zof.app("a")
local function show(ev)
  print(ev.type, ev.xid, ev.version, ev.datapath_id, ev.conn_id == ev.datapath.conn_id,
    math.type(ev.conn_id), type(ev.time), ev.time <= zof.now(), #ev, #ev.msg)
  local keys = {}
  for k, v in pairs(ev) do keys[#keys + 1] = tostring(k) .. ":" .. type(v) end
  table.sort(keys)
  print(table.concat(keys, " "))
end
app:message("PACKET_IN", function(ev)
  ev.mine = true
  show(ev)
end)
app:message("BARRIER_REPLY", show)
--- switch 1.3
--- input
{type = "PACKET_IN", xid = 7, msg = {in_port = 1, reason = "NO_MATCH", data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
{type = "PACKET_IN", xid = 8, msg = {in_port = 2, reason = "NO_MATCH", data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
{type = "BARRIER_REPLY", xid = 9},
--- log
[a] PACKET_IN	7	4	00:00:00:00:00:00:00:01	true	integer	number	true	0	0
[a] conn_id:number datapath:table datapath_id:string mine:boolean msg:table time:number type:string version:number xid:number
[a] PACKET_IN	8	4
[a] BARRIER_REPLY	9	4	00:00:00:00:00:00:00:01	true	integer	number	true	0	0
[a] conn_id:number datapath:table datapath_id:string msg:table time:number type:string version:number xid:number

=== a message event's type is made on first read like its other fields: kept once read, and a table filter reads it too
--- app c.lua
local app = zof.app("c", {precedence = 300})
app:message("PACKET_IN", {type = "PACKET_IN"}, function(ev)
  print("c: filter matched, kept " .. tostring(rawget(ev, "type")))
end)
--- app b.lua
local app = zof.app("b", {precedence = 200})
app:message("PACKET_IN", function(ev)
  ev.type = nil
  print("b: before " .. tostring(rawget(ev, "type")) .. ", read " .. ev.type .. ", after " .. tostring(rawget(ev, "type")))
end)
--- switch 1.0
--- input
{type = "PACKET_IN", msg = {in_port = 1, reason = "NO_MATCH", data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
--- log
c: filter matched, kept PACKET_IN
b: before nil, read PACKET_IN, after PACKET_IN

=== a filter runs as no handler, even right after another app's handler of the same batch: it cannot wait, and what it logs is zofhost's
--- app a.lua
local app = zof.app("a", {precedence = 300})
app:message("PACKET_IN", function(ev) print("a ran for in_port " .. ev.msg.in_port) end)
--- app b.lua
local app = zof.app("b", {precedence = 200})
app:message("PACKET_IN", function(ev)
  zof.log("info", "filter of b")
  zof.sleep(0)
  return true
end, function(ev) print("b never") end)
--- app c.lua
local app = zof.app("c")
app:message("PACKET_IN", function(ev) print("c got in_port " .. ev.msg.in_port) end)
--- switch 1.3
--- input
packet_in(1),
packet_in(2),
--- log
[a] a ran for in_port 1
[zofhost] filter of b
zof.sleep: not inside a handler or task
[c] c got in_port 1
[a] a ran for in_port 2
[zofhost] filter of b
zof.sleep: not inside a handler or task
[c] c got in_port 2
--- no_log
b never
