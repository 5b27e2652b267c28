Sockets: zof.tcp, zof.udp and zof.listen, inside one zofhost, on loopback.
Each case runs the loop until its log is complete (--- run).

=== a TCP echo server and a client in one zofhost
--- app echo.lua
local app = zof.app("echo")
local server = assert(zof.listen{host = "127.0.0.1", port = 0, handler = function(sock)
  while true do
    local line, err = sock:receive("*l")
    if not line then print("server: " .. err); return end
    sock:send{"echo: ", line, "\n"}
  end
end})
app:event("START", function()
  local c = zof.tcp()
  assert(c:connect("127.0.0.1", server.port))
  local host, port = c:getpeername()
  print("peer " .. host .. " " .. tostring(port == server.port))
  for i = 1, 3 do
    c:send("hello " .. i .. "\r\n")
    print("client got [" .. c:receive() .. "]")
  end
  c:close()
  print("send after close: " .. tostring(select(2, c:send("x"))))
end)
--- run
--- log
peer 127.0.0.1 true
client got [echo: hello 1]
client got [echo: hello 2]
client got [echo: hello 3]
send after close: closed
server: closed

=== partial reads and receiveuntil across split packets
--- app split.lua
local app = zof.app("split")
local server = assert(zof.listen{port = 0, handler = function(sock)
  for _, piece in ipairs{"ab", "cdef\nli", "ne two\n--BOUN", "DARY--tail", "--BOUNDARY--", "12345678", "9"} do
    sock:send(piece)
    zof.sleep(0.02)
  end
end})
app:event("START", function()
  local c = zof.tcp()
  assert(c:connect("127.0.0.1", server.port))
  print("size 3: " .. c:receive(3))
  print("line: " .. c:receive("*l"))
  print("line: " .. c:receive("*l"))
  local reader = c:receiveuntil("--BOUNDARY--")
  print("until: [" .. reader() .. "]")
  print("until: [" .. reader() .. "]")
  local more = c:receiveuntil("7")
  print("piece: " .. more(2))
  print("piece: " .. more(2))
  print("piece: " .. more(2))
  print("piece end: " .. tostring(more(2)))
  local data, err, partial = c:receive(10)
  print(("then %s %s [%s]"):format(tostring(data), err, partial))
end)
--- run
--- log
size 3: abc
line: def
line: line two
until: []
until: [tail]
piece: 12
piece: 34
piece: 56
piece end: nil
then nil closed [89]

=== receive *a reads to the end of the stream
--- app all.lua
local app = zof.app("all")
local server = assert(zof.listen{port = 0, handler = function(sock)
  sock:send(string.rep("x", 200000))
  sock:send("end")
end})
app:event("START", function()
  local c = zof.tcp()
  assert(c:connect("127.0.0.1", server.port))
  local all = c:receive("*a")
  print("got " .. #all .. " ending " .. all:sub(-3))
  print("again: " .. tostring(select(2, c:receive("*a"))))
end)
--- run
--- log
got 200003 ending end

=== a refused connect says so
--- app refused2.lua
local app = zof.app("refused2")
app:event("START", function()
  local l = assert(zof.listen{port = 0, handler = function() end})
  local port = l.port
  l:close()
  local ok, err = zof.tcp():connect("127.0.0.1", port)
  print("connect: " .. tostring(ok) .. " " .. err)
end)
--- run
--- log
connect: nil connection refused

=== a reset by the peer
--- app reset.lua
local app = zof.app("reset")
local server = assert(zof.listen{port = 0, handler = function(sock)
  sock:receive(1)
  sock:setoption("linger", 0)
  sock:close()
end})
app:event("START", function()
  local c = zof.tcp()
  assert(c:connect("127.0.0.1", server.port))
  c:send("x")
  local data, err = c:receive(5)
  print("receive: " .. tostring(data) .. " " .. err)
end)
--- run
--- log
receive: nil connection reset by peer

=== a read timeout gives the partial data
--- app slow.lua
local app = zof.app("slow")
local server = assert(zof.listen{port = 0, handler = function(sock)
  sock:send("par")
  zof.sleep(1)
end})
app:event("START", function()
  local c = zof.tcp()
  c:settimeouts(1000, 1000, 100)
  assert(c:connect("127.0.0.1", server.port))
  local data, err, partial = c:receive(10)
  print(("receive: %s %s [%s]"):format(tostring(data), err, partial))
  c:close()
end)
--- run
--- log
receive: nil timeout [par]

=== the peer closes in the middle of a receive
--- app midway.lua
local app = zof.app("midway")
local server = assert(zof.listen{port = 0, handler = function(sock)
  sock:send("abc")
end})
app:event("START", function()
  local c = zof.tcp()
  assert(c:connect("127.0.0.1", server.port))
  local data, err, partial = c:receive(10)
  print(("receive: %s %s [%s]"):format(tostring(data), err, partial))
  print("line after: " .. tostring(select(2, c:receive())))
end)
--- run
--- log
receive: nil closed [abc]
line after: closed

=== a name that does not resolve
--- app noname.lua
local app = zof.app("noname")
app:event("START", function()
  local ok, err = zof.tcp():connect("no-such-host.invalid", 80)
  print("connect: " .. tostring(ok) .. " " .. err)
end)
--- run 20
--- log
connect: nil no-such-host.invalid could not be resolved

=== a name that resolves
--- app localhost.lua
local app = zof.app("localhost")
local server = assert(zof.listen{port = 0, handler = function(sock) sock:send("hi\n") end})
app:event("START", function()
  local c = zof.tcp()
  local ok, err = c:connect("localhost", server.port)
  print("connect: " .. tostring(ok or err) .. " " .. tostring(c:receive()))
end)
--- run 20
--- log
connect: 1 hi

=== a Unix socket
--- app unix.lua
local app = zof.app("unix")
local path = os.tmpname()
os.remove(path)
assert(zof.listen{host = "unix:" .. path, handler = function(sock) sock:send("over unix\n") end})
app:event("START", function()
  local c = zof.tcp()
  assert(c:connect("unix:" .. path))
  print("got: " .. c:receive())
  print("peer: " .. c:getpeername())
end)
--- run
--- log
got: over unix
peer: unix:

=== UDP: a server, a connected client, and sendto / receivefrom
--- app udp.lua
local app = zof.app("udp")
local server = assert(zof.listen{type = "udp", port = 0, handler = function(data, host, port, sock)
  print("server got " .. data .. " from " .. host)
  sock:sendto("re: " .. data, host, port)
end})
app:event("START", function()
  local u = zof.udp()
  assert(u:setpeername("127.0.0.1", server.port))
  assert(u:send("one"))
  print("client got " .. u:receive())
  local v = zof.udp()
  assert(v:sendto({"tw", "o"}, "127.0.0.1", server.port))
  local data, host, port = v:receivefrom()
  print("client got " .. data .. " from " .. host .. " " .. tostring(port == server.port))
  v:settimeout(50)
  print("nothing more: " .. tostring(select(2, v:receive())))
end)
--- run
--- log
server got one from 127.0.0.1
client got re: one
server got two from 127.0.0.1
client got re: two from 127.0.0.1 true
nothing more: timeout

=== a handler that raises with a socket open gets it closed
--- app raise.lua
local app = zof.app("raise")
local server = assert(zof.listen{port = 0, handler = function(sock)
  local data, err = sock:receive(1)
  print("server: " .. tostring(data) .. " " .. tostring(err))
end})
app:event("START", function()
  local c = zof.tcp()
  assert(c:connect("127.0.0.1", server.port))
  error("oops")
end)
--- run
--- log
oops
server: nil closed

=== a server's handler that raises has its connection closed
--- app raise2.lua
local app = zof.app("raise2")
local server = assert(zof.listen{port = 0, handler = function(sock)
  sock:receive(1)
  error("server oops")
end})
app:event("START", function()
  local c = zof.tcp()
  assert(c:connect("127.0.0.1", server.port))
  c:send("x")
  print("client: " .. tostring(select(2, c:receive(1))))
end)
--- run
--- log
server oops
client: closed

=== a cap on sockets per app
--- app cap.lua
local app = zof.app("cap")
app:event("START", function()
  local keep = {}
  for i = 1, 300 do
    local s, err = zof.udp()
    if not s then print("socket " .. i .. ": " .. err); break end
    keep[i] = s
  end
  for _, s in ipairs(keep) do s:close() end
  print("after closing: " .. tostring(zof.udp() ~= nil))
end)
--- run
--- log
socket 257: zof.udp: too many sockets: app cap has 256 open (the cap)
after closing: true

=== receive *a of an endless stream is too large
--- app endless.lua
local app = zof.app("endless")
local server = assert(zof.listen{port = 0, handler = function(sock)
  local chunk = string.rep("z", 65536)
  while sock:send(chunk) do end
end})
app:event("START", function()
  local c = zof.tcp()
  assert(c:connect("127.0.0.1", server.port))
  local data, err, partial = c:receive("*a")
  print(("receive: %s %s %d"):format(tostring(data and #data), err, #partial))
  c:close()
end)
--- run 20
--- log
receive: nil too large 16777216

=== waiting where no task can wait is an error at the caller's line
--- app nowait.lua
local app = zof.app("nowait")
local s = zof.tcp()
local ok, err = pcall(function() return s:connect("127.0.0.1", 9) end)
print("at load: " .. tostring(ok) .. " " .. tostring(err))
app:event("START", function() print("started") end)
--- run
--- log
not inside a handler or task
started

=== misuse raises, network errors do not
--- app misuse.lua
local app = zof.app("misuse")
app:event("START", function()
  print(select(2, pcall(zof.tcp().connect, zof.tcp(), "127.0.0.1", 70000)))
  print(select(2, pcall(zof.tcp().receive, zof.tcp(), "*x")))
  print(select(2, pcall(zof.listen, {port = 1})))
  print("receive unconnected: " .. select(2, zof.tcp():receive()))
end)
--- run
--- log
port must be an integer 0-65535
pattern must be a byte count
handler must be a function
receive unconnected: closed

=== the bundled flow_export sends a JSON line per FLOW_REMOVED to its collector
--- library
--- app collector.lua
local app = zof.app("collector", {requires = {"flow_export"}})
local l = assert(zof.listen{type = "udp", port = 0, handler = function(data) print("collector: " .. data) end})
zof.service("flow_export").configure{host = "127.0.0.1", port = l.port}
app:event("START", function() print(zof.service("flow_export").json{s = "a\"b\n\1", list = {1, 2.5}, t = true}) end)
--- switch 1.3
--- input
{type = "FLOW_REMOVED", msg = {cookie = 7, priority = 10, reason = "IDLE_TIMEOUT", table_id = 0,
  duration_sec = 3, duration_nsec = 0, idle_timeout = 1, hard_timeout = 0, packet_count = 5, byte_count = 420,
  match = {in_port = 1, eth_dst = "02:00:00:00:00:02"}}}
--- run
--- log
{"list":[1,2.5],"s":"a\"b\n\u0001","t":true}
collector: {"byte_count":420,"cookie":7,"datapath_id":"00:00:00:00:00:00:00:01","duration_nsec":0,"duration_sec":3,"hard_timeout":0,"idle_timeout":1,"match":{"eth_dst":"02:00:00:00:00:02","in_port":1},"packet_count":5,"priority":10,"reason":"IDLE_TIMEOUT","table_id":0,"time":

=== one task receives while another sends on the same socket; a second receive is busy
--- app duplex.lua
local app = zof.app("duplex")
local server = assert(zof.listen{port = 0, handler = function(sock)
  for i = 1, 3 do sock:send("from server " .. i .. "\n"); zof.sleep(0.05) end
  for _ = 1, 3 do print("server got " .. sock:receive()) end
end})
app:event("START", function()
  local c = zof.tcp()
  assert(c:connect("127.0.0.1", server.port))
  local reader = zof.spawn(function()
    for _ = 1, 3 do print("client got " .. c:receive()) end
  end)
  zof.sleep(0.01)
  print("second receive: " .. tostring(select(2, c:receive())))
  for i = 1, 3 do assert(c:send("from client " .. i .. "\n")) end
  reader:wait()
  print("both done")
end)
--- run
--- log
second receive: socket busy reading
client got from server 3
server got from client 3

=== IPv6 loopback, with and without brackets
--- app v6.lua
local app = zof.app("v6")
local server = assert(zof.listen{host = "::1", port = 0, handler = function(sock) sock:send("over v6\n") end})
app:event("START", function()
  for _, host in ipairs{"::1", "[::1]"} do
    local c = zof.tcp()
    assert(c:connect(host, server.port))
    local peer = c:getpeername()
    print(host .. " got: " .. c:receive() .. " from " .. peer)
  end
  print("address " .. server.address)
end)
--- run
--- log
::1 got: over v6 from ::1
[::1] got: over v6 from ::1
address [::1]:
