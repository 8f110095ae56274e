-- Case 5: start-up. The harness times the first log line of the process and this case's conack line
-- from the moment it spawned the runtime; the script itself adds its uptime at conack.
local util = require("bench_util")

local M = {}

function M.run(p)
    util.wait_network(p, 30000)
    local c = util.connect(p, {client_id = p.client_id}, function() end)
    local uptime_ms = mcu.ticks() * 1000 // mcu.hz()
    log.info("bench", (json.encode({event = "conack", uptime_ms = uptime_ms})))
    util.close(c)
    util.finish({case = "startup", adapter = p.adapter, conack_uptime_ms = uptime_ms})
end

return M
