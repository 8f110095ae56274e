-- LuatOS bench scripts: one case per run, chosen by /luadb/bench_params.json, which bench/run_bench.py
-- writes and passes to the runtime beside this folder:
--   luatos --host bench.broker=127.0.0.1:PORT ... bench/lua/ RUNDIR/bench_params.json
-- Each case ends with one log line `I/user.bench {json}` (the result the harness reads) and os.exit().
-- Only the LuatOS API is used (docs/modules/), as a script on the module would.

PROJECT = "bench"
VERSION = "1.0.0"

_G.sys = require("sys")

local params = json.decode(io.readFile("/luadb/bench_params.json"))
local case = require("bench_" .. params.case)

sys.taskInit(function()
    case.run(params)
end)

sys.run()
