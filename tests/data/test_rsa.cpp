// rsa: the cases of LuatOS's own unit test (testcase/unit/crypto/rsa) with a key pair the script
// makes (crypto.pk_generate), and the module's failures (docs/modules/rsa.md).
#include <catch2/catch.hpp>

#include "tests/data/data_test.hpp"

using tests::Lines;

TEST_CASE("rsa.encrypt / decrypt / sign / verify as LuatOS's unit test has them") {
    auto r = tests::run_script(tests::kErrHelper + R"LUA(
        local pri, pub = crypto.pk_generate("rsa", "1024")
        local c = rsa.encrypt(pub, "abc")
        log.info("t", #c, rsa.decrypt(pri, c, ""), rsa.decrypt(pri, c), rsa.encrypt(pub, "abc") ~= c)
        local hash = crypto.sha1("1234567890"):fromHex()
        local sig = rsa.sign(pri, rsa.MD_SHA1, hash, "")
        log.info("t", #sig, rsa.verify(pub, rsa.MD_SHA1, hash, sig), rsa.verify(pub, rsa.MD_SHA1, crypto.sha1("x"):fromHex(), sig),
                 crypto.pk_verify(crypto.MD_SHA1, hash, pub, sig), sig == crypto.pk_sign(crypto.MD_SHA1, hash, pri))
        log.info("t", rsa.MD_MD5, rsa.MD_SHA1, rsa.MD_SHA224, rsa.MD_SHA256, rsa.MD_SHA384, rsa.MD_SHA512)
        log.info("t", rsa.encrypt("invalid pem key", "abc"))
        log.info("t", rsa.encrypt(pub, string.rep("x", 118)))
        log.info("t", rsa.decrypt(pri, "invalid ciphertext", ""))
        log.info("t", rsa.decrypt(pri, string.rep("\1", 128), ""))
        log.info("t", rsa.sign(pri, 999, hash, ""))
        log.info("t", rsa.sign(pri, rsa.MD_SHA1, "short", ""))
        log.info("t", rsa.verify("invalid pem key", rsa.MD_SHA1, hash, sig))
        log.info("t", rsa.verify(pub, 999, hash, sig), rsa.verify(pub, rsa.MD_SHA1, "short", sig))
        local ec_pri, ec_pub = crypto.pk_generate("ec")
        log.info("t", rsa.encrypt(ec_pub, "abc"))
        log.info("t", err(function() rsa.encrypt(nil, "abc") end))
        log.info("t", err(function() rsa.sign(pri, 1.5, hash) end))
        os.exit(0)
    )LUA");
    CHECK(tests::lines_with(r, "") ==
          Lines{"I/user.t 128 abc abc true",
                "D/crypto pk_verify: verify failed -0x4380",
                "I/user.t 128 true false true true",
                "I/user.t 3 5 8 9 nil nil",
                "W/rsa bad public key 3D62",
                "I/user.t",
                "W/rsa mbedtls_rsa_pkcs1_encrypt 4080",
                "I/user.t",
                "W/rsa data len NOT match expect 128 but 18",
                "I/user.t",
                "W/rsa mbedtls_rsa_pkcs1_decrypt 4100",
                "I/user.t",
                "E/crypto pk_sign: sign failed -0x3e80",
                "I/user.t",
                "E/crypto pk_sign: sign failed -0x3e80",
                "I/user.t",
                "E/crypto pk_verify: parse pubkey failed -0x3d62",
                "I/user.t",
                "D/crypto pk_verify: verify failed -0x3e80",
                "D/crypto pk_verify: verify failed -0x3e80",
                "I/user.t false false",
                "W/rsa mbedtls_rsa_pkcs1_encrypt 3F00",
                "I/user.t",
                "I/user.t false bad argument #1 to 'encrypt' (string expected, got nil)",
                "I/user.t false bad argument #2 to 'sign' (number has no integer representation)"});
}
