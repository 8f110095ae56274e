// iconv: the conversions of LuatOS's own unit test (testcase/unit/system/iconv) and the module's
// converters' behaviour on the edges (components/iconv; docs/modules/iconv.md).
#include <catch2/catch.hpp>

#include "tests/data/data_test.hpp"

using tests::Lines;
using tests::t_lines;

TEST_CASE("iconv converts as LuatOS's unit test has it") {
    CHECK(t_lines(R"LUA(
        local function conv(to, from, hex) return iconv.open(to, from):iconv(string.fromHex(hex)):toHex() end
        log.info("t", conv("gb2312", "ucs2", "1162"), conv("ucs2", "gb2312", "CED2"), conv("utf8", "ucs2", "1162"), conv("ucs2", "utf8", "E68891"))
        log.info("t", conv("ucs2be", "gb2312", "CED2"), conv("gb2312", "ucs2be", "6211"), conv("ucs2be", "utf8", "E68891"), conv("utf8", "ucs2be", "6211"))
        log.info("t", conv("ucs2be", "gb2312", "41"), conv("gb2312", "ucs2be", "0041"), conv("ucs2", "utf8", "41"), conv("utf8", "ucs2", "4100"))
        log.info("t", conv("ucs2be", "gb2312", "A1BEA1A3"), conv("gb2312", "ucs2be", "30103002"), conv("gb2312", "ucs2", "10300230"))
        log.info("t", conv("ucs2", "gb2312", "A1BEA1A3"), conv("utf8", "ucs2be", "30103002"), conv("utf8", "ucs2", "10300230"))
        log.info("t", conv("ucs2", "utf8", "E38090E38082"), conv("ucs2be", "utf8", "E38090E38082"))
        local cd = iconv.new("utf8", "ucs2be")
        log.info("t", "[" .. cd:iconv("") .. "]", iconv.iconv(cd, "\0A"), type(cd), iconv.gb2utf8, iconv.utf82gb, iconv.close)
        log.info("t", iconv.open("", "gb2312"), iconv.open("utf8", ""), iconv.open(123, "gb2312"), iconv.open("utf8", "gb2312"),
                 iconv.open("ucs2be", "ucs2"), iconv.open("UTF8", "ucs2"), iconv.open("utf-8", "ucs2"))
        log.info("t", iconv.ERROR_NO_MEMORY, iconv.ERROR_INVALID, iconv.ERROR_INCOMPLETE, iconv.ERROR_UNKNOWN)
        log.info("t", err(function() iconv.open(nil, "gb2312") end))
        log.info("t", err(function() iconv.open({}, "gb2312") end))
        log.info("t", err(function() cd:iconv(nil) end))
        log.info("t", err(function() iconv.iconv({}, "x") end))
    )LUA") == Lines{"I/user.t CED2 1162 E68891 1162 4", "I/user.t 6211 CED2 6211 E68891 6",
                    "I/user.t 0041 41 4100 41 2", "I/user.t 30103002 A1BEA1A3 A1BEA1A3 8",
                    "I/user.t 10300230 E38090E38082 E38090E38082 12", "I/user.t 10300230 30103002 8",
                    "I/user.t [] A userdata nil nil nil", "I/user.t nil nil nil nil nil nil",
                    "I/user.t 1 2 3 4", "I/user.t false bad argument #1 to 'open' (string expected, got nil)",
                    "I/user.t false bad argument #1 to 'open' (string expected, got table)",
                    "I/user.t false bad argument #1 to 'iconv' (string expected, got nil)",
                    "I/user.t false bad argument #1 to 'iconv' (iconv_t expected, got table)"});
}

TEST_CASE("iconv keeps the module's GB2312 tables and converters' edges") {
    CHECK(t_lines(R"LUA(
        local function conv(to, from, hex) return iconv.open(to, from):iconv(string.fromHex(hex)):toHex() end
        -- GB18030-2000's private-use values, the empty D7FA..D7FE, GBK's row A0, an offset past the table
        log.info("t", conv("ucs2be", "gb2312", "A2E3A6D9A8BCA8BF"), conv("ucs2be", "gb2312", "D7F9D7FA"), conv("ucs2be", "gb2312", "A0A1F7FE"), conv("ucs2be", "gb2312", "FEFE"))
        -- a trail byte below 0xA1 still indexes the table (0xB041 lands in row 0xAE, private use);
        -- a lead byte at the end fails the whole string
        log.info("t", conv("ucs2be", "gb2312", "B041"), "[" .. conv("ucs2be", "gb2312", "41B0") .. "]")
        -- what the module's GB2312 lacks is the ideographic space; the euro is its 0x8020
        log.info("t", conv("gb2312", "ucs2be", "00E9AC004E00"), conv("gb2312", "ucs2be", "20AC00A500B720132014FE49"), conv("gb2312", "ucs2be", "0041FF"))
        -- UTF-8: a stray continuation byte is Latin-1, 4-byte sequences and cut sequences fail
        log.info("t", conv("ucs2be", "utf8", "41A9"), "[" .. conv("ucs2be", "utf8", "F09F9880") .. "]", "[" .. conv("ucs2be", "utf8", "E688") .. "]", "[" .. conv("ucs2be", "utf8", "C3") .. "]")
        log.info("t", conv("utf8", "ucs2be", "D83DDE00"), conv("utf8", "ucs2be", "0000007F0080FFFF"), conv("utf8", "ucs2", "410042"))
        -- every GB2312 hanzi (rows B0..F7) goes to Unicode and back
        local ok, n = true, 0
        local to_u, to_gb = iconv.open("ucs2be", "gb2312"), iconv.open("gb2312", "ucs2be")
        for lead = 0xB0, 0xF7 do
            for trail = 0xA1, 0xFE do
                if not (lead == 0xD7 and trail >= 0xFA) then
                    local gb = string.char(lead, trail)
                    ok = ok and to_gb:iconv(to_u:iconv(gb)) == gb
                    n = n + 1
                end
            end
        end
        log.info("t", ok, n)
    )LUA") == Lines{"I/user.t E76CE78DE7C7E7C8 5EA70000 724E9F44 0000 4", "I/user.t E1D4 []",
                    "I/user.t A1A1A1A1D2BB 8020A3A4A1A4A843A1AAA968 41 2", "I/user.t 004100A9 [] [] []",
                    "I/user.t EDA0BDEDB880 007FC280EFBFBF 41 2", "I/user.t true 6763"});
}
