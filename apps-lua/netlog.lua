-- Logs the network as the topology app (from zofhost's bundled library)
-- discovers it: switches, links between them, and hosts.
local app = zof.app("netlog", {requires = {"topology"}})

app:event("SWITCH_ENTER", function(ev) print("switch " .. ev.datapath_id .. " entered") end)
app:event("SWITCH_LEAVE", function(ev) print("switch " .. ev.datapath_id .. " left") end)

local function link(ev)
  print(("%s %s port %d -> %s port %d"):format(ev.event == "LINK_ADD" and "link" or "link gone",
    ev.src, ev.src_port, ev.dst, ev.dst_port))
end
app:event("LINK_ADD", link)
app:event("LINK_DELETE", link)

app:event("HOST_ADD", function(ev)
  print(("host %s%s at %s port %d"):format(ev.mac, ev.ipv4 and (" (" .. ev.ipv4 .. ")") or "", ev.datapath_id, ev.port))
end)
app:event("HOST_MOVE", function(ev)
  print(("host %s moved to %s port %d (was %s port %d)"):format(ev.mac, ev.datapath_id, ev.port,
    ev.from.datapath_id, ev.from.port))
end)
