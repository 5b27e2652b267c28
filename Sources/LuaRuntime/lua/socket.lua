-- Sockets: zof.tcp, zof.udp and zof.listen, in the manner of OpenResty's
-- cosockets. Network errors are results (`nil, err`), never raises; misuse
-- (a bad argument, a wait where none can be) raises. Swift does the I/O
-- (LuaAPI+Socket.swift, HostCore's AppSocket): an operation that cannot
-- finish at once answers "wait"; the task then waits here, and Swift's
-- entry.socket_wake makes it ready when the operation may go on, and it
-- asks again. Every wait has a timeout (60 s unless the socket says
-- otherwise) and ends with its task: a cancelled task stops watching.
--
-- Ownership: a socket belongs to its app and generation; after STOP Swift
-- closes what is left. A socket made in a handler or task belongs to that
-- task once it waits on it: if the task fails (raises, is cancelled or runs
-- past its budget) the socket is closed. An accepted connection is closed
-- when its handler's task ends, however it ends. An unreachable socket is
-- closed by the collector.
local core, R = ...
local setmetatable, type, error, tostring, tonumber, pcall, rawget, pairs =
  setmetatable, type, error, tostring, tonumber, pcall, rawget, pairs
local concat, pack, unpack = table.concat, table.pack, table.unpack
local zof, where = R.zof, R.where
local need_task, suspend, make_ready, clear_wait, with_timeout =
  R.need_task, R.suspend, R.make_ready, R.clear_wait, R.with_timeout
local running, acting_app, ensure_task, take_co  -- dispatch.lua
R.later(function()
  running, acting_app, ensure_task, take_co = R.running, R.acting_app, R.ensure_task, R.take_co
end)

-- Open sockets and listeners an app may hold at once.
local MAX_SOCKETS = 256
local DEFAULT_TIMEOUT = 60

local SOCK = {}          -- key of a socket object's record
local TCP = {__name = "zof.tcp"}
TCP.__index = TCP
local UDP = {__name = "zof.udp"}
UDP.__index = UDP
local LISTENER = {__name = "zof.listener"}
LISTENER.__index = LISTENER

local open_count = {}    -- app -> sockets and listeners open
-- A socket's two waits: a receive's, and a connect's or a send's; one task each.
local READ, WRITE = 0, 1
local waiters = {[READ] = {}, [WRITE] = {}}   -- side -> socket id -> the task waiting
local recs = {}          -- socket id -> record, while open
local listeners = {}     -- listener id -> record

local function app_name(app) return app and app.name or "zofhost" end

local function count(app, n) if app then open_count[app] = (open_count[app] or 0) + n end end

local function over_cap(app, what)
  if app and (open_count[app] or 0) >= MAX_SOCKETS then
    return ("%s: too many sockets: app %s has %d open (the cap)"):format(what, app.name, MAX_SOCKETS)
  end
end

-- Wakes the task waiting on that side of socket `id`, if any: it asks again.
local function wake(id, side)
  local t = waiters[side][id]
  if t == nil then return end
  waiters[side][id] = nil
  local rec = recs[id]
  if rec then rec.waiting[side] = false end
  clear_wait(t)
  make_ready(t, true)
end
R.entry.socket_wake = wake

local function close_rec(rec)
  if rec.closed then return end
  rec.closed = true
  recs[rec.id] = nil
  core.sock_close(rec.id)
  count(rec.app, -1)
  if rec.owner and rec.owner.sockets then rec.owner.sockets[rec] = nil end
  -- A task waiting on it (another one) finds it closed.
  wake(rec.id, READ)
  wake(rec.id, WRITE)
end

-- A task ends: the sockets it owns close if it failed.
function R.task_sockets_end(t, ok)
  local owned = t.sockets
  t.sockets = nil
  if ok then
    for rec in pairs(owned) do rec.owner = nil end
    return
  end
  for rec in pairs(owned) do close_rec(rec) end
end

local function new_socket(kind, mt, what)
  local _, _, app, origin = running()
  app = app or acting_app()
  local err = over_cap(app, what)
  if err then return nil, err end
  local co = coroutine.running()
  local rec = {id = core.sock_new(kind), kind = kind, app = app, co = co, origin = origin,
    connect_t = DEFAULT_TIMEOUT, send_t = DEFAULT_TIMEOUT, read_t = DEFAULT_TIMEOUT,
    closed = false, waiting = {[READ] = false, [WRITE] = false}, owner = nil}
  recs[rec.id] = rec
  count(app, 1)
  return setmetatable({[SOCK] = rec}, mt)
end

function zof.tcp() return new_socket("tcp", TCP, "zof.tcp") end
function zof.udp() return new_socket("udp", UDP, "zof.udp") end

-- The wait of one operation: ends at the wake, the timeout, or with the task.
local UNWAIT = {__close = function(g)
  local rec, t, side = g[1], g[2], g[3]
  if waiters[side][rec.id] == t then waiters[side][rec.id] = nil end
  if rec.waiting[side] then
    rec.waiting[side] = false
    core.sock_unwait(rec.id, side)
  end
end}

-- Waits on one side of socket `rec` in task `t`; false on timeout.
local function wait_for(t, rec, side, seconds, what)
  -- The task that made the socket owns it from its first wait on it.
  if rec.owner == nil and rec.co == t.co and rec.origin == t.origin then
    rec.owner = t
    t.sockets = t.sockets or {}
    t.sockets[rec] = true
  end
  waiters[side][rec.id] = t
  rec.waiting[side] = true
  with_timeout(t, {kind = "socket", sock = rec.id, timer = nil, what = nil, seconds = nil}, seconds, what)
  local _ <close> = setmetatable({rec, t, side}, UNWAIT)
  local ok, err = pcall(suspend, t)
  if ok then return true end
  if type(err) == "table" and err.kind == "timeout" then return false end
  error(err, 0)
end

-- The task to wait in. Where none can be, the wait the operation started
-- is abandoned, and nil comes back for need_task to raise about.
local function waiting_task(rec, side)
  local t = ensure_task()
  if t == nil then core.sock_unwait(rec.id, side) end
  return t
end

-- Another task waits on that side of the socket already.
local BUSY = {[READ] = "socket busy reading", [WRITE] = "socket busy writing"}

local function rec_of(s, what)
  local rec = type(s) == "table" and rawget(s, SOCK)
  if not rec then error(what .. ": call it as a method (sock:" .. what:match("[%w_]+$") .. "(...))", 3) end
  return rec
end

local function check_port(port, what)
  local p = tonumber(port)
  if p == nil or p ~= p // 1 or p < 0 or p > 65535 then error(what .. ": port must be an integer 0-65535", 3) end
  return p // 1
end

local function timeout_of(ms, what)
  if ms == nil then return nil end
  if type(ms) ~= "number" or ms < 0 then error(what .. ": timeouts are milliseconds >= 0", 3) end
  return ms / 1000
end

local function settimeouts(s, c, snd, r)
  local rec = rec_of(s, "sock:settimeouts")
  rec.connect_t = timeout_of(c, "sock:settimeouts") or rec.connect_t
  rec.send_t = timeout_of(snd, "sock:settimeouts") or rec.send_t
  rec.read_t = timeout_of(r, "sock:settimeouts") or rec.read_t
end

local function settimeout(s, ms)
  local rec = rec_of(s, "sock:settimeout")
  local t = timeout_of(ms, "sock:settimeout")
  if t then rec.connect_t, rec.send_t, rec.read_t = t, t, t end
end

local function data_of(data, what)
  local ty = type(data)
  if ty == "string" then return data end
  if ty == "number" then return tostring(data) end
  if ty == "table" then
    local ok, s = pcall(concat, data)
    if ok then return s end
    error(what .. ": a table to send must hold strings and numbers only", 3)
  end
  error(what .. ": data must be a string or an array of strings", 3)
end

local function close(s)
  local rec = rawget(s, SOCK)
  if rec == nil then return nil, "closed" end
  if rec.closed then return nil, "closed" end
  close_rec(rec)
  return 1
end

local function getpeername(s)
  local rec = rec_of(s, "sock:getpeername")
  if rec.closed then return nil, "closed" end
  return core.sock_peer(rec.id)
end

local function getsockname(s)
  local rec = rec_of(s, "sock:getsockname")
  if rec.closed then return nil, "closed" end
  return core.sock_name(rec.id)
end

local function gc(s)
  local rec = rawget(s, SOCK)
  if rec and not rec.closed then close_rec(rec) end
end

-- Connects (TCP) or fixes the peer (UDP): waits while a name resolves or
-- the connection is made.
local function connect(s, host, port, what)
  local rec = rec_of(s, what)
  if type(host) ~= "string" then error(what .. ": host must be a string", 3) end
  if host:sub(1, 5) == "unix:" then port = 0 else port = check_port(port, what) end
  if rec.closed then return nil, "closed" end
  if rec.waiting[WRITE] then return nil, BUSY[WRITE] end
  local r, err = core.sock_connect(rec.id, host, port)
  if r == nil then return nil, err end
  if r == "wait" then
    local t = waiting_task(rec, WRITE) or need_task(what)
    if not wait_for(t, rec, WRITE, rec.connect_t, what) then return nil, "timeout" end
    r, err = core.sock_status(rec.id)
    if r == nil then return nil, err end
  end
  return 1
end

-- TCP ----------------------------------------------------------------------

function TCP.connect(s, host, port, opts)
  if type(port) == "table" and opts == nil then opts = port end
  if opts ~= nil and type(opts) ~= "table" then error("sock:connect: options must be a table", 2) end
  return connect(s, host, port, "sock:connect")
end

function TCP.send(s, data)
  local rec = rec_of(s, "sock:send")
  data = data_of(data, "sock:send")
  if rec.closed then return nil, "closed" end
  if rec.waiting[WRITE] then return nil, BUSY[WRITE] end
  local r, err = core.sock_send(rec.id, data)
  if r == nil then return nil, err end
  while r == "wait" do
    -- Queued, past the bound: wait until it drains.
    local t = waiting_task(rec, WRITE) or need_task("sock:send")
    if not wait_for(t, rec, WRITE, rec.send_t, "sock:send") then return nil, "timeout" end
    r, err = core.sock_status(rec.id)
    if r == nil then return nil, err end
  end
  return #data
end

-- One receive of `mode` ("size", "line", "all", "until"), waiting as it must.
local function receive(rec, what, mode, arg, inclusive, max)
  if rec.closed then return nil, "closed", "" end
  if rec.waiting[READ] then return nil, BUSY[READ], "" end
  while true do
    local data, err, partial = core.sock_receive(rec.id, mode, arg, inclusive, max)
    if data then
      -- true: a pattern read in pieces was reached (no data, no error).
      if data == true then return nil end
      return data
    end
    if data == nil then return nil, err, partial end
    local t = waiting_task(rec, READ) or need_task(what)
    if not wait_for(t, rec, READ, rec.read_t, what) then return nil, "timeout", core.sock_take(rec.id) end
    if rec.closed then return nil, "closed", "" end
  end
end

function TCP.receive(s, pattern)
  local rec = rec_of(s, "sock:receive")
  if pattern == nil or pattern == "*l" or pattern == "l" then
    return receive(rec, "sock:receive", "line")
  elseif pattern == "*a" or pattern == "a" then
    return receive(rec, "sock:receive", "all")
  end
  local n = tonumber(pattern)
  if n == nil or n < 0 or n ~= n // 1 then
    error('sock:receive: pattern must be a byte count, "*l" or "*a"', 2)
  end
  if n == 0 then return "" end
  return receive(rec, "sock:receive", "size", n // 1)
end

-- An iterator over the data up to each `pattern`: reader() gives what
-- comes before the next one (consumed; kept with {inclusive = true});
-- reader(size) gives it in pieces of at most size bytes, then nil with no
-- error when the pattern is reached.
function TCP.receiveuntil(s, pattern, opts)
  local rec = rec_of(s, "sock:receiveuntil")
  if type(pattern) ~= "string" or pattern == "" then
    error("sock:receiveuntil: pattern must be a non-empty string", 2)
  end
  local inclusive = type(opts) == "table" and opts.inclusive == true
  return function(size)
    if size ~= nil then
      size = tonumber(size)
      if size == nil or size < 1 then error("reader: size must be a number >= 1", 2) end
      size = size // 1
    end
    return receive(rec, "reader", "until", pattern, inclusive, size)
  end
end

function TCP.setoption(s, name, value)
  local rec = rec_of(s, "sock:setoption")
  if rec.closed then return nil, "closed" end
  local r, err = core.sock_setoption(rec.id, tostring(name), value)
  if r == nil then return nil, err end
  return 1
end

TCP.settimeouts, TCP.settimeout, TCP.close, TCP.getpeername, TCP.getsockname = settimeouts, settimeout, close,
  getpeername, getsockname
TCP.__close, TCP.__gc = gc, gc
TCP.__tostring = function(s)
  local rec = rawget(s, SOCK)
  return ("zof.tcp %d%s"):format(rec.id, rec.closed and " (closed)" or "")
end

-- UDP ----------------------------------------------------------------------

function UDP.setpeername(s, host, port)
  return connect(s, host, port, "sock:setpeername")
end

local function send_datagram(rec, what, data, host, port)
  if rec.closed then return nil, "closed" end
  if rec.waiting[WRITE] then return nil, BUSY[WRITE] end
  local r, err = core.sock_sendto(rec.id, data, host, port)
  if r == nil then return nil, err end
  if r == "wait" then
    -- The socket's buffer is full: wait for room where a task can.
    local t = waiting_task(rec, WRITE)
    if t == nil then return nil, "would block" end
    if not wait_for(t, rec, WRITE, rec.send_t, what) then return nil, "timeout" end
    r, err = core.sock_status(rec.id)
    if r == nil then return nil, err end
  end
  return 1
end

function UDP.send(s, data)
  local rec = rec_of(s, "sock:send")
  return send_datagram(rec, "sock:send", data_of(data, "sock:send"))
end

function UDP.sendto(s, data, host, port)
  local rec = rec_of(s, "sock:sendto")
  data = data_of(data, "sock:sendto")
  if type(host) ~= "string" then error("sock:sendto: host must be a string", 2) end
  if host:sub(1, 5) ~= "unix:" then port = check_port(port, "sock:sendto") end
  return send_datagram(rec, "sock:sendto", data, host, port)
end

local function receive_datagram(s, size, what)
  local rec = rec_of(s, what)
  if size ~= nil and (type(size) ~= "number" or size < 1) then error(what .. ": size must be a number >= 1", 3) end
  if rec.waiting[READ] then return nil, BUSY[READ] end
  while true do
    if rec.closed then return nil, "closed" end
    local data, host, port = core.sock_receivefrom(rec.id)
    if data then
      if size and #data > size then data = data:sub(1, size) end
      return data, host, port
    end
    if data == nil then return nil, host end
    local t = waiting_task(rec, READ) or need_task(what)
    if not wait_for(t, rec, READ, rec.read_t, what) then return nil, "timeout" end
  end
end

function UDP.receive(s, size)
  local data, err = receive_datagram(s, size, "sock:receive")
  return data, err
end

function UDP.receivefrom(s, size) return receive_datagram(s, size, "sock:receivefrom") end

UDP.settimeouts, UDP.settimeout, UDP.close, UDP.getpeername, UDP.getsockname = settimeouts, settimeout, close,
  getpeername, getsockname
UDP.__close, UDP.__gc = gc, gc
UDP.__tostring = function(s)
  local rec = rawget(s, SOCK)
  return ("zof.udp %d%s"):format(rec.id, rec.closed and " (closed)" or "")
end

-- Servers ------------------------------------------------------------------

-- Runs fn(...) as a task of `app` (as zof.spawn does), named `desc`.
local function start_task(app, desc, fn, ...)
  local args = pack(...)
  local t = R.new_task(take_co(), app, desc, nil, nil)
  t.spawned = true
  t.start = {fn = function() return pack(fn(unpack(args, 1, args.n))) end}
  make_ready(t, true)
  return t
end

-- Listens on host:port (TCP, or UDP with type = "udp"); every connection
-- (datagram) runs `handler` as a task of the app that listens.
function zof.listen(spec)
  if type(spec) ~= "table" then error("zof.listen: needs a table {host =, port =, handler =}", 2) end
  local kind = spec.type or "tcp"
  if kind ~= "tcp" and kind ~= "udp" then error('zof.listen: type must be "tcp" or "udp"', 2) end
  local handler = spec.handler
  if type(handler) ~= "function" then error("zof.listen: handler must be a function", 2) end
  local host = spec.host or "127.0.0.1"
  if type(host) ~= "string" then error("zof.listen: host must be a string", 2) end
  local port = 0
  if host:sub(1, 5) ~= "unix:" then port = check_port(spec.port or 0, "zof.listen") end
  local app = acting_app()
  if app == nil then error("zof.listen: only an app may listen (in its file or its handlers)", 2) end
  local err = over_cap(app, "zof.listen")
  if err then return nil, err end
  local id, address, bound = core.listen(kind, host, port)
  if id == nil then return nil, address end
  local rec = {id = id, kind = kind, app = app, handler = handler, address = address, port = bound,
    desc = (kind == "tcp" and "connection handler at " or "datagram handler at ") .. where(handler), closed = false}
  listeners[id] = rec
  count(app, 1)
  local l = setmetatable({[SOCK] = rec, address = address, port = bound}, LISTENER)
  rec.object = l
  return l
end

function LISTENER.close(l)
  local rec = rawget(l, SOCK)
  if rec.closed then return nil, "closed" end
  rec.closed = true
  listeners[rec.id] = nil
  count(rec.app, -1)
  core.unlisten(rec.id)
  return 1
end

function LISTENER.sendto(l, data, host, port)
  local rec = rawget(l, SOCK)
  data = data_of(data, "sock:sendto")
  if type(host) ~= "string" then error("sock:sendto: host must be a string", 2) end
  port = check_port(port, "sock:sendto")
  if rec.closed then return nil, "closed" end
  local r, err = core.listener_sendto(rec.id, data, host, port)
  if r == nil then return nil, err end
  return 1
end

function LISTENER.__tostring(l)
  local rec = rawget(l, SOCK)
  return ("zof.listener %s %s%s"):format(rec.kind, rec.address, rec.closed and " (closed)" or "")
end

-- A connection came in on listener `lid`: its handler runs as a task, and
-- the connection closes when the task ends.
function R.entry.socket_accept(lid, sid, host, port)
  local l = listeners[lid]
  if l == nil then core.sock_close(sid); return end
  local app = l.app
  local err = over_cap(app, "accept on " .. l.address)
  if err then
    core.sock_close(sid)
    core.log("warning", app_name(app), err .. "; connection from " .. tostring(host) .. " closed")
    return
  end
  local rec = {id = sid, kind = "tcp", app = app, co = nil, origin = nil,
    connect_t = DEFAULT_TIMEOUT, send_t = DEFAULT_TIMEOUT, read_t = DEFAULT_TIMEOUT,
    closed = false, waiting = {[READ] = false, [WRITE] = false}, owner = nil, peer_host = host, peer_port = port}
  recs[sid] = rec
  count(app, 1)
  local sock = setmetatable({[SOCK] = rec}, TCP)
  local handler = l.handler
  local t = start_task(app, l.desc, function()
    local _ <close> = sock
    return handler(sock)
  end)
  -- (A handler that raises leaves its to-be-closed variables pending: the task's end closes it.)
  rec.owner = t
  t.sockets = {[rec] = true}
end

-- A datagram came in on UDP listener `lid`.
function R.entry.socket_datagram(lid, data, host, port)
  local l = listeners[lid]
  if l == nil then return end
  start_task(l.app, l.desc, l.handler, data, host, port, l.object)
end
