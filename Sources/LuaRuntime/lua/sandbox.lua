-- The sandbox apps run in, and loading their files. An app's globals fall
-- back to the standard library without the ways out of the process
-- (os.exit, os.execute, io.popen) and without binary chunks.
local core, R = ...
local setmetatable, pairs, ipairs, pcall, tostring, error = setmetatable, pairs, ipairs, pcall, tostring, error
local create, resume = coroutine.create, coroutine.resume
local apps, file_state, arm, disarm, own = R.apps, R.file_state, R.arm, R.disarm, core.own

local SAFE = {}
for k, v in pairs(_G) do SAFE[k] = v end
SAFE.os, SAFE.io = {}, {}
for k, v in pairs(os) do SAFE.os[k] = v end
for k, v in pairs(io) do SAFE.io[k] = v end
SAFE.os.exit, SAFE.os.execute, SAFE.io.popen = nil, nil, nil
SAFE.load = function(chunk, name, _, env) return load(chunk, name, "t", env) end
SAFE.loadfile = function(path, _, env) return loadfile(path, "t", env) end
SAFE.dofile = function(path) return assert(loadfile(path, "t"))() end
-- An app's own coroutines carry a light budget check: the overrun signal
-- reaches only the coroutine zofhost resumed (see lua_budget.c).
local watch = core.watch
SAFE.coroutine = {}
for k, v in pairs(coroutine) do SAFE.coroutine[k] = v end
SAFE.coroutine.create = function(f) return watch(create(f)) end
SAFE.coroutine.wrap = function(f)
  local co = watch(create(f))
  return function(...)
    local r = table.pack(resume(co, ...))
    if r[1] then return table.unpack(r, 2, r.n) end
    coroutine.close(co)
    -- As coroutine.wrap: the error goes on, a message with the caller's position.
    error(r[2], type(r[2]) == "string" and 2 or 0)
  end
end
SAFE._G = SAFE
SAFE.zof = R.zof
local ENV = {__index = SAFE}

-- Modules in the apps folder's lib/ (and Debian's Lua 5.4 paths) load into the
-- same safe environment; C modules load as Lua does.
table.insert(package.searchers, 2, function(name)
  local path, err = package.searchpath(name, package.path)
  if not path then return err end
  local chunk, e = loadfile(path, "t", setmetatable({}, ENV))
  if not chunk then error(e, 0) end
  return chunk, path
end)
table.remove(package.searchers, 3)  -- Lua's own file searcher: superseded above

local entry = R.entry

function entry.set_lib(dir, lib)
  -- Without trailing slashes, so paths built from them compare as written.
  R.apps_dir, R.lib_dir = dir:gsub("(.)/+$", "%1"), lib and lib:gsub("(.)/+$", "%1")
  package.path = dir .. "/lib/?.lua;" .. dir .. "/lib/?/init.lua;" .. package.path
end

-- Runs an app file in an environment of its own (apps.lua calls it for a
-- required app, on the spot).
-- The file runs as the runtime's until it makes its app (zof.app), then as
-- that app's; whoever loaded it runs as before after it.
local function load_file(path)
  file_state[path] = "loading"
  local was = own(0)
  local chunk, err = loadfile(path, "t", setmetatable({}, ENV))
  if not chunk then
    own(was)
    file_state[path] = "failed"
    error(err, 0)
  end
  local prev = R.loading_file
  R.loading_file = path
  local ok, e = pcall(chunk)
  R.loading_file = prev
  own(was)
  file_state[path] = ok and "done" or "failed"
  if not ok then error(tostring(e), 0) end
end
R.load_file = load_file

-- A file already loaded as another app's requirement is not loaded again.
function entry.load(path)
  if file_state[path] then return end
  R.reset_chain()
  arm()
  local ok, e = pcall(load_file, path)
  disarm()
  if not ok then error(R.error_text(e), 0) end
end

function entry.apps()
  local list = {}
  for i, a in ipairs(apps) do list[i] = {a.name, a.precedence, a.file or "?", a.versions} end
  return list
end
