-- The keep store: plain data an app hands to its next generation across a
-- reload (LuaRuntime+Keep.swift carries it between Lua states).
local _, R = ...
local getmetatable, type, next, tostring, error = getmetatable, type, next, tostring, error
local PARTIAL, finish_packet = R.PARTIAL, R.finish_packet

local seeded = {}  -- app name -> {name -> value}, from the previous generation
local kept = {}    -- app name -> {name -> value}, this generation's

local function plain_problem(v, path, seen)
  local tv = type(v)
  if tv == "table" and getmetatable(v) == PARTIAL then finish_packet(v) end
  if tv == "nil" or tv == "boolean" or tv == "number" or tv == "string" then return nil end
  if tv ~= "table" then
    return ("%s is a %s; only numbers, strings, booleans and tables of them can be kept"):format(path, tv)
  end
  if getmetatable(v) ~= nil then return path .. " has a metatable; only plain tables can be kept" end
  if seen[v] then return path .. " contains itself (a cycle)" end
  seen[v] = true
  for k, x in next, v do
    local tk = type(k)
    if tk ~= "string" and tk ~= "number" and tk ~= "boolean" then
      return ("%s has a %s as a key"):format(path, tk)
    end
    local e = plain_problem(x, ("%s[%s]"):format(path, type(k) == "string" and ("%q"):format(k) or tostring(k)), seen)
    if e then return e end
  end
  seen[v] = nil
end

function R.APP:keep(name, default)
  if type(name) ~= "string" then error("app:keep: name must be a string", 2) end
  local mine = kept[self.name] or {}
  kept[self.name] = mine
  if mine[name] ~= nil then return mine[name] end
  local prev = seeded[self.name] and seeded[self.name][name]
  local v = prev
  if v == nil then
    local e = plain_problem(default, name, {})
    if e then error("app:keep: " .. e, 2) end
    v = default
  end
  mine[name] = v
  return v
end

function R.entry.kept() return kept end
function R.entry.seed(t) seeded = t end
