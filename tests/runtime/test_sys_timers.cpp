// sys: timers (docs/modules/sys.md, "Timers").
#include <catch2/catch.hpp>

#include <optional>

#include "script_runner.hpp"

using tests::lines_with;
using tests::run_script;
using tests::ScriptOptions;
using Lines = std::vector<std::string>;

TEST_CASE("timer ids start at 0x200000, timerStart replaces the timer with the same function and arguments") {
    auto r = run_script(R"LUA(
        local noop = function() end
        local id1 = sys.timerStart(noop, 1000)
        local id2 = sys.timerStart(function() end, 1000)
        log.info("t", "ids", id1, id2)
        local function cb(a) log.info("t", "cb", a) end
        local a = sys.timerStart(cb, 30, "x")
        local b = sys.timerStart(cb, 30, "x")  -- same function and argument: replaces a
        log.info("t", "replaced", a ~= b, sys.timerIsActive(a), sys.timerIsActive(b) == cb)
        local c = sys.timerStart(cb, 30, "y")  -- other argument: a second timer
        local d = sys.timerStart(cb, 30)       -- no argument: a third one
        log.info("t", "active", sys.timerIsActive(cb, "x"), sys.timerIsActive(cb, "y"), sys.timerIsActive(cb),
                 select('#', sys.timerIsActive(cb, "z")))
        sys.timerStop(cb, "y")
        log.info("t", "stop by function", select('#', sys.timerIsActive(cb, "y")), sys.timerIsActive(c))
        sys.timerStop(d)
        log.info("t", "stop by id", sys.timerIsActive(d))
        log.info("t", "refused", select('#', sys.timerStart(cb, 0)))
        sys.timerStop(nil)  -- ignored, as in sys.lua
        sys.timerStart(function() os.exit(0) end, 60)
        sys.run()
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK(r.lines == Lines{"I/user.t ids 2097152 2097153", "I/user.t replaced true nil true",
                           "I/user.t active true true true 0", "I/user.t stop by function 0 nil",
                           "I/user.t stop by id nil", "E/user.rtos.timer_start create fail!!!",
                           "I/user.t refused 0", "I/user.t cb x"});
}

TEST_CASE("timerLoopStart repeats until stopped, timerStopAll stops every timer of a function") {
    auto r = run_script(R"LUA(
        local n = 0
        local loop_id
        loop_id = sys.timerLoopStart(function(tag)
            n = n + 1
            log.info("t", tag, n)
            if n == 3 then
                sys.timerStop(loop_id)
                -- five periods later: a tick that was not stopped, or an `other` timer, would come first
                sys.timerStart(function() log.info("t", "count", n) os.exit(0) end, 50)
            end
        end, 10, "tick")
        local function other() log.info("t", "never") end
        sys.timerStart(other, 20, 1)
        sys.timerStart(other, 20, 2)
        sys.timerLoopStart(other, 20)
        sys.timerStopAll(other)
        log.info("t", "after stopAll", select('#', sys.timerIsActive(other, 1)), select('#', sys.timerIsActive(other)))
        sys.run()
    )LUA");
    CHECK(r.lines == Lines{"I/user.t after stopAll 0 0", "I/user.t tick 1", "I/user.t tick 2",
                           "I/user.t tick 3", "I/user.t count 3"});
}

TEST_CASE("timerAdvStart with a count fires count + 1 times") {
    auto r = run_script(R"LUA(
        local n = 0
        sys.timerAdvStart(function()
            n = n + 1
            -- after the third: a fourth (due 5 ms later) would come before this check
            if n == 3 then sys.timerStart(function() log.info("t", n) os.exit(0) end, 50) end
        end, 5, 2)
        sys.run()
    )LUA");
    CHECK(r.lines == Lines{"I/user.t 3"});
}

TEST_CASE("timer callbacks run in the main context, with their saved arguments") {
    auto r = run_script(R"LUA(
        sys.timerStart(function(a, b)
            local ok, err = pcall(sys.wait, 1)
            log.info("t", a, b, ok, err:match("attempt to yield from outside a coroutine") ~= nil,
                     coroutine.isyieldable())
            os.exit(0)
        end, 5, "a", 2)
        sys.run()
    )LUA");
    CHECK(r.lines == Lines{"I/user.t a 2 false true false"});
}

TEST_CASE("sys.wait timer ids rotate in 1..0x1FFFFE and do not disturb sys.timerStart ids") {
    auto r = run_script(R"LUA(
        sys.taskInit(function()
            sys.wait(1)
            sys.wait(1)
            log.info("t", sys.timerStart(function() end, 100))
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(r.lines == Lines{"I/user.t 2097152"});
}

TEST_CASE("an idle script blocks: a long wait ends on time, with no busy loop in between") {
    // The loop's turns while the script waits, counted where the loop is about to block: a busy loop
    // would take thousands in 200 ms, a blocking one one or two (its CPU time is bench/sys_bench's).
    std::size_t turns = 0;
    std::optional<std::size_t> turns_at_wait;
    std::optional<std::size_t> turns_at_wake;
    ScriptOptions options;
    options.setup = [&](lua_bindings::Device& device) {
        device.loop().add_before_block([&] { ++turns; });
        device.logger().add_sink([&](std::string_view line) {
            if (line.ends_with("I/user.t waiting")) turns_at_wait = turns;
            if (line.ends_with("I/user.t woke true")) turns_at_wake = turns;
        });
    };
    auto r = run_script(R"LUA(
        sys.taskInit(function()
            sys.wait(20)  -- after IP_READY (10 ms): nothing but this task's timer is left to wake the loop
            local t0 = mcu.ticks()
            log.info("t", "waiting")
            sys.wait(200)
            log.info("t", "woke", mcu.ticks() - t0 >= 200)
            os.exit(0)
        end)
        sys.run()
    )LUA",
                        options);
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t waiting", "I/user.t woke true"});
    REQUIRE(turns_at_wait);
    REQUIRE(turns_at_wake);
    CHECK(*turns_at_wake - *turns_at_wait >= 1);
    CHECK(*turns_at_wake - *turns_at_wait <= 5);
}
