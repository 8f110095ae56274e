// log, print, tostring, `..`: Luatools lines and LuatOS value formatting (docs/modules/log.md, docs/lua.md).
#include <catch2/catch.hpp>
#include <regex>

#include "lua_bindings/modules/lua_util.hpp"
#include "script_runner.hpp"

using tests::run_script;
using tests::ScriptOptions;
using Lines = std::vector<std::string>;

TEST_CASE("golden lines: every scalar type in log and print") {
    auto r = run_script(R"LUA(
        log.info("t", nil, true, false, 1, -2, 0, 1.5, 0.1, 3.0, 1e20, 1e15, math.pi, -0.0, 1/0, -1/0, "s", "")
        log.info("t", math.maxinteger, math.mininteger, 2^63, 1e-7, 123.456, -2.5, 1/3, 100 / 2)
        print("a", 1, nil, 2.5, "b")
        print()
        log.debug("t", "d") log.warn("t", "w") log.error("t", "e") log.fatal("t", "f")
    )LUA");
    CHECK(Lines(r.lines.begin(), r.lines.end() - 1) ==
          Lines{"I/user.t nil true false 1 -2 0 1.5000000000000 0.10000000000000 3.0000000000000 "
                "1.0000000000000e+20 1.0000000000000e+15 3.1415926535898 -0.0000000000000 inf -inf s ",
                "I/user.t 9223372036854775807 -9223372036854775808 9.2233720368548e+18 1.0000000000000e-07 "
                "123.45600000000 -2.5000000000000 0.33333333333333 50.000000000000",
                "a 1 nil 2.5000000000000 b", "", "D/user.t d", "W/user.t w", "E/user.t e", "E/user.t f"});
}

TEST_CASE("tables, functions, threads and named userdata print as NAME: HEX") {
    auto r = run_script(R"LUA(
        local t = {}
        log.info("t", t, print, coroutine.create(print), make_client())
        log.info("t", tostring(t) == "table: " .. string.format("%p", t):sub(3):upper())
        log.info("t", tostring(io.open("/luadb/main.lua")):match("^file %(%x+%)$") ~= nil)
    )LUA",
                        ScriptOptions{.setup = [](lua_bindings::Device& d) {
                            d.add_module({"fake_client", [](lua_bindings::RunContext& ctx) {
                                              lua_State* L = ctx.state();
                                              luaL_newmetatable(L, "MQTTCTRL*");
                                              lua_pop(L, 1);
                                              lua_register(L, "make_client", [](lua_State* S) {
                                                  lua_newuserdatauv(S, 8, 0);
                                                  luaL_setmetatable(S, "MQTTCTRL*");
                                                  return 1;
                                              });
                                          }});
                        }});
    REQUIRE(r.lines.size() == 4);
    CHECK(std::regex_match(r.lines[0], std::regex("I/user.t table: [0-9A-F]+ function: (builtin: )?[0-9A-F]+ "
                                                  "thread: [0-9A-F]+ MQTTCTRL\\*: [0-9A-F]+")));
    CHECK(r.lines[1] == "I/user.t true");
    CHECK(r.lines[2] == "I/user.t true");
}

TEST_CASE(
    "tostring, concatenation and string.format %s format as LuatOS, string.format %.14g stays standard") {
    auto r = run_script(R"LUA(
        log.info("t", tostring(1.5), 1.5 .. "", "x" .. 0.1, string.format("%s", 3.0), string.format("%.14g", 1.5),
                 string.format("%d %5.1f %g", 3, 2.25, 0.5), math.tointeger(3.0), 7 // 2, table.concat({1.5, 2}, ","))
        log.info("t", tonumber("0x10"), tonumber("1e3"), tonumber("12"), tonumber("z"))
    )LUA");
    CHECK(r.lines[0] ==
          "I/user.t 1.5000000000000 1.5000000000000 x0.10000000000000 3.0000000000000 1.5 "
          "3   2.2 0.5 3 3 1.5000000000000,2");
    CHECK(r.lines[1] == "I/user.t 16 1000.0000000000 12 nil");
}

TEST_CASE("log tags: numbers become text, other values (null), no arguments print nothing") {
    auto r = run_script(R"LUA(
        log.info(1, "x")
        log.info(2.5, "x")
        log.info(nil, "x")
        log.info({}, "x")
        log.info()
        log.info("only")
    )LUA");
    CHECK(Lines(r.lines.begin(), r.lines.end() - 1) == Lines{"I/user.1 x", "I/user.2.5000000000000 x",
                                                             "I/user.(null) x", "I/user.(null) x",
                                                             "I/user.only"});
}

TEST_CASE("log.style 1 and 2 add the file and line, the file name is printed whole") {
    auto r = run_script(
        "log.info('tag', 'zero')\n"
        "log.info('t', 'style', log.style(1))\n"
        "log.info('tag', 'one', 1)\n"
        "log.style(2)\n"
        "log.warn('tag', 'two')\n"
        "log.style('x')\n"
        "log.info('t', 'unchanged', log.style())\n"
        "log.style(5)\n"
        "log.info('tag', 'five')\n"
        "log.style(0)\n");
    CHECK(Lines(r.lines.begin(), r.lines.end() - 1) ==
          Lines{"I/user.tag zero", "I/main.lua:2 t style 1", "I/main.lua:3 tag one 1",
                "W/user.tag main.lua:5 two", "I/user.t main.lua:7 unchanged 2", "tag five"});
}

TEST_CASE("log levels: setLevel/getLevel, names and numbers, C-side lines filtered too") {
    auto r = run_script(R"LUA(
        log.info("t", log.getLevel(), log.LOG_SILENT, log.LOG_DEBUG, log.LOG_INFO, log.LOG_WARN, log.LOG_ERROR)
        log.setLevel("WARN")
        log.info("t", "hidden")
        log.warn("t", "shown", log.getLevel())
        log.setLevel(log.LOG_ERROR)
        log.warn("t", "hidden")
        sys.timerStart(function() end, 0)  -- its E/ line is still shown
        log.setLevel("FATAL")
        log.error("t", "hidden", log.getLevel())
        log.setLevel(0)
        print("print ignores the level", log.getLevel())
        log.setLevel("DEBUG")
        log.debug("t", "back", log.getLevel())
    )LUA");
    CHECK(Lines(r.lines.begin(), r.lines.end() - 1) == Lines{"I/user.t 1 7 1 2 3 4", "W/user.t shown 3",
                                                             "E/user.rtos.timer_start create fail!!!",
                                                             "print ignores the level 7", "D/user.t back 1"});
}

TEST_CASE("log goes through the global print, as on LuatOS") {
    auto r = run_script(R"LUA(
        local raw = print
        print = function(...) raw("wrapped:", ...) end
        log.info("t", 1)
    )LUA");
    CHECK(r.lines.front() == "wrapped: I/user.t 1");
}
