// iotauth: the login triples of LuatOS's own unit test (testcase/unit/crypto/iotauth, captured on
// the module at UTC+8), byte for byte, and its cross-checks against crypto (docs/modules/iotauth.md).
#include <catch2/catch.hpp>

#include "tests/data/data_test.hpp"

using tests::Lines;
using tests::t_lines;

TEST_CASE("iotauth.aliyun as LuatOS's unit test has it") {
    CHECK(t_lines(R"LUA(
        local pk, dn, ds = "123456789", "abcdefg", "Y877Bgo8X5owd3lcB5wWDjryNPoB"
        log.info("t", iotauth.aliyun(pk, dn, ds))
        log.info("t", iotauth.aliyun(pk, dn, ds, "hmacsha1"))
        log.info("t", iotauth.aliyun(pk, dn, ds, "hmacsha256"))
        log.info("t", iotauth.aliyun(pk, dn, ds, "hmacmd5", 1700000000))
        log.info("t", iotauth.aliyun(pk, dn, ds, "hmacsha1", 1700000000, true))
        log.info("t", iotauth.aliyun(pk, dn, ds, "HMACSHA256", nil, true))
        local c, u, p = iotauth.aliyun(pk, dn, ds, "crc32")
        log.info("t", "[" .. c .. u .. p .. "]")
        local src = "clientId" .. pk .. "." .. dn .. "deviceName" .. dn .. "productKey" .. pk .. "timestamp1700000000"
        log.info("t", select(3, iotauth.aliyun(pk, dn, ds, "hmacsha256", 1700000000)) == crypto.hmac_sha256(src, ds))
        log.info("t", err(function() iotauth.aliyun(pk, dn, ds, "hmacmd5", 1.5) end))
        log.info("t", err(function() iotauth.aliyun(pk, nil, ds) end))
    )LUA") == Lines{"I/user.t 123456789.abcdefg|securemode=3,signmethod=hmacmd5,timestamp=32472115200| "
                    "abcdefg&123456789 "
                    "16CB9B20009795D576E9172CDC820646",
                    "I/user.t 123456789.abcdefg|securemode=3,signmethod=hmacsha1,timestamp=32472115200| "
                    "abcdefg&123456789 "
                    "4E5358D2C33CA163BDA58EC994B9E312712230C7",
                    "I/user.t 123456789.abcdefg|securemode=3,signmethod=hmacsha256,timestamp=32472115200| "
                    "abcdefg&123456789 2842DC9F2FBA19C671DD3F4D24590D41F91C25FD9BC4E5101951BEA88B7DEACD",
                    "I/user.t 123456789.abcdefg|securemode=3,signmethod=hmacmd5,timestamp=1700000000| "
                    "abcdefg&123456789 "
                    "21FAD88809E6E674A0BC8D43D6FD1889",
                    "I/user.t 123456789.abcdefg|securemode=2,signmethod=hmacsha1,timestamp=1700000000| "
                    "abcdefg&123456789 "
                    "501B3E054A929A0158D8E34826A224C1B9E967E3",
                    "I/user.t 123456789.abcdefg|securemode=2,signmethod=hmacsha256,timestamp=32472115200| "
                    "abcdefg&123456789 2842DC9F2FBA19C671DD3F4D24590D41F91C25FD9BC4E5101951BEA88B7DEACD",
                    "I/user.t []", "I/user.t true",
                    "I/user.t false bad argument #5 to 'aliyun' (number has no integer representation)",
                    "I/user.t false bad argument #2 to 'aliyun' (string expected, got nil)"});
}

TEST_CASE("iotauth.onenet as LuatOS's unit test has it") {
    CHECK(
        t_lines(R"LUA(
        local pid, key = "Ck2AF9QD2K", "KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw="
        log.info("t", iotauth.onenet(pid, "test", key))
        log.info("t", select(3, iotauth.onenet(pid, "test", key, "sha1")))
        log.info("t", select(3, iotauth.onenet(pid, "test", key, "sha256")))
        log.info("t", select(3, iotauth.onenet(pid, "test", key, "MD5")))
        log.info("t", iotauth.onenet("12342334", "test", "adfasdfadsfadsf=", "md5", nil, nil, "products/12342334/devices/test"))
        log.info("t", select(3, iotauth.onenet("12342334", "test", "adfasdfadsfadsf=", "sha1", nil, nil, "products/12342334/devices/test")))
        log.info("t", select(3, iotauth.onenet(pid, "test", key, "sha256", nil, "2022-05-01")))
        local c, u, p = iotauth.onenet(pid, "test", key, "crc32")
        log.info("t", "[" .. c .. u .. p .. "]")
        local sig = crypto.hmac_sha256("32472115200\nsha256\nproducts/" .. pid .. "/devices/test\n2018-10-31", key:fromBase64()):fromHex():toBase64()
        log.info("t", select(3, iotauth.onenet(pid, "test", key, "sha256")):match("sign=(.*)$") == sig:gsub("+", "%%2B"):gsub("/", "%%2F"):gsub("=", "%%3D"))
    )LUA") ==
        Lines{"I/user.t test Ck2AF9QD2K version=2018-10-31&res=products%2FCk2AF9QD2K%2Fdevices%2Ftest&et="
              "32472115200&method=md5&sign=htDD26UhXtXayMFAWRmNiA%3D%3D",
              "I/user.t version=2018-10-31&res=products%2FCk2AF9QD2K%2Fdevices%2Ftest&et=32472115200&method="
              "sha1&sign=onzQlILHFFNqIY%2BdOXYM3lthLT8%3D",
              "I/user.t version=2018-10-31&res=products%2FCk2AF9QD2K%2Fdevices%2Ftest&et=32472115200&method="
              "sha256&sign=6Y4zbk3Sa89tRf9lMxCCE0jG74uEcEuu%2Fnly1pU9ADM%3D",
              "I/user.t version=2018-10-31&res=products%2FCk2AF9QD2K%2Fdevices%2Ftest&et=32472115200&method="
              "MD5&sign=y215sMm9evP3NThz5QRsiA%3D%3D",
              "I/user.t test 12342334 version=2018-10-31&res=products%2F12342334%2Fdevices%2Ftest&et="
              "32472115200&method=md5&sign=wZWDnoyHugla0wMlcl75xg%3D%3D",
              "I/user.t version=2018-10-31&res=products%2F12342334%2Fdevices%2Ftest&et=32472115200&method="
              "sha1&sign=FHt8BqSNGv0VEJKbHN4zod6a69Q%3D",
              "I/user.t version=2022-05-01&res=products%2FCk2AF9QD2K%2Fdevices%2Ftest&et=32472115200&method="
              "sha256&sign=N41Pmx3YpLyOoc9jtyCFPJX1etO8MxfcCr7xHYw40ws%3D",
              "I/user.t []", "I/user.t true"});
}

TEST_CASE("iotauth.iotda, tuya and baidu as LuatOS's unit test has them") {
    CHECK(
        t_lines(R"LUA(
        local id = "6203cc94c7fb24029b110408_88888888"
        log.info("t", iotauth.iotda(id, "123456789"))
        log.info("t", iotauth.iotda(id, "123456789", 1700000000))
        log.info("t", select(3, iotauth.iotda(id, "123456789", 1700000000)) == crypto.hmac_sha256("123456789", "2023111506"):lower())
        log.info("t", iotauth.tuya("6c95875d0f5ba69607nzfl", "fb803786602df760"))
        log.info("t", iotauth.tuya("6c95875d0f5ba69607nzfl", "fb803786602df760", 1700000000))
        log.info("t", iotauth.baidu("abcd123", "mydevice", "ImSeCrEt0I1M2jkl"))
        log.info("t", iotauth.baidu("abcd123", "mydevice", "ImSeCrEt0I1M2jkl", "MD5", 1700000000))
        log.info("t", iotauth.baidu("abcd123", "mydevice", "ImSeCrEt0I1M2jkl", "SHA256"))
        log.info("t", iotauth.baidu("abcd123", "mydevice", "ImSeCrEt0I1M2jkl", "sha256", 1700000000))
        local c, u, p = iotauth.baidu("abcd123", "mydevice", "ImSeCrEt0I1M2jkl", "crc32")
        log.info("t", c, "[" .. u .. p .. "]")
        log.info("t", err(function() iotauth.baidu("a", "b", "c", "MD5", 1.5) end))
    )LUA") ==
        Lines{
            "I/user.t 6203cc94c7fb24029b110408_88888888_0_0_2999010100 6203cc94c7fb24029b110408_88888888 "
            "5888ea6f4631ce76d621f452e8823507c36dd68a61f6e08518c8935e280c3c72",
            "I/user.t 6203cc94c7fb24029b110408_88888888_0_1_2023111506 6203cc94c7fb24029b110408_88888888 "
            "1c05cd54cb1b9585d40f10581aa2c84bf8c93c418eceff2f55f55dbc396c5b32",
            "I/user.t true",
            "I/user.t tuyalink_6c95875d0f5ba69607nzfl 6c95875d0f5ba69607nzfl|signMethod=hmacSha256,timestamp="
            "7258089600,secureMode=1,accessType=1 "
            "d4e2d498e4195db3ed213b33d662e3b7bf434dc3d5a1f2e63b602ac9248ba72c",
            "I/user.t tuyalink_6c95875d0f5ba69607nzfl 6c95875d0f5ba69607nzfl|signMethod=hmacSha256,timestamp="
            "1700000000,secureMode=1,accessType=1 "
            "1560ae9a5d22067b47f6e98347c6e408fd9e9b63cd6c1f354fedbe452b0375db",
            "I/user.t abcd123 thingidp@abcd123|mydevice|MD5 22bc75231495220c7a2202fe15f7d286",
            "I/user.t abcd123 thingidp@abcd123|mydevice|1700000000|MD5 c7aa0f9bd88fb5ba4857abc4868921e0",
            "I/user.t abcd123 thingidp@abcd123|mydevice|SHA256 "
            "8b84e00accf874b07c1ac586830d211386294df1d2303d40d19c007c0e937af5",
            "I/user.t abcd123 thingidp@abcd123|mydevice|1700000000|SHA256 "
            "4b4923db7522a0fe7a50a26003ba4a7647f627921828127e169073b9eafe5a2e",
            "I/user.t abcd123 []",
            "I/user.t false bad argument #5 to 'baidu' (number has no integer representation)"});
}

TEST_CASE("iotauth.iotda follows the module's time zone (--tz)") {
    tests::ScriptOptions utc;
    utc.tz_offset_minutes = 0;
    CHECK(t_lines(R"LUA(log.info("t", (iotauth.iotda("dev", "secret", 1700000000))))LUA", utc) ==
          Lines{"I/user.t dev_0_1_2023111422"});
}

TEST_CASE("iotauth.qcloud: a random 5-letter connection id, the HMAC of the user name with the PSK") {
    CHECK(t_lines(R"LUA(
        local pid, dn, psk = "LD8S5J1L07", "test", "acyv3QDJrRa0fW5UE58KnQ=="
        for _, m in ipairs({"sha256", "sha1", "SHA256"}) do
            local c, u, p = iotauth.qcloud(pid, dn, psk, m)
            local conn = u:match("^LD8S5J1L07test;12010126;(%l%l%l%l%l);32472115200$")
            local h, suffix = p:match("^(%x+);(%w+)$")
            local want = (suffix == "hmacsha1" and crypto.hmac_sha1 or crypto.hmac_sha256)(u, psk:fromBase64()):lower()
            log.info("t", c, conn ~= nil, #h, suffix, h == want)
        end
        local c, u, p = iotauth.qcloud(pid, dn, psk, "crc32")
        log.info("t", c, u:match("^LD8S5J1L07test;12010126;%l+;32472115200$") ~= nil, "[" .. p .. "]")
        local _, u2 = iotauth.qcloud(pid, dn, psk, "sha256", 1700000000, "42")
        log.info("t", u2:match("^LD8S5J1L07test;42;%l+;1700000000$") ~= nil)
    )LUA") == Lines{"I/user.t LD8S5J1L07test true 64 hmacsha256 true",
                    "I/user.t LD8S5J1L07test true 40 hmacsha1 true",
                    "I/user.t LD8S5J1L07test true 64 hmacsha256 true", "I/user.t LD8S5J1L07test true []",
                    "I/user.t true"});
}
