-- Apps, their handlers, the services they provide, and the apps they
-- require. A required app is found by its file name, NAME.lua in the apps
-- folder, else in the library folder, and is loaded right away, so it comes
-- before the apps requiring it (and its services exist when they load).
local core, R = ...
local setmetatable, type, pairs, ipairs, tostring, error = setmetatable, type, pairs, ipairs, tostring, error
local zof, where = R.zof, R.where
local acting_app, load_file  -- dispatch.lua, sandbox.lua
R.later(function() acting_app, load_file = R.acting_app, R.load_file end)

local APP = {}
APP.__index = APP
APP.__tostring = function(a) return "app " .. a.name end
R.APP = APP

local apps = {}            -- load order
local app_by_name = {}
local file_state = {}      -- path -> "loading" | "done" | "failed"
local defining = {}        -- names of the apps whose requirements are loading, outermost first
local file_app = {}        -- path -> the app its file defined last
local services = {}        -- service name -> {app = app, object = value}
local emitters = {}        -- event name -> {app name -> true}
R.apps, R.app_by_name, R.file_state, R.file_app, R.emitters = apps, app_by_name, file_state, file_app, emitters
-- The folders apps and the library are read from (sandbox.lua sets them),
-- and the file loading now.
R.apps_dir, R.lib_dir, R.loading_file = ".", nil, nil

-- A load starts with no requirement chain (one that raised left its names).
function R.reset_chain() defining = {} end

-- zofhost's own events: no app declares these.
local BUILTIN_EVENTS = {START = true, STOP = true, SIGNAL = true, EXCEPTION = true, RELOAD_FAILED = true}
R.BUILTIN_EVENTS = BUILTIN_EVENTS

local function readable(path)
  local f = io.open(path, "r")
  if f == nil then return false end
  f:close()
  return true
end

local function name_list(v, what)
  if v == nil then return {} end
  if type(v) ~= "table" then error(("zof.app: %s must be a list of names"):format(what), 4) end
  local out = {}
  for i, x in ipairs(v) do
    if type(x) ~= "string" or x == "" then error(("zof.app: %s[%d] must be a name"):format(what, i), 4) end
    out[i] = x
  end
  return out
end

local function chain_text(last)
  local parts = {}
  for i, d in ipairs(defining) do parts[i] = d end
  parts[#parts + 1] = last
  return table.concat(parts, " -> ")
end

local function require_app(name, wanted)
  if app_by_name[wanted] then return end
  for _, d in ipairs(defining) do
    if d == wanted then error(("zof.app: requirement cycle: %s"):format(chain_text(wanted)), 3) end
  end
  local places = {R.apps_dir .. "/" .. wanted .. ".lua"}
  if R.lib_dir then places[2] = R.lib_dir .. "/" .. wanted .. ".lua" end
  for _, path in ipairs(places) do
    local state = file_state[path]
    if state == "loading" then
      error(("zof.app: requirement cycle: %s (%s is still loading)"):format(chain_text(wanted), path), 3)
    end
    if state == nil and readable(path) then
      load_file(path)
      state = file_state[path]
    end
    if state == "failed" then
      error(("zof.app: app %q requires %q, whose file %s failed to load"):format(name, wanted, path), 3)
    end
    if state == "done" then
      if app_by_name[wanted] then return end
      error(("zof.app: app %q requires %q, but %s defines no app of that name"):format(name, wanted, path), 3)
    end
  end
  error(("zof.app: app %q requires %q, which is neither %s%s (chain: %s)"):format(name, wanted, places[1],
    places[2] and (" nor " .. places[2]) or "", chain_text(wanted)), 3)
end

local APP_OPTIONS = {precedence = true, requires = true, emits = true, versions = true, bus = true}
local OF_VERSIONS = {["1.0"] = true, ["1.1"] = true, ["1.2"] = true, ["1.3"] = true, ["1.4"] = true, ["1.5"] = true}

-- `versions`: the OpenFlow versions an app works with, as "1.3" (or 1.3).
local function version_list(v)
  if v == nil then return nil end
  if type(v) ~= "table" or #v == 0 then
    error("zof.app: versions must be a non-empty list such as {\"1.3\", \"1.4\"}", 3)
  end
  local out = {}
  for i, x in ipairs(v) do
    local text = type(x) == "number" and ("%.1f"):format(x) or x
    if type(text) ~= "string" or not OF_VERSIONS[text] then
      error(("zof.app: versions: %s is not an OpenFlow version (1.0 to 1.5)"):format(tostring(x)), 3)
    end
    out[i] = text
  end
  return out
end

function zof.app(name, opts)
  if type(name) ~= "string" or name == "" then error("zof.app: name must be a non-empty string", 2) end
  opts = opts or {}
  if type(opts) ~= "table" then error("zof.app: options must be a table", 2) end
  for k in pairs(opts) do
    if not APP_OPTIONS[k] then
      error(("zof.app: unknown option %q (options are precedence, requires, emits, versions, bus)")
        :format(tostring(k)), 2)
    end
  end
  local prec = opts.precedence or 100
  if math.type(prec) ~= "integer" then error("zof.app: precedence must be an integer", 2) end
  local requires, emits = name_list(opts.requires, "requires"), name_list(opts.emits, "emits")
  local versions = version_list(opts.versions)
  -- `bus`: the events it declares in emits also go out on the events bus.
  if opts.bus ~= nil and type(opts.bus) ~= "boolean" then error("zof.app: bus must be true or false", 2) end
  for i, e in ipairs(emits) do
    emits[i] = e:upper()
    if BUILTIN_EVENTS[emits[i]] then error(("zof.app: %s is zofhost's own event; no app emits it"):format(e), 2) end
  end
  defining[#defining + 1] = name
  for _, r in ipairs(requires) do require_app(name, r) end
  defining[#defining] = nil
  -- Checked after the requirements loaded: a required app's file may define it too.
  if app_by_name[name] then
    error(("zof.app: app %q is already defined in %s"):format(name, app_by_name[name].file), 2)
  end
  local loading = R.loading_file
  -- `owner`: what its memory is counted under (zs_mem in cshim_lua.h), its load index.
  local app = setmetatable({name = name, owner = #apps + 1, precedence = prec, file = loading, handlers = {},
    mcache = {}, ecache = {}, sole = {}, requires = requires, emits = emits, provides = {}, uses = {}, used = {},
    versions = versions, bus = opts.bus == true}, APP)
  for _, e in ipairs(emits) do
    emitters[e] = emitters[e] or {}
    emitters[e][name] = true
  end
  apps[#apps + 1] = app
  app_by_name[name] = app
  if loading then
    file_app[loading] = app
    -- The rest of the file runs as the app's (load_file puts the owner back).
    core.own(app.owner)
  end
  return app
end

function APP:provide(name, object)
  if type(name) ~= "string" or name == "" then error("app:provide: service name must be a non-empty string", 2) end
  if object == nil then error("app:provide: needs the service object", 2) end
  local s = services[name]
  if s and s.app ~= self then
    error(("app:provide: service %q is already provided by app %q"):format(name, s.app.name), 2)
  end
  services[name] = {app = self, object = object}
  if not s then self.provides[#self.provides + 1] = name end
  return object
end

function zof.service(name)
  if type(name) ~= "string" then error("zof.service: needs a service name", 2) end
  local who = acting_app()
  local s = services[name]
  if s == nil then
    local asker = who and ("app %q"):format(who.name) or "code outside any app"
    local hint = app_by_name[name] == nil
      and ("; no app %q is loaded: add requires = {%q} to zof.app"):format(name, name) or ""
    error(("zof.service: no app provides %q (asked by %s)%s"):format(name, asker, hint), 2)
  end
  if who and who ~= s.app and not who.used[name] then
    who.used[name] = true
    who.uses[#who.uses + 1] = name
  end
  return s.object
end

local function add_handler(app, kind, name, filter, fn, level)
  if fn == nil then filter, fn = nil, filter end
  if type(fn) ~= "function" then error(("app:%s: handler must be a function"):format(kind), level) end
  if filter ~= nil and type(filter) ~= "table" and type(filter) ~= "function" then
    error(("app:%s: filter must be a table or a function"):format(kind), level)
  end
  if type(name) ~= "string" then error(("app:%s: first argument must be a name"):format(kind), level) end
  name = name:upper()
  if name == "*" or name == "ANY" then name = nil end
  local h = {kind = kind, name = name, filter = filter, fn = fn, table_filter = type(filter) == "table",
    desc = ("%s %s handler at %s"):format(kind, name or "ANY", where(fn))}
  app.handlers[#app.handlers + 1] = h
  app.mcache, app.ecache, app.sole = {}, {}, {}
end

function APP:message(typ, filter, fn) add_handler(self, "message", typ, filter, fn, 3); return self end
function APP:event(name, filter, fn) add_handler(self, "event", name, filter, fn, 3); return self end

-- Handlers of one app that could take events named `name`, in registration order.
function R.candidates(app, is_msg, name)
  local cache = is_msg and app.mcache or app.ecache
  local list = cache[name]
  if list then return list end
  list = {}
  local kind = is_msg and "message" or "event"
  for _, h in ipairs(app.handlers) do
    if h.kind == kind and (h.name == nil or h.name == name) then list[#list + 1] = h end
  end
  cache[name] = list
  -- A message type the app takes with one handler and no filter: the batch
  -- loop runs it without looking further (false: look, with pick).
  if is_msg then app.sole[name] = #list == 1 and list[1].filter == nil and list[1] end
  return list
end
