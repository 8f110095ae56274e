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
        log.info("t", json.encode(1.5, "3f"), json.encode(1.5, "5g"), json.encode(1234.5, "2e"), json.encode(1.5, "x"))
    )LUA");
    CHECK(user_lines(r) == Lines{"I/user.t {\"v\":1.5000000}", "I/user.t {\"v\":0.1000000}",
                                 "I/user.t {\"v\":3.0000000}", "I/user.t {\"v\":1.0000000e+20}",
                                 "I/user.t {\"v\":9.0071993e+15}", "I/user.t {\"v\":3.1415927}",
                                 "I/user.t {\"v\":0.3333333}", "I/user.t {\"v\":3}",
                                 "I/user.t {\"v\":3.5000000}", "I/user.t {\"v\":0}", "I/user.t {\"v\":100}",
                                 "I/user.t {\"v\":123456789012}", "I/user.t {\"v\":0.0000001}",
                                 "I/user.t [1.2500000,100.5000000] -2.5000000e+10 1000000000.0000000 0",
                                 "I/user.t nil nil Cannot serialise number: must not be NaN or Infinity",
                                 "I/user.t 1.500 1.5 1.23e+03 1.5000000"});
}

TEST_CASE("json.encode values, tables, arrays, escapes, deterministic key order") {
    auto r = run_script(R"LUA(
        log.info("t", json.encode({c = {1, 2, 3}, d = true, a = 1, b = "x"}))
        log.info("t", json.encode({dup = 0, message_id = 0, retain = 0, qos = 0}))
        log.info("t", json.encode({}), json.encode({{}, {[1] = 1}}), json.encode({1, nil, 3}), json.encode({[2] = 1}))
        log.info("t", json.encode({[1] = "a", x = 1, [2.5] = 2}))
        log.info("t", json.encode("a/b\"c\\d\n\t\1\127é"), json.encode(true), json.encode(json.null))
        log.info("t", "[" .. json.encode(nil) .. "]", select('#', json.encode()))
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
                "I/user.t \"a\\/b\\\"c\\\\d\\n\\t\\u0001\\u007fé\" true null", "I/user.t [] 1",
                "I/user.t nil Cannot serialise table: excessively sparse array",
                "I/user.t nil Cannot serialise function: type not supported",
                "I/user.t nil Cannot serialise boolean: table key must be a number or string",
                "I/user.t nil Cannot serialise, excessive nesting (1001)",
                "I/user.t nil Cannot serialise, excessive nesting (1001)"});
}

TEST_CASE("json.decode returns (value, 1) or (nil, false, message), exponents are refused") {
    auto r = run_script(R"LUA(
        local v, ok = json.decode('{"a":1,"b":[true,false,null],"c":"x\\u00e9\\ud83d\\ude00\\n","d":2.5,"e":-3}')
        log.info("t", ok, v.a, math.type(v.a), v.b[1], v.b[2], v.b[3] == json.null, #v.b, v.c, v.d, v.e)
        log.info("t", json.decode("12"), json.decode(' "s" '), type(json.decode("[]")), json.decode("123456789012345678901"))
        for _, bad in ipairs({"1e2", "", "[1,", "{\"a\" 1}", "{1:2}", "[1 2]", "tru", "01x", "\"abc", "1.", "-",
                              "[1]x", "\"\\q\"", "\"\\ud800\""}) do
            log.info("t", json.decode(bad))
        end
        log.info("t", select('#', json.decode("nope")))
    )LUA");
    CHECK(user_lines(r) ==
          Lines{"I/user.t 1 1 integer true false true 3 xé😀\n 2.5000000000000 -3",
                "I/user.t 12 s table 1.2345678901235e+20 1",
                "I/user.t nil false Expected value but found invalid number at character 1",
                "I/user.t nil false Expected value but found T_END at character 1",
                "I/user.t nil false Expected value but found T_END at character 4",
                "I/user.t nil false Expected colon but found T_NUMBER at character 6",
                "I/user.t nil false Expected object key string but found T_NUMBER at character 2",
                "I/user.t nil false Expected comma or array end but found T_NUMBER at character 4",
                "I/user.t nil false Expected value but found invalid token at character 1",
                "I/user.t nil false Expected value but found invalid number at character 1",
                "I/user.t nil false Expected value but found unexpected end of string at character 1",
                "I/user.t nil false Expected value but found invalid number at character 1",
                "I/user.t nil false Expected value but found invalid number at character 1",
                "I/user.t nil false Expected the end but found invalid token at character 4",
                "I/user.t nil false Expected value but found invalid escape code at character 1",
                "I/user.t nil false Expected value but found invalid unicode escape code at character 1",
                "I/user.t 3"});
}
