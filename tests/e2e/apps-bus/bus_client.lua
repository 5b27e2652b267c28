-- The client instance of tests/e2e/80_bus.sh: says c.hello to the server
-- instance's apps until one acks it with s.ack.
local app = zof.app("bus_client")
local acked = false

app:event("bus:s.ack", function(ev)
  if not acked then print("C got s.ack " .. tostring(ev.content[1])) end
  acked = true
end)

app:event("START", function()
  zof.spawn(function()
    for i = 1, 600 do
      if acked then return end
      zof.bus.emit("c.hello", i)
      zof.sleep(0.1)
    end
  end)
end)
