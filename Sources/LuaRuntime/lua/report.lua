-- The app report (`zofhost apps`): who provides and who consumes what. Its
-- order is the dispatcher's, handed in by Swift (LuaRuntime+Report.swift).
local _, R = ...
local ipairs = ipairs
local apps, emitters, BUILTIN_EVENTS = R.apps, R.emitters, R.BUILTIN_EVENTS

local function kinds_of(a, kind)
  local seen, out = {}, {}
  for _, h in ipairs(a.handlers) do
    local n = h.name or "ANY"
    if h.kind == kind and not seen[n] then seen[n] = true; out[#out + 1] = n end
  end
  return out
end

local function handles(a, event)
  for _, h in ipairs(a.handlers) do
    if h.kind == "event" and (h.name == event or h.name == nil) then return true end
  end
  return false
end

-- `order`: the apps' load indexes in dispatch order.
function R.entry.report(order)
  local ordered = {}
  for k, i in ipairs(order) do ordered[k] = apps[i] end
  local lib_dir = R.lib_dir
  local list, unheard = {}, {}
  for _, a in ipairs(ordered) do
    local required_by, emits, provides = {}, {}, {}
    for _, b in ipairs(apps) do
      for _, r in ipairs(b.requires) do if r == a.name then required_by[#required_by + 1] = b.name end end
    end
    for _, e in ipairs(a.emits) do
      local to = {}
      for _, q in ipairs(ordered) do if q ~= a and handles(q, e) then to[#to + 1] = q.name end end
      emits[#emits + 1] = {event = e, to = to}
    end
    for _, sname in ipairs(a.provides) do
      local to = {}
      for _, b in ipairs(apps) do if b.used[sname] then to[#to + 1] = b.name end end
      provides[#provides + 1] = {service = sname, to = to}
    end
    local events = kinds_of(a, "event")
    for _, e in ipairs(events) do
      if e ~= "ANY" and not BUILTIN_EVENTS[e] and not emitters[e] and e:sub(1, 4) ~= "BUS:" then
        unheard[#unheard + 1] = {app = a.name, event = e}
      end
    end
    local library = lib_dir ~= nil and a.file ~= nil and a.file:sub(1, #lib_dir + 1) == lib_dir .. "/"
    list[#list + 1] = {name = a.name, precedence = a.precedence, file = a.file or "?", library = library,
      requires = a.requires, required_by = required_by, provides = provides, uses = a.uses, emits = emits,
      messages = kinds_of(a, "message"), events = events, versions = a.versions}
  end
  return {apps = list, unheard = unheard}
end
