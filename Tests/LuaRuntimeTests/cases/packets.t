=== an app reads a packet's fields and answers with a packet it builds (ARP reply, padded to 60 bytes)
--- app arp.lua
local app = zof.app("arp_responder")
local MY_MAC, MY_IP = "02:00:00:00:00:99", "10.0.0.99"
app:message("PACKET_IN", {arp_op = 1, arp_tpa = MY_IP}, function(ev)
  local pkt = ev.msg.pkt
  print(("who-has %s tell %s (%s)"):format(pkt.arp_tpa, pkt.arp_spa, pkt.arp_sha))
  zof.send{type = "PACKET_OUT", msg = {in_port = "CONTROLLER",
    actions = {{action = "OUTPUT", port_no = ev.msg.in_port}},
    pkt = {eth_dst = pkt.eth_src, eth_src = MY_MAC, arp_op = 2,
      arp_sha = MY_MAC, arp_spa = MY_IP, arp_tha = pkt.arp_sha, arp_tpa = pkt.arp_spa}}}
end)
--- switch 1.3
--- input
packet_in(3, eth("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0x0806, arp(1, "02:00:00:00:00:01", "10.0.0.1", "00:00:00:00:00:00", "10.0.0.99"))),
packet_in(3, eth("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0x0806, arp(1, "02:00:00:00:00:01", "10.0.0.1", "00:00:00:00:00:00", "10.0.0.7"))),
--- output
{type = "PACKET_OUT", msg = {in_port = "CONTROLLER", actions = {{action = "OUTPUT", port_no = 3}},
  data = eth("02:00:00:00:00:01", "02:00:00:00:00:99", 0x0806, arp(2, "02:00:00:00:00:99", "10.0.0.99", "02:00:00:00:00:01", "10.0.0.1")) .. string.rep("\0", 18)}},
--- log
who-has 10.0.0.99 tell 10.0.0.1 (02:00:00:00:00:01)

=== a PACKET_IN message whose match was not read goes out whole when an app sends it on
--- app echo.lua
local app = zof.app("echo")
app:message("PACKET_IN", {in_port = 3}, function(ev)
  print("cookie", ev.msg.cookie)
  zof.send{type = "PACKET_IN", msg = ev.msg}
end)
app:message("PACKET_IN", function(ev) zof.send{type = "PACKET_IN", msg = ev.msg} end)
--- switch 1.3
--- input
{type = "PACKET_IN", msg = {buffer_id = 7, in_port = 3, reason = "ACTION", table_id = 2, cookie = 9, match = {in_port = 3, eth_type = 0x0800}, data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
{type = "PACKET_IN", msg = {buffer_id = 8, in_port = 4, reason = "NO_MATCH", table_id = 1, cookie = 10, data = eth("02:00:00:00:00:01", "02:00:00:00:00:02", 0x0806, "")}},
--- output
{type = "PACKET_IN", msg = {buffer_id = 7, total_len = 14, in_port = 3, reason = "ACTION", table_id = 2, cookie = 9, match = {in_port = 3, eth_type = 0x0800}, data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
{type = "PACKET_IN", msg = {buffer_id = 8, total_len = 14, in_port = 4, reason = "NO_MATCH", table_id = 1, cookie = 10, match = {in_port = 4}, data = eth("02:00:00:00:00:01", "02:00:00:00:00:02", 0x0806, "")}},
--- log
cookie	9

=== a packet the builder cannot make is an error at the app's line, naming the field
--- app bad.lua
local app = zof.app("bad")
app:message("PACKET_IN", function(ev)
  zof.send{type = "PACKET_OUT", msg = {actions = {}, pkt = {eth_dst = "ff:ff:ff:ff:ff:ff", eth_src = "02:00:00:00:00:01", ipv4_src = "10.0.0.300", ipv4_dst = "10.0.0.1"}}}
end)
--- switch 1.0
--- input
packet_in(1),
--- output
--- log
bad.lua:3: zof.send
pkt.ipv4_src

=== send errors point at the app's line for dp:send and template:send too
--- app bad.lua
local app = zof.app("bad")
local T = zof.compile{type = "PACKET_OUT", msg = {actions = {}, data = "$d"}}
app:message("PACKET_IN", function(ev)
  local ok, err = pcall(function()
    T:send({d = {1, 2}})
  end)
  print("template error: " .. tostring(err))
  ev.datapath:send{type = "PACKET_OUT", msg = {actions = {}, pkt = {eth_src = "x"}}}
end)
--- switch 1.3
--- input
packet_in(1),
--- log
template error: 
bad.lua:5: template:send
failed: 
bad.lua:8: dp:send
pkt.eth_type

=== a PACKET_IN's fields read one at a time, then written and iterated, stay one consistent table
--- app a.lua
local app = zof.app("a")
app:message("PACKET_IN", function(ev)
  local msg = ev.msg
  print("in_port " .. msg.in_port .. ", no field x: " .. tostring(msg.x) .. ", reason " .. msg.reason)
  msg.in_port = 42                      -- a field already read, changed in place
  msg.match.note = "kept"
  local keys = {}
  for k, v in pairs(msg) do keys[#keys + 1] = k end
  table.sort(keys)
  print("keys " .. table.concat(keys, ","))
  print("after pairs: in_port " .. msg.in_port .. ", buffer " .. tostring(msg.buffer_id) ..
    ", note " .. tostring(msg.match.note) .. ", eth_type " .. msg.pkt.eth_type)
end)
app:message("PACKET_IN", function() end)
--- app b.lua
local app = zof.app("b")
app:message("PACKET_IN", function(ev)
  print("b sees in_port " .. ev.msg.in_port .. " and total_len " .. ev.msg.total_len)
end)
--- switch 1.3
--- input
{type = "PACKET_IN", msg = {in_port = 7, reason = "ACTION", total_len = 14, data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
--- log
in_port 7, no field x: nil, reason ACTION
keys buffer_id,cookie,data,in_port,match,reason,table_id,total_len
after pairs: in_port 42, buffer NO_BUFFER, note kept, eth_type 2048
b sees in_port 42 and total_len 14

=== a field read alone and changed keeps its new value when the rest is decoded
--- app a.lua
local app = zof.app("a")
app:message("PACKET_IN", function(ev)
  local msg = ev.msg
  print("buffer " .. tostring(msg.buffer_id))
  msg.buffer_id = 5
  print("reason " .. msg.reason .. ", buffer " .. msg.buffer_id .. ", in_port " .. msg.in_port ..
    ", src " .. msg.pkt.eth_src)
end)
--- switch 1.0
--- input
{type = "PACKET_IN", msg = {in_port = 4, reason = "NO_MATCH", total_len = 14, data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
--- log
buffer NO_BUFFER
reason NO_MATCH, buffer 5, in_port 4, src 02:00:00:00:00:01

=== a PACKET_IN's fields past its head come on first read: a write first keeps its value, filters and pairs see them all
--- app w.lua
local app = zof.app("w", {precedence = 400})
app:message("PACKET_IN", function(ev)
  local msg = ev.msg
  if msg.in_port ~= 4 then return end
  msg.reason = "MINE"                   -- written before anything past the head was read
  msg.note = "kept"
  local total = msg.total_len           -- the rest comes now, and must not undo the write
  print("w: total_len " .. total .. ", reason " .. msg.reason .. ", note " .. msg.note)
end)
--- app a.lua
local app = zof.app("a", {precedence = 300})
app:message("PACKET_IN", {reason = "ACTION", table_id = 2}, function(ev)
  print("a: filter on fields past the head matched, cookie " .. ev.msg.cookie)
end)
app:message("PACKET_IN", {reason = "MINE"}, function(ev) print("a: sees the write") end)
--- app b.lua
local app = zof.app("b", {precedence = 200})
app:message("PACKET_IN", function(ev)
  local keys = {}
  for k in pairs(ev.msg) do keys[#keys + 1] = k end
  table.sort(keys)
  print("b: " .. table.concat(keys, ","))
end)
--- switch 1.3
--- input
{type = "PACKET_IN", msg = {buffer_id = 1, in_port = 3, reason = "ACTION", table_id = 2, cookie = 9, total_len = 14, data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
{type = "PACKET_IN", msg = {buffer_id = 2, in_port = 4, reason = "NO_MATCH", table_id = 2, cookie = 9, total_len = 14, data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
--- log
a: filter on fields past the head matched, cookie 9
b: buffer_id,cookie,data,in_port,match,reason,table_id,total_len
w: total_len 14, reason MINE, note kept
a: sees the write
b: buffer_id,cookie,data,in_port,match,note,reason,table_id,total_len

=== a PACKET_IN's event comes with its message's head, reserved names and all; one an app drops is made again the same
--- app a.lua
local app = zof.app("a")
local function head(msg)
  local keys = {}
  for k, v in next, msg do
    if type(k) == "string" then keys[#keys + 1] = k .. "=" .. tostring(v) end
  end
  table.sort(keys)
  return table.concat(keys, " ")
end
app:message("PACKET_IN", function(ev)
  local raw = rawget(ev, "msg")
  print("arrived: " .. head(raw))
  ev.msg = nil
  local again = ev.msg
  print("again: " .. tostring(again ~= raw) .. " " .. head(again) .. " " .. again.reason)
end)
app:message("BARRIER_REPLY", function(ev)
  print("barrier reply: " .. tostring(rawget(ev, "msg")) .. " " .. type(ev.msg))
end)
--- switch 1.3
--- input
{type = "PACKET_IN", msg = {buffer_id = "NO_BUFFER", in_port = "LOCAL", reason = "ACTION", data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
{type = "PACKET_IN", msg = {buffer_id = 7, in_port = 3, reason = "NO_MATCH", data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
{type = "BARRIER_REPLY", xid = 9},
--- log
arrived: buffer_id=NO_BUFFER in_port=LOCAL
again: true buffer_id=NO_BUFFER in_port=LOCAL ACTION
arrived: buffer_id=7 in_port=3
again: true buffer_id=7 in_port=3 NO_MATCH
barrier reply: nil table

=== a PACKET_IN's data comes on its first read, or with pkt, without the rest; a filter and a write see it
--- app a.lua
local app = zof.app("a", {precedence = 300})
local FRAME = "\2\0\0\0\0\2\2\0\0\0\0\1\8\0"  -- 02:00:00:00:00:02 <- 02:00:00:00:00:01, IPv4
app:message("PACKET_IN", function(ev)
  local msg = ev.msg
  if msg.in_port == 3 then
    print("a: before", rawget(msg, "data") == nil)
    print("a: data", #msg.data, msg.data == FRAME, rawget(msg, "data") == msg.data, rawget(msg, "total_len"))
  elseif msg.in_port == 4 then
    print("a: eth_type", msg.pkt.eth_type, rawget(msg, "data") == FRAME, rawget(msg, "reason"))
  elseif msg.in_port == 6 then
    msg.data = "mine"
    print("a: written", msg.data, msg.reason)
  end
end)
--- app b.lua
local app = zof.app("b", {precedence = 200})
local FRAME = "\2\0\0\0\0\2\2\0\0\0\0\1\8\0"
app:message("PACKET_IN", {data = FRAME, in_port = 5}, function(ev)
  print("b: filter on data matched", rawget(ev.msg, "reason"))
end)
app:message("PACKET_IN", function(ev)
  local msg = ev.msg
  print("b: " .. msg.in_port .. " " .. (msg.data == "mine" and "mine" or #msg.data) .. " " .. msg.reason)
end)
--- switch 1.0
--- input
{type = "PACKET_IN", msg = {buffer_id = 1, in_port = 3, reason = "ACTION", data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
{type = "PACKET_IN", msg = {buffer_id = 2, in_port = 4, reason = "ACTION", data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
{type = "PACKET_IN", msg = {buffer_id = 3, in_port = 6, reason = "NO_MATCH", data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
{type = "PACKET_IN", msg = {buffer_id = 4, in_port = 5, reason = "NO_MATCH", data = eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}},
--- log
a: before	true
a: data	14	true	true	nil
b: 3 14 ACTION
a: eth_type	2048	true	nil
b: 4 14 ACTION
a: written	mine	NO_MATCH
b: 6 mine NO_MATCH
b: filter on data matched	nil

=== a packet's layers above Ethernet are decoded on their first read, and whole wherever the packet goes
--- app a.lua
local app = zof.app("a")
app:message("PACKET_IN", function(ev)
  local pkt, port = ev.msg.pkt, ev.msg.in_port
  if port == 1 then
    print("src " .. pkt.eth_src .. " type " .. pkt.eth_type)
    -- Not read above Ethernet: goes out whole all the same.
    zof.send{type = "PACKET_OUT", msg = {in_port = "CONTROLLER",
      actions = {{action = "OUTPUT", port_no = 2}}, pkt = pkt}}
  elseif port == 2 then
    local keys = {}
    for k in pairs(pkt) do keys[#keys + 1] = k end
    table.sort(keys)
    print("keys " .. table.concat(keys, ","))
  else
    pkt.note = "mine"
    print("note " .. pkt.note .. ", spa " .. pkt.arp_spa .. ", op " .. pkt.arp_op .. ", src " .. pkt.eth_src)
  end
end)
--- switch 1.3
--- input
packet_in(1, eth("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0x0806, arp(1, "02:00:00:00:00:01", "10.0.0.1", "00:00:00:00:00:00", "10.0.0.9"))),
packet_in(2, eth("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0x0806, arp(1, "02:00:00:00:00:01", "10.0.0.1", "00:00:00:00:00:00", "10.0.0.9"))),
packet_in(3, eth("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0x0806, arp(1, "02:00:00:00:00:01", "10.0.0.1", "00:00:00:00:00:00", "10.0.0.9"))),
--- output
{type = "PACKET_OUT", msg = {in_port = "CONTROLLER", actions = {{action = "OUTPUT", port_no = 2}},
  data = eth("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0x0806, arp(1, "02:00:00:00:00:01", "10.0.0.1", "00:00:00:00:00:00", "10.0.0.9")) .. string.rep("\0", 18)}},
--- log
src 02:00:00:00:00:01 type 2054
keys arp_op,arp_sha,arp_spa,arp_tha,arp_tpa,eth_dst,eth_src,eth_type
note mine, spa 10.0.0.1, op 1, src 02:00:00:00:00:01

=== a template compiled from a packet not read above Ethernet holds the whole packet
--- app a.lua
local app = zof.app("a")
app:message("PACKET_IN", function(ev)
  local pkt = ev.msg.pkt
  print("src " .. pkt.eth_src)
  zof.compile{type = "PACKET_OUT", msg = {in_port = "CONTROLLER",
    actions = {{action = "OUTPUT", port_no = 2}}, pkt = pkt}}:send()
end)
--- switch 1.3
--- input
packet_in(1, eth("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0x0806, arp(1, "02:00:00:00:00:01", "10.0.0.1", "00:00:00:00:00:00", "10.0.0.9"))),
--- output
{type = "PACKET_OUT", msg = {in_port = "CONTROLLER", actions = {{action = "OUTPUT", port_no = 2}},
  data = eth("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0x0806, arp(1, "02:00:00:00:00:01", "10.0.0.1", "00:00:00:00:00:00", "10.0.0.9")) .. string.rep("\0", 18)}},
--- log
src 02:00:00:00:00:01
