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

namespace {

// A global `probes()` giving the scheduler's count of timers compared with a call's callback and
// arguments (Scheduler::timer_match_probes).
ScriptOptions with_probes() {
    ScriptOptions options;
    options.setup = [](lua_bindings::Device& d) {
        d.add_module({"probes", [](lua_bindings::RunContext& ctx) {
                          lua_pushlightuserdata(ctx.state(), &ctx.scheduler());
                          lua_pushcclosure(
                              ctx.state(),
                              [](lua_State* L) {
                                  auto* s = static_cast<sys_task::Scheduler*>(
                                      lua_touserdata(L, lua_upvalueindex(1)));
                                  lua_pushinteger(L, static_cast<lua_Integer>(s->timer_match_probes()));
                                  return 1;
                              },
                              1);
                          lua_setglobal(ctx.state(), "probes");
                      }});
    };
    return options;
}

}  // namespace

// sys.timerStart looks the same function and arguments up in an index: among thousands of timers of
// one function, a start, a stop and an isActive compare only the one timer that matches (issue 11.13).
TEST_CASE("timerStart, timerStop and timerIsActive find the matching timer without visiting the others") {
    auto r = run_script(R"LUA(
        local function cb() end
        for i = 1, 5000 do sys.timerLoopStart(cb, 100000, i) end
        for i = 1, 5000, 2 do sys.timerStop(cb, i) end     -- churn: half of them stopped
        for i = 5001, 7500 do sys.timerStart(cb, 100000, i) end
        local before = probes()
        sys.timerStart(cb, 100000, 4000)      -- replaces the one with argument 4000
        sys.timerStart(cb, 100000, 9999)      -- a new one: nothing to compare
        local active = sys.timerIsActive(cb, 4000)
        sys.timerStop(cb, 6000)
        log.info("t", "probes", probes() - before, active, sys.timerIsActive(cb, 6000))
        os.exit(0)
    )LUA",
                        with_probes());
    CHECK(r.exit_code == 0);
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t probes 3 true"});
}

// The index hashes what sys.lua's cmpTable compares with `==`: numbers by value (1 == 1.0), strings
// by content, tables and userdata by type only (an __eq may make two of them equal).
TEST_CASE("the timer index keeps sys.lua's equality of arguments") {
    auto r = run_script(R"LUA(
        local function cb() end
        local eq = {__eq = function() return true end}
        local t1, t2 = setmetatable({}, eq), setmetatable({}, eq)
        local long1 = string.rep("x", 100) .. "y"
        local long2 = string.rep("x", 100) .. ("y"):upper():lower()
        sys.timerStart(cb, 100000, 1)
        sys.timerStart(cb, 100000, long1)
        sys.timerStart(cb, 100000, t1)
        sys.timerStart(cb, 100000, true, cb)
        sys.timerStart(cb, 100000, 0/0)
        log.info("t", "match", sys.timerIsActive(cb, 1.0), sys.timerIsActive(cb, long2), sys.timerIsActive(cb, t2),
                 sys.timerIsActive(cb, true, cb), sys.timerIsActive(cb, "1"), sys.timerIsActive(cb, 0/0),
                 sys.timerIsActive(cb, 1, nil), sys.timerIsActive(cb, 2^53))
        sys.timerStart(cb, 100000, 1.0)       -- replaces the timer of 1
        sys.timerStop(cb, t2)                 -- stops the one of t1 (equal by __eq)
        log.info("t", "after", sys.timerIsActive(cb, 1), sys.timerIsActive(cb, t1))
        sys.timerStopAll(cb)
        log.info("t", "all", sys.timerIsActive(cb, long1), sys.timerIsActive(cb, 1))
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t match true true true true nil nil true",
                                             "I/user.t after true", "I/user.t all nil"});
}
