-- Datapath objects: `ev.datapath`, `zof.datapaths()`, and which switch a
-- send or request goes to.
local core, R = ...
local rawget, ipairs, error, select = rawget, ipairs, error, select
local check, interrupt, CUR = R.check, R.interrupt, R.CUR

local datapaths = {}       -- conn_id -> datapath object
local DP = {__name = "zof.datapath"}
DP.__index = function(dp, k)
  if k == "ports" then return core.ports(rawget(dp, "conn_id")) end
  if k == "role" then return (core.role(rawget(dp, "conn_id"))) end
  if k == "generation_id" then return select(2, core.role(rawget(dp, "conn_id"))) end
  return DP[k]
end
DP.__tostring = function(dp) return "datapath " .. dp.datapath_id end
R.DP, R.datapaths = DP, datapaths

-- (Not `return check(...)`: a tail call would drop this frame and the error
-- would point one level off the app's line.)
function DP.send(dp, msg)
  local xid = check(2, core.send(dp.conn_id, msg, "dp:send"))
  return xid
end
-- Asks the switch for a role and waits for its answer (a task wait); the
-- switch's ERROR (a stale generation id, roles unsupported) is raised as a
-- wait error. Returns the role and generation id in force.
function DP.set_role(dp, role, generation_id)
  local msg = check(2, core.role_request(dp.conn_id, role, generation_id))
  R.zof.request(msg, nil, dp)
  return dp.role, dp.generation_id
end
function DP.close(dp) interrupt(); core.close(dp.conn_id) end

function R.zof.datapaths()
  local list = {}
  for _, conn in ipairs(core.conn_ids()) do list[#list + 1] = datapaths[conn] end
  return list
end

-- The connection a send or request named `what` goes to: dp's, else the
-- running handler's or task's.
function R.target(dp, what)
  if dp ~= nil then return dp.conn_id end
  if CUR[1] == nil then
    error(what .. ": no datapath here; use dp:" .. what:match("[%w_]+$") .. "(...) or pass a datapath", 3)
  end
  return CUR[1]
end
