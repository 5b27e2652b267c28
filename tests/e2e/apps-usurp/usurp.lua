-- For the roles case of 70_channels.sh, added to the slave's apps by a
-- reload: asks every switch for MASTER with the next generation id, which
-- demotes the master.
local app = zof.app("e2e_usurp")

app:message("CHANNEL_UP", function(ev)
  local dp = ev.datapath
  local gen = dp.generation_id
  if not gen then return end  -- OpenFlow 1.0: Nicira's role request has no generation id
  local role, now = dp:set_role("MASTER", gen + 1)
  print(("asked MASTER with generation %d: %s generation %d"):format(gen + 1, role, now))
end)
