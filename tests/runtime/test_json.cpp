// json: the values the LuatOS PC simulator printed (docs/modules/json.md), and decoding.
#include <catch2/catch.hpp>

#include "script_runner.hpp"

using tests::run_script;
using Lines = std::vector<std::string>;

namespace {
Lines user_lines(const tests::ScriptResult& r) {
    return Lines(r.lines.begin(), r.lines.end() - 1);
}
}  // namespace

TEST_CASE("json.encode numbers as LuatOS (transcript section D)") {
    auto r = run_script(R"LUA(
        for _, v in ipairs({1.5, 0.1, 3.0, 1e20, 2^53, math.pi, 1/3, 3, 3.5, 0.0, 100, 123456789012, 1e-7}) do
            log.info("t", json.encode({v = v}))
        end
        log.info("t", json.encode({1.25, 100.5}), json.encode(-2.5e10), json.encode(1e9), json.encode(-0.0))
        log.info("t", json.encode(1/0), json.encode(0/0))
        log.info("t", json.encode(1.5, "3f"), json.encode(1.5, "5g"), json.encode(1234.5, "%.2f"), json.encode(1e-17))
    )LUA");
    CHECK(user_lines(r) == Lines{"I/user.t {\"v\":1.5000000}", "I/user.t {\"v\":0.1000000}",
                                 "I/user.t {\"v\":3.0000000}", "I/user.t {\"v\":1.0000000e+20}",
                                 "I/user.t {\"v\":9.0071993e+15}", "I/user.t {\"v\":3.1415927}",
                                 "I/user.t {\"v\":0.3333333}", "I/user.t {\"v\":3}",
                                 "I/user.t {\"v\":3.5000000}", "I/user.t {\"v\":0}", "I/user.t {\"v\":100}",
                                 "I/user.t {\"v\":123456789012}", "I/user.t {\"v\":0.0000001}",
                                 "I/user.t [1.2500000,100.5000000] -2.5000000e+10 1000000000.0000000 0",
                                 "I/user.t nil nil Cannot serialise number: must not be NaN or Inf",
                                 "I/user.t 1.500 1.5000 1234.50 0"});
}

TEST_CASE("json.encode values, tables, arrays, escapes, deterministic key order") {
    auto r = run_script(R"LUA(
        log.info("t", json.encode({c = {1, 2, 3}, d = true, a = 1, b = "x"}))
        log.info("t", json.encode({dup = 0, message_id = 0, retain = 0, qos = 0}))
        log.info("t", json.encode({}), json.encode({{}, {[1] = 1}}), json.encode({1, nil, 3}), json.encode({[2] = 1}))
        log.info("t", json.encode({[1] = "a", x = 1, [2.5] = 2}))
        log.info("t", json.encode("a/b\"c\\d\n\t\1\127é"), json.encode(true), json.encode(json.null))
        log.info("t", "[" .. json.encode(nil) .. "]", json.encode(), select('#', json.encode()))
        log.info("t", json.encode({[100] = 1}))
        log.info("t", json.encode({f = print}))
        log.info("t", json.encode({[true] = 1}))
        local deep = {}
        local t = deep
        for i = 1, 1100 do t.x = {} t = t.x end
        log.info("t", json.encode(deep))
        local loop = {}
        loop.self = loop
        log.info("t", json.encode(loop))
    )LUA");
    CHECK(user_lines(r) ==
          Lines{"I/user.t {\"a\":1,\"b\":\"x\",\"c\":[1,2,3],\"d\":true}",
                "I/user.t {\"dup\":0,\"message_id\":0,\"qos\":0,\"retain\":0}",
                "I/user.t {} [{},[1]] [1,null,3] [null,1]", "I/user.t {\"1\":\"a\",\"2.5000000\":2,\"x\":1}",
                "I/user.t \"a/b\\\"c\\\\d\\n\\t\\u0001\\u007fé\" true null", "I/user.t [] null 1",
                "I/user.t nil Cannot serialise table: excessively sparse array",
                "I/user.t nil Cannot serialise function: type not supported",
                "I/user.t nil Cannot serialise boolean: table key must be a number or string",
                "I/user.t nil Cannot serialise, excessive nesting (1001)",
                "I/user.t nil Cannot serialise, excessive nesting (1001)"});
}

TEST_CASE("json.decode returns (value, 1) or (nil, false, message) with cjson's tokens and positions") {
    auto r = run_script(R"LUA(
        local v, ok = json.decode('{"a":1,"b":[true,false,null],"c":"x\\u00e9\\ud83d\\ude00\\n","d":2.5,"e":-3}')
        log.info("t", ok, v.a, math.type(v.a), v.b[1], v.b[2], v.b[3] == json.null, #v.b, v.c, v.d, v.e)
        log.info("t", json.decode("12"), json.decode(' "s" '), type(json.decode("[]")), json.decode("123456789012345678901"))
        log.info("t", json.decode("1.5e3"), json.decode("1."), math.type(json.decode("-0")), json.decode("0"), json.decode("[1]\0x")[1])
        for _, bad in ipairs({"1e2", "", "[1,", "{\"a\" 1}", "{1:2}", "[1 2]", "tru", "01x", "\"abc", "-",
                              "[1]x", "\"\\q\"", "\"\\ud800\"", "[1e2]", "0e5", "{\"a\":1,}", "[1,]", "+1", "truex",
                              "{1.5:2}", "1\0", " \t"}) do
            log.info("t", json.decode(bad))
        end
        log.info("t", select('#', json.decode("nope")))
        log.info("t", json.decode())
        log.info("t", json.decode("1", 2))
        log.info("t", json.decode({}))
        log.info("t", json.decode(string.rep("[", 1001)))
    )LUA");
    CHECK(user_lines(r) ==
          Lines{"I/user.t 1 1 integer true false true 3 xé😀\n 2.5000000000000 -3",
                "I/user.t 12 s table 9223372036854775807 1",
                "I/user.t 1500.0000000000 1.0000000000000 float 0 1",
                "I/user.t nil false Expected the end but found invalid token at character 2",
                "I/user.t nil false Expected value but found T_END at character 1",
                "I/user.t nil false Expected value but found T_END at character 4",
                "I/user.t nil false Expected colon but found T_INTEGER at character 6",
                "I/user.t nil false Expected object key string but found T_INTEGER at character 2",
                "I/user.t nil false Expected comma or array end but found T_INTEGER at character 4",
                "I/user.t nil false Expected value but found invalid token at character 1",
                "I/user.t nil false Expected value but found invalid number at character 1",
                "I/user.t nil false Expected value but found unexpected end of string at character 5",
                "I/user.t nil false Expected value but found invalid number at character 1",
                "I/user.t nil false Expected the end but found invalid token at character 4",
                "I/user.t nil false Expected value but found invalid escape code at character 2",
                "I/user.t nil false Expected value but found invalid unicode escape code at character 2",
                "I/user.t nil false Expected comma or array end but found invalid token at character 3",
                "I/user.t nil false Expected the end but found invalid token at character 2",
                "I/user.t nil false Expected object key string but found T_OBJ_END at character 8",
                "I/user.t nil false Expected value but found T_ARR_END at character 4",
                "I/user.t nil false Expected value but found invalid token at character 1",
                "I/user.t nil false Expected the end but found invalid token at character 5",
                "I/user.t nil false Expected object key string but found T_NUMBER at character 2",
                "I/user.t nil false JSON parser does not support UTF-16 or UTF-32",
                "I/user.t nil false Expected value but found T_END at character 3",
                "I/user.t 3",
                "I/user.t nil false bad argument #1 to '?' (expected 1 argument)",
                "I/user.t nil false bad argument #1 to '?' (expected 1 argument)",
                "I/user.t nil false bad argument #1 to '?' (string expected, got table)",
                "I/user.t nil false Found too many nested data structures (1001) at character 1001"});
}

// Issue 11.3 and 11.6: what LuatOS's lua_cjson.c writes (json.encode's nil, '/', format whitelist and
// LuatOS's printf shapes; testcase/unit/json/json/scripts/json_test.lua checks 0f -> 1235).
TEST_CASE(
    "json.encode as LuatOS lua-cjson: slash unescaped, nil gives empty text, float format whitelist and "
    "printf shapes") {
    auto r = run_script(R"LUA(
        log.info("t", json.encode({a = "x/y"}), "[" .. json.encode(nil) .. "]", json.encode(), json.encode(nil, "bad"))
        local d = {abc = 1234.56789}
        for _, f in ipairs({"0f", "1f", "2f", "4f", "%.1f", "%.2f", "12f", "4g", "2g", "%.6g", 7}) do
            log.info("t", f, json.encode(d, f))
        end
        for _, f in ipairs({"7", "%7f", "%.f", "x", "1234f", "", "3e", "%.1234f", "2f "}) do
            log.info("t", "[" .. f .. "]", json.encode(d, f))
        end
        log.info("t", json.encode(d, {}), json.encode(d, true), json.encode({0.00123456789}, "3g"),
            json.encode(123456789.0, "4g"), json.encode(0.00000123, "3g"), json.encode(-123.456, "2f"))
        local wide = json.encode(1.5, "30f")
        log.info("t", #wide, wide:byte(-1), wide:sub(1, 6), json.encode(1.5, "999f"))
        log.info("t", json.encode({[1 / 0] = 1}))
        log.info("t", json.encode({[1] = 1, [3] = 3}), json.encode({[0] = 1}), json.encode({[-1] = 1}))
    )LUA");
    CHECK(user_lines(r) ==
          Lines{"I/user.t {\"a\":\"x/y\"} [] null ",
                "I/user.t 0f {\"abc\":1235}",
                "I/user.t 1f {\"abc\":1234.6}",
                "I/user.t 2f {\"abc\":1234.57}",
                "I/user.t 4f {\"abc\":1234.5679}",
                "I/user.t %.1f {\"abc\":1234.6}",
                "I/user.t %.2f {\"abc\":1234.57}",
                "I/user.t 12f {\"abc\":1234.567890000000}",
                "I/user.t 4g {\"abc\":1235}",
                "I/user.t 2g {\"abc\":1235}",
                "I/user.t %.6g {\"abc\":1234.57}",
                "I/user.t 7 nil invalid float format",
                "I/user.t [7] nil invalid float format",
                "I/user.t [%7f] nil invalid float format",
                "I/user.t [%.f] nil invalid float format",
                "I/user.t [x] nil invalid float format",
                "I/user.t [1234f] nil invalid float format",
                "I/user.t [] nil invalid float format",
                "I/user.t [3e] nil invalid float format",
                "I/user.t [%.1234f] nil invalid float format",
                "I/user.t [2f ] nil invalid float format",
                "I/user.t {\"abc\":1234.5678900} {\"abc\":1234.5678900} [0.00123] 1.235e+08 1.23e-06 -123.46",
                std::string("I/user.t 32 0 1.5000 ") + std::string(31, '0') + '\0',
                "I/user.t nil Cannot serialise table: excessively sparse array",
                "I/user.t [1,null,3] {\"0\":1} {\"-1\":1}"});
}
