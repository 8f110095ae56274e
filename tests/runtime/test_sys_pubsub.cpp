// sys: publish / subscribe (docs/modules/sys.md, "Messages" and "The main loop").
#include <catch2/catch.hpp>

#include "script_runner.hpp"

using tests::lines_with;
using tests::run_script;
using Lines = std::vector<std::string>;

TEST_CASE("sys.publish is queued, FIFO, and drained before each native message") {
    auto r = run_script(R"LUA(
        local order = {}
        sys.subscribe("M", function(i)
            order[#order + 1] = "M" .. i
            if i == 1 then sys.publish("M", 3) end
        end)
        sys.publish("M", 1)
        sys.publish("M", 2)
        order[#order + 1] = "published"
        sys.timerStart(function() order[#order + 1] = "timer1"; sys.publish("M", 4) end, 5)
        sys.timerStart(function() order[#order + 1] = "timer2" end, 5)
        sys.timerStart(function() log.info("t", table.concat(order, ",")) os.exit(0) end, 40)
        sys.run()
    )LUA");
    CHECK(r.lines == Lines{"I/user.t published,M1,M2,M3,timer1,M4,timer2"});
}

TEST_CASE("subscribers: set semantics, per-message snapshot, functions called and tasks resumed") {
    auto r = run_script(R"LUA(
        local calls = {}
        local function f(x) calls[#calls + 1] = "f" .. x end
        local function h(x) calls[#calls + 1] = "h" .. x end
        local function g(x)
            calls[#calls + 1] = "g" .. x
            sys.unsubscribe("S", f)  -- f is still called for this message (snapshot)
            sys.subscribe("S", h)    -- h only from the next message on
        end
        sys.subscribe("S", g)
        sys.subscribe("S", f)
        sys.subscribe("S", f)        -- the same function twice is one subscriber
        sys.publish("S", 1)
        sys.publish("S", 2)
        local co = coroutine.create(function(...)
            local args = {...}
            while true do
                calls[#calls + 1] = "co:" .. table.concat(args, "/")
                args = {coroutine.yield()}
            end
        end)
        sys.subscribe("S", co)
        sys.publish("S", 3)
        sys.unsubscribe("NEVER", f)  -- unknown ids are fine
        sys.timerStart(function()
            sys.unsubscribe("S", co)
            sys.publish("S", 4)
            sys.timerStart(function() log.info("t", table.concat(calls, ",")) os.exit(0) end, 10)
        end, 10)
        sys.run()
    )LUA");
    CHECK(r.lines == Lines{"I/user.t g1,f1,co:S/1,g2,co:S/2,h2,g3,co:S/3,h3,g4,h4"});
}

TEST_CASE("a table of ids subscribes and unsubscribes each of them") {
    auto r = run_script(R"LUA(
        local got = {}
        local function cb(x) got[#got + 1] = x end
        sys.subscribe({"A", "B"}, cb)
        sys.publish("A", "a")
        sys.publish("B", "b")
        sys.timerStart(function()
            sys.unsubscribe({"A", "B"}, cb)
            sys.publish("A", "a2")
            sys.timerStart(function() log.info("t", table.concat(got, ",")) os.exit(0) end, 10)
        end, 10)
        sys.run()
    )LUA");
    CHECK(r.lines == Lines{"I/user.t a,b"});
}

TEST_CASE("a waitUntil with a table of ids wakes on any of them") {
    auto r = run_script(R"LUA(
        sys.taskInit(function()
            sys.publish("B", 2)
            log.info("t", sys.waitUntil({"A", "B"}, 1000))
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(r.lines == Lines{"I/user.t true 2"});
}

TEST_CASE("sys.publish from native code (IP_READY) reaches tasks and functions in order") {
    auto r = run_script(R"LUA(
        sys.subscribe("IP_READY", function(ip, adapter) log.info("t", "fn", ip, adapter) end)
        sys.taskInit(function()
            local ok, ip, adapter = sys.waitUntil("IP_READY", 2000)
            log.info("t", "task", ok, ip, adapter)
            sys.wait(20)
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t fn 10.0.2.15 1", "I/user.t task true 10.0.2.15 1"});
}
