// pack (docs/modules/pack.md): the values LuatOS's tests expect (testcase/unit/perf/pack,
// components/utest/pack), then every letter of luat_lib_pack.c in both byte orders, and the edges.
#include <catch2/catch.hpp>

#include "binary_test_support.hpp"

using tests::run_lines;
using Lines = std::vector<std::string>;

TEST_CASE("pack: LuatOS's test values, each letter packed and unpacked") {
    const Lines lines = run_lines(R"LUA(
        local function round(fmt, v)
            local data = pack.pack(fmt, v)
            local pos, r = pack.unpack(data, fmt)
            return #data, pos, r == v, r
        end
        t("c", round("c", 65))
        t("b", round("b", 200))
        t("h", round(">h", -1234))
        t("H", round(">H", 50000))
        t("i", round(">i", -123456))
        t("I", round(">I", 3000000000))
        t("l", round(">l", -9876543210))
        t("z", round("z", "Hello"))
        t("A8", round("A8", "Hello123"))
        t("a", round(">a", "LuatOS测试"))
        t(pack.pack(">H", 0x1234):byte(1, 2))
        t(pack.pack("<H", 0x1234):byte(1, 2))
        local data = pack.pack(">bHi", 100, 30000, 1000000)
        t(#data, pack.unpack(data, ">bHi"))
        data = pack.pack("A3>HA3", "ABC", 12345, "XYZ")
        t(#data, pack.unpack(data, "A3>HA3"))
        local pos, f = pack.unpack(pack.pack(">f", 3.14159), ">f")
        t(pos, math.abs(f - 3.14159) < 0.00001)
        local pos2, d = pack.unpack(pack.pack(">d", 3.141592653589793), ">d")
        t(pos2, d == 3.141592653589793)
        t(select(2, pack.unpack(pack.pack("b", 0), "b")), select(2, pack.unpack(pack.pack("b", 255), "b")))
        t(select(2, pack.unpack(pack.pack(">h", -32768), ">h")), select(2, pack.unpack(pack.pack(">h", 32767), ">h")))
        t(err(function() pack.pack("X", 123) end))
        t(err(function() pack.pack(">HH", 100) end))
        t(pack.unpack(string.char(0x12), ">H"))
        t(pack.unpack("", ">H"))
        t(select(2, pack.unpack(pack.pack("b", 256), "b")), select(2, pack.unpack(pack.pack("b", -1), "b")))
        t(pack.unpack(pack.pack(">HH", 0x1234, 0x5678), ">H", 3))
        local packet = pack.pack(">HbA5H", 0xAA55, 5, "Hello", 0x1234)
        t(packet:toHex(), pack.unpack(packet, ">HbA5H"))
        local _, temp, humi, pres = pack.unpack(pack.pack(">fff", 25.6, 65.3, 1013.25), ">fff")
        t(math.abs(temp - 25.6) < 0.01, math.abs(humi - 65.3) < 0.01, pres)
        local bad = 0
        for v = -128, 127 do
            local s = pack.pack("c", v)
            if #s ~= 1 or select(2, pack.unpack(s, "c")) ~= v then bad = bad + 1 end
        end
        for v1 = -128, 127, 5 do
            for v2 = -128, 127 do
                local _, r1, r2 = pack.unpack(pack.pack("cc", v1, v2), "cc")
                if r1 ~= v1 or r2 ~= v2 then bad = bad + 1 end
            end
        end
        for _, v in ipairs({-32768, -16384, -1, 0, 1, 16383, 32767}) do
            if select(2, pack.unpack(pack.pack(">h", v), ">h")) ~= v then bad = bad + 1 end
        end
        t("c/cc/h mismatches", bad)
        -- components/utest/pack pack_unpack_basic
        t(select(2, pack.unpack(pack.pack(">H", 0x1234), ">H")) == 0x1234)
        -- the testcase's 'L' value is a float in Lua 5.3/5.4 (the literal overflows), so 'L' refuses it
        t(err(function() pack.pack(">L", 18446744073709551615) end))
    )LUA");
    CHECK(lines == Lines{
                       "I/user.t c 1 2 true 65",
                       "I/user.t b 1 2 true 200",
                       "I/user.t h 2 3 true -1234",
                       "I/user.t H 2 3 true 50000",
                       "I/user.t i 4 5 true -123456",
                       "I/user.t I 4 5 true 3000000000",
                       "I/user.t l 8 9 true -9876543210",
                       "I/user.t z 6 7 true Hello",
                       "I/user.t A8 8 9 true Hello123",
                       "I/user.t a 16 17 true LuatOS测试",
                       "I/user.t 18 52",
                       "I/user.t 52 18",
                       "I/user.t 7 8 100 30000 1000000",
                       "I/user.t 8 9 ABC 12345 XYZ",
                       "I/user.t 5 true",
                       "I/user.t 9 true",
                       "I/user.t 0 255",
                       "I/user.t -32768 32767",
                       "I/user.t false bad argument #1 to 'pack' (bad code `X')",
                       "I/user.t false bad argument #3 to 'pack' (number expected, got no value)",
                       "I/user.t 1",
                       "I/user.t 1",
                       "I/user.t 0 255",
                       "I/user.t 5 22136",
                       "I/user.t AA550548656C6C6F1234 11 43605 5 Hello 4660",
                       "I/user.t true true 1013.2500000000",
                       "I/user.t c/cc/h mismatches 0",
                       "I/user.t true",
                       "I/user.t false bad argument #2 to 'pack' (number has no integer representation)",
                   });
}

TEST_CASE("pack: every letter, both byte orders, the bytes LuatOS writes") {
    const Lines lines = run_lines(R"LUA(
        local function hex(fmt, ...) return (pack.pack(fmt, ...):toHex()) end
        t(hex("<bc", 1, -1), hex(">bc", 1, -1))
        t(hex("<hH", -2, 0xFFFE), hex(">hH", -2, 0xFFFE), hex("=h", -2))
        t(hex("<iI", -2, 0x01020304), hex(">iI", -2, 0x01020304))
        t(hex("<lL", -2, 0x0102030405060708), hex(">lL", -2, 0x0102030405060708))
        t(hex("<f", 1.5), hex(">f", 1.5), hex("<d", 1.5), hex(">d", 1.5), hex("<n", -2), hex(">n", 0.5))
        t(hex("<pPa", "x", "yz", "abc"), hex(">pPa", "x", "yz", "abc"))
        t(hex("z", "a\0b"), hex("A", "hezhou", "LuatOS"), hex("A5", "he", "zhou"), hex("A2", "hezhou"))
        t(hex("A0A", "skipped", "x"), hex("A0"), hex("b3", 1, 2, 3), hex("b0", 9), hex(" b , b", 1, 2), hex("<2h", 1))
        t(hex("X0"), hex(""), hex("b", "7"), hex("H", 0x12345), hex("b", 2 ^ 53))
        -- unpack: the position after the values comes first
        local s = pack.pack("<bhiflLd", -1, -2, -3, 1.5, -4, -5, 2.5)
        t(#s, pack.unpack(s, "<bhiflLd"))
        t(pack.unpack(pack.pack(">bhiflLd", -1, -2, -3, 1.5, -4, -5, 2.5), ">bhiflLd"))
        t(pack.unpack(pack.pack("<bbhHiI", 200, 200, 40000, 40000, 3000000000, 3000000000), "<cbhHiI"))
        t(pack.unpack(pack.pack(">pPa", "x", "yz", "abc"), ">pPa"))
        t(pack.unpack(pack.pack("<pPa", "x", "yz", "abc"), "<pPa"))
        t(pack.unpack("ab\0cd", "zz"))
        t(pack.unpack("ab\0cd", "zzz"))
        t(pack.unpack("abcdef", "A2A0A3A"))
        t(pack.unpack("abcdef", "A2 , A2", 2))
        t(pack.unpack("\1\2\3\4", "b3"))
        t(pack.unpack("\1\2\3\4", "b9"))
        t(pack.unpack("\3abc\6x", "pb"))
        t(pack.unpack("\5abc", "pb"))
        t(pack.unpack("\1\2\3", "b", 1.9))
        t(pack.unpack("\1\2\3", "b", 0))
        t(pack.unpack("\1\2\3", "b", -5))
        t(pack.unpack("\1\2\3", "b", 4))
        t(pack.unpack("\1\2\3", "b", 9))
        t(pack.unpack("\1\2", ">h<h=h", 1))
        t(err(function() pack.unpack("x", "Q") end))
        t(err(function() pack.unpack("x", "b", "y") end))
        t(err(function() pack.unpack(nil, "b") end))
        t(err(function() pack.pack(nil) end))
        t(err(function() pack.pack("A", {}) end))
        t(err(function() pack.pack("A0", {}) end))
        t(err(function() pack.pack("f", "x") end))
        t(select("#", pack.unpack(string.rep("\0", 300), "b300")))
        t(err(function() pack.unpack(string.rep("\0", 1000000), "b1000000") end))
    )LUA");
    CHECK(
        lines ==
        Lines{
            "I/user.t 01FF 01FF",
            "I/user.t FEFFFEFF FFFEFFFE FEFF",
            "I/user.t FEFFFFFF04030201 FFFFFFFE01020304",
            "I/user.t FEFFFFFFFFFFFFFF0807060504030201 FFFFFFFFFFFFFFFE0102030405060708",
            "I/user.t 0000C03F 3FC00000 000000000000F83F 3FF8000000000000 00000000000000C0 3FE0000000000000",
            "I/user.t 01780200797A03000000616263 01780002797A00000003616263",
            "I/user.t 61006200 68657A686F75 6865000000 6865",
            "I/user.t 78  010203  0102 0100",
            "I/user.t   07 4523 00",
            "I/user.t 35 36 255 -2 -3 1.5000000000000 -4 -5 2.5000000000000",
            "I/user.t 36 255 -2 -3 1.5000000000000 -4 -5 2.5000000000000",
            "I/user.t 15 -56 200 -25536 40000 -1294967296 3000000000",
            "I/user.t 14 x yz abc",
            "I/user.t 14 x yz abc",
            "I/user.t 7 ab cd",
            "I/user.t 7 ab cd",
            "I/user.t 7 ab  cde f",
            "I/user.t 6 bc de",
            "I/user.t 4 1 2 3",
            "I/user.t 5 1 2 3 4",
            "I/user.t 6 abc 6",
            "I/user.t 1",
            "I/user.t 2 1",
            "I/user.t 0",
            "I/user.t -5",
            "I/user.t 4",
            "I/user.t 9",
            "I/user.t 3 258",
            "I/user.t false bad argument #1 to 'unpack' (bad code `Q')",
            "I/user.t false bad argument #3 to 'unpack' (number expected, got string)",
            "I/user.t false bad argument #1 to 'unpack' (string expected, got nil)",
            "I/user.t false bad argument #1 to 'pack' (string expected, got nil)",
            "I/user.t false bad argument #2 to 'pack' (string expected, got table)",
            "I/user.t false bad argument #2 to 'pack' (string expected, got table)",
            "I/user.t false bad argument #2 to 'pack' (number expected, got string)",
            "I/user.t 301",
            "I/user.t false too many results to unpack",
        });
}
