// xxtea: the cases of LuatOS's own unit test (testcase/unit/crypto/xxtea) and the xxtea-c
// library's results (docs/modules/xxtea.md).
#include <catch2/catch.hpp>

#include "tests/data/data_test.hpp"

using tests::Lines;
using tests::t_lines;

TEST_CASE("xxtea.encrypt / decrypt: xxtea-c's bytes, round trips, nil for empty data or a wrong key") {
    CHECK(t_lines(R"LUA(
        local e = xxtea.encrypt("Hello World!", "07946")
        log.info("t", e:toHex(), xxtea.decrypt(e, "07946"))
        log.info("t", xxtea.encrypt("", "k"), xxtea.decrypt("", "k"), xxtea.decrypt(e, "wrong key"), xxtea.decrypt("abc", "k"), xxtea.decrypt("abcd", "k"))
        local zh = "你好，世界！中文加密测试"
        log.info("t", xxtea.decrypt(xxtea.encrypt(zh, "中文密钥"), "中文密钥") == zh, #xxtea.encrypt("a", "k"))
        local long = string.rep("0123456789", 100)
        log.info("t", xxtea.decrypt(xxtea.encrypt(long, "key"), "key") == long, xxtea.encrypt(long, "key") == xxtea.encrypt(long, "key"))
        local bin = string.char(0, 1, 2, 255, 0, 128)
        log.info("t", xxtea.decrypt(xxtea.encrypt(bin, "\1\2\3"), "\1\2\3") == bin)
        log.info("t", xxtea.encrypt("x", "0123456789abcdefXYZ") == xxtea.encrypt("x", "0123456789abcdef"),
                 xxtea.encrypt("x", "ab\0cd") == xxtea.encrypt("x", "ab"), xxtea.encrypt("x", "") == xxtea.encrypt("x", "\0"))
        log.info("t", xxtea.decrypt(xxtea.encrypt(12345, 678), 678))
        log.info("t", err(function() xxtea.encrypt(nil, "k") end))
        log.info("t", err(function() xxtea.decrypt("x", nil) end))
    )LUA") == Lines{"I/user.t 4088CEEE2EDF81BE3DCDC5FAB6D20925 Hello World!", "I/user.t nil nil nil nil",
                    "I/user.t true 8", "I/user.t true true", "I/user.t true", "I/user.t true true true",
                    "I/user.t 12345",
                    "I/user.t false bad argument #1 to 'encrypt' (string expected, got nil)",
                    "I/user.t false bad argument #2 to 'decrypt' (string expected, got nil)"});
}

TEST_CASE(
    "fastlz, fft and onewire are nil: the Air780EP firmware has none of them (luat_conf_bsp_air780ep.h)") {
    CHECK(
        t_lines(
            R"LUA(log.info("t", fastlz, fft, onewire, type(xxtea), type(iconv), type(miniz), type(iotauth), type(rsa), type(gmssl)))LUA") ==
        Lines{"I/user.t nil nil nil table table table table table table"});
}
