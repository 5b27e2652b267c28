-- For the roles case of 70_channels.sh: logs every ROLE_CHANGED. Once
-- demoted by the switch (another controller asked for MASTER with a higher
-- generation id), it tries to take the switch back with the id it had, which
-- the switch must refuse as stale; the refusal is logged.
local app = zof.app("e2e_roles")
local had = {}  -- datapath_id -> the generation id in force before this change

app:message("ROLE_CHANGED", function(ev)
  local m = ev.msg
  print(("ROLE_CHANGED %s generation %s %s %s"):format(m.role, tostring(m.generation_id), m.reason,
    tostring(m.status_reason)))
  local old = had[ev.datapath_id]
  had[ev.datapath_id] = m.generation_id
  if m.role == "SLAVE" and m.reason == "status" and old then
    local ok, err = pcall(ev.datapath.set_role, ev.datapath, "MASTER", old)
    if ok then
      print(("took MASTER back with the stale generation %d"):format(old))
    elseif type(err) == "table" then
      print(("take-back with generation %d refused: %s %s"):format(old, tostring(err.type), tostring(err.code)))
    else
      print(("take-back with generation %d failed: %s"):format(old, tostring(err)))
    end
  end
end)
