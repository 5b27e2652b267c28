-- For the topology test: forwarding by l2_multi (which brings topology with
-- it), and a log line per link and host the topology app reports.
local app = zof.app("e2e_watch", {requires = {"l2_multi"}})

local function link(ev)
  print(("%s %s:%d -> %s:%d"):format(ev.event, ev.src, ev.src_port, ev.dst, ev.dst_port))
end
app:event("LINK_ADD", link)
app:event("LINK_DELETE", link)
app:event("HOST_ADD", function(ev) print(("HOST_ADD %s at %s:%d"):format(ev.mac, ev.datapath_id, ev.port)) end)
