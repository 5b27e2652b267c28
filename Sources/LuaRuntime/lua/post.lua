-- Posting events: zof.post reaches every app in the next round. The Swift
-- half is LuaAPI+Post.swift.
local core, R = ...
local type, pairs, error = type, pairs, error
local interrupt, emitters = R.interrupt, R.emitters
local acting_app  -- dispatch.lua
R.later(function() acting_app = R.acting_app end)

-- Raises at the caller's caller (zof.post's app line).
function R.post(ev)
  if type(ev) ~= "table" or type(ev.event) ~= "string" then
    error("zof.post: needs a table with an `event` name", 3)
  end
  local name = ev.event:upper()
  ev.event = name
  -- An event some app declares is that app's to post: catches a typo'd or
  -- borrowed name before it reaches handlers waiting for the real one.
  local declared = emitters[name]
  local who = acting_app()
  if declared and who and not declared[who.name] then
    local owners = {}
    for n in pairs(declared) do owners[#owners + 1] = n end
    table.sort(owners)
    error(("zof.post: app %q posts %s, which %s declares in emits; add it to %q's emits to post it too")
      :format(who.name, name, table.concat(owners, ", "), who.name), 3)
  end
  -- Declared by an app with `bus = true`: published on the bus too (bus.lua).
  if declared and who and who.bus then R.bus_event(name, ev) end
  interrupt()
  core.post(ev, name)
end
local post = R.post
function R.zof.post(ev) post(ev) end
