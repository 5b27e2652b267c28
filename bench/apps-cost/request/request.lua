-- Cost probe (bench/profile request): as the reply app, but each handler
-- first waits for a switch's reply (a BARRIER round trip), as handlers that
-- ask a switch something do. The difference to "reply" is the cost of a
-- handler becoming a task, its request, and its resumption.
local app = zof.app("cost_request")

local ANSWER = zof.compile{type = "FLOW_MOD", msg = {
  buffer_id = "$buffer_id", priority = 10, idle_timeout = 60,
  instructions = {{instruction = "APPLY_ACTIONS",
    actions = {{action = "OUTPUT", port_no = 1}}}}}}

app:message("PACKET_IN", function(ev)
  zof.request{type = "BARRIER_REQUEST"}
  ANSWER:send{buffer_id = ev.msg.buffer_id}
end)
