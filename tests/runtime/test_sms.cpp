// sms on the simulated SMS network (docs/modules/sms.md): LuatOS's luat_lib_sms.c and luat_sms.c,
// what it logs, publishes and returns; SMS from the outside world.
#include <catch2/catch.hpp>

#include "board_steps.hpp"
#include "script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;

namespace {

std::function<void(platform_air780ep::Board&)> sms_from(std::string from, std::string text) {
    return [from, text](platform_air780ep::Board& b) {
        b.deliver_sms(platform_air780ep::IncomingSms{from, text});
    };
}

}  // namespace

TEST_CASE("sms: the functions of the EC718 firmware (no unpack: that one is the Windows simulator's)") {
    auto r = run_script(R"LUA(
        local names = {}
        for k in pairs(sms) do names[#names + 1] = k end
        table.sort(names)
        log.info("t", table.concat(names, " "))
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r) ==
          Lines{"I/user.t autoLong clearLong debug send sendLong setNewSmsCb setReportCb"});
}

TEST_CASE("sms: send logs the PDU length, the network takes it, SMS_SENT follows with LuatOS's arguments") {
    auto r = run_script(R"LUA(
        sys.subscribe("SMS_SENT", function(ok, rp, rps, mr, err, refs)
            log.info("t", "SMS_SENT", ok, rp, rps, mr, err, table.concat(refs, ","))
        end)
        sys.taskInit(function()
            log.info("t", sms.send("10001", "102"))
            log.info("t", select('#', sms.send("10001", "again")))
            local got, ok = sys.waitUntil("SMS_SENT", 1000)
            log.info("t", got, ok)
            log.info("t", select('#', sms.send("10001", "")), select('#', sms.send("12", "x")),
                     select('#', sms.send(string.rep("1", 30), "x")))
            log.info("t", sms.send("+8613800138000", string.rep("a", 161)))
            sys.waitUntil("SMS_SENT", 2000)
            log.info("t", sms.send("10086", "caf\xc3\xa9"))
            sys.waitUntil("SMS_SENT", 2000)
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(lines_but_vm_exit(r) ==
          Lines{"D/sms pdu len 14", "I/board sms to 10001: 102", "I/user.t true", "E/sms sms is busy",
                "I/user.t 0", "I/user.t SMS_SENT true 0 SUCCESS 0 0 0", "I/user.t true true",
                "E/sms sms is empty", "E/sms phone is too short or too long!! 2",
                "E/sms phone is too short or too long!! 30", "I/user.t 0 0 0", "D/sms pdu len 155",
                "I/user.t true", "I/board sms to 8613800138000: " + std::string(161, 'a'),
                "I/user.t SMS_SENT true 0 SUCCESS 2 0 1,2",
                // LuatOS reads é (C3 A9) as the start of a three-byte sequence: U+3A40 goes out.
                "D/sms pdu len 19", "I/board sms to 10086: caf\xe3\xa9\x80", "I/user.t true",
                "I/user.t SMS_SENT true 0 SUCCESS 3 0 3"});
}

TEST_CASE("sms: sendLong gives a sys_cw object whose wait() returns the result") {
    auto r = run_script(R"LUA(
        sys.taskInit(function()
            local w = sms.sendLong("10086", "hello")
            log.info("t", type(w), sms.sendLong("10086", "x").wait(), select('#', sms.send("10086", "x")))
            log.info("t", w.wait())
            log.info("t", sms.sendLong("10086", "").wait())
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(lines_but_vm_exit(r) == Lines{"D/sms pdu len 16", "I/board sms to 10086: hello",
                                        "E/sms sms is busy", "E/sms sms is busy", "I/user.t table false 0",
                                        "I/user.t true", "E/sms sms is empty", "I/user.t false"});
}

TEST_CASE("sms: a status report request gives SMS_REPORT, the report callback first") {
    auto r = run_script(R"LUA(
        sys.subscribe("SMS_REPORT", function(mr, st, sts, phone, dt)
            log.info("t", "SMS_REPORT", mr, st, sts, phone, #dt, dt:match("^%d%d%-%d%d%-%d%d %d%d:%d%d:%d%d$") ~= nil)
            os.exit(0)
        end)
        sms.setReportCb(function(mr, st, sts, phone) log.info("t", "cb", mr, st, sts, phone) end)
        log.info("t", sms.send("13800138000", "hi", true, true))
        sys.run()
    )LUA");
    CHECK(lines_but_vm_exit(r) == Lines{"D/sms pdu len 18", "I/board sms to 8613800138000: hi",
                                        "I/user.t true", "I/user.t cb 0 0 SUCCESS 8613800138000",
                                        "I/user.t SMS_REPORT 0 0 SUCCESS 8613800138000 17 true"});
}

TEST_CASE("sms: an SMS from outside: the callback, then SMS_INC (phone, text, metas), long ones joined") {
    auto r = run_script(
        R"LUA(
        local count = 0
        sms.setNewSmsCb(function(num, txt, m)
            log.info("t", "cb", num, txt, m.refNum, m.seqNum, m.maxNum, m.tz, m.year >= 26, m.mon >= 1, m.sec <= 59)
        end)
        sys.subscribe("SMS_INC", function(num, txt, metas)
            log.info("t", "SMS_INC", num, #txt, type(metas))
            count = count + 1
            if count == 3 then os.exit(0) end
        end)
        sys.run()
    )LUA",
        ScriptOptions{.setup = board_steps(
                          {{std::chrono::milliseconds(10), sms_from("+8613800138000", "hello")},
                           {std::chrono::milliseconds(5), sms_from("10086", "\xe4\xbd\xa0\xe5\xa5\xbd")},
                           {std::chrono::milliseconds(5), sms_from("10086", std::string(200, 'x'))}})});
    CHECK(lines_but_vm_exit(r) ==
          Lines{"D/sms dcs 0 | 0 | 0 | 0", "I/user.t cb 8613800138000 hello 0 0 0 0 true true true",
                "I/user.t SMS_INC 8613800138000 5 table", "D/sms dcs 8 | 0 | 0 | 0",
                "I/user.t cb 10086 \xe4\xbd\xa0\xe5\xa5\xbd 0 0 0 0 true true true",
                "I/user.t SMS_INC 10086 6 table", "D/sms dcs 0 | 0 | 0 | 0",
                "I/sms long-sms, wait more frags 1/2", "D/sms dcs 0 | 0 | 0 | 0", "I/sms long-sms is ok",
                "I/user.t cb 10086 " + std::string(200, 'x') + " 2 2 2 0 true true true",
                "I/user.t SMS_INC 10086 200 table"});
}

TEST_CASE("sms: autoLong(false) gives each part on its own, debug logs the PDUs, clearLong counts") {
    auto r =
        run_script(R"LUA(
        log.info("t", sms.autoLong(false), sms.autoLong(), sms.clearLong())
        sms.debug(true)
        local parts = 0
        sys.subscribe("SMS_INC", function(num, txt, m)
            log.info("t", "part", m.seqNum, m.maxNum, #txt)
            parts = parts + 1
            if parts == 2 then sms.debug(false) os.exit(0) end
        end)
        sys.run()
    )LUA",
                   ScriptOptions{.setup = board_steps({{std::chrono::milliseconds(10),
                                                        sms_from("10086", std::string(160, 'y') + "z")}})});
    Lines lines = lines_but_vm_exit(r);
    for (auto& l : lines) {
        if (l.starts_with("I/sms PDU Data: ")) l = "I/sms PDU Data: <hex>";  // the time stamp varies
    }
    CHECK(lines == Lines{"I/user.t false false 0", "I/sms SMS debug enabled", "I/sms PDU Data: <hex>",
                         "I/sms PDU Data: <hex>", "D/sms dcs 0 | 0 | 0 | 0", "I/user.t part 1 2 153",
                         "D/sms dcs 0 | 0 | 0 | 0", "I/user.t part 2 2 8", "I/sms SMS debug disabled"});
}

TEST_CASE("sms: an SMS that arrived while the module was off comes once the scripts run") {
    auto r = run_script(R"LUA(
        sys.subscribe("SMS_INC", function(num, txt) log.info("t", num, txt) os.exit(0) end)
        sys.run()
    )LUA",
                        ScriptOptions{.setup = [](lua_bindings::Device& d) {
                            d.board().deliver_sms(platform_air780ep::IncomingSms{"10086", "while off"});
                        }});
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t 10086 while off"});
}
