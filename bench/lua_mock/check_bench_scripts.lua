-- The ctest "bench: lua scripts on a mock LuatOS": every bench script (bench/lua/) run on the LuatOS
-- stand-in (luatos_world.lua), with exact checks of its result line and of what the broker received.
--
--   bench_lua_mock bench/lua_mock/check_bench_scripts.lua bench/lua
local here = arg[0]:match("^(.*)/[^/]*$") or "."
local World = dofile(here .. "/luatos_world.lua")
local bench_dir = assert(arg[1], "usage: check_bench_scripts.lua BENCH_LUA_DIR")

local failures, checks = 0, 0

local function check(cond, what)
    checks = checks + 1
    if not cond then
        failures = failures + 1
        print("FAIL: " .. what)
    end
end

local function eq(actual, expected, what)
    check(actual == expected, what .. ": expected " .. tostring(expected) .. ", got " .. tostring(actual))
end

local function base_params(case)
    return {case = case, host = "bench.broker", port = 1884, topic = "bench/t", size = 16, count = 100,
            qos = 0, window = 20, clients = 10, client_id = "bench-mock", adapter = "ETH0"}
end

-- Run one case; returns the world and its last result object.
local function run(name, params, options)
    local w = World.new(bench_dir, params, options)
    local ok, err = w:run_main()
    check(ok, name .. ": ran to os.exit (" .. tostring(err) .. ")")
    local objects = w:bench_objects()
    local result
    for _, o in ipairs(objects) do
        if o.case then
            result = o
        end
    end
    check(result ~= nil, name .. ": has a result line")
    return w, result or {}
end

-- The payloads the broker took on `topic` are 1..count in order, each `size` bytes.
local function check_sequence(w, topic, count, size, name)
    local log = w.broker.log[topic] or {}
    eq(#log, count, name .. ": messages the broker took")
    local in_order = true
    for i, payload in ipairs(log) do
        if payload ~= string.format("%010d", i) .. string.rep("x", size - 10) then
            in_order = false
            print("  " .. name .. ": message " .. i .. " is " .. payload:sub(1, 20))
            break
        end
    end
    check(in_order, name .. ": payloads carry 1.." .. count .. " in order, " .. size .. " bytes")
end

-- probe
do
    local w, r = run("probe", base_params("probe"))
    eq(r.ok, true, "probe: ok")
    eq(r.mqtt, true, "probe: mqtt")
    eq(r.ticks2, true, "probe: ticks2")
    eq(r.eth0, true, "probe: eth0")
    eq(w.exit_code, 0, "probe: exit code")
end

-- qos0: the storm, 16 B and 1 KiB; the mock's send buffer takes 64 messages per loop turn
for _, size in ipairs({16, 1024}) do
    local p = base_params("qos0")
    p.size, p.count = size, 1000
    local name = "qos0 " .. size .. " B"
    local w, r = run(name, p)
    eq(r.ok, true, name .. ": ok")
    eq(r.published, 1000, name .. ": published")
    eq(r.sent_events, 1000, name .. ": QoS 0 sent events")
    check(r.publish_retries and r.publish_retries >= 1000 // 64, name .. ": the retry path ran (" ..
        tostring(r.publish_retries) .. " retries)")
    check(r.elapsed_s > 0 and r.rate > 0, name .. ": elapsed and rate")
    eq(r.clock_resolution_us, 1, name .. ": microsecond clock")
    check_sequence(w, "bench/t", 1000, size, name)
    eq(#(w.broker.log["bench/t/fence"] or {}), 1, name .. ": one fence publish")
    eq(w.exit_code, 0, name .. ": exit code")
    eq(w.channels_used, 0, name .. ": the client was closed")
end

-- pipelined: the script's window of 20 (the mock runtime allows 50), and window 0 (the runtime paces)
for _, case in ipairs({{qos = 1, window = 20, runtime = 50}, {qos = 2, window = 20, runtime = 50},
                       {qos = 1, window = 0, runtime = 20}, {qos = 2, window = 0, runtime = 20}}) do
    local p = base_params("pipelined")
    p.qos, p.window, p.count = case.qos, case.window, 500
    local name = string.format("pipelined qos%d window %d", case.qos, case.window)
    local w, r = run(name, p, {window = case.runtime})
    eq(r.ok, true, name .. ": ok")
    eq(r.completed, 500, name .. ": completed")
    eq(r.published, 500, name .. ": published")
    local limit = case.window > 0 and case.window or case.runtime
    eq(r.max_in_flight, limit, name .. ": the script's max in flight")
    eq(w.clients[1].max_in_flight, limit, name .. ": the runtime's max in flight")
    if case.window == 0 then
        check(r.publish_retries > 0, name .. ": the runtime said not now")
    else
        eq(r.publish_retries, 0, name .. ": no retries inside the script's window")
    end
    check_sequence(w, "bench/t", 500, 16, name)
end

-- rtt: one at a time, percentiles in order, every sample the mock's round trip
do
    local p = base_params("rtt")
    p.count = 50
    local w, r = run("rtt", p, {latency_us = 40})
    eq(r.ok, true, "rtt: ok")
    local q = r.rtt_us or {}
    eq(q.n, 50, "rtt: samples")
    check(q.min and q.min <= q.p50 and q.p50 <= q.p90 and q.p90 <= q.p99 and q.p99 <= q.max,
        "rtt: min <= p50 <= p90 <= p99 <= max")
    -- publish -> broker -> recv is 2 x latency; each native event costs 1 us in the mock
    check(q.p50 >= 80 and q.p50 <= 90, "rtt: p50 " .. tostring(q.p50) .. " us is the mock's round trip")
    eq(#(w.broker.log["bench/t"] or {}), 50, "rtt: publishes")
end

-- rtt without mcu.ticks2: millisecond clock, said so
do
    local p = base_params("rtt")
    p.count = 5
    local _, r = run("rtt ms clock", p, {no_ticks2 = true})
    eq(r.ok, true, "rtt ms clock: ok")
    eq(r.clock_resolution_us, 1000, "rtt ms clock: resolution")
end

-- idle: the module's 8 channels: 1 first client + 7 measured of the 100 asked for
for _, tls in ipairs({false, true}) do
    local p = base_params("idle")
    p.clients, p.tls = 100, tls
    local name = "idle" .. (tls and " tls" or "")
    local w, r = run(name, p)
    eq(r.ok, true, name .. ": ok")
    eq(r.requested, 100, name .. ": requested")
    eq(r.clients, 7, name .. ": clients created besides the first")
    eq(r.connected, 7, name .. ": connected")
    eq(r.tls, tls, name .. ": tls")
    eq(r.lua_heap_per_client_b, 2048, name .. ": Lua heap per client (the mock's model)")
    eq(r.rss_per_client_b, 40 * 1024, name .. ": RSS per client (the mock's model)")
    eq(#w.clients, 8, name .. ": mqtt.create calls that gave a client")
    check(w.clients[2].ssl == tls, name .. ": ssl argument")
    eq(w.channels_used, 0, name .. ": every client closed")
end

-- startup: the conack line comes before the result
do
    local w, r = run("startup", base_params("startup"))
    eq(r.ok, true, "startup: ok")
    local objects = w:bench_objects()
    eq(objects[1] and objects[1].event, "conack", "startup: the conack line first")
    check(r.conack_uptime_ms ~= nil, "startup: uptime at conack")
end

-- a bad adapter name: a failed result and exit code 1
do
    local p = base_params("qos0")
    p.adapter = "NOPE"
    local w, r = run("bad adapter", p)
    eq(r.ok, false, "bad adapter: not ok")
    eq(r.error, "socket.NOPE does not exist", "bad adapter: error")
    eq(w.exit_code, 1, "bad adapter: exit code")
end

print(string.format("%d checks, %d failed", checks, failures))
if failures > 0 then
    os.exit(1)
end
