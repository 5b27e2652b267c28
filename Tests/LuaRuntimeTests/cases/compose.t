=== a required app loads first, transitively, and once
--- app a.lua
print("loading a")
local app = zof.app("a", {requires = {"b"}})
app:event("START", function() print("start a") end)
--- app b.lua
print("loading b")
local app = zof.app("b", {requires = {"c"}})
app:event("START", function() print("start b") end)
--- app d.lua
print("loading d")
local app = zof.app("d", {requires = {"c", "b"}})
app:event("START", function() print("start d") end)
--- lib c.lua
print("loading c")
local app = zof.app("c")
app:event("START", function() print("start c") end)
--- log
loading a
loading b
loading c
loading d
start c
start b
start a
start d
--- no_log
error

=== a required app from the apps folder wins over the library's
--- app a.lua
zof.app("a", {requires = {"c"}})
--- app c.lua
zof.app("c"):event("START", function() print("folder c") end)
--- lib c.lua
zof.app("c"):event("START", function() print("library c") end)
--- log
folder c
--- no_log
library c

=== precedence still orders dispatch; requirements order only equal precedence
--- app a.lua
local app = zof.app("a", {requires = {"b"}, precedence = 200})
app:event("START", function() print("start a") end)
--- app b.lua
local app = zof.app("b")
app:event("START", function() print("start b") end)
--- log
start a
start b

=== a requirement cycle is a load error naming the chain
--- app a.lua
zof.app("a", {requires = {"b"}})
--- app b.lua
zof.app("b", {requires = {"c"}})
--- lib c.lua
zof.app("c", {requires = {"a"}})
--- load_error
c.lua:1: zof.app: requirement cycle: a -> b -> c -> a

=== an app requiring itself is a cycle
--- app a.lua
zof.app("a", {requires = {"a"}})
--- load_error
a.lua:1: zof.app: requirement cycle: a -> a

=== a missing required app is a load error naming the chain and the places looked in
--- app a.lua
zof.app("a", {requires = {"b"}})
--- app b.lua
zof.app("b", {requires = {"nowhere"}})
--- lib other.lua
zof.app("other")
--- load_error
app "b" requires "nowhere", which is neither

=== the missing chain is named
--- app a.lua
zof.app("a", {requires = {"b"}})
--- app b.lua
zof.app("b", {requires = {"nowhere"}})
--- load_error
(chain: a -> b -> nowhere)

=== a file named for the required app must define it
--- app a.lua
zof.app("a", {requires = {"b"}})
--- app b.lua
zof.app("not_b")
--- load_error
b.lua defines no app of that name

=== a required app whose file fails names both
--- app a.lua
zof.app("a", {requires = {"b"}})
--- app b.lua
zof.app("b")
error("b is broken")
--- load_error
b is broken

=== unknown zof.app options are an error
--- app a.lua
zof.app("a", {require = {"b"}})
--- load_error
a.lua:1: zof.app: unknown option "require"

=== a service is provided by one app and used by another
--- app a.lua
local app = zof.app("a")
local count = 0
app:provide("counter", {next = function() count = count + 1; return count end})
--- app b.lua
local app = zof.app("b", {requires = {"a"}})
local counter = zof.service("counter")
app:event("START", function() print("got " .. counter.next() .. " then " .. counter.next()) end)
--- log
got 1 then 2

=== a service function may wait; it runs in the caller's task
--- app a.lua
local app = zof.app("a")
app:provide("slow", {echo = function(x) zof.sleep(0); return x .. "!" end})
--- app b.lua
local app = zof.app("b", {requires = {"a"}})
app:event("START", function()
  local got = zof.service("slow").echo("hi")
  print("b got " .. got)
end)
app:event("START", function() print("never: first match only") end)
--- app c.lua
zof.app("c"):event("START", function() print("c started") end)
--- log
c started
b got hi!
--- no_log
never
error

=== a missing service names the app that asked
--- app a.lua
local app = zof.app("a")
zof.service("routes")
--- load_error
a.lua:2: zof.service: no app provides "routes" (asked by app "a"); no app "routes" is loaded

=== a missing service asked for in a handler fails the handler, naming the app
--- app a.lua
local app = zof.app("a")
app:event("START", function() zof.service("nothing") end)
--- log
zof.service: no app provides "nothing" (asked by app "a")

=== two apps cannot provide one service
--- app a.lua
zof.app("a"):provide("s", {})
--- app b.lua
zof.app("b"):provide("s", {})
--- load_error
b.lua:1: app:provide: service "s" is already provided by app "a"

=== a declared event goes from its emitter to its handlers
--- app a.lua
local app = zof.app("a", {emits = {"link_up"}})
app:event("START", function() zof.post{event = "LINK_UP", port = 3} end)
--- app b.lua
zof.app("b"):event("LINK_UP", function(ev) print("b heard port " .. ev.port) end)
--- log
b heard port 3

=== posting an event another app declares is an error
--- app a.lua
zof.app("a", {emits = {"LINK_UP"}})
--- app b.lua
local app = zof.app("b")
app:event("START", function() zof.post{event = "link_up"} end)
--- app c.lua
zof.app("c"):event("LINK_UP", function() print("c heard it") end)
--- log
zof.post: app "b" posts LINK_UP, which a declares in emits
--- no_log
c heard it

=== undeclared events stay free to post
--- app b.lua
local app = zof.app("b")
app:event("START", function() zof.post{event = "mine"} end)
app:event("MINE", function() print("b heard mine") end)
--- log
b heard mine

=== zofhost's own events cannot be declared
--- app a.lua
zof.app("a", {emits = {"START"}})
--- load_error
START is zofhost's own event
