-- A line echo server on an app socket, for bench/sockets/run: the port
-- comes from echo.conf beside this file ({port = n}).
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$")
local conf = dofile(dir .. "/echo.conf")
zof.app("echo_bench")
assert(zof.listen{host = "127.0.0.1", port = conf.port, handler = function(sock)
  while true do
    local line = sock:receive("*l")
    if not line then return end
    sock:send{line, "\n"}
  end
end})
