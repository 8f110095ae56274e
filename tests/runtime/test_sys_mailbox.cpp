// sys: the sysplus mailboxes (taskInitEx, waitMsg, sendMsg, cleanMsg, taskDel, taskCB).
#include <catch2/catch.hpp>

#include "script_runner.hpp"

using tests::run_script;
using Lines = std::vector<std::string>;

TEST_CASE("waitMsg filters by target, hands other messages to cbFun, and times out with nil") {
    auto r = run_script(R"LUA(
        local function cbfun(msg) log.info("t", "cb", msg[1], msg[2]) end
        sys.taskInitEx(function()
            local m = sys.waitMsg("W", "GO", 1000)
            log.info("t", "got", m[1], m[2], m[3], m[4])
            local t0 = mcu.ticks()
            m = sys.waitMsg("W", "NEVER", 30)
            log.info("t", "timeout", m, mcu.ticks() - t0 >= 30)
            m = sys.waitMsg("W")  -- any message
            log.info("t", "any", m[1])
            sys.taskDel("W")
            log.info("t", "after taskDel", sys.sendMsg("W", "x"), sys.cleanMsg("W"))
            os.exit(0)
        end, "W", cbfun)
        log.info("t", "send", sys.sendMsg("W", "NOISE", 1), sys.sendMsg("W", "GO", 2, 3, nil, "dropped"))
        sys.timerStart(function() sys.sendMsg("W", "ANY") end, 80)
        sys.run()
    )LUA");
    CHECK(r.lines == Lines{"I/user.t send true true", "I/user.t cb NOISE 1", "I/user.t got GO 2 3 nil",
                           "I/user.t timeout nil true", "I/user.t any ANY",
                           "I/user.t after taskDel false false"});
}

TEST_CASE("waitMsg first drains what is already queued, without cbFun other messages are dropped") {
    auto r = run_script(R"LUA(
        sys.taskInitEx(function()
            sys.waitUntil("START")
            local m = sys.waitMsg("Q", "B", 100)  -- A is dropped, B returned without waiting
            log.info("t", m[1], m[2])
            m = sys.waitMsg("Q", nil, 100)         -- C is next
            log.info("t", m[1])
            log.info("t", "cleaned", sys.sendMsg("Q", "D"), sys.cleanMsg("Q"), sys.waitMsg("Q", nil, 20))
            os.exit(0)
        end, "Q")
        sys.sendMsg("Q", "A", 1)
        sys.sendMsg("Q", "B", 2)
        sys.sendMsg("Q", "C", 3)
        sys.publish("START")
        sys.run()
    )LUA");
    CHECK(r.lines == Lines{"I/user.t B 2", "I/user.t C", "I/user.t cleaned true true nil"});
}

TEST_CASE("waitMsg on an unknown mailbox and taskInitEx without a name log LuatOS's errors") {
    auto r = run_script(R"LUA(
        log.info("t", "waitMsg", sys.waitMsg("nope", "x", 10))
        log.info("t", "taskInitEx", select('#', sys.taskInitEx(function() end, nil)))
        sys.taskCB("nobody", {})
        local seen
        sys.taskInitEx(function() end, "T", function(msg) seen = msg[1] end)
        sys.taskCB("T", {"hello"})
        log.info("t", "taskCB", seen)
        os.exit(0)
    )LUA");
    REQUIRE(r.lines.size() == 6);
    CHECK(r.lines[0] == "E/user.sys sys.taskInitEx启动的task才能使用waitMsg");
    CHECK(r.lines[1] == "I/user.t waitMsg false");
    CHECK(r.lines[2].starts_with("E/user.sys taskName is nil stack traceback:\n\t"));
    CHECK(r.lines[3] == "I/user.t taskInitEx 0");
    CHECK(r.lines[4] == "E/user.nobody no cb fun");
    CHECK(r.lines[5] == "I/user.t taskCB hello");
}

TEST_CASE("sendMsg carries four parameters and wakes the waiting task once per message") {
    auto r = run_script(R"LUA(
        sys.taskInitEx(function()
            for i = 1, 3 do
                local m = sys.waitMsg("P")
                log.info("t", i, m[1], m[2], m[3], m[4], m[5])
            end
            os.exit(0)
        end, "P")
        sys.timerStart(function()
            sys.sendMsg("P", 1, 2, 3, 4, 5)
            sys.sendMsg("P", "b")
            sys_send("P", "c")
        end, 5)
        sys.run()
    )LUA");
    CHECK(r.lines ==
          Lines{"I/user.t 1 1 2 3 4 nil", "I/user.t 2 b nil nil nil nil", "I/user.t 3 c nil nil nil nil"});
}
