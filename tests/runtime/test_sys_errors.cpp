// How the VM ends: task errors (COROUTINE_ERROR_*), errors in callbacks, os.exit, rtos.reboot,
// the end of main.lua, --run-for (docs/modules/sys.md, "Errors").
#include <catch2/catch.hpp>
#include <chrono>

#include "script_runner.hpp"

using tests::lines_with;
using tests::run_script;
using tests::ScriptOptions;
using Lines = std::vector<std::string>;

namespace {

const std::string kTraceback =
    "stack traceback:\n\t[C]: in function 'error'\n\t[string \"main.lua\"]:3: in function <[string "
    "\"main.lua\"]:1>";

}  // namespace

TEST_CASE("an error in a task is logged with its traceback, 500 ms later the VM ends") {
    const auto start = std::chrono::steady_clock::now();
    auto r = run_script(R"LUA(sys.taskInit(function()
    sys.wait(5)
    error("boom")
end)
sys.taskInit(function()
    while true do sys.wait(100) log.info("t", "alive") end
end)
sys.run()
)LUA");
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(r.exit_code == 1);
    const std::string text = "[string \"main.lua\"]:3: boom\r\n" + kTraceback;
    REQUIRE(r.lines.size() >= 7);
    CHECK(r.lines.front() == "E/user.coroutine.resume " + text);
    // The other task keeps running after the error: its first 100 ms wait ends before the 500 ms
    // do, and a sixth would end after them, on the device's clock however loaded the machine is
    // (how many it gets in between depends on how late each wake-up is: bench/sys_bench counts them).
    const auto alive = lines_with(r, "I/user.t alive");
    CHECK(alive.size() >= 1);
    CHECK(alive.size() <= 5);
    CHECK(Lines(r.lines.end() - 3, r.lines.end()) ==
          Lines{"E/main Luat: ", "E/main " + text, "E/main Lua VM exit!! reboot in 1000ms"});
    CHECK(elapsed >= std::chrono::milliseconds(500));
}

TEST_CASE("COROUTINE_ERROR_ROLL_BACK = false and RESTART = true: a task error reboots the scripts") {
    auto r = run_script(R"LUA(
        COROUTINE_ERROR_ROLL_BACK = false
        local n = tonumber(io.readFile("/boots") or "0") + 1
        io.writeFile("/boots", tostring(n))
        log.info("t", "boot", n, mobile.imei() == IMEI_BEFORE)
        if n == 2 then os.exit(7) end
        sys.taskInit(function() error("crash") end)
        log.info("t", "not reached")
        sys.run()
    )LUA");
    CHECK(r.exit_code == 7);
    CHECK(r.boots == 2);
    const auto t = lines_with(r, "I/user.t");
    CHECK(t == Lines{"I/user.t boot 1 false", "I/user.t boot 2 false"});
    CHECK(lines_with(r, "E/user.coroutine.resume [string \"main.lua\"]:7: crash\r\n").size() == 1);
}

TEST_CASE("with both COROUTINE_ERROR flags false a task error is only logged") {
    auto r = run_script(R"LUA(
        COROUTINE_ERROR_ROLL_BACK = false
        COROUTINE_ERROR_RESTART = false
        sys.taskInit(function() error({}) end)
        sys.taskInit(function() sys.wait(600) log.info("t", "still running") os.exit(0) end)
        sys.run()
    )LUA");
    CHECK(r.exit_code == 0);
    REQUIRE(r.lines.size() == 2);
    CHECK(r.lines[0].starts_with("E/user.coroutine.resume table: "));
    CHECK(r.lines[1] == "I/user.t still running");
}

TEST_CASE("an error in a timer callback or a function subscriber ends sys.run() at once") {
    auto timer = run_script(R"LUA(
        sys.timerStart(function() error("tboom") end, 5)
        sys.run()
    )LUA");
    CHECK(timer.exit_code == 1);
    CHECK(timer.lines == Lines{"E/main Luat: ", "E/main [string \"main.lua\"]:2: tboom",
                               "E/main Lua VM exit!! reboot in 1000ms"});
    auto sub = run_script(R"LUA(
        sys.subscribe("X", function() local x = nil; return x.field end)
        sys.publish("X")
        sys.run()
    )LUA");
    CHECK(sub.exit_code == 1);
    CHECK(sub.lines ==
          Lines{"E/main Luat: ", "E/main [string \"main.lua\"]:2: attempt to index a nil value (local 'x')",
                "E/main Lua VM exit!! reboot in 1000ms"});
}

TEST_CASE("os.exit ends the run with its code, pcall and coroutines cannot swallow it") {
    CHECK(run_script("pcall(os.exit, 5) log.info('t', 'not reached')").exit_code == 5);
    auto r = run_script(R"LUA(
        sys.taskInit(function()
            sys.wait(5)
            local ok = pcall(function() coroutine.wrap(function() os.exit(6) end)() end)
            log.info("t", "not reached", ok)
        end)
        sys.run()
    )LUA");
    CHECK(r.exit_code == 6);
    CHECK(r.lines.empty());
    CHECK(run_script("local co = coroutine.create(function() os.exit(false) end) coroutine.resume(co) "
                     "log.info('t', 'not reached')")
              .exit_code == 1);
    CHECK(run_script("xpcall(os.exit, debug.traceback, true)").exit_code == 0);
}

TEST_CASE("a syntax error in main.lua prints Lua's message and exits 1, the end of main.lua exits 0") {
    auto bad = run_script("log.info('t', 'x')\nlocal = 1\n");
    CHECK(bad.exit_code == 1);
    CHECK(bad.lines == Lines{"E/main Luat: ", "E/main [string \"main.lua\"]:2: <name> expected near '='",
                             "E/main Lua VM exit!! reboot in 1000ms"});
    auto done = run_script("log.info('t', 'done')");
    CHECK(done.exit_code == 0);
    CHECK(done.lines == Lines{"I/user.t done", "E/main Lua VM exit!! reboot in 1000ms"});
}

TEST_CASE("rtos.reboot() restarts main.lua in a fresh Lua state, same identity and uptime clock") {
    auto r = run_script(R"LUA(
        log.info("t", "global", MARK, mobile.imei() ~= nil)
        MARK = "set"
        local n = tonumber(io.readFile("/n") or "0") + 1
        io.writeFile("/n", tostring(n))
        if n == 3 then log.info("t", "uptime grows", mcu.ticks() >= 0) os.exit(0) end
        sys.taskInit(function() sys.wait(5) rtos.reboot() end)
        sys.run()
    )LUA",
                        ScriptOptions{.banner = true});
    CHECK(r.exit_code == 0);
    CHECK(r.boots == 3);
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t global nil true", "I/user.t global nil true",
                                             "I/user.t global nil true", "I/user.t uptime grows true"});
    CHECK(lines_with(r, "I/main LuatOS@Air780EP").size() == 3);  // each boot prints its banner
}

TEST_CASE("a bounded run ends with exit code 0 however the script waits") {
    const auto start = std::chrono::steady_clock::now();
    auto r = run_script("sys.taskInit(function() while true do sys.wait(1000) end end) sys.run()",
                        ScriptOptions{.run_for = std::chrono::milliseconds(150)});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(r.exit_code == 0);
    CHECK(r.lines.empty());
    CHECK(elapsed >= std::chrono::milliseconds(150));  // how soon after: bench/sys_bench
}

TEST_CASE("main.lua missing from the image ends the VM as LuatOS does") {
    platform_air780ep::LuadbImage image;
    image.add("other.lua", "");
    lua_bindings::DeviceConfig cfg;
    cfg.log_to_stdout = false;
    cfg.boot_banner = false;
    lua_bindings::Device device(cfg, tests::test_identity(), std::move(image));
    Lines lines;
    device.logger().add_sink([&](std::string_view l) { lines.emplace_back(l); });
    CHECK(device.run(std::chrono::milliseconds(100)) == 1);
    CHECK(lines ==
          Lines{"E/main Luat: ", "E/main module 'main' not found", "E/main Lua VM exit!! reboot in 1000ms"});
}
