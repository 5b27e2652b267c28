-- The events bus (docs/bus.md): zof.bus.emit, zof.bus.register and
-- unregister; bus events reach handlers as app:event("bus:NAME", fn). The
-- Swift half is LuaAPI+Bus.swift, over HostCore's Bus.
local core, R = ...
local type, error, select, pairs = type, error, select, pairs
local check, interrupt, APP = R.check, R.interrupt, R.APP

local bus = {null = core.bus_null()}
R.zof.bus = bus

-- A handler for "bus:NAME" registers NAME (exact case) as it is added; the
-- tail call keeps app:event's errors at the app's line.
local app_event = APP.event
function APP:event(name, filter, fn)
  if type(name) == "string" and name:sub(1, 4):upper() == "BUS:" then
    check(2, core.bus_want(name:sub(5), true))
  end
  return app_event(self, name, filter, fn)
end

-- Sends an event named `name` whose content is the other arguments, as one
-- JSON array. False when zofhost runs with no bus.
function bus.emit(name, ...)
  if type(name) ~= "string" then error("zof.bus.emit: the event name must be a string", 2) end
  -- A server hands its own apps the event too: the batch stops after this
  -- event so that Swift dispatches it.
  interrupt()
  return check(2, core.bus_emit(name, {n = select("#", ...), ...}))
end

-- Asks for events named `name` ("" for every event) without a handler
-- naming it (one that takes app:event("*") or waits with zof.wait_event).
function bus.register(name)
  if type(name) ~= "string" then error("zof.bus.register: the event name must be a string", 2) end
  check(2, core.bus_want(name, true))
end

-- The bus's counters: role, received, sent, send_dropped (full queues),
-- dropped (bad input by kind), wanted (names); nil with no bus.
bus.stats = core.bus_stats

function bus.unregister(name)
  if type(name) ~= "string" then error("zof.bus.unregister: the event name must be a string", 2) end
  check(2, core.bus_want(name, false))
end

-- A value JSON can carry: strings, booleans, numbers but NaN, and tables of those.
local function plain(v, depth)
  local t = type(v)
  if t == "string" or t == "boolean" then return true end
  if t == "number" then return v == v end
  if t ~= "table" or depth > 16 then return false end
  for k, x in pairs(v) do
    if (type(k) ~= "string" and type(k) ~= "number") or not plain(x, depth + 1) then return false end
  end
  return true
end

-- An event an app with `bus = true` declares and posts (post.lua): one JSON
-- object of its plain fields (not `event`), with `seq` and `time` beside
-- them, under the event's name. A field JSON cannot carry is left out.
function R.bus_event(name, ev)
  local obj = {}
  for k, v in pairs(ev) do
    if type(k) == "string" and k ~= "event" and k ~= "seq" and k ~= "time" and plain(v, 0) then obj[k] = v end
  end
  obj.seq, obj.time = core.bus_stamp()
  core.bus_emit(name, {n = 1, obj})
end
