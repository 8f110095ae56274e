// bit32 / bit and bit64 (docs/modules/bit.md, docs/modules/bit64.md): Lua 5.3's bit32 test values
// (testes/bitwise.lua), LuatOS's additions, LuatOS's bit64 tests (testcase/unit/system/bit64), and
// LuatOS's printf "%f" that bit64.show uses.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "binary_test_support.hpp"
#include "lua_bindings/modules/bit64/luat_printf_float.hpp"

using tests::run_lines;
using Lines = std::vector<std::string>;

TEST_CASE("bit32: Lua 5.3's bitwise tests hold, and bit is the same table") {
    const Lines lines = run_lines(R"LUA(
        local failed = {}
        local function check(ok, what) if not ok then failed[#failed + 1] = what end end
        check(bit32.band() == bit32.bnot(0), "band()")
        check(bit32.btest() == true, "btest()")
        check(bit32.bor() == 0 and bit32.bxor() == 0, "bor() bxor()")
        check(bit32.band() == bit32.band(0xffffffff) and bit32.band(1, 2) == 0, "band")
        check(bit32.band(-1) == 0xffffffff, "band(-1)")
        check(bit32.band((1 << 33) - 1) == 0xffffffff and bit32.band(-(1 << 33) - 1) == 0xffffffff, "band 2^33")
        check(bit32.band((1 << 33) + 1) == 1 and bit32.band(-(1 << 33) + 1) == 1, "band 2^33+1")
        check(bit32.band(-(1 << 40)) == 0 and bit32.band(1 << 40) == 0, "band 2^40")
        check(bit32.band(-(1 << 40) - 2) == 0xfffffffe and bit32.band((1 << 40) - 4) == 0xfffffffc, "band 2^40-")
        check(bit32.lrotate(0, -1) == 0 and bit32.lrotate(0, 7) == 0, "lrotate 0")
        check(bit32.lrotate(0x12345678, 0) == 0x12345678 and bit32.lrotate(0x12345678, 32) == 0x12345678, "lrotate 32")
        check(bit32.lrotate(0x12345678, 4) == 0x23456781 and bit32.rrotate(0x12345678, -4) == 0x23456781, "rot 4")
        check(bit32.lrotate(0x12345678, -8) == 0x78123456 and bit32.rrotate(0x12345678, 8) == 0x78123456, "rot 8")
        check(bit32.lrotate(0xaaaaaaaa, 2) == 0xaaaaaaaa and bit32.lrotate(0xaaaaaaaa, -2) == 0xaaaaaaaa, "rot aa")
        for i = -50, 50 do check(bit32.lrotate(0x89abcdef, i) == bit32.lrotate(0x89abcdef, i % 32), "rot " .. i) end
        check(bit32.lshift(0x12345678, 4) == 0x23456780 and bit32.lshift(0x12345678, 8) == 0x34567800, "lshift")
        check(bit32.lshift(0x12345678, -4) == 0x01234567 and bit32.lshift(0x12345678, -8) == 0x00123456, "lshift -")
        check(bit32.lshift(0x12345678, 32) == 0 and bit32.lshift(0x12345678, -32) == 0, "lshift 32")
        check(bit32.rshift(0x12345678, 4) == 0x01234567 and bit32.rshift(0x12345678, 8) == 0x00123456, "rshift")
        check(bit32.rshift(0x12345678, 32) == 0 and bit32.rshift(0x12345678, -32) == 0, "rshift 32")
        check(bit32.arshift(0x12345678, 0) == 0x12345678, "arshift 0")
        check(bit32.arshift(0x12345678, 1) == 0x12345678 // 2, "arshift 1")
        check(bit32.arshift(0x12345678, -1) == 0x12345678 * 2, "arshift -1")
        check(bit32.arshift(-1, 1) == 0xffffffff and bit32.arshift(-1, 24) == 0xffffffff, "arshift -1 24")
        check(bit32.arshift(-1, 32) == 0xffffffff and bit32.arshift(-1, -1) == bit32.band(-1 * 2, 0xffffffff), "ar32")
        for _, b in pairs({0, 1, 2, 3, 10, 0x80000000, 0xaaaaaaaa, 0x55555555, 0xffffffff, 0x7fffffff}) do
            check(bit32.band(b) == b and bit32.band(b, b) == b and bit32.band(b, b, b) == b, "band b")
            check(bit32.btest(b, b) == (b ~= 0) and bit32.btest(b, b, b) == (b ~= 0), "btest b")
            check(bit32.band(b, bit32.bnot(b)) == 0 and bit32.bor(b, bit32.bnot(b)) == bit32.bnot(0), "bnot b")
            check(bit32.bor(b) == b and bit32.bor(b, b) == b and bit32.bor(b, b, b) == b, "bor b")
            check(bit32.bxor(b, b) == 0 and bit32.bxor(b, b, b) == b and bit32.bxor(b, b, b, b) == 0, "bxor b")
            check(bit32.bxor(b, 0) == b and bit32.bnot(b) ~= b and bit32.bnot(bit32.bnot(b)) == b, "bxor 0")
            check(bit32.bnot(b) == (1 << 32) - 1 - b, "bnot value")
            check(bit32.lrotate(b, 32) == b and bit32.rrotate(b, 32) == b, "rot 32 b")
            check(bit32.lshift(bit32.lshift(b, -4), 4) == bit32.band(b, bit32.bnot(0xf)), "shift back")
            check(bit32.rshift(bit32.rshift(b, 4), -4) == bit32.band(b, bit32.bnot(0xf)), "rshift back")
        end
        for _, b in pairs({0, 1, 2, 3, 10, 0x800000, 0xaaaaaa, 0x555555, 0xffffff, 0x7fffff}) do
            for i = -40, 40 do
                local x = bit32.lshift(b, i)
                local y = math.floor(math.fmod(b * 2.0 ^ i, 2.0 ^ 32))
                check(math.fmod(x - y, 2.0 ^ 32) == 0, "lshift " .. b .. " " .. i)
            end
        end
        check(not pcall(bit32.band, {}) and not pcall(bit32.bnot, "a"), "bad types")
        check(not pcall(bit32.lshift, 45) and not pcall(bit32.lshift, 45, print) and not pcall(bit32.rshift, 45, print), "bad shifts")
        check(bit32.extract(0x12345678, 0, 4) == 8 and bit32.extract(0x12345678, 4, 4) == 7, "extract")
        check(bit32.extract(0xa0001111, 28, 4) == 0xa and bit32.extract(0xa0001111, 31, 1) == 1, "extract 31")
        check(bit32.extract(0x50000111, 31, 1) == 0 and bit32.extract(0xf2345679, 0, 32) == 0xf2345679, "extract 32")
        check(not pcall(bit32.extract, 0, -1) and not pcall(bit32.extract, 0, 32), "extract field")
        check(not pcall(bit32.extract, 0, 0, 33) and not pcall(bit32.extract, 0, 31, 2), "extract width")
        check(bit32.replace(0x12345678, 5, 28, 4) == 0x52345678, "replace")
        check(bit32.replace(0x12345678, 0x87654321, 0, 32) == 0x87654321, "replace 32")
        check(bit32.replace(0, 1, 2) == 2 ^ 2 and bit32.replace(0, -1, 4) == 2 ^ 4, "replace 1")
        check(bit32.replace(-1, 0, 31) == (1 << 31) - 1 and bit32.replace(-1, 0, 1, 2) == (1 << 32) - 7, "replace -1")
        check(bit32.bor(3.0) == 3 and bit32.bor(-4.0) == 0xfffffffc, "floats")
        check(bit32.bor(2.0 ^ 32 - 5.0) == 0xfffffffb and bit32.bor(-2.0 ^ 32 - 6.0) == 0xfffffffa, "floats 2^32")
        check(bit32.bor(2.0 ^ 48 - 5.0) == 0xfffffffb and bit32.bor(-2.0 ^ 48 - 6.0) == 0xfffffffa, "floats 2^48")
        t("failed", #failed, table.concat(failed, ", "))
        t(rawequal(bit, bit32), package.loaded.bit32 == bit32, package.loaded.bit, math.type(bit32.bnot(0)))
        t(err(function() bit32.band(1.5) end))
        t(err(function() bit32.lshift(1, 1.5) end))
        t(err(function() bit32.extract(1, -1) end))
        t(err(function() bit32.extract(1, 0, 0) end))
        t(err(function() bit32.replace(1, 1, 30, 3) end))
        t(err(function() bit32.extract(1, math.maxinteger, math.maxinteger) end))
        t(err(function() bit32.lrotate("x", "y") end))
        t(bit32.rshift(1, math.mininteger), bit32.lshift(1, math.mininteger), bit32.arshift(0x80000000, math.mininteger))
    )LUA");
    CHECK(lines == Lines{
                       "I/user.t failed 0 ",
                       "I/user.t true true nil integer",
                       "I/user.t false bad argument #1 to 'band' (number has no integer representation)",
                       "I/user.t false bad argument #2 to 'lshift' (number has no integer representation)",
                       "I/user.t false bad argument #2 to 'extract' (field cannot be negative)",
                       "I/user.t false bad argument #3 to 'extract' (width must be positive)",
                       "I/user.t false trying to access non-existent bits",
                       "I/user.t false trying to access non-existent bits",
                       "I/user.t false bad argument #2 to 'lrotate' (number expected, got string)",
                       "I/user.t 0 0 0",
                   });
}

TEST_CASE("bit: LuatOS's bit/set/clear/isset/isclear shift a 32-bit int as the module's ARM core does") {
    const Lines lines = run_lines(R"LUA(
        t(bit.bit(0), bit.bit(7), bit.bit(30), bit.bit(31), bit.bit(32), bit.bit(255), bit.bit(256), bit.bit(-1), bit.bit("3"))
        t(bit.set(0, 0, 3), bit.set(0, 31), bit.set(1 << 32, 0), bit.set(5), bit.set(0, 40))
        t(bit.clear(0xFF, 0, 7), bit.clear(0x1FFFFFFFF, 0), bit.clear(0x1FFFFFFFF, 31), bit.clear(7))
        t(bit.isset(5, 2), bit.isset(5, 1), bit.isclear(5, 1), bit.isclear(5, 0), bit.isset(0x80000000, 31),
          bit.isset(1 << 32, 32), bit.isset(1, 256), bit.isclear(-1, 40))
        t(err(function() bit.bit(1.5) end))
        t(err(function() bit.set(1, nil) end))
        t(err(function() bit.isset(1) end))
    )LUA");
    CHECK(lines == Lines{
                       "I/user.t 1 128 1073741824 -2147483648 0 0 1 0 8",
                       "I/user.t 9 -2147483648 4294967297 5 0",
                       "I/user.t 126 8589934590 2147483647 7",
                       "I/user.t true false true false true false true true",
                       "I/user.t false bad argument #1 to 'bit' (number has no integer representation)",
                       "I/user.t false bad argument #2 to 'set' (number expected, got nil)",
                       "I/user.t false bad argument #2 to 'isset' (number expected, got no value)",
                   });
}

TEST_CASE("bit64: LuatOS's bit64 test values") {
    const Lines lines = run_lines(R"LUA(
        local s, n = bit64.show, function(v) return tonumber(bit64.show(v, 10)) end
        local a, b = bit64.to64(87654321), bit64.to64(12345678)
        t(bit64.to32(string.fromHex("40E201000000000000")), bit64.to32(bit64.to64(12345678)),
          bit64.to32(bit64.to64(-12345678)), bit64.to32(bit64.to64(12.34234)) == 12.34234,
          bit64.to32(bit64.to64(-12.34234)) == -12.34234)
        t(n(bit64.plus(a, b)), n(bit64.plus(a, -12345678, false)), n(bit64.plus(a, -12345678, true)))
        t(n(bit64.minus(a, b)), n(bit64.minus(a, -12345678, false)), n(bit64.minus(a, -12345678, true)))
        t(n(bit64.multi(b, a)), n(bit64.multi(bit64.to64(54321), -12345)), n(bit64.multi(bit64.to64(54321), -12345, true)))
        t(n(bit64.pide(a, b)), n(bit64.pide(a, -12345678, false)), n(bit64.pide(a, -12345678, true)))
        local c = bit64.to64(1234567)
        t(n(bit64.plus(c, 1234567)), n(bit64.minus(a, 1234567)), n(bit64.multi(a, 1234567)), n(bit64.pide(a, 1234567)))
        local f, i = bit64.to64(87654.326), bit64.to64(12345)
        t(s(bit64.plus(f, i)), s(bit64.plus(f, i)) == s(bit64.to64(99999.326)), s(bit64.plus(f, i, nil, true)))
        t(s(bit64.minus(f, i)) == s(bit64.to64(75309.326)), s(bit64.multi(f, i)), s(bit64.multi(f, i)) == s(bit64.to64(1082092654.47)))
        t(s(bit64.multi(bit64.to64(876.326), bit64.to64(123), nil, true)), s(bit64.pide(f, i)), n(bit64.pide(f, i, nil, true)))
        local x, y = bit64.to64(87654.32), bit64.to64(12345.67)
        t(s(bit64.plus(x, y)), n(bit64.plus(x, y)) == n(bit64.to64(99999.99)), bit64.to32(bit64.minus(x, y)) == 87654.32 - 12345.67)
        t(s(bit64.multi(x, y)), s(bit64.multi(x, y)) == s(bit64.to64(1082151308.7944)), s(bit64.pide(x, y)), n(bit64.pide(x, y, nil, true)))
        t(n(bit64.shift(b, 5, true)), n(bit64.shift(b, 5, false)))
        t(n(bit64.strtoll("864040064024194", 10)), n(bit64.strtoll("12345", 16)), n(bit64.strtoll("12345", 8)), n(bit64.strtoll("***@!!!!", 10)))
        t(s(bit64.to64(-123456), 10, true), n(bit64.to64(-12345678), 10, false))
        -- the demo's hexadecimal lines
        local h = bit64.shift(bit64.to64(0xc0000000), 8, true)
        t(s(h, 16), s(bit64.plus(h, 2), 16), s(bit64.minus(h, 2), 16), s(bit64.multi(h, 2), 16), s(bit64.pide(h, 2), 16))
        local l = bit64.strtoll("864040064024194", 10)
        t(l:toHex(), s(l))
    )LUA");
    CHECK(lines == Lines{
                       "I/user.t 123456 12345678 -12345678 true true",
                       "I/user.t 99999999 75308643 75308643",
                       "I/user.t 75308643 99999999 99999999",
                       "I/user.t 1082152022374638 -670592745 -670592745",
                       "I/user.t 7 -7 0",
                       "I/user.t 2469134 86419754 108215132114007 71",
                       "I/user.t 99999.326000 true 99999",
                       "I/user.t true 1.082093e+09 true",
                       "I/user.t 107788 7.100391 7",
                       "I/user.t 99999.990000 true true",
                       "I/user.t 1.082151e+09 true 7.100005 7",
                       "I/user.t 395061696 385802",
                       "I/user.t 864040064024194 74565 5349 0",
                       "I/user.t 18446744073709428160 -12345678",
                       "I/user.t 0xc000000000 0xc000000002 0xbffffffffe 0x18000000000 0x6000000000",
                       "I/user.t 827E1601D711030000 864040064024194",
                   });
}

TEST_CASE("bit64: what luat_lib_bit64.c does with odd values, and mcu.x32 / tick64 / dtick64") {
    const Lines lines = run_lines(R"LUA(
        local s = bit64.show
        t(bit64.to32(""), bit64.to32("\1\2"), bit64.to32(bit64.to64(7) .. "tail"), s("abc"), s(bit64.to64(1), "x" == nil and 0 or 10))
        t(s(bit64.to64(1.5), 16), s(bit64.to64(-1), 16), s(bit64.to64(255), 272), s(bit64.to64(-1), 10, 1), s(bit64.to64(0.0 / 0.0)))
        t(bit64.to64("5") == bit64.to64(5.0), bit64.to64(nil):toHex(), bit64.to64({}):toHex(), s(bit64.to64(2 ^ 63)))
        t(s(bit64.pide(bit64.to64(5), 0)), s(bit64.pide(bit64.to64(-5), 0)), s(bit64.pide(bit64.to64(0), 0)),
          s(bit64.pide(bit64.to64(5), 0, true), 10, true), s(bit64.pide(bit64.to64(math.mininteger), -1)))
        t(s(bit64.plus(bit64.to64(math.maxinteger), 1)), s(bit64.minus(bit64.to64(0), 1, true), 10, true))
        t(s(bit64.pide(bit64.to64(1.0), 0)), s(bit64.pide(bit64.to64(-1), 0.0)), s(bit64.multi(bit64.to64(1e300), 1e300, nil, true)))
        t(bit64.plus(bit64.to64(1), "short"):toHex(), bit64.plus("short", {}):toHex(), s(bit64.plus(bit64.to64(1), "5")))
        t(err(function() bit64.plus(bit64.to64(1), {}) end))
        t(err(function() bit64.plus(nil, 1) end))
        local v = bit64.to64(1)
        t(bit64.shift(v, 0) == v, bit64.shift(v, 1.5) == v, bit64.shift("abc", 3), s(bit64.shift(v, 63, true)),
          s(bit64.shift(v, 64, true)), s(bit64.shift(v, (1 << 32) + 1, true)), s(bit64.shift(bit64.to64(1.5), 1), 16))
        t(select("#", bit64.strtoll("")), s(bit64.strtoll("ff")), s(bit64.strtoll("0x1f", 16)), s(bit64.strtoll("0x1f", 0)),
          s(bit64.strtoll("99999999999999999999")), s(bit64.strtoll("12", 1)), s(bit64.strtoll("-12")))
        t(err(function() bit64.strtoll("1", "x") end))
        t(mcu.x32(0x2009FFFC), mcu.x32(-12345678), mcu.x32(0), mcu.x32(1 << 32 | 5), err(function() mcu.x32(1.5) end))
        local t8, per = mcu.tick64()
        local t9 = mcu.tick64(true)
        t(#t8, per, #t9, t9:byte(9), math.type(bit64.to32(t9)), bit64.to32(t9) >= 0)
        local later = mcu.tick64()
        t(mcu.dtick64(later, t8), select(2, mcu.dtick64(t8, later)) <= 0, mcu.dtick64("\2", "\1", 2), mcu.dtick64("\2", "\1"))
        t(err(function() mcu.dtick64(t9, t8) end))
    )LUA");
    CHECK(lines.size() == 16);
    CHECK(Lines(lines.begin(), lines.begin() + 12) ==
          Lines{
              "I/user.t 0 513 7 nil 1",
              "I/user.t 0x3ff8000000000000 0xffffffffffffffff 0xff -1 nan",
              "I/user.t true 000000000000000000 000000000000000000 9.223372e+18",
              "I/user.t 9223372036854775807 -9223372036854775808 0 18446744073709551615 -9223372036854775808",
              "I/user.t -9223372036854775808 18446744073709551615",
              "I/user.t inf -inf 9223372036854775807",
              "I/user.t 000000000000000000 000000000000000000 6.000000",
              "I/user.t false bad argument #2 to 'plus' (string expected, got table)",
              "I/user.t false bad argument #1 to 'plus' (string expected, got nil)",
              "I/user.t true true abc -9223372036854775808 0 2 0x1ffc000000000000",
              "I/user.t 0 0 31 31 9223372036854775807 0 -12",
              "I/user.t false bad argument #2 to 'strtoll' (number expected, got string)",
          });
    CHECK(lines[12] ==
          "I/user.t 0x2009fffc 0xff439eb2 0x0 0x5 false bad argument #1 to 'x32' (number has no integer "
          "representation)");
    CHECK(lines[13] == "I/user.t 8 26 9 0 integer true");
    CHECK(lines[14] == "I/user.t true true false true 1");
    CHECK(lines[15] == "I/user.t false tick string too long");
}

TEST_CASE("bit64.show formats doubles as LuatOS's printf \"%f\" does") {
    using lua_bindings::luat_printf_f;
    CHECK(luat_printf_f(0) == "0.000000");
    CHECK(luat_printf_f(-0.0) == "0.000000");  // its sign test is `value < 0`
    CHECK(luat_printf_f(1.5) == "1.500000");
    CHECK(luat_printf_f(-12.25) == "-12.250000");
    CHECK(luat_printf_f(0.125) == "0.125000");
    CHECK(luat_printf_f(99999.326) == "99999.326000");
    CHECK(luat_printf_f(7.1003908465) == "7.100391");
    CHECK(luat_printf_f(0.9999996) == "1.000000");
    CHECK(luat_printf_f(1.5e-7) == "0.000000");
    CHECK(luat_printf_f(1e9) == "1000000000.000000");
    CHECK(luat_printf_f(1082092654.47) == "1.082093e+09");
    CHECK(luat_printf_f(-1082092654.47) == "-1.082093e+09");
    CHECK(luat_printf_f(1082151308.7944) == "1.082151e+09");
    // its exponent estimate can leave the mantissa at 10 (compared against that printf built on the host)
    CHECK(luat_printf_f(1e10) == "10.000000e+09");
    CHECK(luat_printf_f(1e100) == "10.000000e+99");
    CHECK(luat_printf_f(123456789.123456789) == "123456789.123457");
    CHECK(luat_printf_f(5e-7) == "0.000001");
    CHECK(luat_printf_f(-2.5e300) == "-2.500000e+300");
    CHECK(luat_printf_f(std::numeric_limits<double>::infinity()) == "inf");
    CHECK(luat_printf_f(-std::numeric_limits<double>::infinity()) == "-inf");
    CHECK(luat_printf_f(std::nan("")) == "nan");
}
