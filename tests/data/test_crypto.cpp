// crypto: the values of LuatOS's own unit test (testcase/unit/crypto/crypto) and the module's
// behaviour on bad input (luat_lib_crypto.c, luat_crypto_mbedtls.c; docs/modules/crypto.md).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/data/data_test.hpp"

using tests::Lines;
using tests::t_lines;

TEST_CASE("crypto digests and HMACs as LuatOS's unit test has them") {
    CHECK(t_lines(R"LUA(
        log.info("t", crypto.md5("str123"), crypto.hmac_md5("hmacmd5", "str123"))
        log.info("t", crypto.sha1("str123"), crypto.hmac_sha1("hmacsha1", "str123"))
        log.info("t", crypto.sha256("str123"))
        log.info("t", crypto.hmac_sha256("hmac_sha256", "str123"))
        log.info("t", crypto.sha512("str123"))
        log.info("t", crypto.hmac_sha512("hmacsha512", "str123"))
        log.info("t", crypto.md5("abc"), crypto.sha1("abc"))
        log.info("t", crypto.hmac_md5("abc", "") == crypto.md5("abc"), crypto.hmac_sha256("x", string.rep("k", 100)))
    )LUA") ==
          Lines{"I/user.t 3F2BE04ABDC4664397BCF70712518FC4 8843DAD2F4939A995B2E3F1137282B6B",
                "I/user.t 3F7773379D580530FDEA7060EFCA215438383369 FE17B06E515E1DA9689ED1F2C6BF1789DF6C0E9A",
                "I/user.t 25E9211ACBE3B8533DC37CBB431CE8225A613503D08AB5CFBD965533AD021566",
                "I/user.t 395B945F806A955B4B008ACC5321A8D813DCD943A1BE6EB835AB37FD7A697DDB",
                "I/user.t "
                "E0D60F3E56CBEEB7D48CA6556F105FF684EFE73B7C043F1DA82C8DDB26C8E8A1FAB15E6A998B2B31788E29C06511"
                "0F01F6D6BA45FA1472F4F6F55CBE7A1A44FF",
                "I/user.t "
                "5381846723EC1DF5739665225769ADF590F29C29505400DD522E2D3C3DFB04113E8FD4A1ED9BAA813D70629D4A43"
                "7995719286541D2EF27F0291A7924021AFD9",
                "I/user.t 900150983CD24FB0D6963F7D28E17F72 A9993E364706816ABA3E25717850C26C9CD0D89D",
                "I/user.t true 8C1858BFF6CF9CB73708B4B54F43BCA6E1B8B4C3380760DC009001B265B64C6F"});
}

TEST_CASE("crypto.md, hash streams and their failures") {
    CHECK(t_lines(R"LUA(
        log.info("t", crypto.md("MD5", "1234567890", "123456"), crypto.md("SHA1", "1234567890", "123456"))
        log.info("t", crypto.md("SHA256", "1234567890", "123456"))
        log.info("t", crypto.md("SHA512", "1234567890", "123456"))
        log.info("t", crypto.md("SHA256", "1234567890") == crypto.sha256("1234567890"), crypto.md("SHA224", "abc"))
        for _, md in ipairs({"MD5", "SHA1", "SHA256", "SHA512"}) do
            log.info("t", crypto.hash_finish(crypto.hash_init(md, "123456")))
        end
        local s = crypto.hash_init("SHA256", "mysecretkey")
        crypto.hash_update(s, "Hello") crypto.hash_update(s, "World") crypto.hash_update(s, "1234567890")
        log.info("t", crypto.hash_finish(s) == crypto.hmac_sha256("HelloWorld1234567890", "mysecretkey"))
        crypto.hash_update(s, "more")
        log.info("t", select("#", crypto.hash_finish(s)))
        log.info("t", select("#", crypto.md("RIPEMD160", "x")), select("#", crypto.md("sha256", "x")), crypto.hash_init("NOPE"))
        log.info("t", err(function() crypto.hash_update({}, "x") end))
        log.info("t", err(function() crypto.md(nil, "x") end))
    )LUA") ==
          Lines{"I/user.t 3324A5385619D5485AAD1D8D274214A0 E374E1A5449F65E6566F910BAE824CE163B4CE3D",
                "I/user.t 30CFE99B630FCFB71DA1D68FAAC41B9944728A44244A385DDAE0ADB35910BB41",
                "I/user.t "
                "ED7693A035C7A3CC341082527B82D0393BB19F5A71D6AC3D5B238C397D752534D901AFDB57D5E266C9AB7EC159"
                "7CDB49989FD231A49F6ECA0D3EDF67A49E2A86",
                "I/user.t true 23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7",
                "I/user.t CAB1380EA86D8ACC9AA62390A58406AA",
                "I/user.t 823688DAFCA7393D24C871A2DA98A84D8732E927",
                "I/user.t B946CCC987465AFCDA7E45B1715219711A13518D1F1663B8C53B848CB0143441",
                "I/user.t "
                "D3F2F066F0DA13B4CD51085457A9C50F4DFC3DDC2B790133D49F6A11BD048AB7BF4292ABAAE52D5C2841F7EDA2"
                "4F51BCE0858EF75DD0EE02283C73783D63C6A4",
                "I/user.t true", "I/user.t 0", "I/user.t 0 0",
                "I/user.t false bad argument #1 to 'hash_update' (crypto expected, got table)",
                "I/user.t false bad argument #1 to 'md' (string expected, got nil)"});
}

TEST_CASE("crypto C-side lines for an unknown digest and a finished stream") {
    auto r = tests::run_script(R"LUA(
        crypto.md("RIPEMD160", "x")
        crypto.md_file("MD4", "/luadb/main.lua")
        crypto.md_file("MD5", "/luadb/none.bin")
        local s = crypto.hash_init("MD5") crypto.hash_finish(s) crypto.hash_finish(s)
        os.exit(0)
    )LUA");
    CHECK(tests::lines_with(r, "") ==
          Lines{"W/crypto no such message digest RIPEMD160", "E/crypto luat_crypto_md return -1",
                "I/crypto no such message digest MD4", "I/crypto no such file /luadb/none.bin",
                "I/crypto md finish ret -20736"});
}

TEST_CASE("crypto.md_file and crc_file on LuatOS's unit-test image (logo.jpg of its crypto demo)") {
    const auto logo = tests::shared_luatos("demo/crypto/logo.jpg");
    if (!logo) {
        WARN("shared/luatos/demo/crypto/logo.jpg is not beside the checkout: skipped");
        return;
    }
    std::ifstream in(*logo, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    tests::ScriptOptions options;
    options.files["logo.jpg"] = content.str();
    CHECK(t_lines(R"LUA(
        log.info("t", crypto.md_file("MD5", "/luadb/logo.jpg", "123456"), crypto.md_file("SHA1", "/luadb/logo.jpg", "123456"))
        log.info("t", crypto.md_file("SHA256", "/luadb/logo.jpg", "123456"))
        log.info("t", crypto.md_file("SHA512", "/luadb/logo.jpg", "123456"))
        local data = io.readFile("/luadb/logo.jpg")
        log.info("t", crypto.md_file("MD5", "/luadb/logo.jpg") == crypto.md5(data), #crypto.md_file("SHA512", "/luadb/logo.jpg"))
        log.info("t", crypto.crc_file("crc32", "/luadb/logo.jpg") == crypto.crc32(data),
                 crypto.crc_file("CRC8", "/luadb/logo.jpg", 0xFF, 0x31, 1) == crypto.crc8(data, 0x31, 0xFF, true),
                 crypto.crc_file("crc16_modbus", "/luadb/logo.jpg") == crypto.crc16_modbus(data),
                 crypto.crc_file("X25", "/luadb/logo.jpg") == crypto.crc16("X25", data))
        log.info("t", select("#", crypto.md_file("MD5", "/")), select("#", crypto.crc_file("crc32", "/luadb/no")))
    )LUA",
                  options) ==
          Lines{"I/user.t B5F5A687DB904DB67D3311899932DD61 2A0B55C290D54ADF2F185EAE460254D267C7CE1F",
                "I/user.t 6E443C84D4D7A4721A9A195EB9038EDCFA8A8F60A3F1E8A0090B57B3BAB4942E",
                "I/user.t D9E5C97993948EF65AD244165FE9E527DDB9B33FDC3302DA887D06FE8A6A84373BB47A83CC349"
                "4954D759B71911E796B14232385D0BAC29E07C22A194D8D565E",
                "I/user.t true 128", "I/user.t true true true true", "I/user.t 0 0"});
}

TEST_CASE(
    "crypto.cipher_encrypt / cipher_decrypt: AES, DES, 3DES in ECB, CBC and GCM with LuatOS's paddings") {
    CHECK(t_lines(R"LUA(
        local k = "1234567890123456"
        log.info("t", crypto.cipher_encrypt("AES-128-ECB", "PKCS7", k, k):toHex())
        log.info("t", crypto.cipher_decrypt("AES-128-ECB", "PKCS7", crypto.cipher_encrypt("AES-128-ECB", "PKCS7", k, k), k))
        log.info("t", crypto.cipher_encrypt("AES-128-CBC", "ZERO", k, k, "1234567890666666"):toHex())
        log.info("t", crypto.cipher_decrypt("AES-128-CBC", "ZERO", crypto.cipher_encrypt("AES-128-CBC", "ZERO", k, k, "1234567890666666"), k, "1234567890666666"))
        log.info("t", crypto.cipher_encrypt("DES-CBC", "ONE_AND_ZEROS", "12345678", "81bytesk", "81bytesiv"):toHex())
        log.info("t", crypto.cipher_decrypt("DES-CBC", "ONE_AND_ZEROS", crypto.cipher_encrypt("DES-CBC", "ONE_AND_ZEROS", "12345678", "81bytesk", "81bytesiv"), "81bytesk", "81bytesiv"))
        local k3 = "123456789012345678901234"
        log.info("t", crypto.cipher_encrypt("DES-EDE3-CBC", "ZEROS_AND_LEN", "1234567890", k3, "81bytesiv"):toHex())
        log.info("t", crypto.cipher_decrypt("DES-EDE3-CBC", "ZEROS_AND_LEN", crypto.cipher_encrypt("DES-EDE3-CBC", "ZEROS_AND_LEN", "1234567890", k3, "81bytesiv"), k3, "81bytesiv"))
        local pt = "Hello, LuaTools! This is a test message for GCM encryption."
        local c, tag = crypto.cipher_encrypt("AES-128-GCM", "NONE", pt, "0123456789abcdef", "abcdef9876543210")
        log.info("t", c:toHex())
        log.info("t", #tag, crypto.cipher_decrypt("AES-128-GCM", "NONE", c, "0123456789abcdef", "abcdef9876543210", tag) == pt,
                 crypto.cipher_decrypt("AES-128-GCM", "NONE", c, "0123456789abcdef", "abcdef9876543210", "wrong tag") == pt)
        log.info("t", crypto.cipher_encrypt("AES-128-ECB", "ZERO", "023001", "HZBIT@WLW/YSBKEY"):toHex())
        log.info("t", crypto.cipher_decrypt("AES-128-ECB", "ZERO", crypto.cipher_encrypt("AES-128-ECB", "ZERO", "023001", "HZBIT@WLW/YSBKEY"), "HZBIT@WLW/YSBKEY"))
        log.info("t", #crypto.cipher_encrypt("AES-128-ECB", "NONE", k, k), crypto.cipher_decrypt("AES-128-ECB", "NONE", crypto.cipher_encrypt("AES-128-ECB", "NONE", k, k), k))
        log.info("t", crypto.cipher("AES-128-ECB", "PKCS7", "x", k) == crypto.cipher_encrypt(nil, nil, "x", k))
        for _, c in ipairs({{"AES-256-ECB", "PKCS7", "TestAES256ECBxxx", "12345678901234561234567890123456", ""},
                            {"AES-256-CBC", "PKCS7", "Hello AES-256-CBC mode test!", "12345678901234561234567890123456", "abcdefghijklmnop"},
                            {"AES-192-CBC", "PKCS7", "Hello AES-192-CBC mode!", "123456789012345612345678", "abcdefghijklmnop"},
                            {"AES-128-CBC", "ONE_AND_ZEROS", "ShortData", k, "abcdefghijklmnop"},
                            {"AES-128-ECB", "ZEROS_AND_LEN", "TestZerosLen", k, ""},
                            {"DES-ECB", "PKCS7", "TestDES!", "12345678", ""},
                            {"DES-EDE3-ECB", "PKCS7", "3DEStest", k3, ""},
                            {"AES-128-CTR", "NONE", "counter mode text", k, "abcdefghijklmnop"}}) do
            local enc = crypto.cipher_encrypt(c[1], c[2], c[3], c[4], c[5])
            log.info("t", c[1], #enc, crypto.cipher_decrypt(c[1], c[2], enc, c[4], c[5]) == c[3])
        end
    )LUA") ==
          Lines{"I/user.t 757CCD0CDC5C90EADBEEECF638DD0000050187A0CDE5A9872CBAB091AB73E553 64",
                "I/user.t 1234567890123456",
                "I/user.t BBD7A757D8072A0455D783BEA0334EC133312E92EFAA2BA22E61CCC9C15E6EDD 64",
                "I/user.t 1234567890123456",
                "I/user.t 8A053F57D3F36640860022831BD176F1 32",
                "I/user.t 12345678",
                "I/user.t 5EC956F63FB3F966CF95883C4525709C 32",
                "I/user.t 1234567890",
                "I/user.t "
                "B23DD8E88600EEEE384EECC036ED5DDF51AB7CBCC73A3B53E2B63155867CDC4459C82F00070970609040B880AED3"
                "9353A3F2DDD1D90E2284D26544 118",
                "I/user.t 16 true true",
                "I/user.t 013EEA6EBACCBD7AD990FAEF75FB99C4 32",
                "I/user.t 023001",
                "I/user.t 16 1234567890123456",
                "I/user.t true",
                "I/user.t AES-256-ECB 32 true",
                "I/user.t AES-256-CBC 32 true",
                "I/user.t AES-192-CBC 32 true",
                "I/user.t AES-128-CBC 16 true",
                "I/user.t AES-128-ECB 16 true",
                "I/user.t DES-ECB 16 true",
                "I/user.t DES-EDE3-ECB 16 true",
                "I/user.t AES-128-CTR 17 true"});
}

TEST_CASE("crypto ciphers: what the module's mbedTLS lacks is refused, errors keep what was produced") {
    auto r = tests::run_script(tests::kErrHelper + R"LUA(
        local k = "1234567890123456"
        log.info("t", crypto.cipher_encrypt("CAMELLIA-128-ECB", "PKCS7", "x", k))
        log.info("t", crypto.cipher_encrypt("AES-128-ECB", "PKCS7", "x", "short"))
        log.info("t", crypto.cipher_encrypt("AES-128-CBC", "PKCS7", "x", k, string.rep("i", 20)))
        log.info("t", #crypto.cipher_encrypt("AES-128-ECB", "NONE", "0123456789abcdefXYZ", k))
        local enc = crypto.cipher_encrypt("AES-128-ECB", "ZERO", "abc", k)
        log.info("t", "[" .. crypto.cipher_decrypt("AES-128-ECB", "PKCS7", enc, k) .. "]")
        log.info("t", "[" .. crypto.cipher_decrypt("AES-128-CBC", "PKCS7", enc, k, k) .. "]")
        log.info("t", json.encode(crypto.cipher_list()))
        log.info("t", err(function() crypto.cipher_encrypt("AES-128-ECB", "PKCS7", nil, k) end))
        log.info("t", err(function() crypto.cipher_decrypt("AES-128-ECB", "PKCS7", "x") end))
        os.exit(0)
    )LUA");
    CHECK(
        tests::lines_with(r, "") ==
        Lines{
            "E/crypto mbedtls_cipher_info fail CAMELLIA-128-ECB not support", "I/user.t",
            "E/crypto mbedtls_cipher_setkey fail -0x6100 AES-128-ECB", "I/user.t",
            "E/crypto mbedtls_cipher_set_iv fail -0x6080 AES-128-CBC", "I/user.t",
            "E/crypto mbedtls_cipher_update fail 0x6280 AES-128-ECB", "I/user.t 16",
            "E/crypto get_pkcs_padding fail 0x6200 AES-128-ECB", "I/user.t []",
            "E/crypto mbedtls_cipher_finish fail 0x6200 AES-128-CBC", "I/user.t []",
            "I/user.t [\"AES-128-ECB\",\"AES-192-ECB\",\"AES-256-ECB\",\"AES-128-CBC\",\"AES-192-CBC\","
            "\"AES-256-CBC\",\"AES-128-CTR\",\"AES-192-CTR\",\"AES-256-CTR\",\"AES-128-GCM\",\"AES-192-GCM\","
            "\"AES-256-GCM\",\"AES-128-CCM\",\"AES-192-CCM\",\"AES-256-CCM\",\"DES-ECB\",\"DES-EDE-ECB\","
            "\"DES-EDE3-ECB\",\"DES-CBC\",\"DES-EDE-CBC\",\"DES-EDE3-CBC\"]",
            "I/user.t false bad argument #3 to 'cipher_encrypt' (string expected, got nil)",
            "I/user.t false bad argument #4 to 'cipher_decrypt' (string expected, got no value)"});
}

TEST_CASE("crypto CRCs and checksums as LuatOS's unit test has them") {
    CHECK(t_lines(R"LUA(
        local s = "123456sdfdsfdsfdsffdsfdsfsdfs1234"
        local out = {}
        for _, m in ipairs({"MODBUS", "MAXIM", "IBM", "USB", "CCITT", "CCITT-FALSE", "X25", "XMODEM", "DNP"}) do
            out[#out + 1] = string.format("%04X", crypto.crc16(m, s))
        end
        log.info("t", table.concat(out, " "))
        log.info("t", string.format("%04X", crypto.crc16_modbus(s)), crypto.crc16_modbus(s, 0xFFFF) == crypto.crc16_modbus(s),
                 crypto.crc16("USER-DEFINED", s, 0x8005, 0xFFFF, 0x0000, 1, 0) == crypto.crc16("MODBUS", s))
        log.info("t", string.format("%08X", crypto.crc32("123a456", 0xFFFFFFFF, 0x04C11DB7, 0xFFFFFFFF)), crypto.crc32(s),
                 crypto.crc32("123456") == crypto.crc32("123456", 0xFFFFFFFF, 0x04C11DB7, 0xFFFFFFFF), crypto.crc32("123456789"))
        log.info("t", string.format("%02X", crypto.crc8("123456", 0x07, 0x00, false)), (crypto.crc8("123456", 0x07, 0x00, false) ~ 0x55) & 0xFF,
                 crypto.crc8("123456", 0x07, 0xFF, true), crypto.crc8("123456", 0x31, 0x00, true),
                 crypto.crc8("hello") == crypto.crc8("hello", 0x07, 0x00, false), crypto.crc8("hello", 7.5) == crypto.crc8("hello"))
        log.info("t", string.format("%02X %02X", crypto.crc7("hello", 0x09, 0x00), crypto.crc7("hello", 0xe5, 0x00)),
                 crypto.crc7("hello") == crypto.crc7("hello", 0xE5, 0x00), crypto.crc7("abc", 0xE5, 0x00))
        log.info("t", crypto.checksum("OK", 1), crypto.checksum("OK"), crypto.checksum(string.rep("ABCD", 64), 0), crypto.checksum("A", 1),
                 crypto.checksum("357E", 1), crypto.checksum("\255\255", 1))
        log.info("t", crypto.crc16("MODBUS", nil), crypto.crc16("NOPE", "abc"), crypto.crc16("IBM", "abc", 0x8005.9), crypto.crc16("IBM", "abc", -1))
        log.info("t", err(function() crypto.crc16(nil, "x") end))
        log.info("t", err(function() crypto.crc16("IBM", {}) end))
        log.info("t", err(function() crypto.crc32("x", 1.5) end))
        log.info("t", err(function() crypto.crc8("x", 7, 1.5) end))
    )LUA") == Lines{"I/user.t D3AC EC06 13F9 2C53 2EC2 EA36 ADF0 5908 194D", "I/user.t D3AC true true",
                    "I/user.t F1389F6D 21438764 true 3421780262", "I/user.t FD 168 87 236 true true",
                    "I/user.t 22 40 true 25", "I/user.t 154 4 0 65 228 254", "I/user.t 65535 0 38712 0",
                    "I/user.t false bad argument #1 to 'crc16' (string expected, got nil)",
                    "I/user.t true nil",
                    "I/user.t false bad argument #2 to 'crc32' (number has no integer representation)",
                    "I/user.t false bad argument #3 to 'crc8' (number has no integer representation)"});
}

TEST_CASE("crypto.totp, trng and base64 as LuatOS's unit test has them") {
    CHECK(t_lines(R"LUA(
        log.info("t", crypto.totp("asdfassdfasdfass", 1764924906), crypto.totp("asdfassdfasdfass", 1764924900) == crypto.totp("asdfassdfasdfass", 1764924920))
        log.info("t", crypto.totp("VK54ZXPO74ISEM2E", 1646796577), crypto.totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59))
        local now = crypto.totp("VK54ZXPO74ISEM2E")
        log.info("t", now == crypto.totp("VK54ZXPO74ISEM2E", os.time()) or now == crypto.totp("VK54ZXPO74ISEM2E", os.time() - 30))
        log.info("t", err(function() crypto.totp("!!!", 1) end))
        -- an empty secret is no key on the module: the plain SHA-1 of the counter, truncated
        local h = crypto.sha1(string.pack(">I8", 1)):fromHex()
        local o = (h:byte(20) & 0x0F) + 1
        log.info("t", crypto.totp("", 30) == ((string.unpack(">I4", h, o) & 0x7FFFFFFF) % 1000000))
        local lens = {}
        for _, n in ipairs({1, 4, 8, 16, 32, 64, 128, 256, -1}) do lens[#lens + 1] = #crypto.trng(n) end
        log.info("t", table.concat(lens, " "), select("#", crypto.trng(0)), crypto.trng(4) ~= crypto.trng(4), crypto.trng(32):toHex() ~= string.rep("0", 64))
        log.info("t", err(function() crypto.trng(1.5) end))
        log.info("t", crypto.base64_encode("12345"), crypto.base64_decode("MTIzNDU="), "[" .. crypto.base64_encode("") .. "]", "[" .. crypto.base64_decode("!!") .. "]")
        local bin = string.char(0, 1, 2, 255, 254, 253, 128, 64)
        log.info("t", crypto.base64_decode(crypto.base64_encode(bin)) == bin, crypto.base64_encode == crypto.base64_encode)
    )LUA") == Lines{"I/user.t 702358 true", "I/user.t 522113 287082", "I/user.t true",
                    "I/user.t false invalid base32 secret", "I/user.t true",
                    "I/user.t 1 4 8 16 32 64 128 128 128 0 true true",
                    "I/user.t false bad argument #1 to 'trng' (number has no integer representation)",
                    "I/user.t MTIzNDU= 12345 [] []", "I/user.t true true"});
}

TEST_CASE("crypto.pk_generate / pk_sign / pk_verify / pk_type with RSA and EC keys") {
    CHECK(t_lines(R"LUA(
        local hash = crypto.sha256("hello world"):fromHex()
        for _, spec in ipairs({{"rsa", "1024"}, {"ec", "P-256"}, {"ec", "secp384r1"}, {"ecdsa", "P-521"}}) do
            local priv, pub = crypto.pk_generate(spec[1], spec[2])
            local sig = crypto.pk_sign(crypto.MD_SHA256, hash, priv)
            log.info("t", spec[1], priv:match("^%-%-%-%-%-BEGIN ([%u ]+)%-%-%-%-%-"), pub:match("^%-%-%-%-%-BEGIN ([%u ]+)%-%-%-%-%-"),
                     crypto.pk_type(pub), crypto.pk_type(priv, true), crypto.pk_verify(crypto.MD_SHA256, hash, pub, sig),
                     crypto.pk_verify(crypto.MD_SHA256, crypto.sha256("other"):fromHex(), pub, sig))
        end
        log.info("t", crypto.MD_MD5, crypto.MD_SHA1, crypto.MD_SHA224, crypto.MD_SHA256, crypto.MD_SHA384, crypto.MD_SHA512)
        log.info("t", crypto.pk_generate("dsa"), crypto.pk_type("not a key"), crypto.pk_sign(crypto.MD_SHA256, hash, "not a key"),
                 crypto.pk_verify(crypto.MD_SHA256, hash, "not a key", "sig"))
        log.info("t", err(function() crypto.pk_sign(1.5, hash, "k") end))
    )LUA") == Lines{"I/user.t rsa RSA PRIVATE KEY PUBLIC KEY rsa rsa true false",
                    "I/user.t ec EC PRIVATE KEY PUBLIC KEY ec ec true false",
                    "I/user.t ec EC PRIVATE KEY PUBLIC KEY ec ec true false",
                    "I/user.t ecdsa EC PRIVATE KEY PUBLIC KEY ec ec true false", "I/user.t 3 5 8 9 10 11",
                    "I/user.t nil nil nil false",
                    "I/user.t false bad argument #1 to 'pk_sign' (number has no integer representation)"});
}
