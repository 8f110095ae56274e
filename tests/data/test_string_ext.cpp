// LuatOS's string extensions: the values of LuatOS's own unit test (testcase/unit/system/string) and
// the edge cases of lstrlib_exts.c (docs/modules/string.md).
#include <catch2/catch.hpp>

#include "tests/data/data_test.hpp"

using tests::Lines;

namespace {
Lines user_lines(const std::string& script) {
    return tests::t_lines(script);
}
}  // namespace

TEST_CASE("string.toBase64 / fromBase64 as LuatOS's unit test has them") {
    CHECK(user_lines(R"LUA(
        log.info("t", string.toBase64("hello"), ("hello"):toBase64(), string.fromBase64("aGVsbG8="))
        log.info("t", "[" .. string.fromBase64("$$##") .. "]", string.fromBase64("SGVs\nbG8=\n"), string.fromBase64(12345):len())
        log.info("t", "[" .. string.toBase64("") .. "]", "[" .. string.fromBase64("") .. "]", string.toBase64("\0\1\255"))
        log.info("t", "[" .. string.fromBase64("aGVs bG8=") .. "]", string.fromBase64("aGVsbG8=   "), "[" .. string.fromBase64("aG=Vs") .. "]")
        log.info("t", err(function() return string.toBase64(nil) end))
        log.info("t", err(function() return string.fromBase64(nil) end))
    )LUA") == Lines{"I/user.t aGVsbG8= aGVsbG8= hello", "I/user.t [] Hello 3", "I/user.t [] [] AAH/",
                    "I/user.t [] hello []",
                    "I/user.t false bad argument #1 to 'toBase64' (string expected, got nil)",
                    "I/user.t false bad argument #1 to 'fromBase64' (string expected, got nil)"});
}

TEST_CASE("string.toBase32 / fromBase32: no padding, lenient reading, empty string for bad input") {
    CHECK(user_lines(R"LUA(
        log.info("t", string.toBase32("Hello"), string.fromBase32(string.toBase32("Hello")), string.toBase32("12345"))
        log.info("t", string.toBase32("\0\1\2\3"), string.fromBase32(string.toBase32("\0\1\2\3")) == "\0\1\2\3")
        log.info("t", "[" .. string.toBase32("") .. "]", "[" .. string.fromBase32("") .. "]", "[" .. string.fromBase32("!!@@##") .. "]")
        log.info("t", string.fromBase32("jbsw-y3dp"), string.fromBase32("JBSW Y3DP\r\n"), "[" .. string.fromBase32("JBSWY3DP====") .. "]")
        log.info("t", string.toBase32("f"), string.toBase32("fo"), string.toBase32("foobar"), string.fromBase32("MZXW6YTBOI"))
        log.info("t", string.fromBase32("0018"):toHex())
        log.info("t", err(function() return string.toBase32(nil) end))
    )LUA") == Lines{"I/user.t JBSWY3DP Hello GEZDGNBV", "I/user.t AAAQEAY true", "I/user.t [] [] []",
                    "I/user.t Hello Hello []", "I/user.t MY MZXQ MZXW6YTBOI foobar", "I/user.t 7396 4",
                    "I/user.t false bad argument #1 to 'toBase32' (string expected, got nil)"});
}

TEST_CASE("string.toValue maps each character to its low nibble after LuatOS's +9 for letters") {
    CHECK(user_lines(R"LUA(
        for _, s in ipairs({"123456", "abc", "ABC", "1a2b", "1", "a", "p", "z", "0", "\0\1\2", "0aZ", "h", "q", "\255 ~"}) do
            local v, n = string.toValue(s)
            log.info("t", v:toHex(), n)
        end
        local v, n = string.toValue("")
        log.info("t", "[" .. v .. "]", n, string.toValue(12345):toHex())
        log.info("t", err(function() return string.toValue(nil) end))
    )LUA") == Lines{"I/user.t 010203040506 6", "I/user.t 0A0B0C 3", "I/user.t 0A0B0C 3",
                    "I/user.t 010A020B 4", "I/user.t 01 1", "I/user.t 0A 1", "I/user.t 09 1", "I/user.t 03 1",
                    "I/user.t 00 1", "I/user.t 000102 3", "I/user.t 000A03 3", "I/user.t 01 1",
                    "I/user.t 0A 1", "I/user.t 080007 3", "I/user.t [] 0 0102030405 10",
                    "I/user.t false bad argument #1 to 'toValue' (string expected, got nil)"});
}

TEST_CASE("string.urlEncode: PHP (default), RFC 3986 and custom modes") {
    CHECK(user_lines(R"LUA(
        log.info("t", string.urlEncode("123 abc+/"), string.urlEncode("123 abc+/", 1))
        log.info("t", string.urlEncode("123 abc+/", -1, 1, "/"), string.urlEncode("123 abc+/", -1, 0, "/"))
        log.info("t", "[" .. string.urlEncode("123 abc+/", -1, 0, "/ ") .. "]", "[" .. string.urlEncode("") .. "]")
        log.info("t", ("test url"):urlEncode(), string.urlEncode(12345), string.urlEncode(".-*_~é", 0), string.urlEncode(".-*_~", 1))
        log.info("t", string.urlEncode("a b", 7))
        log.info("t", err(function() return string.urlEncode(nil) end))
        log.info("t", err(function() return string.urlEncode("a", nil) end))
        log.info("t", err(function() return string.urlEncode("a", 1.5) end))
        log.info("t", err(function() return string.urlEncode("a", -1, 0) end))
    )LUA") == Lines{"I/user.t 123+abc%2B%2F 123%20abc%2B%2F", "I/user.t 123%20abc%2B/ 123+abc%2B/",
                    "I/user.t [123 abc%2B/] []", "I/user.t test+url 12345 .-*_%7E%C3%A9 .-%2A_%7E",
                    "I/user.t a+b",
                    "I/user.t false bad argument #1 to 'urlEncode' (string expected, got nil)",
                    "I/user.t false bad argument #2 to 'urlEncode' (number expected, got nil)",
                    "I/user.t false bad argument #2 to 'urlEncode' (number has no integer representation)",
                    "I/user.t false bad argument #4 to 'urlEncode' (string expected, got no value)"});
}

TEST_CASE("string.split, trim, startsWith and endsWith as LuatOS's unit test has them") {
    CHECK(user_lines(R"LUA(
        local function show(t) return #t .. ":" .. table.concat(t, "|") end
        log.info("t", show(string.split("123,456,789", ",")), show(string.split("192.168.1.1", ".")), show(string.split("a||b||c", "||")))
        log.info("t", show(string.split("/tmp//def/1234/", "/", false)), show(string.split("/tmp//def/1234/", "/", true)))
        log.info("t", show(string.split("", ",")), show(string.split("abc", "")), show(string.split("a,b", "")), show(string.split("hello world", "|")))
        log.info("t", show(("a,b,c"):split(",")), show(string.split(12345, ",")), show(string.split("a,,b", ",", 1)), show(string.split("a,b,", ",")))
        log.info("t", show(string.split("ab::", "::", true)), show(string.split(",a", ",", true)), show(string.split(",", ",", true)))
        log.info("t", "[" .. string.trim("  \r\n  hello world  \t\n  ") .. "]", "[" .. string.trim("  x  ", true, false) .. "]",
                 "[" .. string.trim("  x  ", false, true) .. "]", "[" .. string.trim("  \t\n  ") .. "]", "[" .. string.trim("") .. "]")
        log.info("t", ("  test  "):trim(), string.trim(12345), "[" .. string.trim("\v x \f") .. "]", "[" .. string.trim(" x ", 0, nil) .. "]")
        log.info("t", string.startsWith("hello world", "hello"), string.startsWith("hello world", "world"), string.startsWith("", ""),
                 string.startsWith("", "abc"), string.startsWith(12345, "abc"), ("hello"):startsWith("he"))
        log.info("t", string.endsWith("hello world", "world"), string.endsWith("Hello", "hello"), string.endsWith("", ""),
                 string.endsWith("document.pdf", ".pdf"), string.endsWith(12345, "abc"), ("hello"):endsWith("lo"))
        log.info("t", err(function() return string.split(nil, ",") end))
        log.info("t", err(function() return string.trim(nil) end))
        log.info("t", err(function() return string.startsWith(nil, "abc") end))
        log.info("t", err(function() return string.endsWith("x", nil) end))
    )LUA") == Lines{"I/user.t 3:123|456|789 4:192|168|1|1 3:a|b|c",
                    "I/user.t 3:tmp|def|1234 6:|tmp||def|1234|", "I/user.t 0: 1:abc 2:a|b 1:hello world",
                    "I/user.t 3:a|b|c 1:12345 2:a|b 2:a|b", "I/user.t 2:ab| 2:|a 2:|",
                    "I/user.t [hello world] [x  ] [  x] [] []", "I/user.t test 12345 [\v x \f] [x]",
                    "I/user.t true false true false false true", "I/user.t true false true true false true",
                    "I/user.t false bad argument #1 to 'split' (string expected, got nil)",
                    "I/user.t false bad argument #1 to 'trim' (string expected, got nil)",
                    "I/user.t false bad argument #1 to 'startsWith' (string expected, got nil)",
                    "I/user.t false bad argument #2 to 'endsWith' (string expected, got nil)"});
}

TEST_CASE("string.toHex / fromHex as LuatOS's unit test has them") {
    CHECK(user_lines(R"LUA(
        local raw = "\x01\xABLua"
        log.info("t", string.toHex(raw), string.fromHex(string.toHex(raw)) == raw, string.fromHex(string.toHex(raw):lower()) == raw)
        log.info("t", string.toHex("AB", " "))
        log.info("t", string.fromHex("GG11ZZ22") == "\x11\x22", string.fromHex("ABC") == "\xAB")
        log.info("t", err(function() return string.toHex(nil) end))
    )LUA") == Lines{"I/user.t 01AB4C7561 true true", "I/user.t 41 42  4", "I/user.t true true",
                    "I/user.t false bad argument #1 to 'toHex' (string expected, got nil)"});
}
