// The Lua half of the runtime: app registry, handler matching, the coroutine
// pool, lazy messages and the `zof` table. Swift calls the entry points it
// returns; the Swift functions it uses come in as `core`. Swift functions never
// raise: they return nil and a message, and the wrappers here raise at the
// caller's line.
let preludeSource = #"""
local core = ...
local coroutine, debug, string, table = coroutine, debug, string, table
local setmetatable, getmetatable, rawget, rawset = setmetatable, getmetatable, rawget, rawset
local type, pairs, next, tostring, select, error = type, pairs, next, tostring, select, error
local create, resume, yield, isyieldable = coroutine.create, coroutine.resume, coroutine.yield, coroutine.isyieldable

local zof = {}
local STOP = setmetatable({}, {__name = "zof.STOP", __tostring = function() return "zof.STOP" end})
zof.STOP = STOP

local apps = {}            -- load order
local app_by_name = {}
local loading_file = nil
local cur_ev = nil         -- the event being dispatched
local cur_conn = nil       -- datapath context of the running handler or task
local cur_app = nil

-- Raises a Swift function's `nil, message` at the caller `level` levels up.
local function check(level, ok, err)
  if ok == nil then error(err, level + 1) end
  return ok
end

-- Datapaths ----------------------------------------------------------------

local datapaths = {}       -- conn_id -> datapath object
local DP = {__name = "zof.datapath"}
DP.__index = function(dp, k)
  if k == "ports" then return core.ports(rawget(dp, "conn_id")) end
  return DP[k]
end
DP.__tostring = function(dp) return "datapath " .. dp.datapath_id end
function DP.send(dp, msg) return check(2, core.send(dp.conn_id, msg)) end
function DP.close(dp) core.close(dp.conn_id) end

function zof.datapaths()
  local list = {}
  for _, conn in ipairs(core.conn_ids()) do list[#list + 1] = datapaths[conn] end
  return list
end

-- Lazy messages: decoded on first read, packet decoded on first read of pkt.

local FRAME = {}
local PKT = {__index = function(msg, k)
  if k ~= "pkt" then return nil end
  local data = rawget(msg, "data")
  if data == nil then return nil end
  local p = core.decode_packet(data)
  rawset(msg, "pkt", p)
  return p
end}

local function decode_now(msg)
  local frame = rawget(msg, FRAME)
  if frame == nil then return msg end
  rawset(msg, FRAME, nil)
  local is_pi = getmetatable(msg).packet_in
  setmetatable(msg, is_pi and PKT or nil)
  check(3, core.decode_into(msg, frame))
  return msg
end

local function lazy(packet_in)
  local mt = {packet_in = packet_in}
  mt.__index = function(msg, k) decode_now(msg); return msg[k] end
  mt.__newindex = function(msg, k, v) decode_now(msg); rawset(msg, k, v) end
  mt.__pairs = function(msg) decode_now(msg); return next, msg, nil end
  return mt
end
local LAZY, LAZY_PI = lazy(false), lazy(true)

-- Apps and handlers ----------------------------------------------------------

local APP = {}
APP.__index = APP
APP.__tostring = function(a) return "app " .. a.name end

function zof.app(name, opts)
  if type(name) ~= "string" or name == "" then error("zof.app: name must be a non-empty string", 2) end
  opts = opts or {}
  if app_by_name[name] then
    error(("zof.app: app %q is already defined in %s"):format(name, app_by_name[name].file), 2)
  end
  local prec = opts.precedence or 100
  if math.type(prec) ~= "integer" then error("zof.app: precedence must be an integer", 2) end
  local app = setmetatable({name = name, precedence = prec, file = loading_file, handlers = {},
    mcache = {}, ecache = {}}, APP)
  apps[#apps + 1] = app
  app_by_name[name] = app
  return app
end

local function where(fn)
  local info = debug.getinfo(fn, "S")
  return info.short_src .. ":" .. info.linedefined
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
  local h = {kind = kind, name = name, filter = filter, fn = fn,
    desc = ("%s %s handler at %s"):format(kind, name or "ANY", where(fn))}
  app.handlers[#app.handlers + 1] = h
  app.mcache, app.ecache = {}, {}
end

function APP:message(typ, filter, fn) add_handler(self, "message", typ, filter, fn, 3); return self end
function APP:event(name, filter, fn) add_handler(self, "event", name, filter, fn, 3); return self end

-- Handlers of one app that could take events named `name`, in registration order.
local function candidates(app, is_msg, name)
  local cache = is_msg and app.mcache or app.ecache
  local list = cache[name]
  if list then return list end
  list = {}
  local kind = is_msg and "message" or "event"
  for _, h in ipairs(app.handlers) do
    if h.kind == kind and (h.name == nil or h.name == name) then list[#list + 1] = h end
  end
  cache[name] = list
  return list
end

local function filter_ok(f, ev)
  if f == nil then return true end
  if type(f) == "function" then return f(ev) end
  local msg = ev.msg
  for k, want in pairs(f) do
    local v
    if msg ~= nil then
      v = msg[k]
      if v == nil then
        local pkt = msg.pkt
        if pkt ~= nil then v = pkt[k] end
      end
    end
    if v == nil then v = ev[k] end
    if v ~= want then return false end
  end
  return true
end

-- Coroutines and tasks ---------------------------------------------------------

local DONE = {}
local SLEEP = {}
local pool, npool = {}, 0
local tasks, next_task = {}, 0

-- A pooled coroutine runs handler after handler until one fails.
local function body(fn, ev)
  while true do
    fn, ev = yield(DONE, fn(ev))
  end
end

local post  -- forward

local function failed(app, h, ev, co, err)
  local msg = tostring(err)
  local tb = debug.traceback(co, msg)
  core.log("error", app.name, ("%s failed: %s"):format(h.desc, tb))
  if ev == nil or ev.event ~= "EXCEPTION" then
    post({event = "EXCEPTION", app = app.name, handler = h.desc, error = msg, traceback = tb, source = ev})
  end
end

-- After a step: DONE means finished (coroutine back to the pool), otherwise it waits.
local function settle(task, ok, tag, a)
  if not ok then
    if task.id then tasks[task.id] = nil end
    failed(task.app, task.h, task.ev, task.co, tag)
    return nil
  end
  if tag == DONE then
    if task.id then
      tasks[task.id] = nil
      if a == STOP then
        failed(task.app, task.h, task.ev, task.co, "zof.STOP returned after the handler yielded; " ..
          "only a handler that has not yielded can stop an event")
      end
    end
    npool = npool + 1
    pool[npool] = task.co
    return a
  end
  if not task.id then
    next_task = next_task + 1
    task.id = next_task
    tasks[next_task] = task
  end
  if tag == SLEEP then
    core.timer(a, task.id)
  else
    tasks[task.id] = nil
    failed(task.app, task.h, task.ev, task.co, "handler yielded something zof does not wait on; " ..
      "use zof.sleep or a zof request, not coroutine.yield")
  end
  return nil
end

local function step(task, ...)
  local prev_conn, prev_app = cur_conn, cur_app
  cur_conn, cur_app = task.conn, task.app
  local ok, tag, a = resume(task.co, ...)
  cur_conn, cur_app = prev_conn, prev_app
  return settle(task, ok, tag, a)
end

local function run(app, h, ev)
  local co
  if npool > 0 then
    co = pool[npool]
    pool[npool] = nil
    npool = npool - 1
  else
    co = create(body)
  end
  return step({co = co, app = app, h = h, ev = ev, conn = ev.conn_id}, h.fn, ev)
end

function zof.sleep(seconds)
  if type(seconds) ~= "number" or seconds < 0 then error("zof.sleep: seconds must be a number >= 0", 2) end
  if not isyieldable() then error("zof.sleep: not inside a handler or task", 2) end
  yield(SLEEP, seconds)
end

-- Sending -------------------------------------------------------------------------

local function target(dp, what)
  if dp ~= nil then return dp.conn_id end
  if cur_conn == nil then
    error(what .. ": no datapath here; use dp:send(...) or pass a datapath", 3)
  end
  return cur_conn
end

function zof.send(msg, dp)
  return check(2, core.send(target(dp, "zof.send"), msg))
end

local TEMPLATE = {}
TEMPLATE.__index = TEMPLATE
TEMPLATE.__name = "zof.template"

local function has_slots(v)
  if type(v) == "string" then return v:sub(1, 1) == "$" end
  if type(v) ~= "table" then return false end
  for _, x in pairs(v) do if has_slots(x) then return true end end
  return false
end

local function fill(v, args)
  if type(v) == "string" and v:sub(1, 1) == "$" then
    local x = args[v:sub(2)]
    if x == nil then error(("template slot %s has no value"):format(v), 4) end
    return x
  end
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = fill(x, args) end
  return out
end

function zof.compile(msg)
  if type(msg) ~= "table" then error("zof.compile: message must be a table", 2) end
  local t = setmetatable({msg = msg}, TEMPLATE)
  if not has_slots(msg) then t.id = check(2, core.compile(msg)) end
  return t
end

function TEMPLATE:send(args, dp)
  local conn = target(dp, "template:send")
  if self.id then return check(2, core.send_template(conn, self.id)) end
  return check(2, core.send(conn, fill(self.msg, args or {})))
end

-- Logging ---------------------------------------------------------------------------

local function app_name() return cur_app and cur_app.name or (loading_file or "zofhost") end

local function join(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  return table.concat(parts, "\t")
end

local LEVELS = {debug = true, info = true, notice = true, warning = true, error = true}
function zof.log(level, ...)
  if not LEVELS[level] then error("zof.log: level must be debug, info, notice, warning or error", 2) end
  core.log(level, app_name(), join(...))
end

print = function(...) core.log("info", app_name(), join(...)) end

-- Posting events ---------------------------------------------------------------------

post = function(ev)
  if type(ev) ~= "table" or type(ev.event) ~= "string" then
    error("zof.post: needs a table with an `event` name", 3)
  end
  ev.event = ev.event:upper()
  core.post(ev, ev.event)
end
function zof.post(ev) post(ev) end

-- Entry points for Swift -----------------------------------------------------------------

local ENV = {__index = _G}
local entry = {}

function entry.load(path)
  local env = setmetatable({}, ENV)
  local chunk, err = loadfile(path, "t", env)
  if not chunk then error(err, 0) end
  loading_file = path
  local ok, e = pcall(chunk)
  loading_file = nil
  if not ok then error(tostring(e), 0) end
end

function entry.apps()
  local list = {}
  for i, a in ipairs(apps) do list[i] = {a.name, a.precedence, a.file or "?"} end
  return list
end

function entry.begin_message(conn, typ, xid, version, frame, time)
  local dp = datapaths[conn]
  cur_ev = {type = typ, msg = setmetatable({[FRAME] = frame}, typ == "PACKET_IN" and LAZY_PI or LAZY),
    xid = xid, version = version, conn_id = conn, datapath = dp, datapath_id = dp and dp.datapath_id,
    time = time}
end

function entry.begin_fields(is_msg, name, conn, dpid, version, xid, fields, time)
  local dp = datapaths[conn]
  if name == "CHANNEL_UP" and is_msg then
    dp = setmetatable({id = dpid, datapath_id = fields.datapath_id, conn_id = conn, version = version}, DP)
    datapaths[conn] = dp
  end
  if is_msg then
    cur_ev = {type = name, msg = fields, xid = xid, version = version, conn_id = conn, datapath = dp,
      datapath_id = dp and dp.datapath_id, time = time}
  else
    fields.event = name
    fields.time = time
    cur_ev = fields
  end
end

function entry.begin_event(ev) cur_ev = ev end

function entry.deliver(i)
  local app, ev = apps[i], cur_ev
  local is_msg = ev.type ~= nil
  for _, h in ipairs(candidates(app, is_msg, is_msg and ev.type or ev.event)) do
    if filter_ok(h.filter, ev) then return run(app, h, ev) == STOP end
  end
  return false
end

function entry.finish(field)
  local ev = cur_ev
  cur_ev = nil
  if ev.type == "CHANNEL_DOWN" then datapaths[ev.conn_id] = nil end
  if field then return ev[field] end
end

function entry.wake(id, ...)
  local task = tasks[id]
  if task then step(task, ...) end
end

_G.zof = zof
return entry
"""#
