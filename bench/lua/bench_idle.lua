-- Case 4: memory per idle connected client. A first client is connected before the "before" figures
-- (what is set up once per runtime is not a per-client cost), then params.clients more, which stay
-- connected and do nothing; the Lua heap (rtos.meminfo("lua")) and the process's resident set
-- (rtos.meminfo("sys")) after, per client. With params.tls, TLS clients (ssl = true: encrypted, no
-- verification). On the module the clients share 8 socket channels: mqtt.create returning nothing
-- ends the creation, and the result says how many there were.
local util = require("bench_util")

local M = {}

local function heap_used(kind)
    local _, used = rtos.meminfo(kind)
    return used
end

local function settle_heap()
    collectgarbage("collect")
    collectgarbage("collect")
end

function M.run(p)
    util.wait_network(p, 30000)
    local mqtt_opts = p.rx_size and {rxSize = p.rx_size} or nil
    local adapter = util.adapter(p)
    local clients = {}
    local connected, failed = 0, 0
    local expected = 0

    -- Create and connect one client; returns false when the runtime has no channel left.
    local function add(i)
        local c = mqtt.create(adapter, p.host, p.port, p.tls or false, mqtt_opts)
        if not c then
            return false
        end
        c:auth(p.client_id .. "-" .. i, "", "", true)
        c:on(function(_, event)
            if event == "conack" then
                connected = connected + 1
            elseif event == "error" or event == "disconnect" then
                failed = failed + 1
            else
                return
            end
            if connected + failed == expected then
                sys.publish("bench_idle_settled")
            end
        end)
        clients[#clients + 1] = c
        c:connect()
        return true
    end

    local function wait_settled(what)
        if connected + failed < expected and not sys.waitUntil("bench_idle_settled", 60000) then
            util.fail(p, what .. ": " .. connected .. " of " .. expected .. " clients connected in 60 s")
        end
        if failed > 0 then
            util.fail(p, what .. ": " .. failed .. " of " .. expected .. " clients failed to connect")
        end
        sys.wait(p.settle_ms or 1000)
    end

    expected = 1
    if not add(0) then
        util.fail(p, "mqtt.create returned nothing for the first client")
    end
    wait_settled("first client")
    settle_heap()
    local lua0, sys0 = heap_used("lua"), heap_used("sys")

    for i = 1, p.clients do
        expected = expected + 1
        if not add(i) then
            expected = expected - 1
            break -- no socket channel left
        end
    end
    local n = #clients - 1
    if n == 0 then
        util.fail(p, "mqtt.create returned nothing for the second client")
    end
    wait_settled("clients")
    settle_heap()
    local lua1, sys1 = heap_used("lua"), heap_used("sys")

    local result = {
        case = "idle", adapter = p.adapter, tls = p.tls or false, requested = p.clients, clients = n,
        connected = connected - 1, rx_size = p.rx_size,
        lua_before_b = lua0, lua_after_b = lua1, lua_heap_per_client_b = (lua1 - lua0) / n,
        rss_before_kb = sys0 // 1024, rss_after_kb = sys1 // 1024, rss_per_client_b = (sys1 - sys0) / n,
    }
    for i = 1, #clients do
        clients[i]:close()
    end
    util.finish(result)
end

return M
