-- The app of 60_sockets.sh. Its ports come from sockets.conf beside it,
-- which the test writes: {sink =, echo =, collector =, size =}.
--   * an echo server (zof.listen) for the test's Python client, across reloads;
--   * a transfer of `size` bytes to the test's Python sink, which reads slowly,
--     while the learning switch keeps forwarding;
--   * a flow that expires with FLOW_REMOVED, which flow_export sends to the
--     test's UDP collector.
local app = zof.app("sockets_e2e", {requires = {"flow_export"}})
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$")
local conf = dofile(dir .. "/sockets.conf")

zof.service("flow_export").configure{host = "127.0.0.1", port = conf.collector}

assert(zof.listen{host = "127.0.0.1", port = conf.echo, handler = function(sock)
  while true do
    local line = sock:receive("*l")
    if not line then return end
    sock:send(line .. "\n")
  end
end})

app:message("CHANNEL_UP", function(ev)
  if ev.replay then return end
  -- A flow nothing matches, gone in a second, and the switch says so.
  zof.send{type = "FLOW_MOD", msg = {priority = 5, hard_timeout = 1, flags = {"SEND_FLOW_REM"},
    match = {eth_type = 0x88b5}}}
end)

local BLOCK = ("0123456789abcdef"):rep(4096)

local function transfer()
  local sock
  for _ = 1, 300 do
    sock = zof.tcp()
    if sock:connect("127.0.0.1", conf.sink) then break end
    sock:close()
    sock = nil
    zof.sleep(0.2)
  end
  if not sock then print("transfer: the sink never listened"); return end
  local started = zof.now()
  local left = conf.size
  assert(sock:send("LEN " .. conf.size .. "\n"))
  while left > 0 do
    local n = math.min(left, #BLOCK)
    local ok, err = sock:send(n == #BLOCK and BLOCK or BLOCK:sub(1, n))
    if not ok then print("transfer: send failed: " .. err); return end
    left = left - n
  end
  local sent = zof.now()
  local answer, err = sock:receive("*l")
  sock:close()
  print(("transfer: sent %d bytes in %.2f s; sink answered %s in %.2f s"):format(conf.size, sent - started,
    tostring(answer or err), zof.now() - started))
end

app:event("START", function()
  if conf.size > 0 then zof.spawn(transfer) end
end)
