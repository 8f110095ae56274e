// i2c and spi with nothing on the bus (docs/modules/i2c.md, spi.md; onewire is nil, absent.md): exactly
// what LuatOS gives when no device answers, and the software buses on the board's pins.
#include <catch2/catch.hpp>

#include "board_steps.hpp"
#include "script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;

TEST_CASE("i2c: the functions and constants") {
    auto r = run_script(module_names_script("i2c"));
    CHECK(lines_but_vm_exit(r) ==
          Lines{"I/user.t FAST=1 HSMODE=3 PLUS=2 SLOW=0 STOP_DELAY=1 close config createSoft exist "
                "readDHT12 readReg readSHT30 recv scan send setup transfer writeReg xfer"});
}

TEST_CASE("i2c: a hardware bus with no device: false, empty strings and LuatOS's debug lines") {
    auto r = run_script(R"LUA(
        log.info("t", i2c.exist(0), i2c.exist(1), i2c.exist(2), i2c.exist(-1))
        log.info("t", i2c.setup(0), i2c.setup(1, i2c.FAST), i2c.setup(2), i2c.setup(1, i2c.SLOW, true))
        log.info("t", i2c.send(0, 0x44, 0x75), i2c.send(1, 0x44, string.char(0x2c, 0x06)), i2c.send(1, 0x44, {1, 2}),
                 i2c.send(1, 0x44), i2c.send(2, 0x44, "x"))
        log.info("t", "[" .. i2c.recv(1, 0x44, 6) .. "]", #i2c.recv(1, 0x44, 0))
        log.info("t", i2c.writeReg(1, 0x44, 0x01, "\0\242"), "[" .. i2c.readReg(1, 0x44, 0x01, 2) .. "]")
        log.info("t", i2c.readDHT12(1), i2c.readSHT30(1), i2c.readSHT30())
        local ok, data = i2c.transfer(1, 0x44, 0x00, nil, 2)
        log.info("t", ok, #data, data:toHex(), i2c.transfer(1, 0x44, "\1\2"))
        log.info("t", select(2, i2c.transfer(1, 0x44, {1, 2}, nil, nil)), i2c.config(1, i2c.STOP_DELAY, 30),
                 select('#', i2c.close(1)))
        log.info("t", #i2c.recv(1, 0x44, -1))
        log.info("t", select(2, pcall(function() i2c.transfer(1, 0x44, true) end)))
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r) ==
          Lines{"I/user.t true true false true", "I/user.t 1 1 0 1", "I/user.t false false false false false",
                "D/i2c i2c receive result -1", "D/i2c i2c receive result -1", "I/user.t [] 0",
                "D/i2c i2c send result -1", "I/user.t false []", "D/i2c DHT12 i2c bus write fail",
                "I/user.t false false false", "I/user.t false 2 0000 false nil", "I/user.t nil true 0",
                "E/i2c out of memory when malloc i2c recv buffer", "I/user.t 0",
                "I/user.t [string \"main.lua\"]:14: bad argument #3 to 'transfer' (ZBUFF* expected, got "
                "boolean)"});
}

TEST_CASE("i2c: scan prints LuatOS's table, every address empty") {
    auto r = run_script(R"LUA(
        i2c.scan(1)
        os.exit(0)
    )LUA");
    std::string table = "D/i2c \nID  0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f\n";
    for (int row = 0; row < 8; ++row)
        table += std::to_string(row) + "0: -- -- -- -- -- -- -- -- -- -- -- -- -- -- -- -- \n";
    CHECK(lines_but_vm_exit(r) == Lines{table});
}

TEST_CASE("i2c: xfer starts, then publishes the topic with (id, false, code), a busy bus refuses") {
    auto r = run_script(R"LUA(
        sys.taskInit(function()
            log.info("t", i2c.xfer(1, 0x44, nil, nil, nil, "I2CDONE"), i2c.xfer(1, 0x44, nil, nil, nil, "I2CDONE"),
                     i2c.xfer(2, 0x44, nil, nil, nil, "I2CDONE"))
            log.info("t", sys.waitUntil("I2CDONE", 1000))
            log.info("t", select(2, pcall(function() i2c.xfer(1, 0x44) end)))
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(lines_but_vm_exit(r) ==
          Lines{"I/user.t true false false", "I/user.t true 1 false 65535",
                "I/user.t [string \"main.lua\"]:6: bad argument #6 to 'xfer' (string expected, got "
                "no value)"});
}

TEST_CASE("i2c: a software bus reads SDA from the board: no ACK when it floats high, zeros when held low") {
    const char* script = R"LUA(
        local bus = i2c.createSoft(10, 11)
        log.info("t", type(bus), i2c.setup(bus), i2c.send(bus, 0x44, "\1"), "[" .. i2c.recv(bus, 0x44, 3):toHex() .. "]")
        local ok, data = i2c.transfer(bus, 0x44, 0x01, nil, 2)
        log.info("t", ok, data:toHex(), i2c.readDHT12(bus), i2c.readSHT30(bus), i2c.writeReg(bus, 0x44, 1, "x"))
        log.info("t", select(2, pcall(function() i2c.close(bus) end)))
        os.exit(0)
    )LUA";
    auto floating = run_script(script);
    CHECK(lines_but_vm_exit(floating) ==
          Lines{"D/board gpio10 out 1", "D/board gpio11 out 1", "D/i2c 软件i2c不需要再执行i2c.setup",
                "D/i2c i2c receive result -1", "I/user.t userdata 1 false []",
                "D/i2c DHT12 i2c bus write fail", "I/user.t false 0000 false false false",
                "I/user.t [string \"main.lua\"]:6: bad argument #1 to 'close' (number expected, got EI2C*)"});
    auto held =
        run_script(script, ScriptOptions{.setup = [](lua_bindings::Device& d) { d.board().drive(11, 0); }});
    CHECK(lines_but_vm_exit(held) ==
          Lines{"D/board gpio10 out 1", "D/board gpio11 out 1", "D/i2c 软件i2c不需要再执行i2c.setup",
                "I/user.t userdata 1 true [000000]", "D/i2c DHT12 DATA emtry", "D/i2c SHT30 DATA emtry",
                "I/user.t true 0000 false false true",
                "I/user.t [string \"main.lua\"]:6: bad argument #1 to 'close' (number expected, got "
                "EI2C*)"});
}

TEST_CASE("spi: the functions and constants") {
    auto r = run_script(module_names_script("spi"));
    CHECK(lines_but_vm_exit(r) ==
          Lines{"I/user.t HSPI_0=5 LSB=0 MSB=1 SPI_0=0 SPI_1=1 SPI_2=2 SPI_3=3 SPI_4=4 close "
                "createSoft deviceSend deviceSetup deviceTransfer full=1 half=0 master=1 recv send "
                "setup slave=0 transfer xfer"});
}

TEST_CASE("spi: hardware buses complete every transfer, with no device MISO gives zeros") {
    auto r = run_script(R"LUA(
        log.info("t", spi.setup(0, nil, 0, 0, 8, 2000000, spi.MSB, 1, 1), spi.setup(2), spi.setup(1, 12))
        log.info("t", spi.send(0, "123"), spi.send(2, "123"), spi.send(0, ""), spi.send(0, "1234", 2))
        log.info("t", spi.recv(0, 4):toHex(), select('#', spi.recv(2, 4)), select('#', spi.recv(0, 0)))
        log.info("t", spi.transfer(0, "123"):toHex(), spi.transfer(0, "123", 3, 3):toHex(), spi.transfer(0, ""),
                 select('#', spi.transfer(0, "1", 1, 0)), select('#', spi.transfer(3, "1")))
        log.info("t", spi.close(0), spi.close("x"), spi.xfer(0, nil, nil, 4, "DONE"))
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r) == Lines{"I/user.t 0 -1 0", "I/user.t 3 -1 0 2", "I/user.t 00000000 0 0",
                                        "I/user.t 00 000000  0 0", "I/user.t 0 0 false"});
}

TEST_CASE("spi: device objects, their methods and LuatOS's results") {
    auto r = run_script(R"LUA(
        local dev = spi.deviceSetup(0, 8, 0, 0, 8, 2000000, spi.MSB, 1, 1)
        log.info("t", type(dev), dev.foo, dev.send == dev.send)
        log.info("t", dev:send("abc"), dev:send({1, 2}), dev:transfer("abcd"):toHex(), dev:transfer("ab", nil, 4):toHex(),
                 dev:transfer("x", nil, 0))
        log.info("t", dev:recv(3):toHex(), select('#', dev:recv(0)), "[" .. spi.recv(dev, 2) .. "]")
        log.info("t", spi.deviceSend(dev, "zz"), spi.deviceTransfer(dev, "q"):toHex(), dev:close(), spi.close(dev))
        local half = spi.deviceSetup(1, nil, 0, 0, 8, 2000000, spi.MSB, 1, 0)
        log.info("t", (half:transfer("abcd", nil, 2):toHex()))
        local bad = spi.deviceSetup(5)
        log.info("t", bad:send("x"), select('#', bad:transfer("x")), select('#', bad:recv(2)))
        log.info("t", select('#', dev:send(true)))
        log.info("t", select(2, pcall(function() spi.deviceSend(1, "x") end)))
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r) ==
          Lines{"D/board gpio8 out 1", "I/user.t userdata nil true", "I/user.t 3 2 00000000 00000000 ",
                "I/user.t 000000 0 []", "I/user.t 2 00 true 0", "I/user.t 0000", "I/user.t -1 0 0",
                "E/spi spi_device transfer first arg error", "I/user.t 0",
                "I/user.t [string \"main.lua\"]:13: bad argument #1 to 'deviceSend' (SPI* expected, "
                "got number)"});
}

TEST_CASE("spi: a software bus drives its pins on the board and samples MISO there") {
    // LuatOS makes the userdata before reading the arguments, so it sits where a missing sixth
    // argument would be: createSoft wants all ten.
    const char* script = R"LUA(
        log.info("t", select(2, pcall(function() spi.createSoft(20, 21, 22, 23) end)))
        local s = spi.createSoft(20, 21, 22, 23, 0, 0, 8, spi.MSB, 1, 0)
        log.info("t", type(s), spi.send(s, "\x81"), spi.recv(s, 2):toHex(), spi.transfer(s, "ab"):toHex(),
                 (spi.transfer(s, "ab", 2, 2):toHex()))
        spi.send(s, "\x80")
        spi.recv(s, 1)
        os.exit(0)
    )LUA";
    auto floating = run_script(script);
    CHECK(lines_but_vm_exit(floating) ==
          Lines{"I/user.t [string \"main.lua\"]:2: bad argument #5 to 'createSoft' (number "
                "expected, got userdata)",
                "D/board gpio20 out 1", "D/board gpio21 out 1", "D/board gpio23 out 0",
                "I/user.t userdata 0 0000 00 0000", "D/board gpio21 out 0", "D/board gpio21 out 1"});
    auto high =
        run_script(script, ScriptOptions{.setup = [](lua_bindings::Device& d) { d.board().drive(22, 1); }});
    CHECK(lines_with(high, "I/user.t userdata") == Lines{"I/user.t userdata 0 FFFF FF FFFF"});
}

TEST_CASE("spi: a device object collected during a run gives LuatOS's warning, the run's end does not") {
    auto r = run_script(R"LUA(
        do local d = spi.deviceSetup(1) end
        collectgarbage() collectgarbage()
        keep = spi.deviceSetup(0)
        os.exit(0)
    )LUA");
    const Lines warnings = lines_with(r, "W/spi");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].starts_with("W/spi spi_device对象正在被回收,相关内存将释放 "));
    CHECK(warnings[0].ends_with(" , spi id=1"));
}
