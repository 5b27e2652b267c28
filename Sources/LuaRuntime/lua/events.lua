-- Events and their messages: lazy decoding (a message is decoded on its
-- first read, its packet on the first read of `pkt`), events made from
-- frames, and the entry points that begin and end an event dispatched step
-- by step. The Swift half is LuaAPI+Lazy.swift and LuaAPI+Decode.swift.
local core, R = ...
local setmetatable, getmetatable, rawget, rawset = setmetatable, getmetatable, rawget, rawset
local next, ipairs = next, ipairs
local check, DP, datapaths = R.check, R.DP, R.datapaths
local cancel_conn, wake_event_waiters  -- tasks.lua
R.later(function() cancel_conn, wake_event_waiters = R.cancel_conn, R.wake_event_waiters end)

-- Where an event made from a frame keeps its batch's record and its frame's
-- start, and where the record keeps what its events share: C's layout
-- (core.slots, from cshim_lua.h), which core.record follows too.
local SLOTS = core.slots
local EV_BATCH, EV_SLOTS, REC_CONN = SLOTS.EV_BATCH, SLOTS.EV_OFFSET, SLOTS.REC_CONN
R.record = core.record

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
R.PARTIAL, R.finish_packet = PARTIAL, finish_packet

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
-- An event made from a frame (see below): its batch's record and where its
-- frame starts in the record's string sit in its array part (SLOTS).
local EV = {}
local message_of    -- (ev): the message of an event made from a frame, or nil and why
local fast_match    -- (f, ev): a table filter's verdict, in Swift, or nothing when Lua must decide
local new_event     -- (record, frames, head [, at]): an event of EV (see zs_push_event_maker)
EV.__index, message_of, PKT.__index, fast_match, PKT_REST.__newindex, new_event =
  core.lazy_fields(datapaths, PKT, PARTIAL, PARTIAL_FRAME, EV, PKT_REST)
PKT.__pairs = function(msg)
  local _ = msg.match
  return next, msg, nil
end
PKT.__len = function() return 0 end  -- the event it may keep is no list of the app's
PKT_REST.__index, PKT_REST.__pairs, PKT_REST.__len = PKT.__index, PKT.__pairs, PKT.__len
R.EV, R.message_of, R.fast_match, R.new_event = EV, message_of, fast_match, new_event

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

-- A reply's message, decoded on its first read.
function R.lazy_message(frame, typ)
  return setmetatable({[FRAME] = frame}, typ == "PACKET_IN" and LAZY_PI or LAZY)
end

-- The connection of an event: a field of most, a slot of one made from a frame.
function R.conn_of(ev)
  local conn = rawget(ev, "conn_id")
  if conn == nil and getmetatable(ev) == EV then conn = rawget(ev, EV_BATCH)[REC_CONN] end
  return conn
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

-- The event being dispatched step by step (begin_*, then deliver per app,
-- then finish).
local cur_ev = nil
function R.current_event() return cur_ev end

local entry = R.entry

function entry.begin_message(conn, typ, frame, time)
  cur_ev = new_event(core.record(frame, conn, time, typ), frame, typ == "PACKET_IN", 1)
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
    if name == "CHANNEL_DOWN" then cancel_conn(conn) end
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

function entry.finish(field)
  local ev = cur_ev
  cur_ev = nil
  if ev.type == "CHANNEL_DOWN" then datapaths[ev.conn_id] = nil end
  if field then return ev[field] end
end
