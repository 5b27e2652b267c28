=== l2_switch on OpenFlow 1.3: table-miss flow, flood unknown, learn, install flow for known
--- bundled l2_switch.lua
--- switch 1.3
--- input
packet_in(1, eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, ipv4("10.0.0.1", "10.0.0.2", 1, icmp_echo(1, 1)))),
packet_in(2, eth("02:00:00:00:00:01", "02:00:00:00:00:02", 0x0800, ipv4("10.0.0.2", "10.0.0.1", 1, icmp_echo(1, 1)))),
packet_in(3, eth("01:80:c2:00:00:0e", "02:00:00:00:00:03", 0x88cc, "lldp")),
--- output
{type = "FLOW_MOD", msg = {command = "DELETE", table_id = "ALL"}},
{type = "FLOW_MOD", msg = {priority = 0, instructions = {{instruction = "APPLY_ACTIONS", actions = {{action = "OUTPUT", port_no = "CONTROLLER", max_len = "NO_BUFFER"}}}}}},
{type = "PACKET_OUT", msg = {in_port = 1, actions = {{action = "OUTPUT", port_no = "FLOOD"}}}},
{type = "FLOW_MOD", msg = {priority = 10, idle_timeout = 60, match = {in_port = 2, eth_src = "02:00:00:00:00:02", eth_dst = "02:00:00:00:00:01"}, instructions = {{instruction = "APPLY_ACTIONS", actions = {{action = "OUTPUT", port_no = 1}}}}}},
{type = "PACKET_OUT", msg = {in_port = 2, actions = {{action = "OUTPUT", port_no = 1}}}},
--- no_log
error

=== l2_switch on OpenFlow 1.0: the same app, the same behaviour
--- bundled l2_switch.lua
--- switch 1.0
--- input
packet_in(1, eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0806, arp(1, "02:00:00:00:00:01", "10.0.0.1", "00:00:00:00:00:00", "10.0.0.2"))),
packet_in(2, eth("02:00:00:00:00:01", "02:00:00:00:00:02", 0x0806, arp(2, "02:00:00:00:00:02", "10.0.0.2", "02:00:00:00:00:01", "10.0.0.1"))),
--- output
{type = "FLOW_MOD", msg = {command = "DELETE"}},
{type = "FLOW_MOD", msg = {priority = 0}},
{type = "PACKET_OUT", msg = {in_port = 1, actions = {{action = "OUTPUT", port_no = "FLOOD"}}}},
{type = "FLOW_MOD", msg = {priority = 10, idle_timeout = 60, match = {in_port = 2, eth_src = "02:00:00:00:00:02", eth_dst = "02:00:00:00:00:01"}}},
{type = "PACKET_OUT", msg = {in_port = 2, actions = {{action = "OUTPUT", port_no = 1}}}},
--- no_log
error
