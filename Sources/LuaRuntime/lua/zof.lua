-- The `zof` table apps see, and what every area of the runtime shares.
--
-- The runtime's Lua is one file per area. Swift runs each file in order
-- (LuaRuntime+Prelude.swift) as a chunk of its own, named after the file,
-- with two arguments: `core`, the Swift functions, and `R`, the table the
-- areas share. A file takes what earlier files put in R as locals when it
-- runs; what a later file defines it takes in a function given to
-- R.later, which runs once every file has. Swift calls the functions the
-- files put in R.entry.
local core, R = ...
local setmetatable, error, ipairs = setmetatable, error, ipairs

local zof = {}
zof.STOP = setmetatable({}, {__name = "zof.STOP", __tostring = function() return "zof.STOP" end})
-- Seconds on the loop's monotonic clock, the one `ev.time` comes from.
zof.now = core.now
R.zof = zof
R.entry = {}

-- Called when a handler did something Swift must see to before the next
-- event of a batch (posted an event, woke a task, closed a connection): the
-- batch's next event is not made (a flag C keeps, see new_event).
R.interrupt = core.interrupt
-- CUR[1]: the datapath context (connection id) of the running handler or
-- task. A table rather than a local, so that template:send, in Swift, reads it.
R.CUR = {}

-- Raises a Swift function's `nil, message` at the caller `level` levels up.
function R.check(level, ok, err)
  if ok == nil then error(err, level + 1) end
  return ok
end

-- Where a function was defined, for naming handlers and tasks.
function R.where(fn)
  local info = debug.getinfo(fn, "S")
  return info.short_src .. ":" .. info.linedefined
end

local pending = {}
function R.later(fn) pending[#pending + 1] = fn end

-- Runs once every file has: links what files took from later ones, and
-- hands Swift the entry points.
function R.linked()
  for _, fn in ipairs(pending) do fn() end
  pending = nil
  _G.zof = zof
  return R.entry
end
