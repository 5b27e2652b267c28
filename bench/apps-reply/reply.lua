-- Benchmark app: every PACKET_IN is answered by exactly one FLOW_MOD, built
-- from a template compiled once. The FLOW_MOD names the PACKET_IN's buffer,
-- as a reactive app does to release the buffered packet; the load generator
-- (zofload) uses that buffer id to match each answer to its PACKET_IN.
-- Not a bundled app: scripts/bench loads it from bench/apps-reply.
local app = zof.app("bench_reply")

local ANSWER = zof.compile{type = "FLOW_MOD", msg = {
  buffer_id = "$buffer_id", priority = 10, idle_timeout = 60,
  instructions = {{instruction = "APPLY_ACTIONS",
    actions = {{action = "OUTPUT", port_no = 1}}}}}}

app:message("PACKET_IN", function(ev)
  ANSWER:send{buffer_id = ev.msg.buffer_id}
end)
