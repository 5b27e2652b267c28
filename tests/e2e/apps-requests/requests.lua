-- On CHANNEL_UP, ask the switch for its description, port list (1.3+), port counters
-- and a barrier, each waiting for the reply, and log what came back.
local app = zof.app("requests")

app:message("CHANNEL_UP", function(ev)
  local desc = zof.request{type = "REQUEST.DESC"}
  print(("DESC %s mfr=%q sw=%q"):format(ev.datapath_id, desc.msg.mfr_desc, desc.msg.sw_desc))

  -- OpenFlow 1.0 has no PORT_DESC request: its ports came with FEATURES_REPLY.
  local ports = ev.msg.ports
  if ev.version >= 4 then ports = ev.datapath:request{type = "REQUEST.PORT_DESC"}.msg.ports end
  local names = {}
  for _, p in ipairs(ports) do names[#names + 1] = p.name end
  table.sort(names)
  print("PORTS " .. #names .. " " .. table.concat(names, ","))

  local stats = zof.request{type = "REQUEST.PORT_STATS", msg = {port_no = "ANY"}}
  local counted = 0
  for _, s in ipairs(stats.msg.ports) do
    if s.port_no ~= nil and s.rx_packets ~= nil then counted = counted + 1 end
  end
  print("PORT_STATS " .. counted)

  local reply = ev.datapath:barrier()
  print("BARRIER " .. reply.type)
end)
