=== a syntax error names the file and line
--- app bad.lua
local app = zof.app("bad")
app:event("START" function() end)
--- load_error
bad.lua:2:

=== an error at top level names the file and line
--- app bad.lua
local x = nil
x.field = 1
--- load_error
bad.lua:2: attempt to index

=== two apps with one name is an error
--- app a.lua
zof.app("same")
--- app b.lua
zof.app("same")
--- load_error
app "same" is already defined

=== a handler that is not a function is an error at its line
--- app a.lua
local app = zof.app("a")
app:message("PACKET_IN", {eth_type = 1}, "not a function")
--- load_error
a.lua:2: app:message: handler must be a function
