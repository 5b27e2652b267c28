-- Flow export: one JSON line per FLOW_REMOVED, sent as a UDP datagram to a
-- collector. Another app says where, through the service:
--
--   local app = zof.app("my_setup", {requires = {"flow_export"}})
--   zof.service("flow_export").configure{host = "10.0.0.5", port = 9995}
--
-- Each line holds the switch (`datapath_id`), the time (`time`, zofhost's
-- clock) and the message's fields (`reason`, `duration_sec`,
-- `packet_count`, `byte_count`, `match`, ...). Only flows added with the
-- SEND_FLOW_REM flag are reported by the switch. A datagram the socket
-- cannot take at once waits for room (the handler becomes a task) for at
-- most a second, then counts as dropped; one that fails (no collector
-- listening) counts as an error, logged now and then.
local app = zof.app("flow_export", {precedence = 50})

local opts = {host = nil, port = nil}
local sock, sock_for = nil, nil       -- the socket, and the "host port" it was made for
local stats = {sent = 0, dropped = 0, errors = 0}

local function json_string(s)
  return '"' .. s:gsub('[%c"\\\128-\255]', function(c)
    local map = {['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t"}
    return map[c] or ("\\u%04x"):format(c:byte())
  end) .. '"'
end

local function json(v)
  local t = type(v)
  if t == "string" then return json_string(v) end
  if t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    return math.type(v) == "integer" and tostring(v) or ("%.14g"):format(v)
  end
  if t == "boolean" then return tostring(v) end
  if t ~= "table" then return "null" end
  if #v > 0 or next(v) == nil then
    local out = {}
    for i = 1, #v do out[i] = json(v[i]) end
    return "[" .. table.concat(out, ",") .. "]"
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  local out = {}
  for i, k in ipairs(keys) do out[i] = json_string(k) .. ":" .. json(v[k]) end
  return "{" .. table.concat(out, ",") .. "}"
end

-- The socket for the configured collector, made (and its peer set) on first use.
local function socket()
  if not opts.host then return nil, "no collector configured" end
  local want = opts.host .. " " .. opts.port
  if sock and sock_for == want then return sock end
  if sock then sock:close() end
  sock, sock_for = nil, nil
  local s, err = zof.udp()
  if not s then return nil, err end
  local ok
  s:settimeouts(5000, 1000, 1000)
  ok, err = s:setpeername(opts.host, opts.port)
  if not ok then
    s:close()
    return nil, err
  end
  sock, sock_for = s, want
  return sock
end

app:provide("flow_export", {
  -- {host = "127.0.0.1", port = 9995}: where the lines go from now on.
  configure = function(o)
    if type(o) ~= "table" or type(o.host) ~= "string" or math.type(o.port) ~= "integer" then
      error("flow_export.configure: needs {host = string, port = integer}", 2)
    end
    opts.host, opts.port = o.host, o.port
  end,
  -- Datagrams sent, dropped (the socket was full) and failed so far.
  stats = function() return {sent = stats.sent, dropped = stats.dropped, errors = stats.errors} end,
  json = json,
})

app:message("FLOW_REMOVED", function(ev)
  local s, err = socket()
  if not s then
    stats.errors = stats.errors + 1
    if stats.errors == 1 or stats.errors % 1000 == 0 then
      zof.log("warning", "flow_export: cannot export (" .. stats.errors .. " so far): " .. err)
    end
    return
  end
  local line = {datapath_id = ev.datapath_id, time = ev.time}
  for k, v in pairs(ev.msg) do line[k] = v end
  local ok
  ok, err = s:send(json(line) .. "\n")
  if ok then
    stats.sent = stats.sent + 1
  elseif err == "timeout" then
    stats.dropped = stats.dropped + 1
  else
    stats.errors = stats.errors + 1
    -- A refused datagram (no collector yet) says so once in a while, and the next one tries again.
    if stats.errors == 1 or stats.errors % 1000 == 0 then
      zof.log("warning", "flow_export: send to " .. sock_for .. " failed (" .. stats.errors .. " so far): " .. err)
    end
  end
end)
