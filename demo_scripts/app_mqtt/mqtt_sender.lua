-- A send queue: other modules publish "SEND_DATA_REQ" (topic, payload, qos, cb); items go out one at a time,
-- each waiting for its "sent" event; when the link is lost, the waiting items fail through their callbacks.
local queue = {}

sys.subscribe("SEND_DATA_REQ", function(topic, payload, qos, cb)
    table.insert(queue, {topic = topic, payload = payload, qos = qos or 0, cb = cb})
    sys.publish("SEND_QUEUE_WAKEUP")
end)

sys.subscribe("MQTT_LOST", function()
    while #queue > 0 do
        local item = table.remove(queue, 1)
        if item.cb then item.cb(false, "link lost") end
    end
end)

sys.taskInit(function()
    while true do
        while #queue == 0 or not mqtt_client do
            sys.waitUntil("SEND_QUEUE_WAKEUP", 1000)
        end
        local item = table.remove(queue, 1)
        local id = mqtt_client:publish(item.topic, item.payload, item.qos)
        if id then
            local ok = sys.waitUntil("MQTT_PUBLISH_OK", 10000)
            if item.cb then item.cb(ok == true, id) end
        elseif item.cb then
            item.cb(false, "publish refused")
        end
    end
end)
