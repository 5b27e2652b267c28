-- Sending: zof.send, and templates (zof.compile) whose bytes are encoded once
-- and patched per send. The Swift half is LuaAPI+Send.swift and Template.swift.
local core, R = ...
local setmetatable, type, pairs, pcall, error = setmetatable, type, pairs, pcall, error
local zof, check, target, CUR = R.zof, R.check, R.target, R.CUR

function zof.send(msg, dp)
  local xid = check(2, core.send(target(dp, "zof.send"), msg))
  return xid
end

local TEMPLATE = {}
TEMPLATE.__index = TEMPLATE
TEMPLATE.__name = "zof.template"

-- A template's message with its slots filled in (raises without a position:
-- the caller words where).
local function fill(v, args)
  if type(v) == "string" and v:sub(1, 1) == "$" then
    local x = args[v:sub(2)]
    if x == nil then error(("template slot %s has no value"):format(v), 0) end
    return x
  end
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = fill(x, args) end
  return out
end

-- `send` is each template's own field too: `tpl:send` is then found without
-- the metatable's lookup, once per message sent.
function zof.compile(msg)
  if type(msg) ~= "table" then error("zof.compile: message must be a table", 2) end
  return setmetatable({msg = msg, id = check(2, core.compile(msg)), send = TEMPLATE.send}, TEMPLATE)
end

-- template:send is Swift's (core.template_method): it patches slot values
-- into the template's bytes, and words its own errors. A template it cannot
-- patch (a slot that is not a fixed-width number, an argument that is not a
-- number) it leaves to this, called from C with the same arguments (so the
-- app's line is one level further up): the message is filled in and encoded.
local function template_send_slow(self, args, dp)
  local ok, msg = pcall(fill, self.msg, args or {})
  if not ok then error(msg, 3) end
  local xid = check(3, core.send(dp and dp.conn_id or CUR[1], msg, "template:send"))
  return xid
end
TEMPLATE.send = core.template_method(CUR, template_send_slow)
