// gpio on the simulated board (docs/modules/gpio.md): LuatOS's values from luat_lib_gpio.c and the
// EC718 port, interrupts driven by the outside world.
#include <catch2/catch.hpp>

#include "board_steps.hpp"
#include "script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;

TEST_CASE("gpio: the functions and constants of the EC718 firmware") {
    auto r = run_script(R"LUA(
        local names = {}
        for k, v in pairs(gpio) do names[#names + 1] = k .. "=" .. (type(v) == "number" and v or type(v)) end
        table.sort(names)
        log.info("t", table.concat(names, " "))
        os.exit(0)
    )LUA");
    CHECK(
        lines_but_vm_exit(r) ==
        Lines{"I/user.t AUDIOPA_EN=22 BOTH=2 CHG_DET=45 FALLING=1 HIGH=1 HIGH_IRQ=3 LOW=0 LOW_IRQ=4 NONE=255 "
              "OUTPUT=0 PULLDOWN=2 PULLUP=1 PWR_KEY=46 RISING=0 USIM_DET=41 VBUS=40 WAKEUP0=39 WAKEUP1=40 "
              "WAKEUP2=41 WAKEUP3=42 WAKEUP4=43 WAKEUP5=44 WAKEUP6=45 caplevel=function close=function "
              "count=function debounce=function get=function pulse=function set=function "
              "setDefaultPull=function "
              "setup=function toggle=function"});
}

TEST_CASE("gpio: setup gives closures, outputs drive the board (logged), read 0, inputs read their pull") {
    auto r = run_script(R"LUA(
        local led = gpio.setup(27, 1)
        local key = gpio.setup(24, nil, gpio.PULLUP)
        local low = gpio.setup(7, nil, gpio.PULLDOWN)
        log.info("t", type(led), type(key), key(), low(), gpio.get(24), gpio.get(27), gpio.get(255), gpio.get(100))
        log.info("t", select('#', led(0)), select('#', gpio.set(27, 1)), select('#', gpio.set(27, 256)),
                 select('#', gpio.set(27, 3)))
        local float = gpio.setup(8, 1.0)  -- not an integer: an input
        log.info("t", float(), select('#', gpio.close(27)), select('#', gpio.close(99)))
        gpio.setup(20, 1)
        log.info("t", gpio.get(gpio.WAKEUP3), gpio.setup(gpio.WAKEUP0, 1) ~= nil, gpio.get(39))
        os.exit(0)
    )LUA",
                        ScriptOptions{.setup = board_steps({})});
    CHECK(lines_but_vm_exit(r) ==
          Lines{"D/board gpio27 out 1", "I/user.t function function 1 0 1 0 0 0", "D/board gpio27 out 0",
                "D/board gpio27 out 1", "D/board gpio27 out 0", "D/board gpio27 out 1", "I/user.t 0 0 0 0",
                "D/board gpio27 out off", "I/user.t 0 0 0", "D/board gpio20 out 1", "I/user.t 1 true 0"});
}

TEST_CASE("gpio: LuatOS's range checks, truncations and default pull") {
    auto r = run_script(R"LUA(
        log.info("t", select('#', gpio.setup(47, 1)), select('#', gpio.setup(-1, nil)))
        gpio.toggle(200)
        gpio.debounce(47, 10)
        log.info("t", gpio.count(300), gpio.count(255))
        gpio.pulse(99, 1, 1, 0)
        log.info("t", gpio.setDefaultPull(3), gpio.setDefaultPull(2))
        log.info("t", gpio.setup(5, nil)(), gpio.setup(6, nil, gpio.PULLUP)())
        log.info("t", select(2, pcall(function() gpio.setup(1.5) end)))
        log.info("t", select(2, pcall(function() gpio.pulse(27, nil, 8, 0) end)))
        os.exit(0)
    )LUA");
    CHECK(
        lines_but_vm_exit(r) ==
        Lines{"W/gpio id out of range 0 ~ 47, but 47", "W/gpio id out of range 0 ~ 47, but -1",
              "I/user.t 0 0", "W/gpio pin id out of range (0-127)", "W/gpio MUST pin < 47",
              "W/gpio id out of range 0 ~ 47, but 255", "I/user.t 0 0", "D/gpio pin id out of range (0-127)",
              "I/user.t false true", "I/user.t 0 1",
              "I/user.t [string \"main.lua\"]:9: bad argument #1 to 'setup' (number has no integer "
              "representation)",
              "I/user.t [string \"main.lua\"]:10: bad argument #2 to 'pulse' (integer or string expected)"});
}

TEST_CASE("gpio: toggle flips what gpio.set wrote last, not what gpio.setup set (as LuatOS)") {
    auto r = run_script(R"LUA(
        gpio.setup(16, 1)
        gpio.toggle(16)   -- LuatOS's memory says 0: it sets 1, no change
        gpio.toggle(16)
        local s = gpio.setup(17, 0)
        s(1)
        gpio.toggle(17)
        gpio.pulse(17, 0xA9, 8, 0)
        gpio.pulse(17, "\x0F\xF0", 12, 0)
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r) == Lines{"D/board gpio16 out 1", "D/board gpio16 out 0",
                                        "D/board gpio17 out 0", "D/board gpio17 out 1",
                                        "D/board gpio17 out 0", "D/board gpio17 pulse A9 (8 bits)",
                                        "D/board gpio17 out 1", "D/board gpio17 pulse 0FF0 (12 bits)"});
}

TEST_CASE("gpio: interrupts from the board call the setup callback with (level, pin) in the main context") {
    auto r = run_script(
        R"LUA(
        gpio.setup(24, function(level, pin) log.info("t", "both", level, pin, coroutine.isyieldable(), gpio.get(24)) end,
                   gpio.PULLUP)
        gpio.setup(25, function(level, pin) log.info("t", "rising", level, pin) end, gpio.PULLDOWN, gpio.RISING)
        gpio.setup(26, function(level, pin) log.info("t", "falling", level, pin) end, gpio.PULLUP, gpio.FALLING)
        gpio.setup(gpio.WAKEUP0, function(level, pin) log.info("t", "wakeup", level, pin) end, nil, gpio.HIGH_IRQ)
        gpio.setup(28, function(level, pin) log.info("t", "high", level, pin) end, gpio.PULLDOWN, gpio.HIGH_IRQ)
        gpio.setup(30, function() os.exit(0) end, gpio.PULLDOWN, gpio.RISING)
        sys.run()
    )LUA",
        ScriptOptions{.setup = board_steps({{std::chrono::milliseconds(20), drive(24, 0)},
                                            {std::chrono::milliseconds(5), drive(24, std::nullopt)},
                                            {std::chrono::milliseconds(5), drive(25, 1)},
                                            {std::chrono::milliseconds(5), drive(25, 0)},
                                            {std::chrono::milliseconds(5), drive(26, 0)},
                                            {std::chrono::milliseconds(5), drive(26, 1)},
                                            {std::chrono::milliseconds(5), drive(39, 1)},
                                            {std::chrono::milliseconds(5), drive(28, 1)},
                                            {std::chrono::milliseconds(20), drive(28, 0)},
                                            {std::chrono::milliseconds(5), drive(28, 1)},
                                            {std::chrono::milliseconds(5), drive(30, 1)}})});
    // A level interrupt: once each time the level is entered.
    CHECK(lines_but_vm_exit(r) == Lines{"I/user.t both 0 24 false 0", "I/user.t both 1 24 false 1",
                                        "I/user.t rising 1 25", "I/user.t falling 0 26", "I/user.t high 1 28",
                                        "I/user.t high 1 28"});
}

TEST_CASE("gpio: gpio.count counts edges without callbacks, close stops the interrupts") {
    auto r = run_script(R"LUA(
        gpio.setup(24, gpio.count)
        gpio.setup(25, gpio.count, gpio.PULLUP, gpio.FALLING)
        gpio.setup(26, function() log.info("t", "closed pin called") end)
        gpio.close(26)
        gpio.setup(30, function()
            log.info("t", gpio.count(24), gpio.count(24), gpio.count(25))
            os.exit(0)
        end, gpio.PULLDOWN, gpio.RISING)
        sys.run()
    )LUA",
                        ScriptOptions{.setup = board_steps({{std::chrono::milliseconds(20), drive(24, 1)},
                                                            {std::chrono::milliseconds(2), drive(24, 0)},
                                                            {std::chrono::milliseconds(2), drive(24, 1)},
                                                            {std::chrono::milliseconds(2), drive(25, 0)},
                                                            {std::chrono::milliseconds(2), drive(25, 1)},
                                                            {std::chrono::milliseconds(2), drive(25, 0)},
                                                            {std::chrono::milliseconds(2), drive(26, 1)},
                                                            {std::chrono::milliseconds(2), drive(30, 1)}})});
    CHECK(lines_but_vm_exit(r) ==
          Lines{"D/gpio pin 24 use irq count mode", "D/gpio pin 25 use irq count mode", "I/user.t 3 0 2"});
}

TEST_CASE("gpio: debounce mode 0 reports at once, then ignores edges for the cool-down") {
    auto r = run_script(R"LUA(
        gpio.debounce(24, 100)
        gpio.setup(24, function(level, pin) log.info("t", "irq", level, pin) end, gpio.PULLUP)
        gpio.setup(30, function() os.exit(0) end, gpio.PULLDOWN, gpio.RISING)
        sys.run()
    )LUA",
                        ScriptOptions{.setup = board_steps({{std::chrono::milliseconds(120),
                                                             [](platform_air780ep::Board& b) {
                                                                 b.drive(24, 0);  // reported
                                                                 b.drive(24, 1);  // within the cool-down
                                                             }},
                                                            {std::chrono::milliseconds(150), drive(24, 0)},
                                                            {std::chrono::milliseconds(5), drive(30, 1)}})});
    CHECK(lines_but_vm_exit(r) == Lines{"I/user.t irq 0 24", "I/user.t irq 0 24"});
}

TEST_CASE("gpio: debounce mode 1 reports once the level held for the time, filtering a short pulse") {
    auto r = run_script(
        R"LUA(
        gpio.debounce(24, 50, 1)
        gpio.setup(24, function(level, pin) log.info("t", "held", level, pin) end, gpio.PULLUP, gpio.FALLING)
        gpio.debounce(25, 50, 1)
        gpio.setup(25, function(level, pin) log.info("t", "both", level, pin) end, gpio.PULLUP)
        gpio.setup(30, function() os.exit(0) end, gpio.PULLDOWN, gpio.RISING)
        sys.run()
    )LUA",
        ScriptOptions{.setup = board_steps({{std::chrono::milliseconds(20), drive(24, 0)},
                                            {std::chrono::milliseconds(100), drive(24, std::nullopt)},
                                            {std::chrono::milliseconds(20), drive(24, 0)},
                                            {std::chrono::milliseconds(5), drive(24, std::nullopt)},
                                            {std::chrono::milliseconds(20), drive(25, 0)},
                                            {std::chrono::milliseconds(5), drive(25, std::nullopt)},
                                            {std::chrono::milliseconds(100), drive(30, 1)}})});
    CHECK(lines_but_vm_exit(r) == Lines{"I/user.t held 0 24", "I/user.t both 1 25"});
}

TEST_CASE("gpio: caplevel times a level between its two edges, in microseconds and 1/26 parts") {
    auto r = run_script(R"LUA(
        gpio.caplevel(24, 1, function(us, frac)
            -- The board's steps are at least 30 ms apart on the loop's millisecond clock: 29 ms of real time.
            log.info("t", "high for", us >= 29000, us < 10000000, frac >= 0 and frac < 26)
            os.exit(0)
        end)
        sys.run()
    )LUA",
                        ScriptOptions{.setup = board_steps({{std::chrono::milliseconds(20), drive(24, 1)},
                                                            {std::chrono::milliseconds(30), drive(24, 0)}})});
    CHECK(lines_but_vm_exit(r) == Lines{"I/user.t high for true true true"});
}

TEST_CASE("gpio: a reboot releases the module's outputs, what the outside world drives stays") {
    auto r = run_script(R"LUA(
        if not io.exists("/booted") then
            io.writeFile("/booted", "1")
            gpio.setup(27, 1)
            log.info("t", "first", gpio.setup(24, nil)())
            rtos.reboot()
        end
        log.info("t", "second", gpio.setup(24, nil)())
        os.exit(0)
    )LUA",
                        ScriptOptions{.setup = [](lua_bindings::Device& d) { d.board().drive(24, 1); }});
    CHECK(lines_but_vm_exit(r) ==
          Lines{"D/board gpio27 out 1", "I/user.t first 1", "D/board gpio27 out off", "I/user.t second 1"});
    CHECK(r.boots == 2);
}
