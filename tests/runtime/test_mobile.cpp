// mobile extras, rtos.setPaths/autoCollectMem/version(true), mcu extras (docs/modules/mobile.md,
// rtos.md, mcu.md).
#include <catch2/catch.hpp>

#include "script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;

TEST_CASE(
    "mobile: flymode takes LWIP_GP down (IP_LOSE) and back (IP_READY) - status / signal and cell follow") {
    auto r = run_script(R"LUA(
        sys.subscribe("IP_LOSE", function(a) log.info("t", "IP_LOSE", a) end)
        sys.taskInit(function()
            sys.waitUntil("IP_READY")
            log.info("t", mobile.status(), mobile.csq(), mobile.apn(), mobile.eci(), mobile.tac(), mobile.enbid())
            log.info("t", mobile.flymode(0, true))
            sys.wait(20)
            log.info("t", mobile.status(), mobile.csq(), mobile.rssi(), mobile.apn(), mobile.eci(), mobile.scell())
            log.info("t", mobile.flymode(0, false), mobile.flymode())
            log.info("t", "ready again", sys.waitUntil("IP_READY", 2000), mobile.status())
            mobile.reset()
            log.info("t", "after reset", sys.waitUntil("IP_READY", 2000))
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t 1 24 cmnet 11911587 23100 46529", "I/user.t false",
                                             "I/user.t IP_LOSE 1", "I/user.t 0 99 0 nil -1",
                                             "I/user.t true false", "I/user.t ready again true 1",
                                             "I/user.t IP_LOSE 1", "I/user.t after reset true 10.0.2.15 1"});
}

TEST_CASE(
    "mobile: reqCellInfo publishes CELL_INFO_UPDATE / then getCellInfo has the serving cell - SIM_IND RDY at "
    "boot") {
    auto r = run_script(R"LUA(
        sys.subscribe("SIM_IND", function(s) log.info("t", "SIM_IND", s) end)
        sys.subscribe("CELL_INFO_UPDATE", function()
            local cells = mobile.getCellInfo()
            log.info("t", "cells", #cells, cells[1].mcc, cells[1].mnc, cells[1].band, cells[1].rsrp, cells[1].tac)
            os.exit(0)
        end)
        sys.taskInit(function()
            sys.waitUntil("IP_READY")
            log.info("t", #mobile.getCellInfo())
            local sc = mobile.scell()
            log.info("t", sc.mcc, sc.earfcn, sc.band, sc.rsrq)
            mobile.reqCellInfo(1)
        end)
        sys.run()
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t SIM_IND RDY", "I/user.t 0", "I/user.t 460 1300 3 -9",
                                             "I/user.t cells 2 460 0 3 -85 23100"});
    CHECK(lines_with(r, "W/mobile") == Lines{"W/mobile 请先调用 mobile.reqCellInfo()!!"});
}

TEST_CASE("mobile: simid / apn set / ipv6 / muid / number / config / constants") {
    auto r = run_script(R"LUA(
        log.info("t", mobile.simid(2, true), mobile.simid(), mobile.apn(0, 1, "", "", "", nil, 0))
        log.info("t", mobile.ipv6(), mobile.ipv6(true), mobile.ipv6(), mobile.muid(), mobile.number(0))
        log.info("t", mobile.config(mobile.CONF_SIM_WC_MODE, 2), mobile.config(0, 1), mobile.simPin())
        log.info("t", mobile.UNREGISTER, mobile.REGISTERED, mobile.SEARCH, mobile.DENIED, mobile.UNKNOW,
                 mobile.REGISTERED_ROAMING, mobile.CONF_SIM_WC_MODE, mobile.CONF_MAX_TX_POWER, mobile.PIN_UNBLOCK)
        log.info("t", pcall(mobile.simid, "x"))
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") ==
          Lines{"I/user.t 0 0 nil", "I/user.t false true true 123456789ABCDEF0 nil",
                "I/user.t true false true", "I/user.t 0 1 2 3 4 5 8 13 4", "I/user.t true 0"});
    CHECK(lines_with(r, "I/mobile") == Lines{"I/mobile sim set to 2 , ret 0", "I/mobile l_mobile_muid called",
                                             "I/mobile l_mobile_muid ret=16"});
}

TEST_CASE("rtos: version(true) / setPaths' templates searched before the image / autoCollectMem's checks") {
    auto r = run_script(R"LUA(
        log.info("t", rtos.version(true))
        io.mkdir("/sd") io.writeFile("/sd/extra.lua", "return 'from /sd'")
        log.info("t", pcall(rtos.setPaths, "/sd/%s"), pcall(rtos.setPaths, "/sd/%s/%s"))
        log.info("t", pcall(rtos.setPaths, string.rep("x", 22) .. "%s"))
        rtos.setPaths("/sd/%s.lua")
        log.info("t", require("extra"), require("mod"))
        rtos.autoCollectMem(50, 60, 70) rtos.autoCollectMem(70000)
        os.exit(0)
    )LUA",
                        ScriptOptions{.files = {{"mod.lua", "return 'from luadb'"}}});
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t V2035 0 64",
                                             "I/user.t true false search path must contain exactly one %s",
                                             "I/user.t false search path too long, max 23 bytes",
                                             "I/user.t from /sd from luadb /luadb/mod.lua"});
    CHECK(lines_with(r, "D/rtos") == Lines{"D/rtos mem collect param 100,80,90 -> 50,60,70"});
}

TEST_CASE("mcu: setClk/getClk / hardfault / reg32 disabled / the peripheral constants") {
    auto r = run_script(R"LUA(
        log.info("t", mcu.setClk(24), mcu.getClk(), mcu.hardfault(0), mcu.reg32(0x1000), mcu.reg32(0x1000, 1), mcu.muid())
        log.info("t", mcu.UART, mcu.I2C, mcu.SPI, mcu.PWM, mcu.CAN, mcu.GPIO, mcu.I2S, mcu.SDIO, mcu.LCD, mcu.CAM,
                 mcu.CAMERA, mcu.ONEWIRE, mcu.KEYBORAD, mcu.ETH)
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") ==
          Lines{"I/user.t true 307 nil 0 0 123456789ABCDEF0", "I/user.t 0 1 2 3 4 5 6 7 8 9 9 10 11 12"});
    CHECK(lines_with(r, "W/mcu") == Lines{"W/mcu mcu.reg32 is disabled for security reasons"});
}
