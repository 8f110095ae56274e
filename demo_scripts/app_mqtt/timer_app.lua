-- Every 5 s, ask the sender for an uplink and log its result.
local count = 0

local function send_result(ok, info)
    log.info("timer_app", "send result", ok, info)
end

sys.taskInit(function()
    local imei = sys.waitUntilMsg("MQTT_READY")
    local topic = "/luatos/app/pub/" .. imei
    while true do
        count = count + 1
        sys.publish("SEND_DATA_REQ", topic, "timer " .. count .. " " .. os.date("%Y-%m-%d %H:%M:%S"), 1, send_result)
        sys.wait(5000)
    end
end)

sys.subscribe("RECV_DATA_FROM_SERVER", function(topic, payload, metas)
    log.info("timer_app", "downlink", topic, payload, metas.qos)
end)
