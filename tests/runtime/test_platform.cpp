// Platform basics seen from Lua (docs/modules/).
#include <catch2/catch.hpp>
#include <chrono>

#include "script_runner.hpp"

using tests::lines_with;
using tests::run_script;
using tests::ScriptOptions;
using Lines = std::vector<std::string>;

TEST_CASE("string.toHex / fromHex: uppercase, two return values, separator, lenient parsing") {
    auto r = run_script(R"LUA(
        log.info("t", string.toHex("\1\2\3"))
        log.info("t", ("123abc"):toHex())
        log.info("t", string.toHex("123abc", " "))
        log.info("t", string.toHex(""))
        log.info("t", string.fromHex("313233616263"), string.fromHex("31 32-33"), string.fromHex("6a6B"),
                 #string.fromHex("3"), #string.fromHex("zz"))
        log.info("t", select('#', string.fromHex("41")), string.fromHex(string.toHex("\0\255")) == "\0\255")
        log.info("t", table.concat(string.split("a,b,,c", ","), "|"), #string.split("a,b,,c", ",", true),
                 #string.split("", ","), ("x::y"):split("::")[2])
        log.info("t", ("hello"):startsWith("he"), ("hello"):endsWith("lo"), ("hello"):startsWith("lo"),
                 "[" .. string.trim("  a b \r\n") .. "]")
    )LUA");
    CHECK(Lines(r.lines.begin(), r.lines.end() - 1) ==
          Lines{"I/user.t 010203 6", "I/user.t 313233616263 12", "I/user.t 31 32 33 61 62 63  12",
                "I/user.t  0", "I/user.t 123abc 123 jk 0 0", "I/user.t 1 true", "I/user.t a|b|c 4 0 y",
                "I/user.t true true false [a b]"});
}

TEST_CASE("mobile.imei is 15 digits with a valid Luhn digit, mcu.unique_id is the binary id") {
    auto r = run_script(R"LUA(
        local imei = mobile.imei()
        local sum = 0
        for i = 1, 15 do
            local d = tonumber(imei:sub(i, i))
            if i % 2 == 0 then d = d * 2; if d > 9 then d = d - 9 end end
            sum = sum + d
        end
        log.info("t", #imei, imei:match("^%d+$") ~= nil, sum % 10, (mcu.unique_id():toHex()))
        log.info("t", #mobile.imsi(), #mobile.iccid(), mobile.csq(), mobile.status(), mobile.simid())
        sys.taskInit(function() sys.waitUntil("IP_READY") log.info("t", "status", mobile.status()) os.exit(0) end)
        sys.run()
    )LUA");
    CHECK(lines_with(r, "I/user.t") ==
          Lines{"I/user.t 15 true 0 123456789ABCDEF0", "I/user.t 15 20 24 2 0", "I/user.t status 1"});
}

TEST_CASE("/luadb/ is the script image and read-only, other paths are the device's data folder") {
    auto r = run_script(
        R"LUA(
        log.info("t", io.readFile("/luadb/data.txt"), io.readFile("/luadb/data.txt", "rb", 2, 3),
                 io.exists("/luadb/data.txt"), io.fileSize("/luadb/data.txt"), io.fileSize("/luadb/none"))
        log.info("t", "missing", select('#', io.readFile("/luadb/none")), select('#', io.readFile("/none")),
                 io.exists("/none"))
        log.info("t", io.open("/luadb/data.txt", "w"))
        log.info("t", io.open("/luadb/data.txt", "a+"))
        log.info("t", "writeFile", select('#', io.writeFile("/luadb/data.txt", "x")))
        log.info("t", os.remove("/luadb/data.txt"))
        local f = io.open("/luadb/data.txt")
        log.info("t", f:read("l"), f:read("a"), f:close())
        local lines = {}
        for l in io.lines("/luadb/data.txt") do lines[#lines + 1] = l end
        log.info("t", table.concat(lines, "|"))
        log.info("t", io.writeFile("/out.txt", "hello"), io.readFile("/out.txt"), io.exists("/dir/../out.txt"))
        log.info("t", io.mkdir("/d"), io.writeFile("/d/x", "1"), io.readFile("d/x"), os.remove("/d/x"), io.rmdir("/d"))
        log.info("t", require("lib").answer, select(2, pcall(require, "nolib")):match("no file '/luadb/nolib.lua'") ~= nil)
        log.info("t", dofile("/luadb/lib.lua").answer, loadfile("/luadb/none"))
        log.info("t", io.popen, os.execute, os.tmpname)
    )LUA",
        ScriptOptions{.files = {{"data.txt", "0123456789\nsecond\n"}, {"lib.lua", "return {answer = 42}"}}});
    CHECK(Lines(r.lines.begin(), r.lines.end() - 1) ==
          Lines{"I/user.t 0123456789\nsecond\n 234 true 18 0", "I/user.t missing 0 0 false",
                "I/user.t nil /luadb/data.txt: Read-only file system 30",
                "I/user.t nil /luadb/data.txt: Read-only file system 30",
                "W/io /luadb/data.txt: Read-only file system (/luadb/ is the script image)",
                "I/user.t writeFile 0", "I/user.t nil /luadb/data.txt: Read-only file system 30",
                "I/user.t 0123456789 second\n true", "I/user.t 0123456789|second", "I/user.t true hello true",
                "I/user.t true true 1 true true 0", "I/user.t 42 true",
                "I/user.t 42 nil cannot open /luadb/none", "I/user.t nil nil nil"});
}

TEST_CASE("os.date uses the module's time zone (UTC+8 by default), whatever the host's") {
    const char* script = R"LUA(
        log.info("t", os.date("!%Y-%m-%d %H:%M:%S", 0), os.date("%Y-%m-%d %H:%M:%S", 0), os.date("%H %z", 3600))
        log.info("t", os.date("%c", 0), os.date("*t", 0).hour, os.date("!*t", 0).hour)
        log.info("t", os.time({year = 1970, month = 1, day = 1, hour = 8}), os.time() > 1700000000)
        local ok, err = pcall(os.date, "%Q")
        log.info("t", err:match("invalid conversion specifier '%%Q'") ~= nil)
    )LUA";
    auto r = run_script(script);
    CHECK(Lines(r.lines.begin(), r.lines.end() - 1) ==
          Lines{"I/user.t 1970-01-01 00:00:00 1970-01-01 08:00:00 09 +0800",
                "I/user.t Thu Jan  1 08:00:00 1970 8 0", "I/user.t 28800 true", "I/user.t true"});
    auto west = run_script(script, ScriptOptions{.tz_offset_minutes = -5 * 60});
    CHECK(west.lines[0] == "I/user.t 1970-01-01 00:00:00 1969-12-31 19:00:00 20 -0500");
}

// Issue 11.6: LuatOS's loslib.c reads `mon` (rtc's name) before `month` and the table as UTC
// (testcase/unit: {2023-01-01 08:00:00} -> 1672560000), whatever the module's time zone.
TEST_CASE("os.time(table): mon before month, the table read as UTC, fields in LuatOS's order") {
    const char* script = R"LUA(
        log.info("t", os.time({year = 2023, mon = 1, day = 1, hour = 8, min = 0, sec = 0}),
            os.time({year = 2023, month = 1, day = 1, hour = 8}), os.time({year = 2023, mon = 2, month = 7, day = 1}))
        local t = {year = 2024, mon = 14, day = 1, hour = 0}
        log.info("t", os.time(t), t.year, t.month, t.mon, t.day, t.wday, t.yday)
        log.info("t", pcall(os.time, {year = 2024}))
        log.info("t", pcall(os.time, {day = 1}))
        log.info("t", pcall(os.time, {year = 2024, day = 1}))
        log.info("t", pcall(os.time, {year = 2024, day = 1, mon = "x"}))
        log.info("t", os.date("!%Y-%m-%d %H:%M:%S", os.time({year = 2000, mon = 1, day = 1, hour = 0})))
    )LUA";
    const Lines expected{"I/user.t 1672560000 1672560000 1675252800",
                         "I/user.t 1738368000 2025 2 14 1 7 32",
                         "I/user.t false field 'day' missing in date table",
                         "I/user.t false field 'year' missing in date table",
                         "I/user.t false field 'month' missing in date table",
                         "I/user.t true 1701432000",
                         "I/user.t 2000-01-01 00:00:00"};
    const auto r = run_script(script);
    CHECK(Lines(r.lines.begin(), r.lines.end() - 1) == expected);
    const auto west = run_script(script, ScriptOptions{.tz_offset_minutes = -5 * 60});
    CHECK(Lines(west.lines.begin(), west.lines.end() - 1) == expected);
}

TEST_CASE("rtos: bsp, versions, meminfo in LuatOS order") {
    auto r = run_script(R"LUA(
        log.info("t", rtos.bsp(), rtos.version(), rtos.firmware())
        local total, used, max = rtos.meminfo()
        log.info("t", select('#', rtos.meminfo()), total, used > 10000, max >= used, select('#', rtos.meminfo("sys")))
        local stotal, sused, smax = rtos.meminfo("sys")
        log.info("t", stotal, sused > 0, smax >= sused, rtos.INF_TIMEOUT, select('#', rtos.nop()))
    )LUA",
                        ScriptOptions{.heap = 1024 * 1024});
    CHECK(Lines(r.lines.begin(), r.lines.end() - 1) == Lines{"I/user.t EC718P V2035 LuatOS-SoC_V2035_EC718P",
                                                             "I/user.t 3 1048576 true true 3",
                                                             "I/user.t 8388608 true true -1 0"});
}

TEST_CASE("adapters: constants, socket.dft/adapter, IP_READY(ip, adapter) after the simulated attach") {
    auto r = run_script(R"LUA(
        log.info("t", socket.LWIP_GP, socket.LWIP_STA, socket.LWIP_AP, socket.LWIP_ETH, socket.LWIP_SPI,
                 socket.LWIP_USER0, socket.LWIP_USER7, socket.LWIP_GP_GW, socket.LWIP_USB, socket.ETH0)
        log.info("t", wlan.connect, w5500, socket.dft())
        log.info("t", socket.adapter(socket.dft()))
        log.info("t", socket.adapter(), select('#', socket.localIP()))
        sys.taskInit(function()
            local t0 = mcu.ticks()
            while not socket.adapter(socket.dft()) do sys.waitUntil("IP_READY", 1000) end
            local waited = mcu.ticks() - t0
            log.info("t", "ready", waited >= 480, waited < 1000)
            log.info("t", socket.adapter(), socket.adapter(socket.ETH0))
            log.info("t", socket.localIP(socket.LWIP_GP))
            log.info("t", socket.localIP())
            log.info("t", socket.dft(socket.ETH0))
            log.info("t", socket.adapter(99))
            os.exit(0)
        end)
        sys.run()
    )LUA",
                        ScriptOptions{.attach_delay_ms = 500});
    CHECK(lines_with(r, "I/user.t") ==
          Lines{"I/user.t 1 2 3 4 5 7 14 15 16 17", "I/user.t nil nil 1 17", "I/user.t false 1",
                "I/user.t false 0", "I/user.t ready true true", "I/user.t true true 17",
                // localIP()'s default is socket.dft() (LWIP_GP here), not the last registered (ETH0)
                "I/user.t 10.0.2.15 255.255.255.0 10.0.2.2 nil",
                "I/user.t 10.0.2.15 255.255.255.0 10.0.2.2 nil", "I/user.t 17 17", "I/user.t true 1"});
}

TEST_CASE("an adapter going down publishes IP_LOSE(adapter), coming back IP_READY again") {
    auto r = run_script(
        R"LUA(
        sys.subscribe("IP_LOSE", function(a) log.info("t", "lose", a) end)
        sys.subscribe("IP_READY", function(ip, a) log.info("t", "ready", ip, a) end)
        sys.timerStart(function() os.exit(0) end, 200)
        sys.run()
    )LUA",
        ScriptOptions{.setup = [](lua_bindings::Device& d) {
            d.loop().add_timer(60, [&d] { d.adapters().set_up(platform_air780ep::kAdapterLwipGp, false); });
            d.loop().add_timer(90, [&d] { d.adapters().set_up(platform_air780ep::kAdapterLwipGp, true); });
        }});
    CHECK(r.lines == Lines{"I/user.t ready 10.0.2.15 1", "I/user.t lose 1", "I/user.t ready 10.0.2.15 1"});
}

TEST_CASE("crypto: cipher suites from mbedTLS, digests and HMACs in uppercase hex, base64") {
    auto r = run_script(R"LUA(
        local suites = crypto.cipher_suites()
        local has = false
        for _, s in ipairs(suites) do if s == "TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256" then has = true end end
        log.info("t", #suites > 10, has, type(suites[1]))
        log.info("t", crypto.md5("abc"), crypto.sha1("abc"))
        log.info("t", crypto.hmac_sha256("data", "key"))
        log.info("t", crypto.base64_encode("hello"), crypto.base64_decode("aGVsbG8="))
    )LUA");
    CHECK(Lines(r.lines.begin(), r.lines.end() - 1) ==
          Lines{"I/user.t true true string",
                "I/user.t 900150983CD24FB0D6963F7D28E17F72 A9993E364706816ABA3E25717850C26C9CD0D89D",
                "I/user.t 5031FE3D989C6D1537A013FA6E739DA23463FDAEC3B70137D828E36ACE221BD0",
                "I/user.t aGVsbG8= hello"});
}

TEST_CASE("mcu.ticks2 splits the 64-bit uptime in two integers at 10^6 (us, ms, s), and follows mcu.ticks") {
    auto r = run_script(R"LUA(
        sys.taskInit(function()
            sys.wait(20)
            local before = mcu.ticks()
            local us_h, us_l = mcu.ticks2(0)
            local after = mcu.ticks()
            local ms_h, ms_l = mcu.ticks2(1)
            local s_h, s_l = mcu.ticks2()
            local us = us_h * 1000000 + us_l
            local ms = ms_h * 1000000 + ms_l
            -- the same clock as mcu.ticks(): between the two readings around it, whatever came in between
            log.info("t", math.type(us_h), us_l < 1000000, us >= 20000, ms >= 20, before <= us // 1000 and us // 1000 <= after)
            log.info("t", s_h, s_l < 1000000, select('#', mcu.ticks2(2)), select('#', mcu.ticks2(3)))
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t integer true true true true", "I/user.t 0 true 2 0"});
}
