-- The user's guide "MQTT多链接示例": two MQTT clients in one device. The two client blocks are the guide's
-- code as written, with one fix: the guide prints `end~` after the first client's event handler, a typo
-- that no Lua accepts (`unexpected symbol near '~'`); here it reads `end`. Around them: the parameters and
-- the network task of the single-link example, and a loop that sends what other tasks ask for (the guide's
-- `mqttc1:publish(topic, data, qos)` / `mqttc2:publish(...)` lines) on both links.

PROJECT = "mqttdemo_multilink"
VERSION = "1.0.0"

_G.sys = require("sys")
_G.sysplus = require("sysplus")

--根据自己的服务器修改以下参数
local mqtt_host = "lbsmqtt.airm2m.com"
local mqtt_port = 1884
local mqtt_isssl = false
local client1_id = "abc1"
local client2_id = "abc2"
local user_name = "user"
local password = "password"

local sub_topic_client = "/luatos/sub/"
local pub_topic = "/luatos/pub/"

-- 统一联网函数
sys.taskInit(function()
    local device_id = mcu.unique_id():toHex()
    if mobile then
        device_id = mobile.imei()
    end
    -- 默认都等到联网成功
    sys.waitUntil("IP_READY")
    sys.publish("net_ready", device_id)
end)

sys.taskInit(function()
    local ret, device_id = sys.waitUntil("net_ready")
    client1_id = device_id .. "_1"
    client2_id = device_id .. "_2"
    sub_topic_client = "/luatos/sub/" .. device_id
    pub_topic = "/luatos/pub/" .. device_id
    log.info("mqtt", "clients", client1_id, client2_id)

    --------------------第一个mqtt客户端--------------------
    mqttc1 = mqtt.create(nil, mqtt_host, mqtt_port, mqtt_isssl, ca_file)    -- 创建的第一个mqtt对象
    mqttc1:auth(client1_id,user_name,password) -- client_id必填,其余选填
    -- mqttc1:keepalive(240) -- 默认值240s
    mqttc1:autoreconn(true, 3000) -- 自动重连机制
    mqttc1:on(function(mqtt_client, event, data, payload)
        -- 用户自定义代码
        log.info("mqtt", "event", event, mqtt_client, data, payload)
        if event == "conack" then
            -- 联上了
            sys.publish("mqtt_conack")
            mqtt_client:subscribe(sub_topic_client)--单主题订阅
            -- mqtt_client:subscribe({[topic1]=1,[topic2]=1,[topic3]=1})--多主题订阅
        elseif event == "recv" then
            -- 客户端1 接收数据
            log.info("mqtt", "downlink", "topic", data, "payload", payload)
            sys.publish("mqtt_payload", data, payload)
        elseif event == "sent" then
            -- log.info("mqtt", "sent", "pkgid", data)
        -- elseif event == "disconnect" then
            -- 非自动重连时,按需重启mqttc
            -- mqtt_client:connect()
        end
    end)

    --------------------第二个mqtt客户端--------------------
    mqttc2 = mqtt.create(nil, mqtt_host, mqtt_port, mqtt_isssl, ca_file)    -- 创建的第二个mqtt对象
    mqttc2:auth(client2_id,user_name,password) -- client_id必填,其余选填
    -- mqttc2:keepalive(240) -- 默认值240s
    mqttc2:autoreconn(true, 3000) -- 自动重连机制
    mqttc2:on(function(mqtt_client, event, data, payload)
        -- 用户自定义代码
        log.info("mqtt", "event", event, mqtt_client, data, payload)
        if event == "conack" then
            -- 联上了
            sys.publish("mqtt_conack")
            
            mqtt_client:subscribe(sub_topic_client)     -- 主题订阅 -> 订阅主题可以额外自定义
            -- mqtt_client:subscribe({[topic1]=1,[topic2]=1,[topic3]=1})--多主题订阅
        elseif event == "recv" then
            -- 客户端2 接收数据
            log.info("mqtt", "downlink", "topic", data, "payload", payload)
            sys.publish("mqtt_payload", data, payload)
        elseif event == "sent" then
            -- log.info("mqtt", "sent", "pkgid", data)
        -- elseif event == "disconnect" then
            -- 非自动重连时,按需重启mqttc
            -- mqtt_client:connect()
        end
    end)

    mqttc1:connect()
    mqttc2:connect()
    sys.waitUntil("mqtt_conack")
    while true do
        local ret, topic, data, qos = sys.waitUntil("mqtt_pub", 300000)
        if ret then
            -- 客户端1 发送数据
            mqttc1:publish(topic, data, qos)    -- 发布topic主题可以自定义，可以不相同
            -- 客户端2 发送数据
            mqttc2:publish(topic, data, qos)    -- 发布topic主题可以自定义，可以不相同
        end
    end
end)

-- 定时上报: 每3秒请求两个链接各发一条
sys.taskInit(function()
    sys.wait(3000)
    while true do
        sys.wait(3000)
        if mqttc1 and mqttc1:ready() and mqttc2 and mqttc2:ready() then
            sys.publish("mqtt_pub", pub_topic, "123," .. os.date(), 1)
        end
    end
end)

sys.run()
