// sys: tasks and waiting (docs/modules/sys.md, "Tasks and waiting").
#include <catch2/catch.hpp>

#include "script_runner.hpp"

using tests::lines_with;
using tests::run_script;
using Lines = std::vector<std::string>;

TEST_CASE("sys.taskInit resumes the task at once, before it returns") {
    auto r = run_script(R"LUA(
        log.info("t", "before")
        local co = sys.taskInit(function(a, b)
            log.info("t", "in task", a, b)
            sys.wait(5)
            log.info("t", "after wait")
            os.exit(0)
        end, 1, "x")
        log.info("t", "after taskInit", type(co), coroutine.status(co))
        sys.run()
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t before", "I/user.t in task 1 x",
                                             "I/user.t after taskInit thread suspended",
                                             "I/user.t after wait"});
}

TEST_CASE("sys.wait returns nothing on timeout, at once for ms < 1, and raises outside a task") {
    auto r = run_script(R"LUA(
        local ok, err = pcall(sys.wait, 10)
        log.info("t", "main", ok, err:match("^attempt to yield from outside a coroutine") ~= nil)
        sys.taskInit(function()
            local t0 = mcu.ticks()
            local n = select('#', sys.wait(30))
            log.info("t", "timeout", n, mcu.ticks() - t0 >= 30)
            log.info("t", "zero", select('#', sys.wait(0)))
            log.info("t", "negative", select('#', sys.wait(-5)))
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK(r.lines == Lines{"I/user.t main false true", "I/user.t timeout 0 true",
                           "D/user.rtos.timer_start error", "I/user.t zero 0",
                           "D/user.rtos.timer_start error", "I/user.t negative 0"});
}

TEST_CASE("sys.waitUntil, waitUntilExt and waitUntilMsg return exactly what LuatOS returns") {
    auto r = run_script(R"LUA(
        local function step(n) sys.publish("STEP", n) end
        sys.subscribe("STEP", function(n)
            if n == 1 then sys.publish("B", 1, nil, "z") end
            if n == 2 then sys.publish("C", "c") end
            if n == 3 then sys.publish("E", "e") end
            if n == 4 then sys.publish("G", "g1", "g2") end
        end)
        sys.taskInit(function()
            local r = table.pack(sys.waitUntil("A", 20))
            log.info("t", "timeout", r.n, r[1])
            step(1); r = table.pack(sys.waitUntil("B", 5000))
            log.info("t", "message", r.n, r[1], r[2], r[3], r[4])
            step(2); r = table.pack(sys.waitUntil("C"))
            log.info("t", "forever", r.n, r[1], r[2])
            r = table.pack(sys.waitUntil("D", 0))
            log.info("t", "zero", r.n, r[1])
            step(3); r = table.pack(sys.waitUntilExt("E", 5000))
            log.info("t", "ext", r.n, r[1], r[2])
            r = table.pack(sys.waitUntilExt("F", 10))
            log.info("t", "ext timeout", r.n, r[1])
            step(4); r = table.pack(sys.waitUntilMsg("G"))
            log.info("t", "msg", r.n, r[1], r[2])
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK(r.lines == Lines{"I/user.t timeout 1 false", "I/user.t message 4 true 1 nil z",
                           "I/user.t forever 2 true c", "D/user.rtos.timer_start error",
                           "I/user.t zero 1 false", "I/user.t ext 2 E e", "I/user.t ext timeout 1 false",
                           "I/user.t msg 2 g1 g2"});
}

TEST_CASE("a message that ends a waitUntil early also stops its timer") {
    auto r = run_script(R"LUA(
        sys.taskInit(function()
            sys.publish("X", 1)
            local ok = sys.waitUntil("X", 40)
            local t0 = mcu.ticks()
            local n = select('#', sys.wait(80))  -- the 40 ms timer must not cut this short
            log.info("t", ok, n, mcu.ticks() - t0 >= 80)
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(r.lines == Lines{"I/user.t true 0 true"});
}

TEST_CASE("nil arguments of sys.publish are delivered exactly, count included") {
    auto r = run_script(R"LUA(
        sys.subscribe("F", function(...) log.info("t", "fn", select('#', ...), ...) end)
        sys.taskInit(function()
            sys.publish("X", nil, 5)
            sys.publish("F", 5, nil)
            local r = table.pack(sys.waitUntil("X"))
            log.info("t", "task", r.n, r[1], r[2], r[3])
            sys.publish("Y", 5, nil, nil)
            r = table.pack(sys.waitUntil("Y"))
            log.info("t", "task", r.n, r[1], r[2], r[3], r[4])
            os.exit(0)
        end)
        sys.publish()       -- no id: dropped
        sys.publish(nil, 1) -- nil id: dropped
        sys.run()
    )LUA");
    CHECK(r.lines ==
          Lines{"I/user.t task 3 true nil 5", "I/user.t fn 2 5 nil", "I/user.t task 4 true 5 nil nil"});
}

TEST_CASE("sys.coresume, sys.check_task and the sys globals") {
    auto r = run_script(R"LUA(
        local co = coroutine.create(function(a) local x = coroutine.yield(a + 1) return x * 2 end)
        log.info("t", sys.coresume(co, 1))
        log.info("t", sys.coresume(co, 5))
        sys.taskInit(function() log.info("t", "check_task", sys.check_task() == coroutine.running()) end)
        local ok, err = pcall(sys.check_task)
        log.info("t", ok, err:match("^attempt to yield from outside a coroutine") ~= nil)
        log.info("t", require("sys") == sys, require("sysplus") == sys, sysplus == sys)
        log.info("t", sys_pub == sys.publish, sys_send == sys.sendMsg, sys_wait == sys.waitMsg, type(sys_cw))
        log.info("t", COROUTINE_ERROR_ROLL_BACK, COROUTINE_ERROR_RESTART, SCRIPT_LIB_VER, type(sys.cwaitMt))
        os.exit(0)
    )LUA");
    CHECK(r.lines == Lines{"I/user.t true 2", "I/user.t true 10", "I/user.t check_task true",
                           "I/user.t false true", "I/user.t true true true",
                           "I/user.t true true true function", "I/user.t true true 2.3.2 table"});
}

TEST_CASE("sys_cw: wait for a message or return the given results, cb runs a task") {
    auto r = run_script(R"LUA(
        sys.taskInit(function()
            log.info("t", "ready", sys_cw("W", 1, 2).wait())
            local waiter = sys_cw("W").wait
            sys.publish("W", "a", "b")
            log.info("t", "waited", waiter())
            sys_cw("V").cb(function(...) log.info("t", "cb", ...) os.exit(0) end)
            sys.publish("V", "v")
        end)
        sys.run()
    )LUA");
    CHECK(r.lines == Lines{"I/user.t ready 1 2", "I/user.t waited a b", "I/user.t cb v"});
}

TEST_CASE("sys.run does nothing when _G.SYSP is set, the main chunk then ends the VM") {
    auto r = run_script(R"LUA(
        SYSP = true
        sys.run()
        log.info("t", "after run")
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK(r.lines == Lines{"I/user.t after run", "E/main Lua VM exit!! reboot in 1000ms"});
}

// The busy-script guard (sys_task/busy_guard.hpp): Lua code that never returns to the loop is still
// ended by the run's end (here the runner's run_for), wherever it spins, and a script's pcall cannot
// keep it; code that was busy for a while and returned runs on normally.
TEST_CASE("a script that spins is ended by run_for: in a task, a timer callback, a coroutine, a pcall") {
    const std::string where = GENERATE("task", "timer", "coroutine", "pcall", "wrap-after-arm");
    auto r = run_script("local where = '" + where + R"LUA('
        local function spin() log.info("t", "spinning") while true do end end
        local function busy_for(ms) local t = mcu.ticks() while mcu.ticks() - t < ms do end end
        sys.taskInit(function()
            busy_for(400)  -- long enough for the guard to arm; returns: the run goes on
            sys.wait(1)
            log.info("t", "after busy")
            if where == "task" then spin()
            elseif where == "timer" then sys.timerStart(spin, 1)
            elseif where == "coroutine" then coroutine.resume(coroutine.create(spin))
            elseif where == "pcall" then log.info("t", "pcall", pcall(spin))
            else
                -- a coroutine created by a coroutine that was already running when the guard armed
                coroutine.resume(coroutine.create(function()
                    busy_for(400)
                    coroutine.wrap(spin)()
                end))
            end
        end)
        sys.run()
    )LUA",
                        tests::ScriptOptions{.run_for = std::chrono::milliseconds(1500)});
    CHECK(r.exit_code == 0);
    CHECK(r.boots == 1);
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t after busy", "I/user.t spinning"});
}
