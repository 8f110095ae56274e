-- Case 1: QoS 0 publish storm from one tight Lua loop. publish() returning nothing means "not now":
-- wait 1 ms and try again (the issue's storm). Then one QoS 1 publish on TOPIC/fence: its "sent" comes
-- when the broker has taken every message before it, which ends the timing.
local util = require("bench_util")

local M = {}

function M.run(p)
    util.wait_network(p, 30000)
    local sent_events = 0
    local fence_id = -1
    local lost = nil
    local c = util.connect(p, {client_id = p.client_id}, function(event, data)
        if event == "sent" then
            if data == 0 then
                sent_events = sent_events + 1
            elseif data == fence_id then
                sys.publish("bench_fence")
            end
        elseif event == "disconnect" or event == "error" then
            lost = lost or (event .. " " .. tostring(data))
            sys.publish("bench_fence")
        end
    end)

    local topic, count = p.topic, p.count
    local pad = util.padding(p)
    local retries = 0
    local t0 = util.now_us()
    for i = 1, count do
        local payload = string.format("%010d", i) .. pad
        while not c:publish(topic, payload, 0) do
            if lost then
                util.fail(p, "connection lost after " .. (i - 1) .. " messages: " .. lost)
            end
            retries = retries + 1
            if retries % 30000 == 0 then
                log.warn("bench", "publish keeps returning nothing at message", i)
            end
            sys.wait(1)
        end
    end
    local t_loop = util.now_us()
    local id = c:publish(topic .. "/fence", pad, 1)
    while not id do
        sys.wait(1)
        id = c:publish(topic .. "/fence", pad, 1)
    end
    fence_id = id
    if lost or not sys.waitUntil("bench_fence", 60000) or lost then
        util.fail(p, "no PUBACK for the fence: " .. tostring(lost))
    end
    local t1 = util.now_us()
    local elapsed_s = (t1 - t0) / 1e6
    local result = {
        case = "qos0", adapter = p.adapter, topic = topic, size = p.size, count = count, qos = 0,
        published = count, elapsed_s = elapsed_s, rate = util.rate(count, elapsed_s),
        loop_s = (t_loop - t0) / 1e6, publish_retries = retries, sent_events = sent_events,
    }
    util.close(c)
    util.finish(result)
end

return M
