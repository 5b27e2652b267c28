-- Dispatch: which handler of which app takes an event, in what order, and
-- running it. The order is the dispatcher's (Swift's Dispatcher sorts the
-- apps; entry.set_order hands the result here); this file only follows it.
-- It owns what the running handler or task runs as (cur_*), which other
-- areas ask through R.running, R.current_app and R.acting_app.
local core, R = ...
local getmetatable, rawget, tostring, pcall, next = getmetatable, rawget, tostring, pcall, next
local create, yield, isyieldable = coroutine.create, coroutine.yield, coroutine.isyieldable
local STOP, CUR, apps, candidates = R.zof.STOP, R.CUR, R.apps, R.candidates
local DONE, WAIT, new_task, finish, post = R.DONE, R.WAIT, R.new_task, R.finish_task, R.post
local EV, message_of, fast_match, new_event, conn_of = R.EV, R.message_of, R.fast_match, R.new_event, R.conn_of
local record, current_event, file_app = R.record, R.current_event, R.file_app
local arm, disarm, run_armed, budget_ms, tick = core.arm, core.disarm, core.run, core.budget_ms(), core.tick
local own, refused = core.own, core.refused
R.arm, R.disarm = arm, disarm

local pool, npool = {}, 0
local cur_task, cur_co, cur_app, cur_h, cur_origin = nil, nil, nil, nil, nil
local DISPATCH = {}   -- starts a pooled coroutine as the dispatcher of the current batch
local dispatch_loop   -- forward

-- The running coroutine, handler (or task), app and event: what a wait needs.
function R.running() return cur_co, cur_h, cur_app, cur_origin end
function R.current_app() return cur_app end
-- The app whose code is running: a handler's or task's, or the file being loaded.
function R.acting_app()
  local loading = R.loading_file
  return cur_app or (loading and file_app[loading])
end

-- The running handler's task, made on its first wait (nil where it cannot wait).
function R.ensure_task()
  if cur_task then return cur_task end
  if cur_co == nil or cur_h == nil or not isyieldable() then return nil end
  cur_task = new_task(cur_co, cur_app, cur_h.desc, cur_origin, CUR[1])
  return cur_task
end

-- A pooled coroutine runs handler after handler until one fails, or a batch.
-- It is given the handler record (or a spawned task's {fn = ...}), and
-- calls its `fn` as the batch loop does, so a traceback names the handler's
-- frame alike either way.
local function body(h, ev)
  while true do
    if h == DISPATCH then
      h, ev = yield(dispatch_loop())
    else
      h, ev = yield(DONE, h.fn(ev))
    end
  end
end

-- The runtime's own files: their frames are cut from an app's traceback.
local RUNTIME = {}
for _, name in ipairs(core.files) do RUNTIME[name] = true end

local function trim(tb)
  while true do
    local at, _, src = tb:find("\n\t([^\n:]+):%d+: in [^\n]*$")
    if at == nil or not RUNTIME[src] then return tb end
    tb = tb:sub(1, at - 1)
  end
end

-- An error's text, Lua's "not enough memory" worded as what it is when an
-- app's memory cap refused the allocation (zs_mem in cshim_lua.h).
local NOMEM <const> = "not enough memory"
function R.error_text(err)
  local msg = tostring(err)
  if msg:sub(-#NOMEM) ~= NOMEM then return msg end
  local owner, cap = refused()
  local app = apps[owner]
  if app == nil then return msg end
  return msg:sub(1, -#NOMEM - 1) ..
    ("app %s is over its Lua memory cap of %g MB"):format(app.name, cap / 1048576)
end
local error_text = R.error_text

-- 14203 -> "14,203".
local function commas(n)
  local s, k = tostring(n), 1
  while k > 0 do s, k = s:gsub("^(%d+)(%d%d%d)", "%1,%2") end
  return s
end

-- Failures are logged per app and handler (or filter) at most LOG_BURST
-- times in a window of LOG_WINDOW seconds, which the first failure starts;
-- the rest are counted, and when the window ends one line says how many.
-- A handler that fails on every event so logs 6 lines per 10 s, not one
-- per event, and its failures past the burst cost no traceback.
local LOG_BURST <const>, LOG_WINDOW <const> = 5, 10
local windows = {}   -- app name -> what failed -> {logged = n, more = n, last = error}
local after  -- tasks.lua
R.later(function() after = R.after end)

-- Whether this failure of `what` of app `name` is to be logged in full.
local function log_it(name, what, err)
  local by = windows[name]
  if by == nil then
    by = {}
    windows[name] = by
  end
  local w = by[what]
  if w == nil then
    w = {logged = 1, more = 0, last = nil}
    by[what] = w
    after(LOG_WINDOW, function()
      by[what] = nil
      if w.more > 0 then
        local last = error_text(w.last):match("^[^\n]*")
        core.log("error", name, ("%s failed: %s ... and %s more like it in the last %d s")
          :format(what, last, commas(w.more), LOG_WINDOW))
      end
    end)
    return true
  end
  if w.logged < LOG_BURST then
    w.logged = w.logged + 1
    return true
  end
  w.more, w.last = w.more + 1, err
  return false
end

-- Logs a handler's or task's failure, with its traceback, and posts it as
-- EXCEPTION; past the burst (log_it) it is only counted.
local function failed(app, desc, origin, co, err)
  -- (A task spawned before its file made an app is no app's.)
  local name = app and app.name or "zofhost"
  if not log_it(name, desc, err) then return end
  local msg = error_text(err)
  -- The app's frames only: the runtime's below them (the coroutine's body) go.
  local tb = trim(debug.traceback(co, msg))
  core.log("error", name, ("%s failed: %s"):format(desc, tb))
  if origin == nil or origin.event ~= "EXCEPTION" then
    post({event = "EXCEPTION", app = name, handler = desc, error = msg, traceback = tb, source = origin})
  end
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

-- Runs one step of a task's coroutine with its context set, then settles it.
function R.step(t, co, app, h_desc, origin, conn, ...)
  local p_task, p_co, p_app, p_h, p_origin, p_conn = cur_task, cur_co, cur_app, cur_h, cur_origin, CUR[1]
  cur_task, cur_co, cur_app, cur_origin, CUR[1] = t, co, app, origin, conn
  cur_h = h_desc
  local ok, tag, a, aborted = run_armed(app and app.owner or 0, co, ...)
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
R.take_co = take_co

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
  local ok, tag, a, aborted = run_armed(app.owner, co, h, ev)
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

-- The apps in dispatch order, and how many: the dispatcher's, set at
-- activation from their load indexes. Both ways of dispatching (a batch of
-- frames here, an event step by step through entry.deliver) follow it.
local ordered, norder = {}, 0
function R.entry.set_order(list)
  ordered, norder = {}, #list
  for k, i in ipairs(list) do ordered[k] = apps[i] end
  -- new_event starts the first app's handler: C runs it as that app's.
  core.first_owner(ordered[1] and ordered[1].owner or 0)
end

-- A table filter where fast_match (Swift) leaves the verdict to Lua: an
-- app's own metatable is on the message's or packet's way, and only Lua may
-- run it. The same rule as fast_match, field by field against the message,
-- then its packet, then the event; it differs only in reading through
-- metamethods. Only decoding the message can fail (a malformed body), and
-- that comes back as false and why: returns ok, matched.
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
      local what = "filter of " .. h.desc
      if log_it(app.name, what, r) then core.log("error", app.name, ("%s failed: %s"):format(what, error_text(r))) end
      return nil
    end
    if r then return h end
  end
  return nil
end

-- Offers the current event (events.lua's, begun step by step) to app i;
-- true if its handler stopped it.
function R.entry.deliver(i)
  local ev, app = current_event(), apps[i]
  local name = rawget(ev, "type")
  if name == nil and getmetatable(ev) == EV then name = ev.type end
  local h = pick(app, name ~= nil, name or ev.event, ev)
  return h ~= nil and run(app, h, ev) == STOP
end

-- Batches: the messages of one read from one switch, whole frames in one
-- string, go through the apps in one call from Swift. One pooled coroutine,
-- the dispatcher, calls handler after handler itself, with no resume each.
-- When a handler waits (or raises), that coroutine becomes the handler's task
-- (or dies), and a fresh dispatcher carries the batch on from the next app.
-- After an event during which a handler posted, woke a task or closed a
-- connection, the batch returns to Swift, which sees to that before the next
-- event.
-- b_rec: the batch's record (see events.lua); b_head: its events come with their message's head.
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
        -- A filter runs as no app's, as between events, but allocates as
        -- its app (the first app's is that already, see new_event).
        cur_app, cur_h, cur_origin = nil, nil, nil
        if k > 1 then own(app.owner) end
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
        -- The first app's budget started with the event (and it runs as that
        -- app's): see new_event.
        if k > 1 then tick(app.owner) end
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
function R.entry.dispatch_frames(conn, typ, s, time)
  b_conn, b_type, b_s, b_rec, b_head = conn, typ, s, record(s, conn, time, typ), typ == "PACKET_IN"
  -- (b_k at norder: no event in progress.)
  b_ev, b_k = nil, norder
  local p_task, p_co, p_app, p_h, p_origin, p_conn = cur_task, cur_co, cur_app, cur_h, cur_origin, CUR[1]
  while true do
    local co = take_co()
    cur_task, cur_co, cur_app, cur_h = nil, co, nil, nil
    local ok, tag, a, aborted = run_armed(0, co, DISPATCH)
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

-- What runs, for the loop's watchdog (lua_watchdog.c): it asks only once the
-- loop has stalled, from the budget's hook or the pattern matcher, so
-- nothing on the way of an event pays for it. Raw reads only: no lazy field
-- is made from a hook.
debug.getregistry()["zofhost.running"] = function()
  local h, app, ev = cur_h, cur_app, cur_origin
  if h == nil then return nil end
  local typ = b_s and b_type
  if not typ and type(ev) == "table" then typ = rawget(ev, "type") or rawget(ev, "event") end
  return ("%s of app %s, event %s"):format(h.desc, app and app.name or "?", tostring(typ or "?"))
end
