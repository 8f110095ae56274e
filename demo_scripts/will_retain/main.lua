-- Will and retain: the device announces itself "online" as a retained message, leaves a retained
-- "offline" will for the broker to publish if the link dies without a DISCONNECT, reads a retained
-- configuration message when it subscribes (metas.retain == 1), and says "offline" itself before a
-- clean shutdown (a clean DISCONNECT discards the will).

PROJECT = "will_retain"
VERSION = "1.0.0"

sys.taskInit(function()
    sys.waitUntil("IP_READY")
    local imei = mobile.imei()
    local status_topic = "/luatos/status/" .. imei
    local config_topic = "/luatos/config/" .. imei

    local c = mqtt.create(nil, "lbsmqtt.airm2m.com", 1884)
    c:auth("will_" .. imei, "", "", true)
    c:keepalive(15)
    c:will(status_topic, "offline", 1, 1)
    c:autoreconn(true, 3000)
    c:on(function(client, event, data, payload, metas)
        if event == "conack" then
            log.info("will", "connected")
            client:publish(status_topic, "online", 1, 1)
            client:subscribe(config_topic, 1)
        elseif event == "recv" then
            log.info("will", "config", data, payload, "retain", metas.retain)
            if payload == "shutdown" then
                sys.publish("SHUTDOWN")
            end
        elseif event == "suback" then
            log.info("will", "suback", data, payload)
        elseif event == "sent" then
            sys.publish("WILL_DEMO_SENT", data)
        end
    end)
    c:connect()
    sys.waitUntil("SHUTDOWN")
    -- an orderly goodbye: publish the status ourselves, then disconnect (the broker drops the will)
    local id = c:publish(status_topic, "offline", 1, 1)
    while id do
        local ok, sent_id = sys.waitUntil("WILL_DEMO_SENT", 3000)
        if not ok or sent_id == id then break end
    end
    c:autoreconn(false)
    c:disconnect()
    c:close()
    log.info("will", "closed")
end)

sys.run()
