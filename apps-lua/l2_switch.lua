-- A learning switch: it learns which port each MAC address lives behind,
-- installs a flow once a destination is known, and floods until then.
local app = zof.app("l2_switch")

local IDLE_TIMEOUT = 60               -- seconds a learned flow lives without traffic
local ports = app:keep("ports", {})   -- datapath_id -> {mac -> port}; survives a reload

-- Send whatever no flow matches to us (OpenFlow 1.3 drops it otherwise).
local TABLE_MISS = zof.compile{type = "FLOW_MOD", msg = {
  priority = 0,
  instructions = {{instruction = "APPLY_ACTIONS",
    actions = {{action = "OUTPUT", port_no = "CONTROLLER", max_len = "NO_BUFFER"}}}}}}

app:message("CHANNEL_UP", function(ev)
  if ev.replay then return end  -- after a reload: the switch and what we learned are as they were
  ports[ev.datapath_id] = {}
  zof.send{type = "FLOW_MOD", msg = {command = "DELETE", table_id = "ALL"}}
  TABLE_MISS:send()
end)

app:message("CHANNEL_DOWN", function(ev)
  ports[ev.datapath_id] = nil
end)

app:message("PACKET_IN", {eth_type = 0x88cc}, function() end)  -- ignore LLDP

-- Compiled once; the "$name" slots are filled in per packet.
local LEARNED = zof.compile{type = "FLOW_MOD", msg = {
  priority = 10, idle_timeout = IDLE_TIMEOUT,
  match = {in_port = "$in_port", eth_src = "$eth_src", eth_dst = "$eth_dst"},
  instructions = {{instruction = "APPLY_ACTIONS", actions = {{action = "OUTPUT", port_no = "$out"}}}}}}
local FORWARD = zof.compile{type = "PACKET_OUT", msg = {
  buffer_id = "$buffer_id", in_port = "$in_port", actions = {{action = "OUTPUT", port_no = "$out"}},
  data = "$data"}}

app:message("PACKET_IN", function(ev)
  local msg, pkt = ev.msg, ev.msg.pkt
  local known = ports[ev.datapath_id]
  known[pkt.eth_src] = msg.in_port
  local out = known[pkt.eth_dst]
  if out then
    LEARNED:send{in_port = msg.in_port, eth_src = pkt.eth_src, eth_dst = pkt.eth_dst, out = out}
  end
  FORWARD:send{buffer_id = msg.buffer_id, in_port = msg.in_port, out = out or "FLOOD", data = msg.data}
end)
