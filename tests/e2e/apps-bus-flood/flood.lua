-- The app of tests/e2e/81_bus_stuck_subscriber.sh: on flood.start, emits
-- flood.data (about 1 KB each) in bursts of 200 every 10 ms for 10 s.
local app = zof.app("flood")
local blob = string.rep("x", 1000)

app:event("bus:flood.start", function()
  print("flood started")
  zof.spawn(function()
    local t0, n = zof.now(), 0
    while zof.now() - t0 < 10 do
      for _ = 1, 200 do
        n = n + 1
        zof.bus.emit("flood.data", n, blob)
      end
      zof.sleep(0.01)
    end
    local s = zof.bus.stats()
    print(("flood done %d events, sent %d, send_dropped %d"):format(n, s.sent, s.send_dropped))
  end)
end)
