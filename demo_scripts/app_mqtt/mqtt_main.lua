-- The MQTT connection task: connect, subscribe, wait for events; on any failure close, wait 5 s and start
-- over with a fresh client.
local TASK_NAME = "mqtt_main"

local SERVER_ADDR = "lbsmqtt.airm2m.com"
local SERVER_PORT = 1884

-- Set once connected; mqtt_sender.lua publishes through it.
mqtt_client = nil

-- The client's events run in the main context: forward them to the task's mailbox.
local function mqtt_event_cb(client, event, data, payload, metas)
    if event == "conack" then
        sys.sendMsg(TASK_NAME, "MQTT_EVENT", "CONNECT", true)
        sys.publish("FEED_NETWORK_WATCHDOG")
    elseif event == "suback" then
        sys.sendMsg(TASK_NAME, "MQTT_EVENT", "SUBSCRIBE", data, payload)
    elseif event == "recv" then
        log.info("mqtt_main", "recv", data, payload, json.encode(metas))
        sys.publish("FEED_NETWORK_WATCHDOG")
        sys.publish("RECV_DATA_FROM_SERVER", data, payload, metas)
    elseif event == "sent" then
        sys.publish("MQTT_PUBLISH_OK", data)
        sys.publish("FEED_NETWORK_WATCHDOG")
    elseif event == "disconnect" then
        sys.sendMsg(TASK_NAME, "MQTT_EVENT", "DISCONNECTED", data)
    elseif event == "error" then
        log.warn("mqtt_main", "error", data, payload)
        if data == "connect" or data == "conack" or data == "timeout" then
            sys.sendMsg(TASK_NAME, "MQTT_EVENT", "CONNECT", false, data)
        else
            sys.sendMsg(TASK_NAME, "MQTT_EVENT", "ERROR", data, payload)
        end
    elseif event == "pong" then
        sys.publish("FEED_NETWORK_WATCHDOG")
    end
end

local function mqtt_main_task()
    while true do
        -- wait until the default adapter (the cellular link) has an IP address
        while not socket.adapter(socket.dft()) do
            log.warn("mqtt_main", "wait IP_READY", socket.dft())
            sys.waitUntil("IP_READY", 1000)
        end
        sys.cleanMsg(TASK_NAME)

        local imei = mobile.imei()
        local client = mqtt.create(nil, SERVER_ADDR, SERVER_PORT)
        if not client then
            log.error("mqtt_main", "create failed")
        else
            client:auth(TASK_NAME .. "_" .. imei, "", "", true)
            client:keepalive(60)
            client:on(mqtt_event_cb)
            local sub_topic = "/luatos/app/sub/" .. imei
            if client:connect() then
                while true do
                    local msg = sys.waitMsg(TASK_NAME, "MQTT_EVENT")
                    local what = msg[2]
                    if what == "CONNECT" then
                        if msg[3] then
                            log.info("mqtt_main", "connected")
                            client:subscribe(sub_topic, 1)
                        else
                            log.warn("mqtt_main", "connect failed", msg[4])
                            break
                        end
                    elseif what == "SUBSCRIBE" then
                        log.info("mqtt_main", "subscribe", msg[3], msg[4])
                        if msg[3] then
                            mqtt_client = client
                            sys.publish("MQTT_READY", imei)
                        else
                            break
                        end
                    elseif what == "DISCONNECTED" or what == "ERROR" then
                        log.warn("mqtt_main", "lost", what, msg[3], msg[4])
                        break
                    end
                end
            end
            mqtt_client = nil
            sys.publish("MQTT_LOST")
            client:close()
        end
        log.info("mqtt_main", "reconnect in 5s")
        sys.wait(5000)
    end
end

sys.taskInitEx(mqtt_main_task, TASK_NAME)
