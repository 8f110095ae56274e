-- The script the LuatOS PC simulator ran (docs/modules/mqtt.md, "The PC simulator's run"), unchanged: the
-- guide's single-link demo as the simulator's tester wrote it (broker 127.0.0.1:18830, the device id
-- logged, the metas of each downlink logged). The test sends 127.0.0.1:18830 to its own broker with
-- --host, as a user would.

-- LuaTools需要PROJECT和VERSION这两个信息
PROJECT = "mqttdemo"
VERSION = "1.0.0"

-- sys库是标配
sys = require("sys")

local mqtt_host = "127.0.0.1"
local mqtt_port = 18830
local mqtt_isssl = false
local client_id = "abc"
local user_name = "user"
local password = "password"

local pub_topic = "/luatos/pub/unknown"
local sub_topic = "/luatos/sub/unknown"

local mqttc = nil

-- 统一联网函数
sys.taskInit(function()
    local device_id = mcu.unique_id():toHex()
    if mobile then
        device_id = mobile.imei() or device_id
    end
    log.info("net", "device_id", device_id)
    -- 默认都等到联网成功
    local ok = sys.waitUntil("IP_READY", 5000)
    log.info("net", "IP_READY", ok)
    sys.publish("net_ready", device_id)
end)

sys.taskInit(function()
    local ret, device_id = sys.waitUntil("net_ready")
    client_id = device_id
    pub_topic = "/luatos/pub/" .. device_id
    sub_topic = "/luatos/sub/" .. device_id
    log.info("mqtt", "pub", pub_topic)
    log.info("mqtt", "sub", sub_topic)
    if mqtt == nil then
        while 1 do
            sys.wait(1000)
            log.info("bsp", "本bsp未适配mqtt库, 请查证")
        end
    end

    mqttc = mqtt.create(nil, mqtt_host, mqtt_port, mqtt_isssl)
    log.info("mqtt", "create", mqttc)
    mqttc:auth(client_id, user_name, password) -- client_id必填,其余选填
    mqttc:autoreconn(true, 3000) -- 自动重连机制

    mqttc:on(function(mqtt_client, event, data, payload, meta)
        log.info("mqtt", "event", event, mqtt_client, data, payload)
        if event == "conack" then
            sys.publish("mqtt_conack")
            mqtt_client:subscribe(sub_topic) --单主题订阅
        elseif event == "recv" then
            log.info("mqtt", "downlink", "topic", data, "payload", payload)
            log.info("mqtt", "meta", json.encode(meta), meta.qos, meta.message_id, meta.retain, meta.dup)
            sys.publish("mqtt_payload", data, payload)
        elseif event == "sent" then
            log.info("mqtt", "sent", "pkgid", data)
        elseif event == "disconnect" then
            log.info("mqtt", "disconnect", data)
        end
    end)

    mqttc:connect()
    sys.waitUntil("mqtt_conack")
    while true do
        local ret, topic, data, qos = sys.waitUntil("mqtt_pub", 300000)
        if ret then
            if topic == "close" then break end
            mqttc:publish(topic, data, qos)
        end
    end
    mqttc:close()
    mqttc = nil
end)

-- 定时上报
sys.taskInit(function()
    sys.wait(3000)
    local data = "123,"
    local qos = 1 -- QOS0不带puback, QOS1是带puback的
    while true do
        sys.wait(3000)
        if mqttc and mqttc:ready() then
            local pkgid = mqttc:publish(pub_topic, data .. os.date(), qos)
            log.info("mqtt", "publish", "pkgid", pkgid)
        end
    end
end)

-- 用户代码已结束---------------------------------------------
-- 结尾总是这一句
sys.run()
-- sys.run()之后后面不要加任何语句!!!!!
