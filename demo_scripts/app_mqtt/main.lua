-- An MQTT app in the newer LuatOS style (as the Air780EPM module demos are written): a named task with a
-- mailbox (sys.taskInitEx / sys.waitMsg / sys.sendMsg), the client's events forwarded to that mailbox,
-- an application-level reconnect (close, wait, create again) instead of autoreconn, a sender queue that
-- publishes one message at a time and waits for its "sent" event, and a watchdog fed by MQTT traffic.

PROJECT = "mqtt_app"
VERSION = "1.0.0"

require "mqtt_main"
require "mqtt_sender"
require "timer_app"
require "network_watchdog"

sys.run()
