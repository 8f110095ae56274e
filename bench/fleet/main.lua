-- The fleet bench's device (bench/fleet_bench.py): the issue's script. Connects with its IMEI as
-- client id and a kept session (cleanSession false, keepalive 15, auto-reconnect), subscribes to its
-- downlink topic, and publishes a QoS 1 uplink every 3 s whose payload is its sequence number. The
-- number only advances when publish() accepted the message, so a gap the observer sees is a loss.
PROJECT = "fleetbench"
VERSION = "1.0.0"

_G.sys = require("sys")

local imei = mobile.imei()

sys.taskInit(function()
    sys.waitUntil("IP_READY")
    local c = mqtt.create(nil, "bench.broker", 1883)
    c:auth(imei, "", "", false)
    c:keepalive(15)
    c:autoreconn(true, 2000)
    c:on(function(client, event)
        if event == "conack" then
            client:subscribe("/fleet/down/" .. imei, 1)
            sys.publish("BENCH_UP")
        end
    end)
    c:connect()
    sys.waitUntil("BENCH_UP")
    local n = 0
    while true do
        if c:publish("/fleet/up/" .. imei, tostring(n + 1), 1) then
            n = n + 1
        end
        sys.wait(3000)
    end
end)

sys.run()
