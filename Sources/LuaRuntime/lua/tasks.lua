-- Tasks and waits. A handler runs in a pooled coroutine (dispatch.lua); only
-- when it first waits does it get a task record, so a handler that never
-- waits allocates nothing here. Waiting primitives register what they wait
-- on, then yield WAIT; they are resumed with (true, values...) or
-- (false, error). Timers and requests are Swift's (LuaAPI+Timers.swift,
-- LuaAPI+Request.swift); their ends come back through entry.timer and
-- entry.reply.
local core, R = ...
local setmetatable, type, pairs, ipairs, select, tostring, error =
  setmetatable, type, pairs, ipairs, select, tostring, error
local yield = coroutine.yield
local zof, DP, datapaths, apps, app_by_name = R.zof, R.DP, R.datapaths, R.apps, R.app_by_name
local interrupt, where, target, CUR = R.interrupt, R.where, R.target, R.CUR
local step, ensure_task, running, take_co, acting_app, current_app  -- dispatch.lua
R.later(function()
  step, ensure_task, running, take_co = R.step, R.ensure_task, R.running, R.take_co
  acting_app, current_app = R.acting_app, R.current_app
end)

-- What a coroutine yields: DONE when its function returned, WAIT when it waits.
local DONE, WAIT = {}, {}
R.DONE, R.WAIT = DONE, WAIT

-- Bytes a joined reply may reach (Swift fails it past that), and a
-- stream's unread parts (here): --max-reply-mb.
local reply_limit = core.reply_limit()
local function size_text(n)
  if n % 1048576 == 0 then return ("%d MiB"):format(n // 1048576) end
  return ("%d bytes"):format(n)
end

local tasks, ntasks, next_task = {}, 0, 0
local conn_tasks = {}           -- connection id -> set of its tasks (its CHANNEL_DOWN cancels them)
local timer_owner = {}          -- timer id -> task
local timer_fn = {}             -- timer id -> the runtime's own function (R.after)
local event_waiters = {}        -- event name -> list of tasks
local ready_q, ready_n = {}, 0  -- tasks to resume after the current event

local TASK = {__name = "zof.task"}
TASK.__index = TASK

-- The task record of a handler that waits, or of a spawned function.
-- The fields a task gets later are named too, as nil: the table is made
-- at its final size, where growing it one field at a time rehashed it.
function R.new_task(co, app, desc, origin, conn)
  next_task = next_task + 1
  local t = {id = next_task, co = co, app = app, desc = desc, origin = origin,
    conn = conn, wait = nil, queued = nil, resume_ok = nil, resume_n = nil, resume_with = nil,
    done = nil, ok = nil, result = nil, waited = nil}
  -- No handle: only zof.spawn gives one out.
  tasks[next_task] = t
  ntasks = ntasks + 1
  if conn ~= nil then
    local set = conn_tasks[conn]
    if set == nil then set = {}; conn_tasks[conn] = set end
    set[t] = true
  end
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
  local set = t.conn ~= nil and conn_tasks[t.conn]
  if set then
    set[t] = nil
    if next(set) == nil then conn_tasks[t.conn] = nil end
  end
  -- Sockets the task made (socket.lua) close if it failed.
  if t.sockets then R.task_sockets_end(t, ok) end
  if t.waiters then
    for _, x in ipairs(t.waiters) do make_ready(x, ok, result) end
    t.waiters = nil
  end
end
R.finish_task = finish

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

-- Resumes the tasks whose wait is over (Swift calls this after each event).
function R.entry.resume_ready()
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
        local start = t.start
        t.start = nil
        step(t, t.co, t.app, t, t.origin, t.conn, start, nil)
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
    local co, h = running()
    if co == nil or h == nil then error(what .. ": not inside a handler or task", 3) end
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

function zof.sleep(seconds)
  if type(seconds) ~= "number" or seconds < 0 then error("zof.sleep: seconds must be a number >= 0", 2) end
  local t = need_task("zof.sleep")
  local w = {kind = "sleep", timer = core.timer(seconds)}
  timer_owner[w.timer] = t
  t.wait = w
  return suspend(t)
end

local function request(conn, msg, opts, stream, what)
  local t = need_task(what)
  local xid, err = core.request(conn, msg, t.id, stream or false)
  if xid == nil then error(err, 3) end
  -- A request always has a timeout: its wait record is made whole at once.
  local seconds = opts and opts.timeout or 10
  local timer = core.timer(seconds)
  local w = {kind = "request", conn = conn, xid = xid, timer = timer, what = what, seconds = seconds,
    stream = stream and {parts = {}, sizes = {}, i = 0, n = 0, bytes = 0, done = false} or nil}
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
  return function()
    local i = s.i
    if i < s.n then
      i = i + 1
      s.i = i
      local part = s.parts[i]
      s.parts[i] = nil
      s.bytes = s.bytes - s.sizes[i]
      s.sizes[i] = nil
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
  local _, _, _, origin = running()
  -- (As an app file loads, its task is that app's.)
  local t = R.new_task(take_co(), acting_app(), "task spawned at " .. where(fn), origin, CUR[1])
  t.spawned = true
  -- (What a pooled coroutine runs: a table with its function as `fn`.)
  t.start = {fn = function() return table.pack(fn(table.unpack(args, 1, args.n))) end}
  t.handle = setmetatable({[TASK] = t}, TASK)
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
function R.wake_event_waiters(ev)
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
  local caller = current_app()
  req.event = (req.event or "REQUEST"):upper()
  req.from = caller and caller.name
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

function R.cancel_where(pred)
  local list = {}
  for _, t in pairs(tasks) do if pred(t) then list[#list + 1] = t end end
  table.sort(list, function(a, b) return a.id < b.id end)
  for _, t in ipairs(list) do cancel(t) end
end

-- The tasks of connection `conn`, oldest first, in time proportional to
-- their number (not to all tasks': a mass disconnect stays linear).
function R.cancel_conn(conn)
  local set = conn_tasks[conn]
  if set == nil then return end
  conn_tasks[conn] = nil
  local list = {}
  for t in pairs(set) do list[#list + 1] = t end
  table.sort(list, function(a, b) return a.id < b.id end)
  for _, t in ipairs(list) do cancel(t) end
end

-- For the waits of other areas (socket.lua).
R.need_task, R.suspend, R.make_ready, R.clear_wait, R.with_timeout, R.wait_error =
  need_task, suspend, make_ready, clear_wait, with_timeout, wait_error

local entry = R.entry

local function timeout_error(w)
  local what = w.xid and ("%s (xid %d)"):format(w.what, w.xid) or w.what
  return wait_error("timeout", ("%s timed out after %g s"):format(what, w.seconds), {xid = w.xid})
end

-- Calls fn (runtime code: no task, no app) once `seconds` have passed.
function R.after(seconds, fn) timer_fn[core.timer(seconds)] = fn end

function entry.timer(id)
  local fn = timer_fn[id]
  if fn then
    timer_fn[id] = nil
    return fn()
  end
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
  if kind == "too_large" then
    -- (typ is the request's type, payload the bound.)
    fail_request(t, w, wait_error("too_large", ("%s %s (xid %d): reply too large, past %s (--max-reply-mb); " ..
      "its parts were dropped (zof.request_stream reads large replies)"):format(w.what, typ, xid, size_text(payload)),
      {xid = xid, limit = payload}))
    return
  end
  local dp = datapaths[w.conn]
  local msg = payload
  if kind == "frame" then msg = R.lazy_message(payload, typ) end
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
  -- The task reads slower than the switch sends: what waits unread is
  -- bounded. Past it, the parts unread are dropped, and the rest of the
  -- reply (Swift drops the parts of a request given up on).
  local size = kind == "frame" and #payload or 0
  if not s.waiting and s.bytes + size > reply_limit then
    s.parts, s.sizes, s.n, s.bytes = {}, {}, s.i, 0
    fail_request(t, w, wait_error("too_large", ("%s %s (xid %d): reply parts unread past %s (--max-reply-mb); " ..
      "they and the rest of the reply were dropped"):format(w.what, typ, xid, size_text(reply_limit)),
      {xid = xid, limit = reply_limit}))
    return
  end
  if final then
    s.done = true
    end_wait(t, w)
  end
  if s.waiting then
    s.waiting = false
    make_ready(t, true, reply)
    return
  end
  s.n = s.n + 1
  s.parts[s.n] = reply
  s.sizes[s.n] = size
  s.bytes = s.bytes + size
end

function entry.cancel_all() R.cancel_where(function() return true end) end
function entry.stats() return ntasks end
