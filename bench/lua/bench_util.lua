-- Shared by the bench cases: clock, result line, network wait, one connected client.
local util = {}

-- Microseconds since boot. mcu.ticks2(0) (LuatOS, 2024-05) returns (seconds, microseconds); without
-- it, mcu.ticks() in 1/mcu.hz() s steps. util.clock_resolution_us says which one was used.
if mcu.ticks2 then
    util.clock_resolution_us = 1
    function util.now_us()
        local s, us = mcu.ticks2(0)
        return s * 1000000 + us
    end
else
    util.clock_resolution_us = 1000000 // mcu.hz()
    function util.now_us()
        return mcu.ticks() * 1000000 // mcu.hz()
    end
end

-- The result line the harness reads: I/user.bench {json}
function util.report(result)
    result.clock_resolution_us = util.clock_resolution_us
    log.info("bench", (json.encode(result)))
end

-- Report a failure and end the run.
function util.fail(params, message)
    log.error("bench", params.case, message)
    util.report({case = params.case, ok = false, error = message})
    os.exit(1)
end

-- Report the result and end the run.
function util.finish(result)
    result.ok = true
    util.report(result)
    os.exit(0)
end

-- The adapter named in the params ("ETH0": host sockets, "LWIP_GP": the module's lwIP on the
-- simulated link), or nil for the default one.
function util.adapter(params)
    if params.adapter == nil then
        return nil
    end
    local id = socket[params.adapter]
    if id == nil then
        util.fail(params, "socket." .. params.adapter .. " does not exist")
    end
    return id
end

-- Wait until the adapter is up, the way the guide's demos do.
function util.wait_network(params, timeout_ms)
    local adapter = util.adapter(params) or socket.dft()
    local waited = 0
    while not socket.adapter(adapter) do
        if waited >= timeout_ms then
            util.fail(params, "the network did not come up in " .. timeout_ms .. " ms")
        end
        sys.waitUntil("IP_READY", 100)
        waited = waited + 100
    end
end

-- The payload of message `seq`: 10 zero-padded digits, then `pad` (bench/peers/seq_payload.hpp).
function util.padding(params)
    return string.rep("x", params.size - 10)
end

-- Create, auth and connect one client; wait for its conack. `on_event(event, data, payload, metas)`
-- gets every event after the conack; "sent" and "recv" take the shortest path. `opts`: client_id,
-- host, port, tls, mqtt_opts. Returns the client, or fails the run.
function util.connect(params, opts, on_event)
    local c = mqtt.create(util.adapter(params), opts.host or params.host, opts.port or params.port,
        opts.tls or false, opts.mqtt_opts)
    if not c then
        util.fail(params, "mqtt.create returned nothing")
    end
    c:auth(opts.client_id, "", "", true)
    local connack_msg = "bench_conack_" .. opts.client_id
    local connected = false
    c:on(function(_, event, data, payload, metas)
        if event == "sent" or event == "recv" then
            return on_event(event, data, payload, metas)
        end
        if event == "conack" then
            connected = true
            sys.publish(connack_msg, true)
        elseif not connected and (event == "error" or event == "disconnect" or event == "close") then
            sys.publish(connack_msg, false, event .. " " .. tostring(data))
        else
            on_event(event, data, payload, metas)
        end
    end)
    if not c:connect() then
        util.fail(params, "connect() returned false")
    end
    local woke, ok, why = sys.waitUntil(connack_msg, 30000)
    if not woke then
        util.fail(params, "no conack in 30 s")
    elseif not ok then
        util.fail(params, "connect failed: " .. why)
    end
    return c
end

-- Messages per second, or nil when no time was measured (a millisecond clock on a short run):
-- json.encode refuses inf.
function util.rate(count, elapsed_s)
    if elapsed_s > 0 then
        return count / elapsed_s
    end
    return nil
end

-- Nearest-rank percentiles of a list of numbers (as bench/peers/measure.cpp).
function util.percentiles(samples)
    table.sort(samples)
    local n = #samples
    local function rank(p)
        local k = math.ceil(p / 100 * n)
        if k < 1 then k = 1 end
        if k > n then k = n end
        return samples[k]
    end
    local sum = 0
    for i = 1, n do
        sum = sum + samples[i]
    end
    return {n = n, min = samples[1], p50 = rank(50), p90 = rank(90), p99 = rank(99), max = samples[n],
            mean = sum / n}
end

-- Disconnect and release a client, letting the DISCONNECT go out first.
function util.close(c)
    c:disconnect()
    sys.wait(50)
    c:close()
end

return util
