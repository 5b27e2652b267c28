-- zof.log and print: lines in zofhost's log, under the acting app's name.
-- The Swift half is LuaAPI+Log.swift.
local core, R = ...
local select, tostring, error = select, tostring, error
local current_app  -- dispatch.lua
R.later(function() current_app = R.current_app end)

local function app_name()
  local app = current_app()
  return app and app.name or (R.loading_file or "zofhost")
end

local function join(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  return table.concat(parts, "\t")
end

local LEVELS = {debug = true, info = true, notice = true, warning = true, error = true}
function R.zof.log(level, ...)
  if not LEVELS[level] then error("zof.log: level must be debug, info, notice, warning or error", 2) end
  core.log(level, app_name(), join(...))
end

-- luacheck: globals print
print = function(...) core.log("info", app_name(), join(...)) end
