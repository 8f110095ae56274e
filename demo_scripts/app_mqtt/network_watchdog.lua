-- Reboot the module when the network has been silent for 5 minutes (fed by MQTT conack/recv/sent/pong).
sys.taskInit(function()
    while true do
        if not sys.waitUntil("FEED_NETWORK_WATCHDOG", 300000) then
            log.error("network_watchdog", "no network traffic for 300 s, reboot")
            rtos.reboot()
        end
    end
end)
