// LuatOS's own demos of the data modules (shared/luatos/demo/<name>), run unchanged by the `luatos`
// command: their success lines appear and no Lua error. Skipped with a message when shared/luatos/
// is not beside the checkout.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>

#include "tests/data/data_test.hpp"
#include "tests/support/luatos_process.hpp"

using namespace tests;

namespace {

// Runs the demo until `done` appears in its log (or the timeout), then stops it; its lines.
std::optional<Lines> run_demo(const std::string& name, const std::string& done,
                              std::chrono::milliseconds timeout) {
    const auto dir = shared_luatos("demo/" + name);
    if (!dir) {
        WARN("shared/luatos/demo/" + name + " is not beside the checkout: skipped");
        return std::nullopt;
    }
    LuatosProcess p({"--run-for", "60s", dir->string() + "/"});
    const bool seen = p.wait_for_line(done, timeout);
    Lines lines = p.lines();
    p.signal(SIGTERM);
    p.wait();
    INFO("demo " << name << " did not log '" << done << "'");
    CHECK(seen);
    return lines;
}

bool has_line(const Lines& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// No Lua error: LuatOS's VM-exit lines or a traceback.
void check_no_lua_error(const Lines& lines) {
    for (const auto& l : lines) {
        INFO(l);
        CHECK(l.find("E/main") == std::string::npos);
        CHECK(l.find("stack traceback") == std::string::npos);
        CHECK(l.find("attempt to") == std::string::npos);
    }
}

}  // namespace

TEST_CASE("demo crypto runs to its ALL Done line with LuatOS's values") {
    const auto lines = run_demo("crypto", "I/user.crypto ALL Done", 20s);
    if (!lines) return;
    check_no_lua_error(*lines);
    for (const char* expected : {
             "I/user.md5 900150983CD24FB0D6963F7D28E17F72",
             "I/user.AES aes-128-ecb 023001",
             "I/user.AES aes-128-ecb 12345678901234 > 123456",
             "I/user.AES aes-128-cbc 12345678901234 > 123456",
             "I/user.des abcdefg",
             "I/user.3des abcdefg!!--ZZSS",
             "I/user.crc32 21438764",
             "I/user.totp 522113 19 29 37",
             "I/user.base64 decode MTIz 123",
             "I/user.hmac_md5 B5F5A687DB904DB67D3311899932DD61",
             "I/user.hmac_md5 3324A5385619D5485AAD1D8D274214A0",
             "I/user.checksum OK 04 2",
             "I/user.checksum 357E E4 2",
         }) {
        INFO(expected);
        CHECK(has_line(*lines, expected));
    }
    CHECK(std::count_if(lines->begin(), lines->end(),
                        [](const std::string& l) { return l.starts_with("I/user.crypto 真随机数 "); }) == 10);
}

TEST_CASE("demo xxtea encrypts and decrypts Hello World!") {
    const auto lines = run_demo("xxtea", "decrypt_data:", 10s);
    if (!lines) return;
    check_no_lua_error(*lines);
    CHECK(has_line(*lines, "I/user.testCrypto.xxteaTest xxtea_encrypt: 4088CEEE2EDF81BE3DCDC5FAB6D20925 32"));
    CHECK(has_line(*lines, "I/user.testCrypto.xxteaTest decrypt_data: 48656C6C6F20576F726C6421 24"));
}

TEST_CASE("demo string runs every example to its end") {
    const auto lines = run_demo("string", "I/user.string_demo 演示运行完毕", 10s);
    if (!lines) return;
    check_no_lua_error(*lines);
    for (const char* expected : {
             "I/user.toHex 原始字符串: 123abc HEX结果: 313233616263 长度: 12",
             "I/user.split CSV分割结果: 3 [\"123\",\"456\",\"789\"]",
             "I/user.toValue 混合结果HEX: 0102030A0B0C 12",
             "I/user.toBase64 原文: Hello LuaOS! 编码后: SGVsbG8gTHVhT1Mh",
             "I/user.toBase32 原文: Hello World 编码后: JBSWY3DPEBLW64TMMQ",
             "I/user.fromBase32 中文解码: 你好世界",
             "I/user.trim 裁剪后字符串: 'hello world' 长度: 11",
         }) {
        INFO(expected);
        CHECK(has_line(*lines, expected));
    }
}

TEST_CASE("demo iconv converts 我 between GB2312, UCS-2 and UTF-8 (after its 10 s wait)") {
    const auto lines = run_demo("iconv", "utf8s code:我", 20s);
    if (!lines) return;
    check_no_lua_error(*lines);
    for (const char* expected :
         {"gb2312  code： CED2 4", "unicode little-endian code:1162", "gb2312 code :CED2",
          "unicode big-endian code :6211", "utf8  code:E68891", "gb2312 code:CED2", "utf8s code:我"}) {
        INFO(expected);
        CHECK(has_line(*lines, expected));
    }
}

TEST_CASE("demo miniz uncompresses LuatOS's blob and round-trips its strings") {
    const auto lines = run_demo("miniz", "I/user.miniz 压缩前的数据长度:  2048", 10s);
    if (!lines) return;
    check_no_lua_error(*lines);
    CHECK(has_line(*lines, "I/user.miniz 压缩过的数据长度:  156 解压后的数据长度： 235"));
    const std::string abc =
        "abcd1234567890efghijklmnopqrstuvwxyzabcd1234567890efghijklmnopqrstuvwxyzabcd1234567890"
        "efghijklmnopqrstuvwxyz";
    CHECK(has_line(*lines, "I/user.压缩前的字符串： 108 " + abc));
    CHECK(has_line(*lines, "I/user.解压后的字符串： 108 " + abc));
}
