// miniz: the cases of LuatOS's own unit test (testcase/unit/perf/miniz) and unzip of archives the
// test script builds itself (docs/modules/miniz.md).
#include <catch2/catch.hpp>

#include "tests/data/data_test.hpp"

using tests::Lines;
using tests::t_lines;

TEST_CASE("miniz.uncompress / compress as LuatOS's unit test has them") {
    CHECK(t_lines(R"LUA(
        local demo = ("eAEFQIGNwyAMXOUm+E2+OzjhCCiOjYyhyvbVR7K7IR0l+iau8G82eIW5jXVoPzF5pse/B8FaPXLiWTNxEMsKI+WmIR0l+iayEY2i2V4UbqqPh5bwimyEuY11aD8xeaYHxAquvom6VDFUXqQjG1Fek6efCFfCK0b0LUnQMjiCxhUT05GNL75dFUWCSMcjN3EE5c4Wvq42/36R41fa"):fromBase64()
        local out = miniz.uncompress(demo)
        log.info("t", #demo, #out, miniz.uncompress(demo) == out, out:sub(1, 20))
        log.info("t", miniz.uncompress("不是有效的压缩流"), miniz.uncompress(demo, 0), miniz.uncompress(demo:sub(1, 100)))
        local simple = "123jfoiq4hlkfjbnasdilfhuqwo;hfashfp9qw38hrfaios;hfiuoaghfluaeisw"
        local rep = string.rep("ABCDE", 100)
        local large = string.rep("This is a test string with some repetition. ", 50)
        for _, f in ipairs({"WRITE_ZLIB_HEADER", "COMPUTE_ADLER32", "GREEDY_PARSING_FLAG", "NONDETERMINISTIC_PARSING_FLAG",
                            "RLE_MATCHES", "FILTER_MATCHES", "FORCE_ALL_STATIC_BLOCKS", "FORCE_ALL_RAW_BLOCKS"}) do
            local c = miniz.compress(rep, miniz[f])
            local back = miniz.uncompress(c, (miniz[f] & miniz.WRITE_ZLIB_HEADER) ~= 0 and miniz.PARSE_ZLIB_HEADER or 0)
            log.info("t", f, #c > 0, back == rep)
        end
        log.info("t", miniz.uncompress(miniz.compress(simple)) == simple, #miniz.compress(rep) < #rep, miniz.uncompress(miniz.compress(large)) == large)
        log.info("t", miniz.compress(""):toHex(), miniz.uncompress(miniz.compress("")) == "", miniz.uncompress(miniz.compress("A")))
        log.info("t", miniz.uncompress(miniz.compress(simple, miniz.WRITE_ZLIB_HEADER + miniz.COMPUTE_ADLER32 + miniz.GREEDY_PARSING_FLAG)) == simple)
        log.info("t", miniz.compress(string.rep("x", 32 * 1024 + 1)), #miniz.compress(string.rep("x", 32 * 1024)) > 0)
        -- 85196 bytes (tinfl's one output buffer) come out, one more does not
        local big = miniz.compress(string.rep("y", 32768))
        log.info("t", #miniz.uncompress(big))
        log.info("t", miniz.WRITE_ZLIB_HEADER, miniz.COMPUTE_ADLER32, miniz.GREEDY_PARSING_FLAG, miniz.NONDETERMINISTIC_PARSING_FLAG,
                 miniz.RLE_MATCHES, miniz.FILTER_MATCHES, miniz.FORCE_ALL_STATIC_BLOCKS, miniz.FORCE_ALL_RAW_BLOCKS,
                 miniz.PARSE_ZLIB_HEADER, miniz.HAS_MORE_INPUT, miniz.USING_NON_WRAPPING_OUTPUT_BUF)
        log.info("t", err(function() miniz.compress(nil) end))
        log.info("t", err(function() miniz.uncompress("x", 1.5) end))
    )LUA") == Lines{"I/user.t 156 235 true Nation to drive grow", "I/user.t nil nil",
                    "I/user.t WRITE_ZLIB_HEADER true true", "I/user.t COMPUTE_ADLER32 true true",
                    "I/user.t GREEDY_PARSING_FLAG true true",
                    "I/user.t NONDETERMINISTIC_PARSING_FLAG true true", "I/user.t RLE_MATCHES true true",
                    "I/user.t FILTER_MATCHES true true", "I/user.t FORCE_ALL_STATIC_BLOCKS true true",
                    "I/user.t FORCE_ALL_RAW_BLOCKS true true", "I/user.t true true true",
                    "I/user.t 7801030000000001 true A", "I/user.t true", "I/user.t nil true",
                    "I/user.t 32768", "I/user.t 4096 8192 16384 32768 65536 131072 262144 524288 1 2 4",
                    "I/user.t false bad argument #1 to 'compress' (string expected, got nil)",
                    "I/user.t false bad argument #2 to 'uncompress' (number has no integer representation)"});
}

namespace {
// A Lua function zip(entries) building a ZIP archive: entries {name, data, method (0 or 8), attr,
// crc (to lie about it)}; deflated data comes from miniz.compress(data, 0) (raw deflate).
const std::string kZipBuilder = R"LUA(
    local function zip(entries)
        local body, central = {}, {}
        local offset = 0
        for _, e in ipairs(entries) do
            local data = e.data or ""
            local method = e.method or 0
            local comp = method == 8 and miniz.compress(data, 0) or data
            local crc = e.crc or crypto.crc32(data)
            local lh = string.pack("<I4I2I2I2I2I2I4I4I4I2I2", 0x04034b50, 20, 0, method, 0, 0, crc, #comp, #data, #e.name, 0) .. e.name .. comp
            central[#central + 1] = string.pack("<I4I2I2I2I2I2I2I4I4I4I2I2I2I2I2I4I4", 0x02014b50, 20, 20, 0, method, 0, 0,
                crc, #comp, #data, #e.name, 0, 0, 0, 0, e.attr or 0, offset) .. e.name
            body[#body + 1] = lh
            offset = offset + #lh
        end
        local cd = table.concat(central)
        return table.concat(body) .. cd .. string.pack("<I4I2I2I2I2I4I4I2", 0x06054b50, 0, 0, #entries, #entries, #cd, offset, 0)
    end
)LUA";
}  // namespace

TEST_CASE("miniz.unzip extracts stored and deflated entries and folders into the device's file system") {
    CHECK(t_lines(kZipBuilder + R"LUA(
        local big = string.rep("pacman ", 3000)
        io.writeFile("/t.zip", zip({{name = "pac_man/"}, {name = "pac_man/main.lua", data = "print(1)\n"},
                                        {name = "pac_man/user/game.lua", data = big, method = 8},
                                        {name = "pac_man/empty.txt", data = ""}, {name = "pac_man\\win.txt", data = "w"}}))
        log.info("t", miniz.unzip("/t.zip", "/out/"))
        log.info("t", io.readFile("/out/pac_man/main.lua"), io.readFile("/out/pac_man/user/game.lua") == big,
                 io.fileSize("/out/pac_man/empty.txt"), io.readFile("/out/pac_man/win.txt"))
        log.info("t", miniz.unzip("/t.zip", "/out2/deep/er/", false, 0), io.exists("/out2/deep/er/pac_man/main.lua"))
    )LUA") == Lines{"I/user.t true", "I/user.t print(1)\n true 0 w", "I/user.t true true"});
}

TEST_CASE("miniz.unzip refuses what LuatOS refuses, with its lines, and returns false") {
    auto r = tests::run_script(tests::kErrHelper + kZipBuilder + R"LUA(
        io.writeFile("/evil.zip", zip({{name = "../evil.txt", data = "x"}}))
        io.writeFile("/abs.zip", zip({{name = "/etc/x", data = "x"}, {name = "C:/x", data = "x"}}))
        io.writeFile("/crc.zip", zip({{name = "a.txt", data = "abc", crc = 1234}}))
        io.writeFile("/enc.zip", zip({{name = "a.txt", data = "abc", method = 12}}))
        io.writeFile("/junk.zip", "this is not a zip archive at all")
        log.info("t", miniz.unzip("/none.zip", "/o/"))
        log.info("t", miniz.unzip("/evil.zip", "/o"))
        log.info("t", miniz.unzip("/evil.zip", "/o/"), io.exists("/evil.txt"))
        log.info("t", miniz.unzip("/abs.zip", "/o/"))
        log.info("t", miniz.unzip("/crc.zip", "/o/"))
        log.info("t", miniz.unzip("/enc.zip", "/o/"))
        log.info("t", miniz.unzip("/junk.zip", "/o/"))
        log.info("t", miniz.unzip("/crc.zip", "/luadb/x/"))
        log.info("t", err(function() miniz.unzip(nil, "/o/") end))
        log.info("t", err(function() miniz.unzip("/crc.zip", "/o/", false, 1.5) end))
        os.exit(0)
    )LUA");
    CHECK(tests::lines_with(r, "") ==
          Lines{"E/miniz ZIP file is empty: /none.zip", "I/user.t false",
                "E/miniz target_dir must end with '/': /o", "I/user.t false",
                "E/miniz Unsafe ZIP entry path: ../evil.txt", "I/user.t false false",
                "E/miniz Unsafe ZIP entry path: /etc/x", "I/user.t false",
                "E/miniz Failed to extract file: a.txt err=14 wrote=3", "I/user.t false",
                "E/miniz Failed to extract file: a.txt err=4 wrote=0", "I/user.t false",
                "E/miniz Failed to initialize ZIP reader err 7", "I/user.t false",
                "E/miniz Failed to create target directory: /luadb/x/", "I/user.t false",
                "I/user.t false bad argument #1 to 'unzip' (string expected, got nil)",
                "I/user.t false bad argument #4 to 'unzip' (number has no integer representation)"});
}
