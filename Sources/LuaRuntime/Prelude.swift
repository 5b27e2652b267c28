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
-- Called when a handler did something Swift must see to before the next
-- event of a batch (posted an event, woke a task, closed a connection): the
-- batch's next event is not made (a flag C keeps, see new_event).
local interrupt = core.interrupt
-- CUR[1]: the datapath context (connection id) of the running handler or
-- task. A table rather than a local, so that template:send, in Swift, reads it.
local CUR = {}
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
-- (Not `return check(...)`: a tail call would drop this frame and the error
-- would point one level off the app's line.)
function DP.send(dp, msg)
  local xid = check(2, core.send(dp.conn_id, msg, "dp:send"))
  return xid
end
function DP.close(dp) interrupt(); core.close(dp.conn_id) end

function zof.datapaths()
  local list = {}
  for _, conn in ipairs(core.conn_ids()) do list[#list + 1] = datapaths[conn] end
  return list
end

-- Lazy messages: decoded on first read, packet decoded on first read of pkt.

-- Private keys are short strings starting with a NUL byte: Lua finds those
-- by their cached hash (a table key costs a generic lookup and an equality
-- call), and no name an app gives a field starts so.
local FRAME <const> = "\0frame"
-- A packet is first decoded up to its Ethernet type (what a switch needs);
-- the layers above come on the first read of anything else, or at pairs, a
-- write, or when it goes into a message (Swift finishes it then, see
-- zs_partial_frame). The frame waits in a weak table meanwhile.
local decode_packet = core.decode_packet
local PARTIAL_FRAME = setmetatable({}, {__mode = "k"})
local PARTIAL = {}
local function finish_packet(p)
  local data = PARTIAL_FRAME[p]
  if data == nil then return end
  PARTIAL_FRAME[p] = nil
  setmetatable(p, nil)
  decode_packet(data, 2, p)
end
PARTIAL.__index = function(p, k) finish_packet(p); return rawget(p, k) end
PARTIAL.__newindex = function(p, k, v) finish_packet(p); rawset(p, k, v) end
PARTIAL.__pairs = function(p) finish_packet(p); return next, p, nil end

-- A PACKET_IN's match is decoded on its first read too: until then the
-- message keeps its event, which has the frame, in its array part ([1]).
-- The match and the packet are made by PKT.__index, in Swift (see
-- core.lazy_fields, which makes the event's lazy fields too).
local PKT = {}
-- An event's PACKET_IN message starts with its head (buffer_id, in_port, data);
-- the first read of a field past it, or a write of any missing key, sets the
-- rest, and the message moves to PKT.
local PKT_REST = {}
core.set_partial(PARTIAL, PARTIAL_FRAME, PKT, PKT_REST)
-- An event made from a frame (see below).
-- It keeps in its array part the record of its batch, {frames, conn, time,
-- type}, which its batch's events share, and where its frame starts in the
-- record's string: slots 1 and 2 (ZS_EV_* and ZS_REC_* in cshim_lua.h).
local EV_BATCH <const>, EV_SLOTS <const>, REC_CONN <const> = 1, 2, 2
local EV = {}
local message_of    -- (ev): the message of an event made from a frame, or nil and why
local fast_match    -- (f, ev): table_match below, in Swift, or nothing when Lua must decide
local new_event     -- (record, frames, head [, at]): an event of EV (see zs_push_event_maker)
EV.__index, message_of, PKT.__index, fast_match, PKT_REST.__newindex, new_event =
  core.lazy_fields(datapaths, PKT, PARTIAL, PARTIAL_FRAME, EV, PKT_REST)
PKT.__pairs = function(msg)
  local _ = msg.match
  return next, msg, nil
end
PKT.__len = function() return 0 end  -- the event it may keep is no list of the app's
PKT_REST.__index, PKT_REST.__pairs, PKT_REST.__len = PKT.__index, PKT.__pairs, PKT.__len

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

-- Apps built from apps: a required app is found by its file name, NAME.lua in
-- the apps folder, else in the library folder, and is loaded right away, so it
-- comes before the apps requiring it (and its services exist when they load).
local apps_dir, lib_dir = ".", nil
local file_state = {}      -- path -> "loading" | "done" | "failed"
local defining = {}        -- names of the apps whose requirements are loading, outermost first
local file_app = {}        -- path -> the app its file defined last
local services = {}        -- service name -> {app = app, object = value}
local emitters = {}        -- event name -> {app name -> true}
local load_file            -- forward: runs an app file in its own environment

-- zofhost's own events: no app declares these.
local BUILTIN_EVENTS = {START = true, STOP = true, SIGNAL = true, EXCEPTION = true, RELOAD_FAILED = true}

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
  local places = {apps_dir .. "/" .. wanted .. ".lua"}
  if lib_dir then places[2] = lib_dir .. "/" .. wanted .. ".lua" end
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

local APP_OPTIONS = {precedence = true, requires = true, emits = true}

function zof.app(name, opts)
  if type(name) ~= "string" or name == "" then error("zof.app: name must be a non-empty string", 2) end
  opts = opts or {}
  if type(opts) ~= "table" then error("zof.app: options must be a table", 2) end
  for k in pairs(opts) do
    if not APP_OPTIONS[k] then
      error(("zof.app: unknown option %q (options are precedence, requires, emits)"):format(tostring(k)), 2)
    end
  end
  local prec = opts.precedence or 100
  if math.type(prec) ~= "integer" then error("zof.app: precedence must be an integer", 2) end
  local requires, emits = name_list(opts.requires, "requires"), name_list(opts.emits, "emits")
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
  local app = setmetatable({name = name, precedence = prec, file = loading_file, handlers = {},
    mcache = {}, ecache = {}, sole = {}, requires = requires, emits = emits, provides = {}, uses = {}, used = {}}, APP)
  for _, e in ipairs(emits) do
    emitters[e] = emitters[e] or {}
    emitters[e][name] = true
  end
  apps[#apps + 1] = app
  app_by_name[name] = app
  if loading_file then file_app[loading_file] = app end
  return app
end

-- The app whose code is running: a handler's or task's, or the file being loaded.
local function acting_app()
  return cur_app or (loading_file and file_app[loading_file])
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
    local hint = app_by_name[name] == nil and (("; no app %q is loaded: add requires = {%q} to zof.app"):format(name, name)) or ""
    error(("zof.service: no app provides %q (asked by %s)%s"):format(name, asker, hint), 2)
  end
  if who and who ~= s.app and not who.used[name] then
    who.used[name] = true
    who.uses[#who.uses + 1] = name
  end
  return s.object
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
  local h = {kind = kind, name = name, filter = filter, fn = fn, table_filter = type(filter) == "table",
    desc = ("%s %s handler at %s"):format(kind, name or "ANY", where(fn))}
  app.handlers[#app.handlers + 1] = h
  app.mcache, app.ecache, app.sole = {}, {}, {}
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
  -- A message type the app takes with one handler and no filter: the batch
  -- loop runs it without looking further (false: look, with pick).
  if is_msg then app.sole[name] = #list == 1 and list[1].filter == nil and list[1] end
  return list
end

-- Coroutines and tasks ---------------------------------------------------------
-- A handler runs in a pooled coroutine. Only when it first waits does it get a
-- task record (so a handler that never waits allocates nothing here). Waiting
-- primitives register what they wait on, then yield WAIT; they are resumed
-- with (true, values...) or (false, error).

local DONE, WAIT = {}, {}
local DISPATCH = {}   -- starts a pooled coroutine as the dispatcher of the current batch
local dispatch_loop   -- forward
local arm, disarm, run_armed, budget_ms = core.arm, core.disarm, core.run, core.budget_ms()
local pool, npool = {}, 0
local tasks, ntasks, next_task = {}, 0, 0
local timer_owner = {}          -- timer id -> task
local event_waiters = {}        -- event name -> list of tasks
local ready_q, ready_n = {}, 0  -- tasks to resume after the current event
local cur_task, cur_co, cur_h, cur_origin = nil, nil, nil, nil

-- A pooled coroutine runs handler after handler until one fails, or a batch.
local function body(fn, ev)
  while true do
    if fn == DISPATCH then
      fn, ev = yield(dispatch_loop())
    else
      fn, ev = yield(DONE, fn(ev))
    end
  end
end

local post  -- forward

local function failed(app, desc, origin, co, err)
  local msg = tostring(err)
  local tb = debug.traceback(co, msg)
  -- The app's frames only: the prelude's below them (the coroutine's body) go.
  local n
  repeat tb, n = tb:gsub("\n\tzof:%d+: in [^\n]*$", "") until n == 0
  -- (A task spawned before its file made an app is no app's.)
  local name = app and app.name or "zofhost"
  core.log("error", name, ("%s failed: %s"):format(desc, tb))
  if origin == nil or origin.event ~= "EXCEPTION" then
    post({event = "EXCEPTION", app = name, handler = desc, error = msg, traceback = tb, source = origin})
  end
end

local TASK = {__name = "zof.task"}
TASK.__index = TASK

local function ensure_task()
  if cur_task then return cur_task end
  if cur_co == nil or cur_h == nil or not isyieldable() then return nil end
  next_task = next_task + 1
  -- The fields a task gets later are named too, as nil: the table is made
  -- at its final size, where growing it one field at a time rehashed it.
  local t = {id = next_task, co = cur_co, app = cur_app, desc = cur_h.desc, origin = cur_origin,
    conn = CUR[1], wait = nil, queued = nil, resume_ok = nil, resume_n = nil, resume_with = nil,
    done = nil, ok = nil, result = nil, waited = nil}
  -- No handle: only zof.spawn gives one out.
  tasks[next_task] = t
  ntasks = ntasks + 1
  cur_task = t
  return t
end

-- What a task is woken with: ok, and a value or (rarely, from zof.reply)
-- a packed list of them, so a sleep or a reply makes no table here.
local function make_ready(t, ok, ...)
  if t.done or t.queued then return end
  t.queued = true
  local n = select("#", ...)
  t.resume_ok, t.resume_n = ok, n
  if n <= 1 then t.resume_with = (...) else t.resume_with = table.pack(...) end
  ready_n = ready_n + 1
  ready_q[ready_n] = t
  interrupt()
  if ready_n == 1 then core.ready() end
end

-- Frees whatever the task waits on.
-- Lets go of the wait record `w` of task `t` (its wait by default): its
-- timer, its request, its place among an event's waiters.
local function clear_wait(t, w)
  w = w or t.wait
  if w == nil then return end
  if t.wait == w then t.wait = nil end
  if w.timer then timer_owner[w.timer] = nil; core.cancel_timer(w.timer); w.timer = nil end
  if w.xid then core.cancel_request(w.conn, w.xid) end
  if w.event then
    local list = event_waiters[w.event]
    if list then
      for i = #list, 1, -1 do if list[i] == t then table.remove(list, i) end end
      if #list == 0 then event_waiters[w.event] = nil end
    end
  end
end

local function finish(t, ok, result)
  t.done, t.ok, t.result = true, ok, result
  local s, w = t.stream_w, t.wait
  t.stream_w = nil
  clear_wait(t)
  -- A stream the task left while it waited on something else.
  if s ~= nil and s ~= w then clear_wait(t, s) end
  if tasks[t.id] then tasks[t.id] = nil; ntasks = ntasks - 1 end
  if t.waiters then
    for _, w in ipairs(t.waiters) do make_ready(w, ok, result) end
    t.waiters = nil
  end
end

-- Ends the request wait `w` of task `t`, whether or not the task waits on
-- it now (a stream's task may wait on something else in its loop).
local function end_wait(t, w)
  if t.stream_w == w then t.stream_w = nil end
  clear_wait(t, w)
end

-- A request's failure reaches its task now if the task waits on it; a
-- stream's, while its task waits on something else in the loop, at the
-- stream's next wait, after the parts that came before it.
local function fail_request(t, w, err)
  local later = w.stream ~= nil and t.wait ~= w
  end_wait(t, w)
  if later then w.failed = err else make_ready(t, false, err) end
end

local function cancel(t)
  if t.done then return end
  t.cancelled = true
  finish(t, false, "task was cancelled")
  if coroutine.status(t.co) == "suspended" then coroutine.close(t.co) end
end

-- After a step: DONE means finished (coroutine back to the pool), WAIT means suspended.
local function settle(t, co, app, desc, origin, ok, tag, a)
  if app == nil and t == nil then
    -- Not a handler's or a task's failure: an error in the dispatcher itself.
    core.log("error", "zofhost", ("dispatch failed: %s"):format(debug.traceback(co, tostring(tag))))
    return nil
  end
  if not ok then
    failed(app, desc, origin, co, tag)
    if t then finish(t, false, tag) end
    return nil
  end
  if tag == DONE then
    if t then
      if a == STOP and not t.spawned then
        failed(app, desc, origin, co, "zof.STOP returned after the handler waited; " ..
          "only a handler that has not waited can stop an event")
      end
      finish(t, true, a)
    end
    npool = npool + 1
    pool[npool] = co
    return a
  end
  if tag == WAIT and t then return nil end
  local err = "handler yielded something zof does not wait on; use zof.sleep, zof.request " ..
    "or task:wait, not coroutine.yield"
  failed(app, desc, origin, co, err)
  if t then finish(t, false, err) else coroutine.close(co) end
  return nil
end

local function budget_error(desc)
  return ("%s ran past its time budget of %g ms and was aborted"):format(desc, budget_ms)
end

-- Runs one step of a coroutine with its context set, then settles it.
local function step(t, co, app, h_desc, origin, conn, ...)
  local p_task, p_co, p_app, p_h, p_origin, p_conn = cur_task, cur_co, cur_app, cur_h, cur_origin, CUR[1]
  cur_task, cur_co, cur_app, cur_origin, CUR[1] = t, co, app, origin, conn
  cur_h = h_desc
  local ok, tag, a, aborted = run_armed(co, ...)
  if aborted then
    -- The budget hook yielded the coroutine out from under the app.
    ok, tag = false, budget_error(h_desc.desc)
    coroutine.close(co)
  end
  local made = cur_task
  cur_task, cur_co, cur_app, cur_h, cur_origin, CUR[1] = p_task, p_co, p_app, p_h, p_origin, p_conn
  return settle(made, co, app, h_desc.desc, origin, ok, tag, a)
end

local function take_co()
  if npool > 0 then
    local co = pool[npool]
    pool[npool] = nil
    npool = npool - 1
    return co
  end
  return create(body)
end

-- The connection of an event: a field of most, a slot of one made from a frame.
local function conn_of(ev)
  local conn = rawget(ev, "conn_id")
  if conn == nil and getmetatable(ev) == EV then conn = rawget(ev, EV_BATCH)[REC_CONN] end
  return conn
end

-- A handler's first step. The common case (it returned without waiting) is
-- handled inline; everything else goes through settle.
local function run(app, h, ev)
  local co
  if npool > 0 then
    co = pool[npool]
    pool[npool] = nil
    npool = npool - 1
  else
    co = create(body)
  end
  local p_task, p_co, p_app, p_h, p_origin, p_conn = cur_task, cur_co, cur_app, cur_h, cur_origin, CUR[1]
  cur_task, cur_co, cur_app, cur_h, cur_origin, CUR[1] = nil, co, app, h, ev, conn_of(ev)
  local ok, tag, a, aborted = run_armed(co, h.fn, ev)
  local made = cur_task
  cur_task, cur_co, cur_app, cur_h, cur_origin, CUR[1] = p_task, p_co, p_app, p_h, p_origin, p_conn
  if tag == DONE and ok and made == nil and not aborted then
    npool = npool + 1
    pool[npool] = co
    return a
  end
  if aborted then
    ok, tag = false, budget_error(h.desc)
    coroutine.close(co)
  end
  return settle(made, co, app, h.desc, ev, ok, tag, a)
end

local function resume_ready()
  local i = 1
  while i <= ready_n do
    local t = ready_q[i]
    ready_q[i] = nil
    i = i + 1
    t.queued = false
    if not t.done then
      local v = t.resume_with
      t.resume_with = nil
      if t.start then
        local fn = t.start
        t.start = nil
        step(t, t.co, t.app, t, t.origin, t.conn, fn, nil)
      else
        step(t, t.co, t.app, t, t.origin, t.conn, t.resume_ok, t.resume_n, v)
      end
    end
  end
  ready_n = 0
end

-- Suspends the current task until make_ready; returns what it was woken with.
local function suspend(t)
  t.waited = true
  local ok, n, v = yield(WAIT)
  if not ok then error(v, 0) end
  if n == 1 then return v end
  if n > 1 then return table.unpack(v, 1, v.n) end
end

local function need_task(what)
  local t = ensure_task()
  if t == nil then
    -- (A filter runs in the dispatcher's coroutine, but as no handler.)
    if cur_co == nil or cur_h == nil then error(what .. ": not inside a handler or task", 3) end
    error(what .. ": cannot wait here (inside a metamethod, an iterator or a C function such as " ..
      "a table.sort comparator); wait in the handler itself", 3)
  end
  return t
end

-- The timeout's message is worded only if it comes (see entry.timer): most
-- waits end well. Wait records name these fields, as nil, when made, so
-- they are made at their final size.
local function with_timeout(t, w, seconds, what)
  if seconds then
    w.timer = core.timer(seconds)
    w.what, w.seconds = what, seconds
    timer_owner[w.timer] = t
  end
  t.wait = w
end

-- Errors raised by waits: tables that print well and can be inspected.
local WAIT_ERROR = {__name = "zof.error"}
WAIT_ERROR.__tostring = function(e) return e.message end
local function wait_error(kind, message, extra)
  local e = extra or {}
  e.kind, e.message = kind, message
  return setmetatable(e, WAIT_ERROR)
end

-- Seconds on the loop's monotonic clock, the one `ev.time` comes from.
zof.now = core.now

function zof.sleep(seconds)
  if type(seconds) ~= "number" or seconds < 0 then error("zof.sleep: seconds must be a number >= 0", 2) end
  local t = need_task("zof.sleep")
  local w = {kind = "sleep", timer = core.timer(seconds)}
  timer_owner[w.timer] = t
  t.wait = w
  return suspend(t)
end

local function target(dp, what)
  if dp ~= nil then return dp.conn_id end
  if CUR[1] == nil then
    error(what .. ": no datapath here; use dp:" .. what:match("[%w_]+$") .. "(...) or pass a datapath", 3)
  end
  return CUR[1]
end

local function request(conn, msg, opts, stream, what)
  local t = need_task(what)
  local xid, err = core.request(conn, msg, t.id, stream or false)
  if xid == nil then error(err, 3) end
  -- A request always has a timeout: its wait record is made whole at once.
  local seconds = opts and opts.timeout or 10
  local timer = core.timer(seconds)
  local w = {kind = "request", conn = conn, xid = xid, timer = timer, what = what, seconds = seconds,
    stream = stream and {parts = {}, n = 0, done = false} or nil}
  timer_owner[timer] = t
  if stream then t.stream_w = w end
  t.wait = w
  return t, w
end

function zof.request(msg, opts, dp)
  local t = request(target(dp, "zof.request"), msg, opts, false, "zof.request")
  return suspend(t)
end

-- Iterates over the parts of a multipart reply as they arrive.
function zof.request_stream(msg, opts, dp)
  local t, w = request(target(dp, "zof.request_stream"), msg, opts, true, "zof.request_stream")
  local s = w.stream
  local i = 0
  return function()
    if i < s.n then
      i = i + 1
      local part = s.parts[i]
      s.parts[i] = nil
      return part
    end
    if s.done then return nil end
    if w.failed then error(w.failed, 0) end
    -- The task may have waited on something else in the loop since.
    s.waiting = true
    t.wait = w
    return suspend(t)
  end
end

function DP.request(dp, msg, opts) return zof.request(msg, opts, dp) end
function DP.barrier(dp, opts) return zof.request({type = "BARRIER_REQUEST"}, opts, dp) end

function zof.spawn(fn, ...)
  if type(fn) ~= "function" then error("zof.spawn: needs a function", 2) end
  local args = table.pack(...)
  next_task = next_task + 1
  -- (As an app file loads, its task is that app's.)
  local t = {id = next_task, co = take_co(), app = acting_app(), origin = cur_origin, conn = CUR[1],
    spawned = true, desc = "task spawned at " .. where(fn), start = nil, handle = nil, wait = nil, queued = nil,
    resume_ok = nil, resume_n = nil, resume_with = nil, done = nil, ok = nil, result = nil}
  t.start = function() return table.pack(fn(table.unpack(args, 1, args.n))) end
  t.handle = setmetatable({[TASK] = t}, TASK)
  tasks[next_task] = t
  ntasks = ntasks + 1
  make_ready(t, true)
  return t.handle
end

function TASK.cancel(h) cancel(h[TASK]) end
function TASK.done(h) return h[TASK].done end

function TASK.wait(h, opts)
  local t = h[TASK]
  if not t.done then
    local me = need_task("task:wait")
    if me == t then error("task:wait: a task cannot wait for itself", 2) end
    t.waiters = t.waiters or {}
    t.waiters[#t.waiters + 1] = me
    with_timeout(me, {kind = "task", timer = nil, what = nil, seconds = nil}, opts and opts.timeout, "task:wait")
    suspend(me)
  end
  if not t.ok then error(t.result, 0) end
  if type(t.result) == "table" and t.result.n then return table.unpack(t.result, 1, t.result.n) end
  return t.result
end

function zof.wait_event(name, opts)
  if type(name) ~= "string" then error("zof.wait_event: needs an event name", 2) end
  name = name:upper()
  local t = need_task("zof.wait_event")
  local list = event_waiters[name] or {}
  event_waiters[name] = list
  list[#list + 1] = t
  with_timeout(t, {kind = "event", event = name, timer = nil, what = nil, seconds = nil}, opts and opts.timeout,
    "zof.wait_event " .. name)
  return suspend(t)
end

-- Tasks whose wait on this internal event is over resume after it has been to every app.
local function wake_event_waiters(ev)
  local list = event_waiters[ev.event]
  if list == nil then return end
  event_waiters[ev.event] = nil
  for _, t in ipairs(list) do
    clear_wait(t)
    make_ready(t, true, ev)
  end
end

local CALL = {}  -- key of the caller's task in a call's request event

function zof.call(app_name, req, opts)
  local target_app = app_by_name[app_name]
  if target_app == nil then error(("zof.call: no such app %q"):format(tostring(app_name)), 2) end
  if type(req) ~= "table" then error("zof.call: request must be a table", 2) end
  local t = need_task("zof.call")
  req.event = (req.event or "REQUEST"):upper()
  req.from = cur_app and cur_app.name
  req[CALL] = t
  with_timeout(t, {kind = "call", timer = nil, what = nil, seconds = nil}, opts and opts.timeout or 10,
    ("zof.call %s %s"):format(app_name, req.event))
  local idx
  for i, a in ipairs(apps) do if a == target_app then idx = i end end
  interrupt()
  core.post(req, req.event, idx)
  return suspend(t)
end

function zof.reply(ev, ...)
  local t = type(ev) == "table" and ev[CALL]
  if not t then error("zof.reply: this event did not come from zof.call", 2) end
  ev[CALL] = nil
  if not t.done and t.wait and t.wait.kind == "call" then
    clear_wait(t)
    make_ready(t, true, ...)
  end
end

local function cancel_where(pred)
  local list = {}
  for _, t in pairs(tasks) do if pred(t) then list[#list + 1] = t end end
  table.sort(list, function(a, b) return a.id < b.id end)
  for _, t in ipairs(list) do cancel(t) end
end

-- Sending -------------------------------------------------------------------------

function zof.send(msg, dp)
  local xid = check(2, core.send(target(dp, "zof.send"), msg))
  return xid
end

local TEMPLATE = {}
TEMPLATE.__index = TEMPLATE
TEMPLATE.__name = "zof.template"

-- A template's message with its slots filled in (raises without a position:
-- the caller words where).
local function fill(v, args)
  if type(v) == "string" and v:sub(1, 1) == "$" then
    local x = args[v:sub(2)]
    if x == nil then error(("template slot %s has no value"):format(v), 0) end
    return x
  end
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = fill(x, args) end
  return out
end

-- `send` is each template's own field too: `tpl:send` is then found without
-- the metatable's lookup, once per message sent.
function zof.compile(msg)
  if type(msg) ~= "table" then error("zof.compile: message must be a table", 2) end
  return setmetatable({msg = msg, id = check(2, core.compile(msg)), send = TEMPLATE.send}, TEMPLATE)
end

-- template:send is Swift's (core.template_method): it patches slot values
-- into the template's bytes, and words its own errors. A template it cannot
-- patch (a slot that is not a fixed-width number, an argument that is not a
-- number) it leaves to this, called from C with the same arguments (so the
-- app's line is one level further up): the message is filled in and encoded.
local function template_send_slow(self, args, dp)
  local ok, msg = pcall(fill, self.msg, args or {})
  if not ok then error(msg, 3) end
  local xid = check(3, core.send(dp and dp.conn_id or CUR[1], msg, "template:send"))
  return xid
end
TEMPLATE.send = core.template_method(CUR, template_send_slow)

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

-- Keep store: plain data an app hands to its next generation --------------------------

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

function APP:keep(name, default)
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

-- Posting events ---------------------------------------------------------------------

post = function(ev)
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
  interrupt()
  core.post(ev, name)
end
function zof.post(ev) post(ev) end

-- Entry points for Swift -----------------------------------------------------------------

-- What an app's globals fall back to: the standard library without the ways
-- out of the process (os.exit, os.execute, io.popen) and without binary chunks.
local SAFE = {}
for k, v in pairs(_G) do SAFE[k] = v end
SAFE.os, SAFE.io = {}, {}
for k, v in pairs(os) do SAFE.os[k] = v end
for k, v in pairs(io) do SAFE.io[k] = v end
SAFE.os.exit, SAFE.os.execute, SAFE.io.popen = nil, nil, nil
SAFE.load = function(chunk, name, mode, env) return load(chunk, name, "t", env) end
SAFE.loadfile = function(path, mode, env) return loadfile(path, "t", env) end
SAFE.dofile = function(path) return assert(loadfile(path, "t"))() end
-- An app's own coroutines carry a light budget check: the overrun signal
-- reaches only the coroutine zofhost resumed (see lua_budget.c).
local watch = core.watch
SAFE.coroutine = {}
for k, v in pairs(coroutine) do SAFE.coroutine[k] = v end
SAFE.coroutine.create = function(f) return watch(create(f)) end
SAFE.coroutine.wrap = function(f)
  local co = watch(create(f))
  return function(...)
    local r = table.pack(resume(co, ...))
    if r[1] then return table.unpack(r, 2, r.n) end
    coroutine.close(co)
    -- As coroutine.wrap: the error goes on, a message with the caller's position.
    error(r[2], type(r[2]) == "string" and 2 or 0)
  end
end
SAFE._G = SAFE
SAFE.zof = zof
local ENV = {__index = SAFE}

-- Modules in the apps folder's lib/ (and Debian's Lua 5.4 paths) load into the
-- same safe environment; C modules load as Lua does.
table.insert(package.searchers, 2, function(name)
  local path, err = package.searchpath(name, package.path)
  if not path then return err end
  local chunk, e = loadfile(path, "t", setmetatable({}, ENV))
  if not chunk then error(e, 0) end
  return chunk, path
end)
table.remove(package.searchers, 3)  -- Lua's own file searcher: superseded above

local entry = {}

function entry.set_lib(dir, lib)
  -- Without trailing slashes, so paths built from them compare as written.
  apps_dir, lib_dir = dir:gsub("(.)/+$", "%1"), lib and lib:gsub("(.)/+$", "%1")
  package.path = dir .. "/lib/?.lua;" .. dir .. "/lib/?/init.lua;" .. package.path
end

load_file = function(path)
  file_state[path] = "loading"
  local chunk, err = loadfile(path, "t", setmetatable({}, ENV))
  if not chunk then
    file_state[path] = "failed"
    error(err, 0)
  end
  local prev = loading_file
  loading_file = path
  local ok, e = pcall(chunk)
  loading_file = prev
  file_state[path] = ok and "done" or "failed"
  if not ok then error(tostring(e), 0) end
end

-- A file already loaded as another app's requirement is not loaded again.
function entry.load(path)
  if file_state[path] then return end
  defining = {}
  arm()
  local ok, e = pcall(load_file, path)
  disarm()
  if not ok then error(e, 0) end
end

function entry.kept() return kept end
function entry.seed(t) seeded = t end

function entry.apps()
  local list = {}
  for i, a in ipairs(apps) do list[i] = {a.name, a.precedence, a.file or "?"} end
  return list
end

-- Who provides and who consumes what, for `zofhost apps`, in dispatch order.
function entry.report()
  local order = {}
  for i, a in ipairs(apps) do order[i] = {a, i} end
  table.sort(order, function(x, y)
    if x[1].precedence ~= y[1].precedence then return x[1].precedence > y[1].precedence end
    return x[2] < y[2]
  end)
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
  local list, unheard = {}, {}
  for _, pair in ipairs(order) do
    local a = pair[1]
    local required_by, emits, provides = {}, {}, {}
    for _, b in ipairs(apps) do
      for _, r in ipairs(b.requires) do if r == a.name then required_by[#required_by + 1] = b.name end end
    end
    for _, e in ipairs(a.emits) do
      local to = {}
      for _, q in ipairs(order) do if q[1] ~= a and handles(q[1], e) then to[#to + 1] = q[1].name end end
      emits[#emits + 1] = {event = e, to = to}
    end
    for _, sname in ipairs(a.provides) do
      local to = {}
      for _, b in ipairs(apps) do if b.used[sname] then to[#to + 1] = b.name end end
      provides[#provides + 1] = {service = sname, to = to}
    end
    local events = kinds_of(a, "event")
    for _, e in ipairs(events) do
      if e ~= "ANY" and not BUILTIN_EVENTS[e] and not emitters[e] then
        unheard[#unheard + 1] = {app = a.name, event = e}
      end
    end
    local library = lib_dir ~= nil and a.file ~= nil and a.file:sub(1, #lib_dir + 1) == lib_dir .. "/"
    list[#list + 1] = {name = a.name, precedence = a.precedence, file = a.file or "?", library = library,
      requires = a.requires, required_by = required_by, provides = provides, uses = a.uses, emits = emits,
      messages = kinds_of(a, "message"), events = events}
  end
  return {apps = list, unheard = unheard}
end

-- A message event made from a frame holds no field at first but a PACKET_IN's
-- msg: the rest (msg, datapath, datapath_id, version, xid, conn_id, time,
-- type) is made on first read by EV.__index, in Swift, from its slots (fewer
-- keys per event is most of what an event costs).
-- (Keys an event always has are read plainly: no metamethod runs for them.
-- The event's metatable has no __newindex, so a plain write is a raw one.)
local EV_FIELDS = {"msg", "datapath", "datapath_id", "version", "xid", "conn_id", "time", "type"}
EV.__pairs = function(ev)
  for _, k in ipairs(EV_FIELDS) do local _ = ev[k] end
  return function(t, k)
    local nk, v = next(t, k)
    while math.type(nk) == "integer" and nk >= 1 and nk <= EV_SLOTS do nk, v = next(t, nk) end
    return nk, v
  end, ev, nil
end
EV.__len = function() return 0 end  -- the slots are no list of the app's

function entry.begin_message(conn, typ, frame, time)
  cur_ev = new_event({frame, conn, time, typ}, frame, typ == "PACKET_IN", 1)
end

function entry.begin_fields(is_msg, name, conn, dpid, version, xid, fields, time)
  local dp = datapaths[conn]
  local replay
  if name == "CHANNEL_UP" and is_msg then
    dp = setmetatable({id = dpid, datapath_id = fields.datapath_id, conn_id = conn, version = version}, DP)
    datapaths[conn] = dp
  end
  if is_msg then
    if name == "CHANNEL_UP" and fields.replay then fields.replay = nil; replay = true end
    if name == "CHANNEL_DOWN" then cancel_where(function(t) return t.conn == conn end) end
    cur_ev = {type = name, msg = fields, xid = xid, version = version, conn_id = conn, datapath = dp,
      datapath_id = dp and dp.datapath_id, time = time, replay = replay}
  else
    fields.event = name
    fields.time = time
    cur_ev = fields
    wake_event_waiters(fields)
  end
end

function entry.begin_event(ev)
  cur_ev = ev
  wake_event_waiters(ev)
end

-- The apps in dispatch order (the dispatcher's, set at activation from
-- their indexes), and how many.
local ordered, norder = {}, 0
function entry.set_order(list)
  ordered, norder = {}, #list
  for k, i in ipairs(list) do ordered[k] = apps[i] end
end

-- A table filter: each field against the message, then its packet, then the
-- event. Only decoding the message can fail (a malformed body), and that
-- comes back as false and why, so no pcall is needed: returns ok, matched.
-- fast_match does the same in Swift; this one serves where an app's own
-- metatable is on the way.
local function table_match(f, ev)
  local msg = rawget(ev, "msg")
  if msg == nil and getmetatable(ev) == EV then
    local err
    msg, err = message_of(ev)
    if msg == nil then return false, err end
    ev.msg = msg
  end
  local pkt
  for k, want in next, f do
    local v
    if msg ~= nil then
      v = msg[k]
      if v == nil then
        if pkt == nil then pkt = msg.pkt end
        if pkt ~= nil then v = pkt[k] end
      end
    end
    if v == nil then v = ev[k] end
    if v ~= want then return true, false end
  end
  return true, true
end

-- The handler of `app` that takes `ev`: its first whose name and filter
-- match. A filter that fails (a filter function's error, a malformed body
-- read by a table filter) fails that app's match only.
local function pick(app, is_msg, name, ev)
  local handlers = (is_msg and app.mcache or app.ecache)[name] or candidates(app, is_msg, name)
  for j = 1, #handlers do
    local h = handlers[j]
    local f = h.filter
    if f == nil then return h end
    local ok, r
    if h.table_filter then
      ok, r = fast_match(f, ev)
      if ok == nil then ok, r = table_match(f, ev) end
    else
      ok, r = pcall(f, ev)
    end
    if not ok then
      core.log("error", app.name, ("filter of %s failed: %s"):format(h.desc, tostring(r)))
      return nil
    end
    if r then return h end
  end
  return nil
end

-- Batches: the messages of one read from one switch, whole frames in one
-- string, go through the apps in one call from Swift. One pooled coroutine,
-- the dispatcher, calls handler after handler itself, with no resume each.
-- When a handler waits (or raises), that coroutine becomes the handler's task
-- (or dies), and a fresh dispatcher carries the batch on from the next app.
-- After an event during which a handler posted, woke a task or closed a
-- connection, the batch returns to Swift, which sees to that before the next
-- event.
local tick = core.tick
-- b_rec: the batch's record (see EV); b_head: its events come with their message's head.
local b_conn, b_type, b_s, b_rec, b_head = nil, nil, nil, nil, false
local b_ev, b_k = nil, 0    -- the event in progress, and how far in `ordered` it got

dispatch_loop = function()
  local typ, n, conn, s, rec, head = b_type, norder, b_conn, b_s, b_rec, b_head
  -- Once: whatever runs a handler of its own puts the connection back after.
  CUR[1] = conn
  -- Where the last dispatcher left the batch; then kept here as in b_ev, b_k.
  local ev, k = b_ev, b_k
  while true do
    if k >= n then
      -- The event in progress went through every app: the next frame's
      -- (new_event walks the batch: it is past the frame first, so if making
      -- its event fails, the memory cap, the next dispatcher goes on with the
      -- next frame instead of this one again; it makes none once interrupted).
      -- Nothing between events is any handler's: an error here is the dispatcher's.
      cur_app, cur_h = nil, nil
      ev = new_event(rec, s, head)
      if not ev then return DONE end
      b_ev, k = ev, 0
    end
    -- Through the apps after the k-th; b_k is how far it got, where the next
    -- dispatcher goes on if this one becomes a task or dies.
    while k < n do
      k = k + 1
      b_k = k
      local app = ordered[k]
      local h = app.sole[typ]
      if not h then
        -- A filter runs as no app's, as between events.
        cur_app, cur_h, cur_origin = nil, nil, nil
        -- nil: not looked for yet; false: the app's handler depends on the event.
        if h == nil then
          candidates(app, true, typ)
          h = app.sole[typ]
        end
        if not h then h = pick(app, true, typ, ev) end
        if not h then goto next_app end
      end
      do
        -- What the handler runs as. Left set after it (until the next event
        -- or filter): nothing else runs in between.
        cur_app = app
        cur_h = h
        cur_origin = ev
        -- The first app's budget started with the event.
        if k > 1 then tick() end
        local r = h.fn(ev)
        local made = cur_task
        if made then
          -- It waited, so this coroutine is its task now (another carried the
          -- batch on), and the task is over.
          if made.waited then return DONE, r end
          cur_task = nil
          finish(made, true, r)
        end
        if r and r == STOP then
          b_k, k = n, n
          break
        end
      end
      ::next_app::
    end
  end
end

-- Dispatches the frames of `s` from where Swift set new_event to start (the
-- first), up to an event after which Swift must see to something; Swift
-- reads where it stopped from new_event's place.
function entry.dispatch_frames(conn, typ, s, time)
  b_conn, b_type, b_s, b_rec, b_head = conn, typ, s, {s, conn, time, typ}, typ == "PACKET_IN"
  -- (b_k at norder: no event in progress.)
  b_ev, b_k = nil, norder
  local p_task, p_co, p_app, p_h, p_origin, p_conn = cur_task, cur_co, cur_app, cur_h, cur_origin, CUR[1]
  while true do
    local co = take_co()
    cur_task, cur_co, cur_app, cur_h = nil, co, nil, nil
    local ok, tag, a, aborted = run_armed(co, DISPATCH)
    local made, app, h, ev = cur_task, cur_app, cur_h, cur_origin
    cur_task, cur_co, cur_app, cur_h, cur_origin, CUR[1] = p_task, p_co, p_app, p_h, p_origin, p_conn
    if ok and tag == DONE and not aborted then
      npool = npool + 1
      pool[npool] = co
      break
    end
    -- A handler waited (the coroutine is its task now; nothing to do),
    -- raised, ran past its budget, or yielded what zof does not wait on.
    if aborted then
      -- (A handler that ended just as its budget ran out is cut off between
      -- handlers, and named: what it ran as stays set until the next one.)
      ok, tag = false, budget_error(h and h.desc or "a handler")
      coroutine.close(co)
    end
    if not (ok and tag == WAIT and made) then settle(made, co, app, h and h.desc, ev, ok, tag, a) end
  end
  b_s, b_rec, b_ev = nil, nil, nil
end

-- Offers the current event to app i; true if its handler stopped it.
function entry.deliver(i)
  local ev, app = cur_ev, apps[i]
  local name = rawget(ev, "type")
  if name == nil and getmetatable(ev) == EV then name = ev.type end
  local h = pick(app, name ~= nil, name or ev.event, ev)
  return h ~= nil and run(app, h, ev) == STOP
end

function entry.finish(field)
  local ev = cur_ev
  cur_ev = nil
  if ev.type == "CHANNEL_DOWN" then datapaths[ev.conn_id] = nil end
  if field then return ev[field] end
end

entry.resume_ready = resume_ready

local function timeout_error(w)
  local what = w.xid and ("%s (xid %d)"):format(w.what, w.xid) or w.what
  return wait_error("timeout", ("%s timed out after %g s"):format(what, w.seconds), {xid = w.xid})
end

function entry.timer(id)
  local t = timer_owner[id]
  timer_owner[id] = nil
  if t == nil or t.done then return end
  local w = t.wait
  if w == nil or w.timer ~= id then
    -- A streamed request's timer while its task waits on something else (a
    -- sleep in the loop): that wait goes on, and the request is over.
    local s = t.stream_w
    if s ~= nil and s.timer == id then
      s.timer = nil
      fail_request(t, s, timeout_error(s))
    end
    return
  end
  w.timer = nil
  clear_wait(t)
  if w.kind == "sleep" then
    make_ready(t, true)
  else
    make_ready(t, false, timeout_error(w))
  end
end

function entry.reply(id, xid, kind, typ, payload, final)
  local t = tasks[id]
  if t == nil or t.done then return end
  local w = t.stream_w
  if w == nil or w.xid ~= xid then w = t.wait end
  if w == nil or w.xid ~= xid then return end
  -- The switch has said its last on this xid: nothing is left to cancel.
  if final then w.xid = nil end
  if kind == "closed" then
    fail_request(t, w, wait_error("closed", ("request xid %d: the switch disconnected before replying"):format(xid),
      {xid = xid}))
    return
  end
  local dp = datapaths[w.conn]
  local msg = payload
  if kind == "frame" then msg = setmetatable({[FRAME] = payload}, typ == "PACKET_IN" and LAZY_PI or LAZY) end
  local reply = {type = typ, xid = xid, msg = msg, datapath = dp, datapath_id = dp and dp.datapath_id,
    version = dp and dp.version}
  if typ == "ERROR" then
    fail_request(t, w, wait_error("error", ("request xid %d failed: %s %s"):format(xid, tostring(msg.type),
      tostring(msg.code)), {xid = xid, type = msg.type, code = msg.code, msg = msg}))
    return
  end
  local s = w.stream
  if s == nil then
    clear_wait(t)
    make_ready(t, true, reply)
    return
  end
  if final then
    s.done = true
    end_wait(t, w)
  end
  if s.waiting then
    s.waiting = false
    make_ready(t, true, reply)
  else
    s.n = s.n + 1
    s.parts[s.n] = reply
  end
end

function entry.cancel_all() cancel_where(function() return true end) end
function entry.stats() return ntasks end

_G.zof = zof
return entry
"""#
