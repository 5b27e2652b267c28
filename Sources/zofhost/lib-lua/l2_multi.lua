-- A learning switch for many switches wired in any shape, loops included.
-- Where hosts are and how switches connect comes from the topology app; a
-- packet to a known host is forwarded along the shortest path (flows go in
-- on every switch of it), and a packet to anyone else is handed by the
-- controller straight to every host port, never sent across a link, so a
-- loop in the wiring cannot make it circle.
local app = zof.app("l2_multi", {requires = {"topology"}})
local topo = zof.service("topology")

local COOKIE = 0x6c326d              -- marks this app's flows
local IDLE_TIMEOUT = 60              -- seconds a path's flows live without traffic
local REPEAT_WINDOW = 0.5            -- seconds a flooded frame is not flooded again

local TABLE_MISS = zof.compile{type = "FLOW_MOD", msg = {
  priority = 0,
  instructions = {{instruction = "APPLY_ACTIONS",
    actions = {{action = "OUTPUT", port_no = "CONTROLLER", max_len = "NO_BUFFER"}}}}}}

local TO_HOST = zof.compile{type = "FLOW_MOD", msg = {
  cookie = COOKIE, priority = 10, idle_timeout = IDLE_TIMEOUT, match = {eth_dst = "$eth_dst"},
  instructions = {{instruction = "APPLY_ACTIONS", actions = {{action = "OUTPUT", port_no = "$out"}}}}}}

local function delete_flows(dp, match)
  local msg = {command = "DELETE", table_id = "ALL", match = match}
  -- From 1.1 on the cookie picks out this app's flows; 1.0 cannot, and
  -- deletes by match alone.
  if dp.version > 1 then msg.cookie, msg.cookie_mask = COOKIE, 0xffffffffffffffff end
  dp:send{type = "FLOW_MOD", msg = msg}
end

local function each_datapath(fn)
  for _, sw in ipairs(topo.switches()) do
    local dp = topo.datapath(sw.datapath_id)
    if dp then fn(dp, sw) end
  end
end

app:message("CHANNEL_UP", function(ev)
  if ev.replay then return end
  zof.send{type = "FLOW_MOD", msg = {command = "DELETE", table_id = "ALL"}}
  TABLE_MISS:send()
end)

-- Paths change with the wiring: let packets come back and take the new ones.
local function forget_paths() each_datapath(function(dp) delete_flows(dp, {}) end) end
app:event("LINK_ADD", forget_paths)
app:event("LINK_DELETE", forget_paths)
app:event("HOST_MOVE", function(ev)
  each_datapath(function(dp) delete_flows(dp, {eth_dst = ev.mac}) end)
end)

local function is_group(mac) return tonumber(mac:sub(2, 2), 16) % 2 == 1 end

-- Frames recently flooded, by content: a copy that comes back through a link
-- not yet discovered is dropped instead of flooded again.
local recent, recent_n = {}, 0

local function seen_recently(data, t)
  if recent_n > 1000 then
    for k, at in pairs(recent) do
      if t - at > REPEAT_WINDOW then recent[k] = nil; recent_n = recent_n - 1 end
    end
  end
  local at = recent[data]
  if at and t - at <= REPEAT_WINDOW then return true end
  if at == nil then recent_n = recent_n + 1 end
  recent[data] = t
  return false
end

local function flood(ev)
  local data = ev.msg.data
  if seen_recently(data, ev.time) then return end
  each_datapath(function(dp, sw)
    local actions = {}
    for _, p in ipairs(sw.ports) do
      local from_here = sw.datapath_id == ev.datapath_id and p.port_no == ev.msg.in_port
      if p.up and not from_here and not topo.is_link_port(sw.datapath_id, p.port_no) then
        actions[#actions + 1] = {action = "OUTPUT", port_no = p.port_no}
      end
    end
    if #actions > 0 then
      dp:send{type = "PACKET_OUT", msg = {in_port = "CONTROLLER", actions = actions, data = data}}
    end
  end)
end

app:message("PACKET_IN", function(ev)
  local msg, pkt = ev.msg, ev.msg.pkt
  -- On a link port the frame is in transit: its first switch already sent it to us.
  if topo.is_link_port(ev.datapath_id, msg.in_port) then return end
  local dst = pkt.eth_dst
  local host = not is_group(dst) and topo.host(dst)
  local path = host and topo.path(ev.datapath_id, host.datapath_id)
  if not path then return flood(ev) end
  for _, hop in ipairs(path) do
    local dp = topo.datapath(hop.datapath_id)
    if dp then TO_HOST:send({eth_dst = dst, out = hop.out_port or host.port}, dp) end
  end
  -- Hand this frame to the host directly: the path's flows may not all be in yet.
  local last = topo.datapath(host.datapath_id)
  last:send{type = "PACKET_OUT", msg = {in_port = "CONTROLLER",
    actions = {{action = "OUTPUT", port_no = host.port}}, data = msg.data}}
end)
