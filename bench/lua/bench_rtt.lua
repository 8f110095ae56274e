-- Case 3: QoS 1 round trip: publish to the client's own subscription and wait for the "recv" event
-- of that message; one at a time. Percentiles in microseconds.
local util = require("bench_util")

local M = {}

function M.run(p)
    util.wait_network(p, 30000)
    local expect = -1
    local lost = nil
    local c = util.connect(p, {client_id = p.client_id}, function(event, data, payload)
        if event == "recv" then
            if tonumber(payload:sub(1, 10)) == expect then
                sys.publish("bench_rtt")
            end
        elseif event == "suback" then
            sys.publish("bench_suback", data)
        elseif event == "disconnect" or event == "error" then
            lost = lost or (event .. " " .. tostring(data))
            sys.publish("bench_rtt")
        end
    end)
    local topic, count = p.topic, p.count
    c:subscribe(topic, 1)
    local woke, granted = sys.waitUntil("bench_suback", 10000)
    if not woke or not granted then
        util.fail(p, "subscribe failed")
    end

    local pad = util.padding(p)
    local samples = {}
    local t0 = util.now_us()
    for i = 1, count do
        local payload = string.format("%010d", i) .. pad
        expect = i
        local t = util.now_us()
        if not c:publish(topic, payload, 1) then
            util.fail(p, "publish returned nothing at round trip " .. i)
        end
        if not sys.waitUntil("bench_rtt", 10000) then
            util.fail(p, "round trip " .. i .. " did not come back in 10 s")
        end
        if lost then
            util.fail(p, "connection lost at round trip " .. i .. ": " .. lost)
        end
        samples[i] = util.now_us() - t
    end
    local elapsed_s = (util.now_us() - t0) / 1e6
    local result = {
        case = "rtt", adapter = p.adapter, topic = topic, size = p.size, count = count, qos = 1,
        elapsed_s = elapsed_s, rate = util.rate(count, elapsed_s), rtt_us = util.percentiles(samples),
    }
    util.close(c)
    util.finish(result)
end

return M
