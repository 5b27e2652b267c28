-- The server instance of tests/e2e/80_bus.sh: answers a Python client's
-- py.ping with lua.pong, ticks lua.tick for it to register for, and acks
-- the client instance's c.hello.
local app = zof.app("bus_server")

app:event("bus:py.ping", function(ev)
  print("S got py.ping " .. tostring(ev.content[1]))
  zof.bus.emit("lua.pong", ev.content[1], {from = "S"})
end)

app:event("bus:c.hello", function(ev)
  print("S got c.hello " .. tostring(ev.content[1]))
  zof.bus.emit("s.ack", ev.content[1])
end)

app:event("START", function()
  zof.spawn(function()
    for i = 1, 600 do
      zof.bus.emit("lua.tick", i)
      zof.sleep(0.1)
    end
  end)
end)
