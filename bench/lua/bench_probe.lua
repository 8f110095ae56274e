-- What this runtime offers the bench (the harness asks before running the cases).
local util = require("bench_util")

local M = {}

function M.run(params)
    util.finish({
        case = "probe",
        mqtt = mqtt ~= nil and mqtt.create ~= nil,
        ticks2 = mcu.ticks2 ~= nil,
        eth0 = socket.ETH0 ~= nil,
        lwip_gp = socket.LWIP_GP ~= nil,
        bsp = rtos.bsp(),
    })
end

return M
