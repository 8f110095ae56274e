// pm: sleep modes, deep-sleep timers and the last boot's reasons (docs/modules/pm.md).
#include <catch2/catch.hpp>

#include "script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;

TEST_CASE("pm: LuatOS's constants - lastReson after a power-on and after rtos.reboot") {
    auto r = run_script(R"LUA(
        log.info("t", pm.NONE, pm.IDLE, pm.LIGHT, pm.DEEP, pm.HIB, pm.USB, pm.GPS, pm.GPS_ANT, pm.CAMERA,
                 pm.DAC_EN, pm.PWK_MODE, pm.WORK_MODE, pm.LDO_CTL, pm.WIFI, pm.WIFI_STA_DTIM, pm.WIFI_AP_DTIM)
        log.info("t", pm.IOVOL_ALL_GPIO, pm.IOVOL_SDIO, pm.IOVOL_LCD, pm.IOVOL_CAMA, pm.IOVOL_CAMD, pm.ID_NATIVE, pm.ID_WIFI)
        log.info("t", pm.lastReson())
        if io.exists("/rebooted") then os.exit(0) end
        io.writeFile("/rebooted", "1")
        pm.reboot()
    )LUA");
    CHECK(lines_with(r, "I/user.t") ==
          Lines{"I/user.t 0 1 2 3 4 0 1 2 3 4 5 6 7 10 8 9", "I/user.t 0 1 2 3 4 0 1", "I/user.t 0 0 0 0",
                "I/user.t 0 1 2 3 4 0 1 2 3 4 5 6 7 10 8 9", "I/user.t 0 1 2 3 4 0 1", "I/user.t 0 0 3 0"});
}

TEST_CASE("pm: request / force and check as the EC718 logs them - power / ioVol / wakeupPin / keep") {
    auto r = run_script(R"LUA(
        log.info("t", pm.request(pm.LIGHT), pm.request(9), pm.force(pm.IDLE), pm.force(-1))
        log.info("t", pm.check())
        log.info("t", pm.power(pm.USB, false), pm.power(pm.GPS, true), pm.power(pm.GPS_ANT, true), pm.power(pm.WIFI, 1),
                 pm.power(pm.WORK_MODE, 1))
        log.info("t", pm.ioVol(), pm.ioVol(pm.IOVOL_ALL_GPIO, 1800), pm.ioVol(pm.IOVOL_ALL_GPIO, 2200), pm.ioVol(0, 3600))
        log.info("t", pm.wakeupPin({23, 24}), pm.keep(), pm.keep(3, 1))
        log.info("t", pcall(pm.request, 1.5))
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") ==
          Lines{"I/user.t true false 0 -2", "I/user.t false 1", "I/user.t true true false false true",
                "I/user.t true true false true", "I/user.t true -1 -1",
                "I/user.t false bad argument #1 to 'pm.request' (number has no integer representation)"});
    Lines pm_lines;
    for (const auto& l : r.lines) {
        if (l.find("/pm ") != std::string::npos) pm_lines.push_back(l);
    }
    CHECK(pm_lines == Lines{"I/pm request mode=Slp1, prev=Idle", "W/pm bad mode=9",
                            "I/pm force request mode=1, prev mode=2", "W/pm bad mode=-1",
                            "I/pm bsp sleep state 4, 4, 4, 1, 0, 0", "I/pm bsp sleep mode 1, Idle",
                            "I/pm bsp sleep state 4, 4, 4, 1, 0, 0", "I/pm bsp sleep mode 1, Idle",
                            "W/pm iovolt: out of range 0 2200", "W/pm not support yet",
                            "W/pm not support yet"});
}

TEST_CASE("pm: light sleep keeps the script running") {
    auto r = run_script(R"LUA(
        pm.request(pm.LIGHT)
        sys.taskInit(function() sys.wait(1500) log.info("t", "still running") os.exit(0) end)
        sys.run()
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t still running"});
    CHECK(r.boots == 1);
}

TEST_CASE(
    "pm: deep sleep ends the run - the deep-sleep timer wakes it with LuatOS's reasons and DTIMER_WAKEUP") {
    auto r = run_script(R"LUA(
        local reason = {pm.lastReson()}
        log.info("t", "boot", table.concat(reason, ","), pm.dtimerWkId())
        if reason[1] == 1 then
            sys.subscribe("DTIMER_WAKEUP", function(id)
                log.info("t", "DTIMER_WAKEUP", id, mcu.ticks() - tonumber(io.readFile("/slept_at")) >= 1500)
                os.exit(0)
            end)
        else
            io.writeFile("/slept_at", tostring(mcu.ticks()))
            log.info("t", pm.dtimerStart(0, 1500), pm.dtimerStart(7, 300), pm.dtimerCheck(0))
            pm.request(pm.DEEP)
            sys.taskInit(function() sys.wait(5000) log.info("t", "not asleep") end)
        end
        sys.run()
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t boot 0,0,0,0 -1", "I/user.t true false true 1500",
                                             "I/user.t boot 1,3,0,0 0", "I/user.t DTIMER_WAKEUP 0 true"});
    Lines pm_lines;
    for (const auto& l : r.lines) {
        // (how long is left when it falls asleep depends on the machine's speed: the prefix only)
        if (l.starts_with("I/pm ")) pm_lines.push_back(l.substr(0, l.find(" wakes up in")));
    }
    CHECK(pm_lines == Lines{"I/pm request mode=Slp2, prev=Idle", "I/pm sleep Slp2, dtimer 0",
                            "I/pm DeepTimer Wakeup by id=0", "I/pm poweron: Wakup Sleep2 by RTC 0"});
    CHECK(r.boots == 2);
}

TEST_CASE("pm: PSM+ (pm.power(pm.WORK_MODE / 3)) wakes from hibernate: lastReson 1 / 4 / 0 / 0") {
    auto r = run_script(R"LUA(
        if pm.lastReson() == 1 then log.info("t", pm.lastReson()) os.exit(0) end
        pm.dtimerStart(2, 1200)
        pm.power(pm.WORK_MODE, 3)
        sys.taskInit(function() sys.wait(80000) log.info("t", "not asleep") end)
        sys.run()
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t 1 4 0 0"});
    CHECK(lines_with(r, "I/pm poweron") == Lines{"I/pm poweron: Wakup Hib by RTC 2"});
}

TEST_CASE(
    "pm: without a deep-sleep timer the module sleeps until the run ends - a short timer keeps it awake") {
    auto r = run_script(R"LUA(
        pm.request(pm.HIB)
        log.info("t", "requested")
        local loop = sys.timerLoopStart(function() end, 500)
        sys.timerStart(function() sys.timerStop(loop) log.info("t", "timers stopped") end, 1500)
        sys.run()
    )LUA",
                        ScriptOptions{.run_for = std::chrono::milliseconds(4000)});
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t requested", "I/user.t timers stopped"});
    CHECK(lines_with(r, "I/pm sleep") == Lines{"I/pm sleep Hibn, no wake-up source"});
    CHECK(r.boots == 1);
    CHECK(r.exit_code == 0);
}

TEST_CASE("pm: a deep-sleep timer that ends while awake publishes DTIMER_WAKEUP - dtimerStop / dtimerList") {
    auto r = run_script(R"LUA(
        sys.subscribe("DTIMER_WAKEUP", function(id)
            log.info("t", "wakeup", id, pm.dtimerWkId(), pm.dtimerCheck(1), pm.dtimerList()[2], pm.dtimerList()[4] ~= nil)
            os.exit(0)
        end)
        pm.dtimerStart(1, 100) pm.dtimerStart(3, 60000) pm.dtimerStart(4, 60000) pm.dtimerStop(4)
        local list = pm.dtimerList()
        log.info("t", list[2] ~= nil, list[4] > 59000, list[5])
        sys.run()
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t true true nil", "I/user.t wakeup 1 1 false nil true"});
}

TEST_CASE(
    "pm: a deep-sleep timer keeps running across rtos.reboot - dtimerCheck stops one within 500 ms of its "
    "end") {
    auto r = run_script(R"LUA(
        if not io.exists("/b") then
            io.writeFile("/b", "1")
            pm.dtimerStart(5, 60000) pm.dtimerStart(6, 400)
            rtos.reboot()
        end
        local ok, remain = pm.dtimerCheck(5)
        log.info("t", ok, remain > 50000, pm.dtimerCheck(6), pm.dtimerCheck(6), pm.lastReson())
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t true true false false 0 0 3 0"});
}
