// zbuff (docs/modules/zbuff.md): the values LuatOS's own tests expect (testcase/unit/system/zbuff,
// components/utest/zbuff, bsp/pc/test/0xx.zbuff_*), then what luat_lib_zbuff.c does at the edges.
#include <catch2/catch.hpp>

#include "binary_test_support.hpp"

using tests::run_lines;
using Lines = std::vector<std::string>;

TEST_CASE("zbuff: LuatOS's test values for create, write, read, clear and seek") {
    const Lines lines = run_lines(R"LUA(
        t(err(function() zbuff.create(nil) end))
        t(err(function() zbuff.create("secong") end))
        t(zbuff.create(0) == nil, select("#", zbuff.create(0)))
        local b = zbuff.create(1024)
        t(b:write(0x1a, 0x30, 0x31, 0x32, 0x00, 0x01))
        b:free()
        -- numbers stop at the first string, a string takes only itself
        local m = zbuff.create(3)
        t(m:write(0x1a, "CD"), m:write("AB", 0x12))
        local o = zbuff.create(3)
        t(o:write(0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC), o:len())
        local c1, c2 = zbuff.create(2), zbuff.create(2)
        c1:write("AB" .. "CD")
        c2:write("AB")
        c2:write("CD")
        c1:seek(0)
        c2:seek(0)
        t(c1:read(2), c2:read(2))
        t(err(function() c1:write(nil) end))
        local r = zbuff.create(1024)
        r:write(0x1a, 0x30, 0x31, 0x32, 0x00, 0x01)
        t(err(function() r:read("second") end))
        t(r:read():toHex(), r:read(0) == "")
        local cl = zbuff.create(2)
        cl:clear(0xAA)
        t(cl:read(2):toHex())
        cl:clear(0)
        cl:seek(0)
        t(cl:read(2):toHex())
        -- components/utest/zbuff rw_u8_basic
        local u = zbuff.create(4)
        u:write(0x12)
        u:seek(0)
        t(u:read(1):toHex())
    )LUA");
    CHECK(lines == Lines{
                       "I/user.t false bad argument #1 to 'create' (number expected, got nil)",
                       "I/user.t false bad argument #1 to 'create' (number expected, got string)",
                       "I/user.t true 0",
                       "I/user.t 6",
                       "I/user.t 1 2",
                       "I/user.t 3 3",
                       "I/user.t AB AB",
                       "I/user.t false bad argument #1 to 'write' (string expected, got nil)",
                       "I/user.t false bad argument #1 to 'read' (number expected, got string)",
                       "I/user.t 00 true",
                       "I/user.t AAAA 4",
                       "I/user.t 0000 4",
                       "I/user.t 12 2",
                   });
}

TEST_CASE("zbuff: seek from the start, the cursor and the end, clamped to the buffer") {
    const Lines lines = run_lines(R"LUA(
        local b = zbuff.create(35)
        b:write("0123456789ABCDEFGHIJKLMNOPQRSTUVW")
        t(b:seek(0, nil), err(function() b:seek(nil, nil) end))
        t(err(function() b:seek(nil, zbuff.SEEK_SET) end))
        local s = zbuff.create(30)
        t(s:write("0123456789ABCDEFGHIJ"), s:seek(0, zbuff.SEEK_SET), s:read(3), s:seek(5, zbuff.SEEK_SET), s:read(3))
        t(s:seek(100, zbuff.SEEK_SET), s:seek(s:len() - 1, zbuff.SEEK_SET))
        local c = zbuff.create(40)
        c:write("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        c:seek(0)
        t(c:seek(5, zbuff.SEEK_CUR), c:read(3))
        c:seek(15)
        t(c:seek(0, zbuff.SEEK_CUR), c:seek(-3, zbuff.SEEK_CUR), c:read(3))
        c:seek(0)
        t(c:seek(-10, zbuff.SEEK_CUR))
        c:seek(c:len() - 5)
        t(c:seek(10, zbuff.SEEK_CUR))
        b:seek(0)
        local all = b:read(50)
        t(#all, b:seek(-3, zbuff.SEEK_END), b:read(3) == all:sub(-3))
        t(b:seek(-(b:len() + 10), zbuff.SEEK_END), b:seek(5, zbuff.SEEK_END), b:seek(0, zbuff.SEEK_END))
        t(zbuff.SEEK_SET, zbuff.SEEK_CUR, zbuff.SEEK_END, select("#", b:seek(0, 3)), b:seek(2, 2 ^ 32))
    )LUA");
    CHECK(lines == Lines{
                       "I/user.t 0 false bad argument #1 to 'seek' (number expected, got nil)",
                       "I/user.t false bad argument #1 to 'seek' (number expected, got nil)",
                       "I/user.t 20 0 012 5 567",
                       "I/user.t 30 29",
                       "I/user.t 5 567",
                       "I/user.t 15 12 CDE",
                       "I/user.t 0",
                       "I/user.t 40",
                       "I/user.t 35 32 true",
                       "I/user.t 0 35 35",
                       "I/user.t 0 1 2 0 2",
                   });
}

TEST_CASE("zbuff: pack and unpack at the cursor, LuatOS's test values") {
    const Lines lines = run_lines(R"LUA(
        local b = zbuff.create(10)
        for _, v in ipairs({65535, 0}) do
            b:clear()
            local w = b:pack("H", v)
            b:seek(0)
            t("H", w, b:unpack("H"))
        end
        local c = zbuff.create(20)
        t("cc", c:pack("cc", 0x7F, 0x80), c:seek(0), c:unpack("cc"))
        local u = zbuff.create(10)
        for _, v in ipairs({255, 0}) do
            u:clear()
            u:pack("b", v)
            u:seek(0)
            t("b", u:unpack("b"))
        end
        local h = zbuff.create(20)
        t("hh", h:pack("hh", 0x7FFF, 0x8000), h:seek(0), h:unpack("hh"))
        local i = zbuff.create(20)
        t("ii", i:pack("ii", 2147483647, 0x800000), i:seek(0), i:unpack("ii"))
        local ui = zbuff.create(20)
        for _, v in ipairs({0xFFFFFFFF, 0}) do
            ui:clear()
            local w = ui:pack("I", v)
            ui:seek(0)
            t("I", w, ui:unpack("I"))
        end
        local a = zbuff.create(20)
        t("A", a:pack("<A", "Hello123"), a:seek(0), a:unpack("<A8"))
        local f = zbuff.create(20)
        for _, v in ipairs({3.14159, -2.71828, 0.0, 1.0, -1.0}) do
            f:clear()
            local w = f:pack("f", v)
            f:seek(0)
            t("f", w, (f:unpack("f")))
        end
        local d = zbuff.create(20)
        for _, v in ipairs({3.141592653589793, -2.718281828459045, 0.0}) do
            d:clear()
            local w = d:pack("d", v)
            d:seek(0)
            t("d", w, (d:unpack("d")))
        end
        local m = zbuff.create(20)
        t("IhA", m:pack(">IhA", 0x12345678, 0x8000, "end"), m:seek(0), m:unpack(">IhA3"))
        local e = zbuff.create(20)
        t(err(function() e:pack("X", "Hello123") end))
        t(err(function() e:unpack("X") end))
        t(err(function() e:pack(nil, "Hello123") end))
        t(err(function() e:unpack(nil) end))
        t(err(function() e:pack(2, "Hello123") end))
        t(err(function() e:unpack(2) end))
        -- the demo's example
        local demo = zbuff.create(1024)
        demo:pack(">IIHA", 0x1234, 0x4567, 0x12, "abcdefg")
        t(demo:toStr(0, demo:used()):toHex())
        demo:seek(0)
        local n, x, y, z, s = demo:unpack(">IIHA10")
        t(n, x, y, z, s == "abcdefg\0\0\0")
    )LUA");
    CHECK(lines == Lines{
                       "I/user.t H 2 2 65535",
                       "I/user.t H 2 2 0",
                       "I/user.t cc 2 0 2 127 -128",
                       "I/user.t b 1 255",
                       "I/user.t b 1 0",
                       "I/user.t hh 4 0 4 32767 -32768",
                       "I/user.t ii 8 0 8 2147483647 8388608",
                       "I/user.t I 4 4 4294967295",
                       "I/user.t I 4 4 0",
                       "I/user.t A 8 0 8 Hello123",
                       "I/user.t f 4 4",
                       "I/user.t f 4 4",
                       "I/user.t f 4 4",
                       "I/user.t f 4 4",
                       "I/user.t f 4 4",
                       "I/user.t d 8 8",
                       "I/user.t d 8 8",
                       "I/user.t d 8 8",
                       "I/user.t IhA 9 0 9 305419896 -32768 end",
                       "I/user.t false calling 'pack' on bad self (bad code `X')",
                       "I/user.t false calling 'unpack' on bad self (bad code `X')",
                       "I/user.t false bad argument #1 to 'pack' (string expected, got nil)",
                       "I/user.t false bad argument #1 to 'unpack' (string expected, got nil)",
                       "I/user.t false calling 'pack' on bad self (bad code `2')",
                       "I/user.t false calling 'unpack' on bad self (bad code `2')",
                       "I/user.t 0000123400004567001261626364656667 34",
                       "I/user.t 20 4660 17767 18 true",
                   });
}

TEST_CASE("zbuff: pack stops at the capacity, unpack at the last whole value, in the zbuff dialect") {
    const Lines lines = run_lines(R"LUA(
        local b = zbuff.create(3)
        t(b:pack(">I", 0x01020304), b:toStr():toHex(), b:used())
        local f = zbuff.create(2)
        t(f:pack("bbX", 1, 2), f:pack("X"))  -- full before the bad code is reached
        local r = zbuff.create(3)
        r:write(1, 2, 3)
        r:seek(0)
        t(r:unpack(">HH"))
        t(r:used(), r:unpack("b"))
        local a = zbuff.create(8)
        t(a:pack("A2", "ab", "cd"), a:toStr(0, a:used()), a:pack(" , <b>h", 5, 0x0102), a:toStr(4, 3):toHex())
        a:seek(0)
        t(a:unpack("A0A3 A"))
        for _, code in ipairs({"z", "p", "P", "a"}) do
            a:seek(0)
            t(err(function() a:pack(code, "x") end))
            t(err(function() a:unpack(code) end))
        end
        local n = zbuff.create(24)
        n:pack("<nlL", 1.5, -2, -1)
        n:seek(0)
        t(n:unpack("<nlL"))
        n:seek(0)
        t(n:pack("=i>i<i", 1, 1, 1), n:toStr(0, 12):toHex())
        t(err(function() n:pack("b", 1.5) end))
        t(err(function() n:pack("b") end))
    )LUA");
    CHECK(lines == Lines{
                       "I/user.t 3 010203 3",
                       "I/user.t 2 0",
                       "I/user.t 2 258",
                       "I/user.t 2 1 3",
                       "I/user.t 4 abcd 3 050102 6",
                       "I/user.t 4  abc d",
                       "I/user.t false calling 'pack' on bad self (bad code `z')",
                       "I/user.t false calling 'unpack' on bad self (bad code `z')",
                       "I/user.t false calling 'pack' on bad self (bad code `p')",
                       "I/user.t false calling 'unpack' on bad self (bad code `p')",
                       "I/user.t false calling 'pack' on bad self (bad code `P')",
                       "I/user.t false calling 'unpack' on bad self (bad code `P')",
                       "I/user.t false calling 'pack' on bad self (bad code `a')",
                       "I/user.t false calling 'unpack' on bad self (bad code `a')",
                       "I/user.t 24 1.5000000000000 -2 -1",
                       "I/user.t 12 010000000000000101000000 24",
                       "I/user.t false bad argument #2 to 'pack' (number has no integer representation)",
                       "I/user.t false bad argument #2 to 'pack' (number expected, got no value)",
                   });
}

TEST_CASE("zbuff: readI8..readF64 and writeI8..writeF64, LuatOS's test values and the end of the buffer") {
    const Lines lines = run_lines(R"LUA(
        local b = zbuff.create(16)
        t(b:writeI8(0x80), b:seek(0), b:readI8(), b:writeI8(0x7F), b:seek(1), b:readI8())
        b = zbuff.create(16)
        t(b:writeU8(0), b:seek(0), b:readU8(), b:writeU8(255), b:seek(1), b:readU8())
        b = zbuff.create(16)
        t(b:writeI16(-32768), b:seek(0), b:readI16(), b:writeI16(32767), b:seek(2), b:readI16())
        b = zbuff.create(16)
        t(b:writeU16(0), b:seek(0), b:readU16(), b:writeU16(65535), b:seek(2), b:readU16())
        b = zbuff.create(16)
        t(b:writeI32(-2147483648), b:seek(0), b:readI32(), b:writeI32(2147483647), b:seek(4), b:readI32())
        b = zbuff.create(16)
        t(b:writeU32(0), b:seek(0), b:readU32(), b:writeU32(0xFFFFFFFF), b:seek(4), b:readU32())
        b = zbuff.create(16)
        t(b:writeI64(-1000000000), b:seek(0), b:readI64(), b:writeI64(1000000000), b:seek(8), b:readI64())
        b = zbuff.create(16)
        t(b:writeU64(0), b:seek(0), b:readU64(), b:writeU64(0xFFFFFFFFFFFFFFFF), b:seek(8),
          b:readU64() == 0xFFFFFFFFFFFFFFFF)
        b = zbuff.create(16)
        t(b:writeF32(3.14159), b:seek(0), math.abs(b:readF32() - 3.14159) < 0.0001, b:writeF32(-123.456),
          b:seek(4), math.abs(b:readF32() + 123.456) < 0.001)
        b = zbuff.create(16)
        t(b:writeF64(3.141592653589793), b:seek(0), b:readF64() == 3.141592653589793,
          b:writeF64(-987654321.123456), b:seek(8), b:readF64() == -987654321.123456)
        -- little endian, wrapping, and nothing past the end (the value is not even looked at)
        b = zbuff.create(3)
        t(b:writeU16(0x1234), b:toStr(0, 2):toHex(), b:writeU16(1), b:writeU16("x"), b:readU8(), b:writeU8(0x1FF))
        b:seek(0)
        t(b:readU16(), select("#", b:readU16()), b:readI8(), select("#", b:readI8()))
        t(err(function() zbuff.create(4):writeI8(1.5) end))
    )LUA");
    CHECK(lines == Lines{
                       "I/user.t 1 0 -128 1 1 127",
                       "I/user.t 1 0 0 1 1 255",
                       "I/user.t 2 0 -32768 2 2 32767",
                       "I/user.t 2 0 0 2 2 65535",
                       "I/user.t 4 0 -2147483648 4 4 2147483647",
                       "I/user.t 4 0 0 4 4 4294967295",
                       "I/user.t 8 0 -1000000000 8 8 1000000000",
                       "I/user.t 8 0 0 8 8 true",
                       "I/user.t 4 0 true 4 4 true",
                       "I/user.t 8 0 true 8 8 true",
                       "I/user.t 2 3412 0 0 0 0",
                       "I/user.t 4660 0 0 0",
                       "I/user.t false bad argument #1 to 'writeI8' (number has no integer representation)",
                   });
}

TEST_CASE("zbuff: toStr, [], resize, copy, used, del, query, set, isEqual, toBase64: LuatOS's test values") {
    const Lines lines = run_lines(R"LUA(
        local b = zbuff.create(10)
        b:write("HelloWorld")
        b:seek(5)
        t(b:toStr(0, 5), b:toStr(), b:toStr(0, b:used()))
        local s = zbuff.create(20)
        s:write("HelloLuatOS")
        t("[" .. s:toStr(100, 5) .. "]", "[" .. s:toStr(0, 0) .. "]", "[" .. s:toStr(0, -5) .. "]",
          "[" .. s:toStr(-5, 5) .. "]", s:toStr(nil, 5), (s:toStr(0, nil):gsub("%z", "")), #s:toStr(0, nil))
        local a = zbuff.create(8)
        t(a:write(0x1a, 0x30, 0x31, 0x32, 0x00, 0x01), a[0], string.format("%02X", a[0]))
        a:seek(0)
        t(a:read(1):toHex())
        local w = zbuff.create(8)
        w[0] = 0x1A
        w[1] = 0x30
        w[2] = 0x31
        w:seek(0)
        t(w:read(3):toHex())
        local r = zbuff.create(8)
        r:write("ABCD")
        r:resize(20)
        t(r:len(), r:used())
        r = zbuff.create(10)
        r:write("123456789")
        r:resize(5)
        t(r:len(), r:used())
        t(zbuff.create(8):copy(nil, "stst"))
        local src = zbuff.create(8)
        t(src:write(0x1a, 0x30, 0x31, 0x32, 0x00, 0x01), zbuff.create(8):copy(nil, src),
          zbuff.create(8):copy(nil, 0x1a, 0x30, 0x31, 0x32, 0x00, 0x01))
        local u = zbuff.create(10)
        u:write("HelloWorld")
        local s1 = u:toStr(0, u:used())
        u:seek(5)
        t(s1, u:toStr(0, u:used()))
        local d = zbuff.create(10)
        d:write("123456789")
        d:del(1, 4)
        t(d:used(), d:toStr(0, d:used()))
        local q = zbuff.create(10)
        q:write(0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC)
        t(type(q:query(0, 6)), q:query(0, 6):toHex(), q:query(0, 4, true, false, false), type(q:query(0, 6, true, false, false)))
        local st = zbuff.create(10)
        st:set(0, 0xAA, 2)
        t(st:read(2):toHex())
        st:set(8, 0x55, 5)
        t(st:toStr(8, st:used()):toHex())
        st:set(3, 0x123, 4)
        t(string.format("%02X", st[3]))
        local e1, e2 = zbuff.create(8), zbuff.create(8)
        e1:set(0, 0x12, 8)
        e2:set(0, 0x12, 8)
        t(e1:isEqual(0, e2, 0, 8))
        e2[3] = 0x34
        t(e1:isEqual(0, e2, 0, 4))
        local h = zbuff.create(12)
        h:write(0x48, 0x65, 0x6C, 0x6C, 0x6F)
        local dst = zbuff.create(math.ceil(h:used() * 1.35) + 3)
        local n = h:toBase64(dst)
        t(n, dst:toStr(0, n), dst:used())
    )LUA");
    CHECK(lines == Lines{
                       "I/user.t Hello HelloWorld Hello",
                       "W/zbuff zbuff:toStr length cannot be negative",
                       "I/user.t [] [] [] [] Hello HelloLuatOS 20",
                       "I/user.t 6 26 1A",
                       "I/user.t 1A 2",
                       "I/user.t 1A3031 6",
                       "I/user.t 20 4",
                       "I/user.t 5 5",
                       "I/user.t 4",
                       "I/user.t 6 6 6",
                       "I/user.t HelloWorld Hello",
                       "I/user.t 5 16789",
                       "I/user.t string 123456789ABC 305419896 string",
                       "I/user.t AAAA 4",
                       "I/user.t 5555 4",
                       "I/user.t 23",
                       "I/user.t true 0",
                       "I/user.t false 3",
                       "I/user.t 8 SGVsbG8= 8",
                   });
}

TEST_CASE("zbuff: the frame buffer, LuatOS's test values and the pixel formats") {
    const Lines lines = run_lines(R"LUA(
        t(zbuff.create(320 * 240 * 2):setFrameBuffer(320, 240, 16, 0xFFFF))
        t(select("#", zbuff.create(100):setFrameBuffer(320, 240, 16, 0xFFFF)))
        local l = zbuff.create(128 * 160 * 2)
        t(l:setFrameBuffer(128, 160, 16), l:drawLine(10, 20, 100, 80, 0xF800))
        local r = zbuff.create(128 * 160 * 2)
        r:setFrameBuffer(128, 160, 16, 0xffff)
        t(r:drawRect(0, 0, 2, 3, 0x07E0, true), string.format("0x%04X", r:pixel(1, 1)))
        local c = zbuff.create(128 * 160 * 2)
        c:setFrameBuffer(128, 160, 16, 0xffff)
        t(c:drawCircle(15, 5, 3, 0x07E0, true), string.format("0x%04X", c:pixel(1, 1)), string.format("0x%04X", c:pixel(15, 5)))
        -- created as a frame: {width, height, bit} and a fill colour
        local one = zbuff.create({8, 2, 1}, 1)
        t(#one, one:toStr():toHex(), one:pixel(7, 1), one:pixel(8, 0), one:pixel(0, 2), one:pixel(3, 1, 0), one:toStr():toHex())
        t(zbuff.create({3, 3, 4}, 0xA):toStr():toHex(), zbuff.create({2, 1, 24}, 0x123456):toStr():toHex(),
          zbuff.create({1, 1, 32}, -2):toStr():toHex(), #zbuff.create({3, 3, 1}))
        t(select("#", zbuff.create({8, 8, 3})), select("#", zbuff.create({0, 8, 8})))
        -- a line stops before its end point; a rectangle's corners are clamped
        local f = zbuff.create(8)
        f:setFrameBuffer(8, 1, 8)
        t(f:drawLine(0, 0, 3, 0, 1), f:toStr():toHex())
        local g = zbuff.create(16)
        g:setFrameBuffer(4, 4, 8)
        t(g:drawRect(1, 1, 9, 9, 7), g:toStr():toHex())
        -- LuatOS compares x - r and y - r as unsigned: a circle over the left or top edge is not drawn
        local k = zbuff.create(100)
        k:setFrameBuffer(10, 10, 8)
        t(select("#", k:drawCircle(1, 5, 3, 9)), select("#", k:drawCircle(5, 1, 3, 9)), k:drawCircle(3, 3, 3, 9),
          k:toStr(0, 10):toHex())
        -- no frame: nothing
        local n = zbuff.create(4)
        t(select("#", n:pixel(0, 0)), select("#", n:drawLine(0, 0, 1, 1)), select("#", n:drawRect(0, 0, 1, 1)),
          select("#", n:drawCircle(1, 1, 1)))
        -- resize drops the frame
        g:resize(32)
        t(select("#", g:pixel(0, 0)))
    )LUA");
    CHECK(lines == Lines{
                       "I/zbuff create large size: 150 kbyte, trigger force GC",
                       "I/user.t true",
                       "W/zbuff invalid framebuffer size, setFrameBuffer refused",
                       "I/user.t 0",
                       "I/user.t true true",
                       "I/user.t true 0x07E0",
                       "I/user.t true 0xFFFF 0x07E0",
                       "I/user.t 2 FFFF 1 nil nil true FFEF 4",
                       "I/user.t AAAAAAAAA0 123456123456 FFFFFFFE 2",
                       "W/zbuff invalid framebuffer size, create refused",
                       "I/user.t 0 0",
                       "I/user.t true 0101010000000000 16",
                       "I/user.t true 00000000000707070007000700070707 32",
                       "I/user.t 0 0 true 00000909090000000000 20",
                       "I/user.t 0 0 0 0",
                       "I/user.t 0",
                   });
}

TEST_CASE("zbuff: indexing, used, copy, del, query, set and isEqual at the edges, as luat_lib_zbuff.c") {
    const Lines lines = run_lines(R"LUA(
        local b = zbuff.create(8, "abcdefghij")
        t(tostring(b):match("^ZBUFF%*: %x+$") ~= nil, #b, b:used(), b:toStr())
        t(b[-1], b[8], b[1 << 32] == b[0], b[1.0], b.nope, b.__len, b:get("__name"), type(b.write), b.write == b.write)
        b[8] = 1
        b[-1] = 1
        b["x"] = 1
        b[1] = 0x1FF
        t(b[1], b.x, err(function() b[0] = 1.5 end))
        t(b:used(-1), b:used(3), b:used(100), b:used(), b:used("x"))
        b:seek(0)
        t(b:read(-1):toHex(), "[" .. b:read(2 ^ 32 + 2) .. "]", b:seek(0), b:read(2 ^ 32 + 2):toHex())
        t(zbuff.create(4, 0x1FF):toStr():toHex(), zbuff.create(4, -2):toStr():toHex(), zbuff.create(16, 1.5):used())
        -- copy grows the buffer (LuatOS's sizes), used only grows
        local c = zbuff.create(4)
        t(c:copy(nil, "abcdef"), #c, c:used(), c:copy(20, "x"), #c, c:used(), c:copy(0, "AB"), c:used(), c:toStr(0, 3))
        t(c:copy(-1, "Z"), c:used(), c:toStr(18, 3) == "\0\0Z", c:copy(-100, "x"), c:copy(nil, {}))
        local n = zbuff.create(2)
        t(n:copy(nil, 1, 2, 3, 4, 5), #n, n:used(), n:toStr(0, 5):toHex())
        local src = zbuff.create(6, "123456")
        t(c:copy(0, src, 2, 3), c:toStr(0, 3), c:copy(0, src, 5, 2), c:copy(0, src, -1), c:copy(0, src, 0, 7))
        t(src:copy(1, src, 0, 3), src:toStr())
        -- into a buffer resized to 0 (LuatOS writes the first byte at 0 and leaves the capacity 0)
        local e = zbuff.create(4)
        e:resize(0)
        t(e:copy(nil, 0x41), #e, e:used(), e:copy(nil, 0x42, 0x43), #e, e:used(), e:toStr())
        t(err(function() c:copy(0, io.open("/luadb/main.lua")) end))
        -- del cuts bytes out of [0, used)
        local d = zbuff.create(10, "0123456789")
        d:del(-2)
        t(d:used(), d:toStr(0, d:used()))
        d:del(2, 100)
        t(d:used(), d:toStr(0, d:used()), select("#", d:del(5)), select("#", d:del(0, -1)), d:used())
        d:del(-100)
        t(d:used())
        d:del()
        t(d:used())
        -- query converts 1, 2, 4 or 8 bytes of [0, used) when told the byte order
        local q = zbuff.create(16)
        q:write(0xFF, 0xFE, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08)
        t(q:query(0, 1, true), q:query(0, 1, true, true), q:query(0, 2, true), q:query(0, 2, false, true))
        t(q:query(0, 4, true), q:query(0, 4, false, false), q:query(2, 8, true), q:query(2, 8, false))
        t(q:query(-2):toHex(), q:query(8, 100):toHex(), q:query(0, 3, true):toHex(), q:query(10), q:query(-11))
        local fl = zbuff.create(12)
        fl:writeF32(1.5)
        fl:writeF64(-2.25)
        t(fl:query(0, 4, true, false, true), fl:query(4, 8, false, true, true))
        -- set and isEqual refuse what is outside the buffer
        local s = zbuff.create(4)
        s:set(-1, 1)
        s:set(4, 1)
        s:set(0, 1, -1)
        s:set(1, 0x101)
        t(s:toStr():toHex())
        t(s:isEqual(0, zbuff.create(4), 0, 5), s:isEqual(1, zbuff.create(4, 1)), s:isEqual(0, zbuff.create(4), 0))
        t(err(function() s:isEqual(0, "x") end))
        -- toBase64 needs room for the text and a NUL
        local h = zbuff.create(4, "abc")
        t(h:toBase64(zbuff.create(4)), h:toBase64(zbuff.create(5)), zbuff.create(4):toBase64(zbuff.create(1)))
    )LUA");
    CHECK(lines ==
          Lines{
              "I/user.t true 8 8 abcdefgh",
              "I/user.t nil nil true nil nil nil ZBUFF* function true",
              "W/zbuff zbuff index out of range, write refused",
              "W/zbuff zbuff index out of range, write refused",
              // LuatOS's Lua 5.3 names the metamethod with its "__" (5.4 would say 'newindex')
              "I/user.t 255 nil false bad argument #3 to '__newindex' (number has no integer representation)",
              "I/user.t 8 3 8 8 8",
              "I/user.t 61FF636465666768 [] 0 61FF 4",
              "I/user.t FFFFFFFF FEFEFEFE 15",
              "I/user.t 6 10 6 1 31 21 2 21 ABc",
              "I/user.t 1 21 true 0 0",
              "I/user.t 5 8 5 0102030405 10",
              "W/zbuff copy range out of source buff, copy refused",
              "W/zbuff copy range out of source buff, copy refused",
              "W/zbuff copy range out of source buff, copy refused",
              "I/user.t 3 345 0 0 0",
              "I/user.t 3 112356",
              std::string("I/user.t 1 1 1 2 4 3 ABC\0", 25),
              "I/user.t false bad argument #2 to 'copy' (ZBUFF* expected, got FILE*)",
              "I/user.t 8 01234567",
              "W/zbuff invalid del length, del refused",
              "I/user.t 2 01 0 0 2",
              "I/user.t 2",
              "I/user.t 0",
              "I/user.t 255 -1 65534 -257",
              "I/user.t -130814 33685247 72623859790382856 578437695752307201",
              "I/user.t 0708 0708 FFFE01 nil nil",
              "I/user.t 1.5000000000000 -2.2500000000000",
              "W/zbuff set range out of buff, set refused",
              "W/zbuff set range out of buff, set refused",
              "W/zbuff set range out of buff, set refused",
              "I/user.t 00010101 8",
              "W/zbuff isEqual range out of buff",
              "I/user.t false true true 0",
              "I/user.t false bad argument #2 to 'isEqual' (ZBUFF* expected, got string)",
              "E/zbuff zbuff toBase64 failed -1",
              "I/user.t 0 4 0",
          });
}

TEST_CASE("zbuff: memory comes from the native heap, with free, resize and the heap limit") {
    const Lines lines = run_lines(R"LUA(
        local b = zbuff.create(8, "abc")
        b:free()
        t(#b, b:used(), b:write("x"), b:write(1), b:read(), b:toStr(), b:query(), select("#", b:readU8()), b:writeU8(1))
        b:free()
        b:resize(4)
        t(#b, b:write("abcdef"), b:toStr())
        b:resize(0)
        t(#b, b:used())
        b:resize(-1)
        b:resize("x")
        t(#b)
        t(#zbuff.create(10, 0, zbuff.HEAP_PSRAM), zbuff.create(10, 0, 3))
        t(#zbuff.create(10, 0, zbuff.HEAP_AUTO), #zbuff.create(10, 0, zbuff.HEAP_SRAM), #zbuff.create(10, 0, 2 ^ 32 + 1))
        t(zbuff.HEAP_AUTO, zbuff.HEAP_SRAM, zbuff.HEAP_PSRAM)
        t(select("#", zbuff.create(-1)), select("#", zbuff.create(2 ^ 32)))
        -- the 8 MiB the simulated module gives its native side
        local held = {}
        for i = 1, 8 do held[i] = zbuff.create(1024 * 1024) end
        t(zbuff.create(1024 * 1024))
        local lua_before = rtos.meminfo()
        held = nil
        t(#zbuff.create(1024 * 1024), rtos.meminfo() < lua_before + 4096)
    )LUA");
    Lines expected = {
        "I/user.t 0 0 0 0   nil 0 0",
        "I/user.t 4 4 abcd",
        "I/user.t 0 0",
        "E/zbuff zbuff realloc failed 0 -> -1",
        "I/user.t 0",
        "I/zbuff create size: 10 byte but memory not enough, trigger GC",
        "W/zbuff create size: 10 byte but memory not enough!!!",
        "I/user.t 10 nil memory not enough",
        "I/user.t 10 10 10",
        "I/user.t 0 1 2",
        "W/zbuff invalid zbuff length, create refused",
        "I/user.t 0 0",
    };
    for (int i = 0; i < 9; ++i)
        expected.emplace_back("I/zbuff create large size: 1024 kbyte, trigger force GC");
    expected.insert(expected.end(), {
                                        "I/zbuff create size: 1048576 byte but memory not enough, trigger GC",
                                        "W/zbuff create size: 1048576 byte but memory not enough!!!",
                                        "I/user.t nil memory not enough",
                                        "I/zbuff create large size: 1024 kbyte, trigger force GC",
                                        "I/user.t 1048576 true",
                                    });
    CHECK(lines == expected);
}

TEST_CASE("zbuff: LuatOS's PC-simulator tests (resize to 0, copy, file:write of a zbuff) and file:fill") {
    const Lines lines = run_lines(R"LUA(
        local z = zbuff.create(1024)  -- 026.zbuff_resize_zero
        z:resize(0)
        t(#z, z:used())
        local gs = zbuff.create(64 * 2, 0x30)  -- 049.zbuff_copy
        local gs2 = zbuff.create(64 * 2, 0x30)
        gs[0] = 0x31
        t(gs2:copy(12, gs, 0, 64), gs2:toStr() == string.rep("0", 12) .. "1" .. string.rep("0", 115), gs2:used())
        local buff = zbuff.create(1024)  -- 104.file_write_zbuff
        buff:write("1234567890")
        local f = io.open("test.bin", "w+")
        t(f:write("Hello, World!") == f, f:write(buff) == f, f:write(buff, "-", 7, zbuff.create(4)) == f)
        f:close()
        t(#io.readFile("test.bin"), io.readFile("test.bin"))
        f = io.open("test.bin", "w")
        t(err(function() f:write({}) end))
        t(err(function() f:write(io.open("/luadb/main.lua")) end))
        t(err(function() f.write(nil, buff) end))
        f:close()
        t(err(function() f:write(buff) end))
        -- fill reads the file into the zbuff, the cursor stays
        io.writeFile("/data.bin", "0123456789")
        local r = io.open("/data.bin", "rb")
        local dst = zbuff.create(4)
        t(r:fill(dst), dst:toStr(), dst:used())
        t(r:fill(dst, 1, 2), dst:toStr(), r:fill(dst, 3, 10), dst:toStr(), r:fill(dst, 4), r:fill(dst))
        t(select("#", r:fill("x")), select("#", r:fill()))
        t(err(function() r:fill(dst, 5) end))
        t(err(function() r:fill(dst, -1) end))
        t(err(function() r:fill(dst, 0, -1) end))
        t(err(function() r:fill(io.open("/luadb/main.lua")) end))
        r:close()
        local l = io.open("/luadb/main.lua", "rb")
        local head = zbuff.create(3)
        t(l:fill(head), #head:toStr())
        l:close()
    )LUA");
    CHECK(lines == Lines{
                       "I/user.t 0 0",
                       "I/user.t 64 true 76",
                       "I/user.t true true true",
                       "I/user.t 35 Hello, World!12345678901234567890-7",
                       "I/user.t false bad argument #1 to 'write' (string expected, got table)",
                       "I/user.t false bad argument #1 to 'write' (ZBUFF* expected, got FILE*)",
                       "I/user.t false bad argument #1 to 'write' (FILE* expected, got nil)",
                       "I/user.t false attempt to use a closed file",
                       "I/user.t true 0123 0",
                       "I/user.t true 0453 true 0456 true true 3",
                       "I/user.t 0 0",
                       "I/user.t false offset 5 is out of range",
                       "I/user.t false offset -1 is out of range",
                       "I/user.t false len -1 is out of range",
                       "I/user.t false bad argument #1 to 'fill' (ZBUFF* expected, got FILE*)",
                       "I/user.t true 3",
                   });
}
