-- The fleet test's device (tests/e2e/test_fleet.cpp): connects with its IMEI as client id and a kept
-- session, subscribes to its downlink topic, publishes a numbered QoS 1 uplink every second. The
-- device whose IMEI's 13th and 14th digits are "13" (index 13 from a base ending in 00) dies on
-- purpose once connected, so the fleet has a script error to count.
PROJECT = "fleettest"
VERSION = "1.0.0"

_G.sys = require("sys")

local imei = mobile.imei()
log.info("fleet", "imei", imei, "unique id", mcu.unique_id():toHex())

sys.taskInit(function()
    sys.waitUntil("IP_READY")
    local c = mqtt.create(nil, "broker.fleet", 1883)
    c:auth(imei, "", "", false)
    c:keepalive(10)
    c:autoreconn(true, 1000)
    c:on(function(client, event, topic, payload)
        if event == "conack" then
            client:subscribe("/fleet/down/" .. imei, 1)
            sys.publish("FLEET_CONNECTED")
        elseif event == "recv" then
            log.info("fleet", "downlink", topic, payload)
        end
    end)
    c:connect()
    sys.waitUntil("FLEET_CONNECTED")
    if imei:sub(13, 14) == "13" then
        error("device " .. imei .. " dies on purpose")
    end
    local n = 0
    while true do
        n = n + 1
        c:publish("/fleet/up/" .. imei, tostring(n), 1)
        sys.wait(1000)
    end
end)

sys.run()
