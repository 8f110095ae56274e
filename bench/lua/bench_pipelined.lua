-- Case 2: QoS 1 / QoS 2 pipelined, counting "sent" events (PUBACK / PUBCOMP) until the last one.
-- params.window > 0: the script keeps at most that many unacknowledged (as the C peers do);
-- params.window == 0: a tight loop that leaves the pacing to the runtime (publish returning nothing
-- means wait 1 ms).
local util = require("bench_util")

local M = {}

function M.run(p)
    util.wait_network(p, 30000)
    local completed = 0
    local waiting = false
    local lost = nil
    local c = util.connect(p, {client_id = p.client_id}, function(event, data)
        if event == "sent" then
            completed = completed + 1
            if waiting then
                waiting = false
                sys.publish("bench_progress")
            end
        elseif event == "disconnect" or event == "error" then
            lost = lost or (event .. " " .. tostring(data))
            sys.publish("bench_progress")
        end
    end)

    local topic, count, qos, window = p.topic, p.count, p.qos, p.window
    local pad = util.padding(p)
    local published, retries, max_in_flight = 0, 0, 0
    local t0 = util.now_us()
    while completed < count do
        if lost then
            util.fail(p, "connection lost after " .. completed .. " completions: " .. lost)
        end
        if published < count and (window == 0 or published - completed < window) then
            if c:publish(topic, string.format("%010d", published + 1) .. pad, qos) then
                published = published + 1
                if published - completed > max_in_flight then
                    max_in_flight = published - completed
                end
            else
                retries = retries + 1
                sys.wait(1)
            end
        else
            waiting = true
            if not sys.waitUntil("bench_progress", 30000) then
                util.fail(p, "no sent event for 30 s after " .. completed)
            end
        end
    end
    local elapsed_s = (util.now_us() - t0) / 1e6
    local result = {
        case = "pipelined", adapter = p.adapter, topic = topic, size = p.size, count = count, qos = qos,
        window = window, published = published, completed = completed, elapsed_s = elapsed_s,
        rate = util.rate(count, elapsed_s), max_in_flight = max_in_flight, publish_retries = retries,
    }
    util.close(c)
    util.finish(result)
end

return M
