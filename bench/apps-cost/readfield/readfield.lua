-- Cost probe (bench/profile readfield): as fixed.lua, plus reading one field
-- of the message (which makes the runtime decode it). The difference to
-- "fixed" is the cost of message decoding.
local app = zof.app("cost_readfield")

local ANSWER = zof.compile{type = "FLOW_MOD", msg = {
  priority = 10, idle_timeout = 60,
  instructions = {{instruction = "APPLY_ACTIONS",
    actions = {{action = "OUTPUT", port_no = 1}}}}}}

local seen = 0
app:message("PACKET_IN", function(ev)
  if ev.msg.buffer_id ~= nil then seen = seen + 1 end
  ANSWER:send()
end)
