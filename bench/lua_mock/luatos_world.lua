-- A LuatOS stand-in for checking the bench scripts (bench/lua/) before the runtime can run them: the
-- parts of sys, mqtt, log, json, socket, mcu, rtos, io and os that they use, with the semantics of
-- luatos-api.md, in virtual time (nothing waits for real), and a broker that records what it got.
--
-- Each world is isolated: new_world(params) returns a table whose `env` is the scripts' global
-- environment (their `require` loads bench modules into the same env).
--
-- What the mock runtime does on purpose, so that the scripts' slow paths run:
--  * QoS 0 publishes wait in a send buffer that is flushed only when the loop runs (the task yields);
--    past `send_budget` buffered messages publish returns nothing (the storm's sys.wait(1) retry).
--  * QoS 1/2 past `window` unacknowledged publishes also return nothing (the runtime's outbox full).
--  * 8 socket channels: the ninth mqtt.create returns nothing.

local World = {}
World.__index = World

local EXIT = setmetatable({}, {__tostring = function() return "os.exit" end})
local TIMEOUT = setmetatable({}, {__tostring = function() return "timeout" end})

---------------------------------------------------------------------------------------------------
-- JSON (enough for the bench: objects, arrays, strings, numbers, booleans)

local function json_encode(v)
    local t = type(v)
    if t == "nil" then
        return "null"
    elseif t == "boolean" then
        return tostring(v)
    elseif t == "number" then
        if math.type(v) == "integer" then
            return string.format("%d", v)
        end
        if v ~= v or v == math.huge or v == -math.huge then
            error("Cannot serialise number: must not be NaN or Inf", 0) -- as lua-cjson
        end
        return string.format("%.7f", v) -- LuatOS's json.encode writes floats with 7 decimals
    elseif t == "string" then
        return '"' .. v:gsub('[%c"\\]', function(c)
            return string.format("\\u%04x", c:byte())
        end) .. '"'
    elseif t == "table" then
        if #v > 0 or next(v) == nil then
            local parts = {}
            for i = 1, #v do
                parts[i] = json_encode(v[i])
            end
            return "[" .. table.concat(parts, ",") .. "]"
        end
        local keys = {}
        for k in pairs(v) do
            keys[#keys + 1] = tostring(k)
        end
        table.sort(keys)
        local parts = {}
        for _, k in ipairs(keys) do
            parts[#parts + 1] = json_encode(k) .. ":" .. json_encode(v[k])
        end
        return "{" .. table.concat(parts, ",") .. "}"
    end
    error("json_encode: cannot encode a " .. t)
end

local function json_decode(text)
    local pos = 1
    local function ws()
        pos = text:find("[^ \t\r\n]", pos) or #text + 1
    end
    local value
    local function str()
        local out = {}
        pos = pos + 1
        while true do
            local c = text:sub(pos, pos)
            if c == '"' then
                pos = pos + 1
                return table.concat(out)
            elseif c == "\\" then
                local e = text:sub(pos + 1, pos + 1)
                if e == "u" then
                    out[#out + 1] = utf8.char(tonumber(text:sub(pos + 2, pos + 5), 16))
                    pos = pos + 6
                else
                    out[#out + 1] = ({n = "\n", t = "\t", r = "\r", b = "\b", f = "\f"})[e] or e
                    pos = pos + 2
                end
            elseif c == "" then
                error("json_decode: unterminated string")
            else
                out[#out + 1] = c
                pos = pos + 1
            end
        end
    end
    function value()
        ws()
        local c = text:sub(pos, pos)
        if c == "{" then
            local obj = {}
            pos = pos + 1
            ws()
            if text:sub(pos, pos) == "}" then
                pos = pos + 1
                return obj
            end
            while true do
                ws()
                local k = str()
                ws()
                assert(text:sub(pos, pos) == ":", "json_decode: ':' expected")
                pos = pos + 1
                obj[k] = value()
                ws()
                local d = text:sub(pos, pos)
                pos = pos + 1
                if d == "}" then
                    return obj
                end
                assert(d == ",", "json_decode: ',' expected")
            end
        elseif c == "[" then
            local arr = {}
            pos = pos + 1
            ws()
            if text:sub(pos, pos) == "]" then
                pos = pos + 1
                return arr
            end
            while true do
                arr[#arr + 1] = value()
                ws()
                local d = text:sub(pos, pos)
                pos = pos + 1
                if d == "]" then
                    return arr
                end
                assert(d == ",", "json_decode: ',' expected")
            end
        elseif c == '"' then
            return str()
        elseif text:sub(pos, pos + 3) == "true" then
            pos = pos + 4
            return true
        elseif text:sub(pos, pos + 4) == "false" then
            pos = pos + 5
            return false
        elseif text:sub(pos, pos + 3) == "null" then
            pos = pos + 4
            return nil
        end
        local num = text:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
        assert(num and #num > 0, "json_decode: bad value at " .. pos)
        pos = pos + #num
        return math.tointeger(tonumber(num)) or tonumber(num)
    end
    return value()
end

World.json_encode = json_encode
World.json_decode = json_decode

---------------------------------------------------------------------------------------------------
-- The event loop: one queue of timed native events (timers, mqtt events), sys.publish messages
-- dispatched before each, as sys.run does.

function World:schedule(delay_us, fn)
    self.seq = self.seq + 1
    local ev = {due = self.now_us + delay_us, seq = self.seq, fn = fn}
    local q = self.events
    local i = #q
    while i > 0 and (q[i].due > ev.due or (q[i].due == ev.due and q[i].seq > ev.seq)) do
        i = i - 1
    end
    table.insert(q, i + 1, ev)
    return ev
end

function World:cancel(ev)
    ev.cancelled = true
end

function World:resume(co, ...)
    local ok, err = coroutine.resume(co, ...)
    if not ok then
        if err == EXIT then
            error(EXIT, 0)
        end
        error("a task failed: " .. tostring(err) .. "\n" .. debug.traceback(co), 0)
    end
end

function World:dispatch()
    while #self.messages > 0 do
        local msg = table.remove(self.messages, 1)
        local subs = self.subscribers[msg[1]]
        if subs then
            local snapshot = {}
            for s in pairs(subs) do
                snapshot[#snapshot + 1] = s
            end
            for _, s in ipairs(snapshot) do
                if type(s) == "function" then
                    s(table.unpack(msg, 2, msg.n))
                else
                    self:resume(s, table.unpack(msg, 1, msg.n))
                end
            end
        end
    end
end

function World:run_loop()
    while true do
        self:dispatch()
        local ev = table.remove(self.events, 1)
        if ev == nil then
            error("deadlock: no task can run and nothing is scheduled", 0)
        end
        if not ev.cancelled then
            if ev.due > self.now_us then
                self.now_us = ev.due
            end
            self.now_us = self.now_us + 1 -- every native event costs a microsecond
            ev.fn()
        end
        if self.now_us > self.deadline_us then
            error("virtual time ran out (" .. self.deadline_us // 1000000 .. " s)", 0)
        end
    end
end

---------------------------------------------------------------------------------------------------
-- sys (luatos-api.md §6)

local function make_sys(w)
    local sys = {}
    local function subscribe(id, s)
        w.subscribers[id] = w.subscribers[id] or {}
        w.subscribers[id][s] = true
    end
    local function unsubscribe(id, s)
        if w.subscribers[id] then
            w.subscribers[id][s] = nil
        end
    end
    function sys.taskInit(fn, ...)
        local co = coroutine.create(fn)
        w:resume(co, ...)
        return co
    end
    function sys.publish(...)
        w.messages[#w.messages + 1] = table.pack(...)
    end
    sys.subscribe = subscribe
    sys.unsubscribe = unsubscribe
    function sys.wait(ms)
        assert(math.type(ms) == "integer", "sys.wait: integer expected")
        if ms < 1 then
            return
        end
        local co = coroutine.running()
        local timer = w:schedule(ms * 1000, function()
            w:resume(co, TIMEOUT)
        end)
        local r = table.pack(coroutine.yield())
        if r[1] == TIMEOUT then
            return
        end
        w:cancel(timer)
        return table.unpack(r, 1, r.n)
    end
    function sys.waitUntil(id, ms)
        local co = coroutine.running()
        subscribe(id, co)
        local r
        if ms then
            if ms == 0 then
                unsubscribe(id, co)
                return false
            end
            r = table.pack(sys.wait(ms))
        else
            r = table.pack(coroutine.yield())
        end
        unsubscribe(id, co)
        if r.n == 0 then
            return false
        end
        return true, table.unpack(r, 2, r.n)
    end
    function sys.run()
        w:run_loop()
    end
    return sys
end

---------------------------------------------------------------------------------------------------
-- mqtt (luatos-api.md §1-§2) and a broker that records every PUBLISH it takes

local Client = {}
Client.__index = Client
Client.__name = "MQTTCTRL*"

function Client:emit(delay_us, event, ...)
    local args = table.pack(self, event, ...)
    self.world:schedule(delay_us, function()
        if self.cb then
            self.cb(table.unpack(args, 1, args.n))
        end
    end)
end

function Client:auth(client_id, user, password, clean)
    self.client_id = client_id or ""
    self.next_id = 1
    return true
end

function Client:on(fn)
    self.cb = type(fn) == "function" and fn or nil
end

function Client:connect()
    if self.state ~= 0 then
        return false
    end
    self.state = 1
    self.world:schedule(self.world.latency_us * 2, function()
        self.state = 3
        self:emit(0, "conack")
    end)
    return true
end

function Client:ready()
    return self.state == 3
end

function Client:take_id()
    local id = self.next_id
    self.next_id = self.next_id % 65535 + 1
    return id
end

function Client:publish(topic, payload, qos, retain)
    assert(type(topic) == "string", "bad argument #2 to 'publish' (string expected)")
    qos = qos or 0
    local w = self.world
    if self.state ~= 3 then
        return
    end
    if qos == 0 then
        if self.buffered >= w.send_budget then
            return -- the send buffer is full until the loop runs
        end
        self.buffered = self.buffered + 1
        if not self.flush_scheduled then
            self.flush_scheduled = true
            w:schedule(0, function()
                self.flush_scheduled = false
                self.buffered = 0
            end)
        end
    else
        if self.in_flight >= w.window then
            return -- the runtime's outbox is full
        end
        self.in_flight = self.in_flight + 1
        if self.in_flight > self.max_in_flight then
            self.max_in_flight = self.in_flight
        end
    end
    local id = qos > 0 and self:take_id() or 0
    w.broker:take(self, topic, payload, qos)
    if qos == 0 then
        self:emit(0, "sent", 0)
    else
        w:schedule(w.latency_us * (qos == 2 and 4 or 2), function()
            self.in_flight = self.in_flight - 1
            self:emit(0, "sent", id)
        end)
    end
    return id
end

function Client:subscribe(topic, qos)
    if self.state ~= 3 then
        return
    end
    local id = self:take_id()
    self.world.broker.subscriptions[topic] = self.world.broker.subscriptions[topic] or {}
    self.world.broker.subscriptions[topic][self] = qos or 0
    self:emit(self.world.latency_us * 2, "suback", true, qos or 0)
    return id
end

function Client:disconnect()
    if self.state ~= 0 then
        self.state = 0
        self:emit(0, "disconnect", 0)
        self:emit(0, "close")
    end
    return true
end

function Client:close()
    self.state = 0
    self.cb = nil
    if not self.released then
        self.released = true
        self.world.channels_used = self.world.channels_used - 1
    end
end

local function make_broker(w)
    local broker = {subscriptions = {}, log = {}}
    function broker:take(from, topic, payload, qos)
        local entries = self.log[topic]
        if not entries then
            entries = {}
            self.log[topic] = entries
        end
        entries[#entries + 1] = payload
        for client, sub_qos in pairs(self.subscriptions[topic] or {}) do
            local q = math.min(qos, sub_qos)
            client:emit(w.latency_us * 2, "recv", topic, payload,
                {message_id = 0, qos = q, retain = 0, dup = 0})
        end
    end
    return broker
end

local function make_mqtt(w)
    local mqtt = {STATE_DISCONNECT = 0, STATE_SCONNECT = 1, STATE_MQTT = 2, STATE_READY = 3}
    function mqtt.create(adapter, host, port, ssl, opts)
        assert(type(host) == "string", "bad argument #2 to 'create' (string expected)")
        assert(math.type(port) == "integer", "bad argument #3 to 'create' (number expected)")
        if adapter ~= nil and not w.adapters[adapter] then
            return
        end
        if w.channels_used >= 8 then
            return
        end
        w.channels_used = w.channels_used + 1
        local c = setmetatable({world = w, state = 0, next_id = 0, buffered = 0, in_flight = 0,
                                max_in_flight = 0, host = host, port = port, ssl = ssl}, Client)
        w.clients[#w.clients + 1] = c
        return c
    end
    return mqtt
end

---------------------------------------------------------------------------------------------------
-- the world

function World.new(bench_dir, params, options)
    options = options or {}
    local w = setmetatable({
        now_us = 0, seq = 0, events = {}, messages = {}, subscribers = {}, lines = {}, clients = {},
        channels_used = 0, exit_code = nil, deadline_us = (options.deadline_s or 3600) * 1000000,
        latency_us = options.latency_us or 40, send_budget = options.send_budget or 64,
        window = options.window or 20, adapters = {[1] = true, [17] = true},
    }, World)
    w.broker = make_broker(w)
    local params_text = json_encode(params)
    local env = setmetatable({}, {__index = _G})
    env._G = env
    env.sys = make_sys(w)
    env.mqtt = make_mqtt(w)
    local function log_line(level)
        return function(tag, ...)
            local parts = {level .. "/user." .. tostring(tag)}
            for i = 1, select("#", ...) do
                parts[#parts + 1] = tostring((select(i, ...)))
            end
            w.lines[#w.lines + 1] = {t_us = w.now_us, text = table.concat(parts, " ")}
        end
    end
    env.log = {debug = log_line("D"), info = log_line("I"), warn = log_line("W"), error = log_line("E")}
    env.json = {
        encode = json_encode,
        decode = function(s)
            return json_decode(s), 1
        end,
    }
    env.io = {
        readFile = function(path)
            if path == "/luadb/bench_params.json" then
                return params_text
            end
        end,
    }
    env.os = setmetatable({
        exit = function(code)
            w.exit_code = code == nil and 0 or code
            error(EXIT, 0)
        end,
    }, {__index = os})
    env.mcu = {
        ticks = function()
            return w.now_us // 1000
        end,
        hz = function()
            return 1000
        end,
    }
    if not options.no_ticks2 then
        env.mcu.ticks2 = function(mode)
            assert(mode == 0)
            return w.now_us // 1000000, w.now_us % 1000000
        end
    end
    env.socket = {
        LWIP_GP = 1, ETH0 = 17,
        dft = function()
            return 1
        end,
        adapter = function(id)
            return w.now_us >= 500, id
        end,
    }
    env.rtos = {
        bsp = function()
            return "MOCK"
        end,
        meminfo = function(kind)
            -- a made-up model: 100 KiB + 2 KiB per live client (lua), 3 MiB + 40 KiB per client (sys)
            local live = w.channels_used
            if kind == "sys" then
                return 1 << 30, 3 * 1024 * 1024 + live * 40 * 1024, 4 * 1024 * 1024
            end
            return 4194296, 100 * 1024 + live * 2048, 200 * 1024
        end,
    }
    env.collectgarbage = function()
        return 0
    end
    local loaded = {sys = env.sys}
    env.require = function(name)
        if loaded[name] == nil then
            local chunk = assert(loadfile(bench_dir .. "/" .. name .. ".lua", "t", env))
            loaded[name] = chunk() or true
        end
        return loaded[name]
    end
    w.env = env
    w.bench_dir = bench_dir
    return w
end

-- Run main.lua to its os.exit (or an error). Returns true, or false and the error.
function World:run_main()
    local chunk = assert(loadfile(self.bench_dir .. "/main.lua", "t", self.env))
    local ok, err = pcall(chunk)
    if not ok and err == EXIT then
        return true
    end
    if ok then
        return false, "main.lua returned without os.exit"
    end
    return false, tostring(err)
end

-- The I/user.bench lines that are JSON objects, decoded.
function World:bench_objects()
    local out = {}
    for _, line in ipairs(self.lines) do
        local text = line.text:match("^I/user%.bench (%b{})$")
        if text then
            local ok, value = pcall(json_decode, text)
            if not ok then
                error("not JSON: " .. line.text .. " (" .. tostring(value) .. ")", 0)
            end
            out[#out + 1] = value
        end
    end
    return out
end

return World
