-- Cost probe (bench/profile fixed): every PACKET_IN answered by one FLOW_MOD
-- from a template without slots, reading nothing of the event. Measures the
-- dispatch into Lua plus the template fast path, nothing else.
local app = zof.app("cost_fixed")

local ANSWER = zof.compile{type = "FLOW_MOD", msg = {
  priority = 10, idle_timeout = 60,
  instructions = {{instruction = "APPLY_ACTIONS",
    actions = {{action = "OUTPUT", port_no = 1}}}}}}

app:message("PACKET_IN", function()
  ANSWER:send()
end)
