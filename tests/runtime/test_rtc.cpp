// rtc as LuatOS's luat_lib_rtc.c on the EC718 (docs/modules/rtc.md): the checks, warnings and
// returns of set/get/timezone/timerStart/timerStop/setBaseYear, the clock os.time/os.date read, and
// mobile.syncTime's switch.
#include <catch2/catch.hpp>

#include "tests/runtime/script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;

TEST_CASE("rtc.set/get: the module's clock in UTC, which os.time and os.date read") {
    const auto r = run_script(R"LUA(
        log.info("t", rtc.set({year = 2024, mon = 2, day = 29, hour = 23, min = 59, sec = 30}), os.time())
        local t = rtc.get()
        log.info("t", t.year, t.mon, t.day, t.hour, t.min, t.sec, os.date("%Y-%m-%d %H:%M:%S"))
        log.info("t", rtc.set(1761639053), os.time(), os.date("!%c"))
        log.info("t", rtc.set(0), rtc.set(-1), rtc.set(0x100000000), rtc.set(1.5), rtc.set("1761639053"))
        log.info("t", rtc.set({year = 2023, mon = 2, day = 29, hour = 0, min = 0, sec = 0}))
        log.info("t", rtc.set({year = 1899, mon = 1, day = 1, hour = 0, min = 0, sec = 0}))
        log.info("t", rtc.set({year = 2024, mon = 13, day = 1, hour = 0, min = 0, sec = 0}))
        log.info("t", rtc.set({year = 2024, mon = 1, day = 1, hour = 24, min = 0, sec = 0}))
        log.info("t", rtc.set({year = 2024, mon = 1, day = 1, hour = 0, min = 60, sec = 0}))
        log.info("t", rtc.set({year = 2024, mon = 1, day = 1, hour = 0, min = 0, sec = 60}))
        log.info("t", select("#", rtc.set({year = 2024, mon = 1, day = 1, hour = 0, min = 0})))
        log.info("t", pcall(rtc.set, {year = 2024.5, mon = 1, day = 1, hour = 0, min = 0, sec = 0}))
        log.info("t", os.time())
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK(r.lines ==
          Lines{
              "I/user.t true 1709251170",
              "I/user.t 2024 2 29 23 59 30 2024-03-01 07:59:30",
              "I/user.t true 1761639053 Tue Oct 28 08:10:53 2025",
              "W/rtc rtc time invalid timestamp: 0",
              "W/rtc rtc time invalid timestamp: -1",
              "W/rtc rtc time invalid timestamp: 4294967296",
              "W/rtc rtc time need table or integer",
              "W/rtc rtc time need table or integer",
              "I/user.t false false false false false",
              "W/rtc rtc time invalid day: 2023-2-29",
              "I/user.t false",
              "W/rtc rtc time invalid year: 1899",
              "I/user.t false",
              "W/rtc rtc time invalid month: 13",
              "I/user.t false",
              "W/rtc rtc time invalid hour: 24",
              "I/user.t false",
              "W/rtc rtc time invalid minute: 60",
              "I/user.t false",
              "W/rtc rtc time invalid second: 60",
              "I/user.t false",
              "W/rtc rtc time miss sec",
              "I/user.t 0",
              "I/user.t false bad argument #-1 to 'rtc.set' (number has no integer representation)",
              "I/user.t 1761639053",
          });
}

TEST_CASE(
    "rtc.timezone in quarter hours moves os.date and the alarm, base year and syncTime answer as on the "
    "EC718") {
    const auto r = run_script(R"LUA(
        rtc.set(0x10000)
        log.info("t", rtc.timezone(), os.date("%H:%M"))
        log.info("t", rtc.timezone(-16), os.date("%H:%M"), rtc.get().hour)
        log.info("t", rtc.timezone(50), rtc.timezone(6), rtc.timezone(nil), rtc.timezone("8"), rtc.timezone())
        log.info("t", rtc.timerStart(0, {year = 2030, mon = 1, day = 1, hour = 0, min = 0, sec = 0}), rtc.timerStop(0))
        log.info("t", select("#", rtc.timerStart(0, 5)), select("#", rtc.timerStart(0, {year = 2030})))
        log.info("t", pcall(rtc.timerStart, "x", {}))
        log.info("t", select("#", rtc.setBaseYear(1900)), pcall(rtc.setBaseYear, 2051))
        log.info("t", mobile.syncTime(), mobile.syncTime(false), mobile.syncTime(1), mobile.syncTime(true))
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK(r.lines == Lines{
                         "I/user.t 32 02:12",
                         "I/user.t -16 14:12 18",
                         "W/rtc rtc timezone invalid parameter type",
                         "W/rtc rtc timezone invalid parameter type",
                         "I/user.t false false false false -16",
                         "I/user.t false false",
                         "W/rtc rtc time need table",
                         "W/rtc rtc time miss mon",
                         "I/user.t 0 0",
                         "I/user.t false bad argument #1 to 'rtc.timerStart' (number expected, got string)",
                         "W/rtc rtc invalid base year: 2051",
                         "I/user.t 0 false invalid base year",
                         "I/user.t true false false true",
                     });
}
