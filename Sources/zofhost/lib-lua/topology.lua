-- Topology discovery: which switches and ports there are, which ports are
-- wired to which (found by LLDP), and where hosts are (learned from the
-- packets they send). Other apps read it through the `topology` service and
-- hear about changes through the events below.
--
--   local topo = zof.service("topology")   -- with requires = {"topology"}
--   topo.switches()  topo.links()  topo.hosts()  topo.host(mac)
--   topo.path(from_dpid, to_dpid)  topo.is_link_port(dpid, port_no)  topo.datapath(dpid)
local app = zof.app("topology", {
  -- Ahead of the apps that build on it: it takes its own LLDP packets away
  -- from them and has learned a packet's sender before they see the packet.
  precedence = 1000,
  emits = {"SWITCH_ENTER", "SWITCH_LEAVE", "PORT_ADD", "PORT_DELETE", "PORT_MODIFY",
           "LINK_ADD", "LINK_DELETE", "HOST_ADD", "HOST_MOVE"},
})

local PROBE_INTERVAL = 2        -- seconds between rounds of LLDP probes
local LINK_TIMEOUT = 3 * PROBE_INTERVAL + 1  -- a link not heard of for this long is gone
local LLDP_TYPE = 0x88cc
-- A host seen moving more often than this in a second is flapping (a loop,
-- or one MAC behind several switches): its location is held where it was
-- for FLAP_HOLD seconds, with one warning, instead of a HOST_MOVE per packet.
local MOVES_PER_SECOND = 3
local FLAP_HOLD = 10
local CHASSIS_PREFIX = "dpid:"

local switches = {}   -- dpid -> {dp = datapath, ports = {port_no -> desc}}
local links = {}      -- "dpid port" of the sending end -> {src, src_port, dst, dst_port, seen}
local link_port = {}  -- "dpid port" -> number of links ending or starting there
local hosts = {}      -- mac -> {mac, datapath_id, port, ipv4}

local function key(dpid, port) return dpid .. " " .. tostring(port) end

local function is_up(desc)
  for _, f in ipairs(desc.config or {}) do if f == "PORT_DOWN" then return false end end
  for _, f in ipairs(desc.state or {}) do if f == "LINK_DOWN" then return false end end
  return true
end

-- Physical ports only: reserved ports (LOCAL, ...) have names, not numbers.
local function physical(desc) return math.type(desc.port_no) == "integer" end

local TO_CONTROLLER = zof.compile{type = "FLOW_MOD", msg = {
  priority = 65000, match = {eth_type = LLDP_TYPE},
  instructions = {{instruction = "APPLY_ACTIONS",
    actions = {{action = "OUTPUT", port_no = "CONTROLLER", max_len = "NO_BUFFER"}}}}}}

-- (sw.ports holds physical ports only.) A slave may send no PACKET_OUT, and
-- gets no PACKET_IN to hear probes with: it waits until it is master or equal.
local function probe(sw, desc)
  if not is_up(desc) or sw.dp.role == "SLAVE" then return end
  sw.dp:send{type = "PACKET_OUT", msg = {
    in_port = "CONTROLLER", actions = {{action = "OUTPUT", port_no = desc.port_no}},
    pkt = {eth_src = desc.hw_addr, lldp_chassis_id = CHASSIS_PREFIX .. sw.dp.datapath_id,
      lldp_port_id = tostring(desc.port_no), lldp_ttl = LINK_TIMEOUT}}}
end

local function probe_switch(sw)
  for _, desc in pairs(sw.ports) do probe(sw, desc) end
end

local function link_event(name, l)
  zof.post{event = name, src = l.src, src_port = l.src_port, dst = l.dst, dst_port = l.dst_port}
end

local function drop_link(k)
  local l = links[k]
  if l == nil then return end
  links[k] = nil
  for _, end_key in ipairs{key(l.src, l.src_port), key(l.dst, l.dst_port)} do
    local n = (link_port[end_key] or 1) - 1
    link_port[end_key] = n > 0 and n or nil
  end
  link_event("LINK_DELETE", l)
end

-- Links with an end at this switch (and this port, when given).
local function drop_links_at(dpid, port)
  local gone = {}
  for k, l in pairs(links) do
    if (l.src == dpid and (port == nil or l.src_port == port)) or
       (l.dst == dpid and (port == nil or l.dst_port == port)) then
      gone[#gone + 1] = k
    end
  end
  table.sort(gone)
  for _, k in ipairs(gone) do drop_link(k) end
end

local function forget_hosts_at(dpid, port)
  for mac, h in pairs(hosts) do
    if h.datapath_id == dpid and (port == nil or h.port == port) then hosts[mac] = nil end
  end
end

-- A switch (port nil) or one of its ports went away: its links and hosts go too.
local function forget(dpid, port)
  drop_links_at(dpid, port)
  forget_hosts_at(dpid, port)
end

-- Switches and ports ---------------------------------------------------------

app:message("CHANNEL_UP", function(ev)
  local dpid = ev.datapath_id
  local sw = {dp = ev.datapath, ports = {}}
  for _, desc in ipairs(ev.msg.ports or {}) do
    if physical(desc) then sw.ports[desc.port_no] = desc end
  end
  local fresh = switches[dpid] == nil
  switches[dpid] = sw
  if fresh then zof.post{event = "SWITCH_ENTER", datapath_id = dpid} end
  -- Apps after this one may clear the flow table when a switch connects; the
  -- barrier's reply comes after whatever they sent, so the LLDP flow stays.
  ev.datapath:barrier()
  if switches[dpid] ~= sw then return end
  TO_CONTROLLER:send(nil, sw.dp)
  probe_switch(sw)
end)

app:message("CHANNEL_DOWN", function(ev)
  local dpid = ev.datapath_id
  if switches[dpid] == nil then return end
  switches[dpid] = nil
  forget(dpid)
  zof.post{event = "SWITCH_LEAVE", datapath_id = dpid}
end)

app:message("PORT_STATUS", function(ev)
  local sw = switches[ev.datapath_id]
  local desc = ev.msg.desc
  if sw == nil or not physical(desc) then return end
  local no, reason = desc.port_no, ev.msg.reason
  local e = {datapath_id = ev.datapath_id, port_no = no, port = desc}
  if reason == "DELETE" then
    sw.ports[no] = nil
    forget(ev.datapath_id, no)
    e.event = "PORT_DELETE"
  else
    e.event = sw.ports[no] and "PORT_MODIFY" or "PORT_ADD"
    sw.ports[no] = desc
    if is_up(desc) then probe(sw, desc) else forget(ev.datapath_id, no) end
  end
  zof.post(e)
end)

-- Links ---------------------------------------------------------------------

app:message("PACKET_IN", {eth_type = LLDP_TYPE}, function(ev)
  local pkt = ev.msg.pkt
  local chassis, port = pkt.lldp_chassis_id, tonumber(pkt.lldp_port_id)
  -- LLDP that some other sender made (a host, another controller): not ours to read.
  if type(chassis) ~= "string" or chassis:sub(1, #CHASSIS_PREFIX) ~= CHASSIS_PREFIX or port == nil then
    return zof.STOP
  end
  local src, dst, dst_port = chassis:sub(#CHASSIS_PREFIX + 1), ev.datapath_id, ev.msg.in_port
  if switches[src] == nil or switches[dst] == nil then return zof.STOP end
  local k = key(src, port)
  local l = links[k]
  if l and l.dst == dst and l.dst_port == dst_port then
    l.seen = ev.time
    return zof.STOP
  end
  if l then drop_link(k) end  -- rewired
  l = {src = src, src_port = port, dst = dst, dst_port = dst_port, seen = ev.time}
  links[k] = l
  for _, end_key in ipairs{key(src, port), key(dst, dst_port)} do
    link_port[end_key] = (link_port[end_key] or 0) + 1
  end
  -- A host seen at a port that turns out to be a link was a packet in transit.
  forget_hosts_at(src, port)
  forget_hosts_at(dst, dst_port)
  link_event("LINK_ADD", l)
  return zof.STOP
end)

-- Probes go out every PROBE_INTERVAL; a link whose probes stopped coming back ages out.
app:event("START", function()
  zof.spawn(function()
    while true do
      zof.sleep(PROBE_INTERVAL)
      local t = zof.now()
      local old = {}
      for k, l in pairs(links) do if t - l.seen > LINK_TIMEOUT then old[#old + 1] = k end end
      table.sort(old)
      for _, k in ipairs(old) do drop_link(k) end
      for _, sw in pairs(switches) do probe_switch(sw) end
    end
  end)
end)

-- Hosts -----------------------------------------------------------------------

app:message("PACKET_IN", function(ev)
  local dpid, port = ev.datapath_id, ev.msg.in_port
  -- Hosts sit behind physical ports; a packet the controller itself injected
  -- (in_port CONTROLLER, LOCAL) says nothing about where anyone is.
  if switches[dpid] == nil or math.type(port) ~= "integer" or link_port[key(dpid, port)] then return end
  local pkt = ev.msg.pkt
  local mac = pkt and pkt.eth_src
  -- Group addresses never send; a frame claiming one is not a host.
  if mac == nil or tonumber(mac:sub(2, 2), 16) % 2 == 1 then return end
  -- The sender's address needs the layers above Ethernet decoded: it is read
  -- when a host is new or moves, and at most once a second while it stays.
  local ipv4
  local h = hosts[mac]
  if h == nil then
    ipv4 = pkt.arp_spa or pkt.ipv4_src
    h = {mac = mac, datapath_id = dpid, port = port, ipv4 = ipv4}
    hosts[mac] = h
    zof.post{event = "HOST_ADD", mac = mac, datapath_id = dpid, port = port, ipv4 = ipv4}
  elseif h.datapath_id ~= dpid or h.port ~= port then
    local now = ev.time
    local held = h.held_until
    if held then
      if now < held then return end
      h.held_until = nil
    end
    if h.moves == nil or now - h.moves_since >= 1 then h.moves, h.moves_since = 0, now end
    h.moves = h.moves + 1
    if h.moves > MOVES_PER_SECOND then
      h.held_until = now + FLAP_HOLD
      zof.log("warning", ("host %s moved more than %d times in a second (last seen at %s port %s, now %s port %s): "
        .. "its location is held for %d s"):format(mac, MOVES_PER_SECOND, h.datapath_id, tostring(h.port), dpid,
        tostring(port), FLAP_HOLD))
      return
    end
    local from = {datapath_id = h.datapath_id, port = h.port}
    h.datapath_id, h.port = dpid, port
    ipv4 = pkt.arp_spa or pkt.ipv4_src
    if ipv4 then h.ipv4 = ipv4 end
    zof.post{event = "HOST_MOVE", mac = mac, datapath_id = dpid, port = port, ipv4 = h.ipv4, from = from}
  elseif h.ipv4_read == nil or ev.time - h.ipv4_read >= 1 then
    h.ipv4_read = ev.time
    ipv4 = pkt.arp_spa or pkt.ipv4_src
    if ipv4 and ipv4 ~= "0.0.0.0" then h.ipv4 = ipv4 end
  end
end)

-- The service -----------------------------------------------------------------
-- Every function returns fresh tables, so a caller cannot change the view.

local topology = {}

function topology.switches()
  local list = {}
  for dpid, sw in pairs(switches) do
    local ports = {}
    for no, desc in pairs(sw.ports) do
      ports[#ports + 1] = {port_no = no, name = desc.name, hw_addr = desc.hw_addr, up = is_up(desc)}
    end
    table.sort(ports, function(a, b) return a.port_no < b.port_no end)
    list[#list + 1] = {datapath_id = dpid, ports = ports}
  end
  table.sort(list, function(a, b) return a.datapath_id < b.datapath_id end)
  return list
end

-- One entry per direction: a cable between two switches is two links.
function topology.links()
  local list = {}
  for _, l in pairs(links) do
    list[#list + 1] = {src = l.src, src_port = l.src_port, dst = l.dst, dst_port = l.dst_port}
  end
  table.sort(list, function(a, b)
    if a.src ~= b.src then return a.src < b.src end
    return a.src_port < b.src_port
  end)
  return list
end

function topology.hosts()
  local list = {}
  for _, h in pairs(hosts) do
    list[#list + 1] = {mac = h.mac, datapath_id = h.datapath_id, port = h.port, ipv4 = h.ipv4}
  end
  table.sort(list, function(a, b) return a.mac < b.mac end)
  return list
end

function topology.host(mac)
  local h = hosts[mac]
  return h and {mac = h.mac, datapath_id = h.datapath_id, port = h.port, ipv4 = h.ipv4}
end

function topology.is_link_port(dpid, port)
  return link_port[key(dpid, port)] ~= nil
end

function topology.datapath(dpid)
  local sw = switches[dpid]
  return sw and sw.dp
end

-- Shortest path by hop count (breadth first; ties go to the lower datapath
-- id and port, so every caller gets the same path). A list of
-- {datapath_id, out_port}, the last without out_port; nil when unreachable.
function topology.path(from, to)
  if switches[from] == nil or switches[to] == nil then return nil end
  if from == to then return {{datapath_id = to}} end
  local out = {}
  for _, l in pairs(links) do
    out[l.src] = out[l.src] or {}
    table.insert(out[l.src], l)
  end
  for _, list in pairs(out) do
    table.sort(list, function(a, b)
      if a.dst ~= b.dst then return a.dst < b.dst end
      return a.src_port < b.src_port
    end)
  end
  local via, queue, head = {[from] = false}, {from}, 1
  while head <= #queue and via[to] == nil do
    local at = queue[head]
    head = head + 1
    for _, l in ipairs(out[at] or {}) do
      if via[l.dst] == nil then
        via[l.dst] = l
        queue[#queue + 1] = l.dst
      end
    end
  end
  if via[to] == nil then return nil end
  local hops = {{datapath_id = to}}
  local at = to
  while via[at] do
    local l = via[at]
    table.insert(hops, 1, {datapath_id = l.src, out_port = l.src_port})
    at = l.src
  end
  return hops
end

app:provide("topology", topology)
