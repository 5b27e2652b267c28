-- luacheck settings for all of the project's Lua; scripts/lint-lua runs it
-- (and scripts/test runs that). Paths are relative to this folder.

-- Apps (apps-lua/, the bundled library in Sources/zofhost/lib-lua/, the
-- bench and e2e apps) run on Lua 5.4 with one global of their own: `zof`,
-- the runtime's API, which they read but never assign.
stds.zof_app = {read_globals = {"zof"}}
std = "lua54+zof_app"

-- Show each warning's code, for the rare inline `-- luacheck: ignore NNN`.
codes = true

-- The runtime's own Lua is not an app: it builds `zof` (and publishes it as
-- _G.zof) and replaces the global `print` with one that writes to the log.
files["Sources/LuaRuntime/lua"] = {std = "lua54", globals = {"print"}}

-- Build products and scratch space hold no Lua of ours.
exclude_files = {".build*/**", ".swiftpm/**", "tmp/**"}
