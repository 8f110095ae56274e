// TlsConfig: the `ssl` argument of mqtt.create parsed as LuatOS reads it, with clear refusals.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "platform_air780ep/tls/tls_config.hpp"
#include "tests/tls/support/test_pki.hpp"

using platform_air780ep::TlsConfig;
using platform_air780ep::TlsOptions;
using platform_air780ep::TlsVerify;
using tests::TestPki;

namespace {

// One create()'s whole answer: the config or the refusal, and the warnings.
struct Built {
    std::shared_ptr<const TlsConfig> config;
    std::string error;
    std::vector<std::string> warnings;
};

Built build(const TlsOptions& options) {
    Built b;
    b.config = TlsConfig::create(options, b.warnings, b.error);
    return b;
}

Built insecure() {
    Built b;
    b.config = TlsConfig::create_insecure(b.error);
    return b;
}

TlsOptions with_ca(std::string_view ca) {
    TlsOptions o;
    o.server_cert = ca;
    return o;
}

// The failure text, or "ok (N CA, client cert yes/no)" for a config that was built.
std::string outcome(const Built& r) {
    if (!r.config) {
        REQUIRE_FALSE(r.error.empty());
        return r.error;
    }
    REQUIRE(r.error.empty());
    return "ok (" + std::to_string(r.config->trusted_ca_count()) + " CA, client cert " +
           (r.config->has_client_certificate() ? "yes" : "no") + ")";
}

}  // namespace

TEST_CASE("ssl = true: verify 0, no certificates, no warnings", "[tls][config]") {
    const Built r = insecure();
    REQUIRE(r.config);
    CHECK(r.config->verify() == TlsVerify::kNone);
    CHECK(outcome(r) == "ok (0 CA, client cert no)");
    CHECK(r.warnings.empty());
}

TEST_CASE("ssl table: verify defaults to 2 and takes 0, 1, 2 only", "[tls][config]") {
    const TestPki pki;
    const std::string ca = pki.read("ca.pem");
    TlsOptions o = with_ca(ca);
    CHECK(build(o).config->verify() == TlsVerify::kRequired);
    o.verify = 1;
    CHECK(build(o).config->verify() == TlsVerify::kOptional);
    o.verify = 0;
    CHECK(build(o).config->verify() == TlsVerify::kNone);
    o.verify = 3;
    CHECK(outcome(build(o)) == "verify: must be 0 (none), 1 (optional) or 2 (required), not 3");
    o.verify = -1;
    CHECK(outcome(build(o)) == "verify: must be 0 (none), 1 (optional) or 2 (required), not -1");
}

TEST_CASE("server_cert: PEM with or without the NUL, a PEM chain, DER, a DER chain", "[tls][config]") {
    const TestPki pki;
    const std::string ca = pki.read("ca.pem");
    const std::string ca_with_nul = ca + '\0';
    const std::string chain = pki.read("wrong_ca.pem") + ca;
    const std::string der = pki.read("ca.der");
    const std::string der_chain = der + der;
    CHECK(outcome(build(with_ca(ca))) == "ok (1 CA, client cert no)");
    CHECK(outcome(build(with_ca(ca_with_nul))) == "ok (1 CA, client cert no)");
    CHECK(outcome(build(with_ca(chain))) == "ok (2 CA, client cert no)");
    CHECK(outcome(build(with_ca(der))) == "ok (1 CA, client cert no)");
    CHECK(outcome(build(with_ca(der_chain))) == "ok (2 CA, client cert no)");
}

TEST_CASE("server_cert that does not parse: refused, naming the field and mbedTLS's reason",
          "[tls][config]") {
    const TestPki pki;
    const std::string ca = pki.read("ca.pem");
    std::string bad_base64 = ca;
    bad_base64[100] = '!';
    const std::string truncated = ca.substr(0, ca.size() / 2);
    const std::string chain_with_bad = pki.read("wrong_ca.pem") + bad_base64;
    const std::string der = pki.read("ca.der");
    const std::string der_truncated = der.substr(0, der.size() - 10);

    CHECK(outcome(build(with_ca(bad_base64))) ==
          "server_cert: PEM - PEM string is not as expected : BASE64 - Invalid character in input");
    CHECK(outcome(build(with_ca(truncated))) == "server_cert: X509 - Format not recognized as DER or PEM");
    CHECK(outcome(build(with_ca(chain_with_bad))) ==
          "server_cert: 1 certificate in the PEM text could not be parsed");
    CHECK(outcome(build(with_ca("hello"))) ==
          "server_cert: X509 - The CRT/CRL/CSR format is invalid, e.g. different type expected");
    CHECK(outcome(build(with_ca(der_truncated))) ==
          "server_cert: X509 - The CRT/CRL/CSR format is invalid, e.g. different type expected");
    CHECK(outcome(build(with_ca(""))) == "server_cert: empty");
}

TEST_CASE("verify 2 without server_cert is built with a warning (every handshake will fail)",
          "[tls][config]") {
    const Built r = build(TlsOptions{});
    CHECK(outcome(r) == "ok (0 CA, client cert no)");
    CHECK(r.warnings ==
          std::vector<std::string>{"ssl: verify = 2 without server_cert: no CA to check the server "
                                   "against, every handshake will be refused"});
    TlsOptions optional;
    optional.verify = 1;
    CHECK(build(optional).warnings.empty());
}

TEST_CASE("client_cert + client_key, PEM or DER key", "[tls][config]") {
    const TestPki pki;
    const std::string ca = pki.read("ca.pem");
    const std::string cert = pki.read("client.pem");
    const std::string key = pki.read("client.key");
    const std::string key_der = pki.read("client.key.der");
    TlsOptions o = with_ca(ca);
    o.client_cert = cert;
    o.client_key = key;
    CHECK(outcome(build(o)) == "ok (1 CA, client cert yes)");
    o.client_key = key_der;
    CHECK(outcome(build(o)) == "ok (1 CA, client cert yes)");
    o.client_password = "unused";  // a password for a clear key is ignored, as by mbedTLS
    CHECK(outcome(build(o)) == "ok (1 CA, client cert yes)");
}

TEST_CASE("encrypted client_key: right password, wrong password, no password", "[tls][config]") {
    const TestPki pki;
    const std::string ca = pki.read("ca.pem");
    const std::string cert = pki.read("client.pem");
    // OpenSSL 3's default (PKCS#8 PBES2 AES-256-CBC, which mbedTLS 2.28 alone cannot read), PKCS#8 DER
    // with AES-128 and HMAC-SHA1, PKCS#8 with 3DES, and the traditional PEM encryption.
    const std::string file = GENERATE("client_enc.key", "client_enc_aes128.key.der", "client_enc_3des.key",
                                      "client_enc_legacy.key");
    CAPTURE(file);
    const std::string key = pki.read(file);
    TlsOptions o = with_ca(ca);
    o.client_cert = cert;
    o.client_key = key;
    o.client_password = TestPki::kClientKeyPassword;
    CHECK(outcome(build(o)) == "ok (1 CA, client cert yes)");
    o.client_password = "not-the-password";
    CHECK(outcome(build(o)) ==
          "client_key: PK - Given private key password does not allow for correct decryption");
    o.client_password.reset();
    CHECK(outcome(build(o)) == "client_key: PK - Private key password can't be empty");
    o.client_password = "";
    CHECK(outcome(build(o)) == "client_key: PK - Private key password can't be empty");
}

TEST_CASE("a wrong password is reported as such even when the padding checks out by chance",
          "[tls][config]") {
    // About one wrong password in 256 decrypts a CBC-encrypted key to bytes whose padding looks right;
    // the garbage then fails to parse. Over hundreds of wrong passwords every answer must still be the
    // password mismatch, never "invalid key tag".
    const TestPki pki;
    const std::string ca = pki.read("ca.pem");
    const std::string cert = pki.read("client.pem");
    const std::string file = GENERATE("client_enc_3des.key", "client_enc_legacy.key");
    CAPTURE(file);
    const std::string key = pki.read(file);
    TlsOptions o = with_ca(ca);
    o.client_cert = cert;
    o.client_key = key;
    int mismatches = 0;
    for (int i = 0; i < 400; ++i) {
        const std::string wrong = "wrong-" + std::to_string(i);
        o.client_password = wrong;
        const std::string got = outcome(build(o));
        if (got == "client_key: PK - Given private key password does not allow for correct decryption") {
            ++mismatches;
        } else {
            CAPTURE(wrong);
            CHECK(got == "client_key: PK - Given private key password does not allow for correct decryption");
        }
    }
    CHECK(mismatches == 400);
}

TEST_CASE("client_cert without a usable key is refused, naming client_key", "[tls][config]") {
    const TestPki pki;
    const std::string ca = pki.read("ca.pem");
    const std::string cert = pki.read("client.pem");
    const std::string other_key = pki.read("server.key");
    TlsOptions o = with_ca(ca);
    o.client_cert = cert;
    CHECK(outcome(build(o)) == "client_key: missing (client_cert needs its private key)");
    o.client_key = "garbage";
    CHECK(outcome(build(o)) == "client_key: PK - Invalid key tag or value");
    o.client_key = "";
    CHECK(outcome(build(o)) == "client_key: empty");
    o.client_key = other_key;
    CHECK(outcome(build(o)) ==
          "client_key: does not match client_cert (ECP - Bad input parameters to function)");
}

TEST_CASE("client_cert that does not parse is refused, naming client_cert", "[tls][config]") {
    const TestPki pki;
    std::string cert = pki.read("client.pem");
    cert[120] = '#';
    const std::string key = pki.read("client.key");
    TlsOptions o;
    o.client_cert = cert;
    o.client_key = key;
    CHECK(outcome(build(o)) ==
          "client_cert: PEM - PEM string is not as expected : BASE64 - Invalid character in input");
}

TEST_CASE("client_key without client_cert is ignored as LuatOS does, with a warning", "[tls][config]") {
    const TestPki pki;
    const std::string ca = pki.read("ca.pem");
    TlsOptions o = with_ca(ca);
    o.client_key = "not even parsed";
    o.client_password = "x";
    const Built r = build(o);
    CHECK(outcome(r) == "ok (1 CA, client cert no)");
    CHECK(r.warnings ==
          std::vector<std::string>{"ssl: client_key given without client_cert: ignored (as LuatOS)"});
    o.client_key.reset();
    CHECK(build(o).warnings ==
          std::vector<std::string>{"ssl: client_password given without client_cert and client_key: ignored"});
}

TEST_CASE("a config does not depend on the strings it was built from", "[tls][config]") {
    const TestPki pki;
    std::string ca = pki.read("ca.pem");
    const Built r = build(with_ca(ca));
    ca.assign(ca.size(), 'x');  // the script's string may be collected right after mqtt.create
    REQUIRE(r.config);
    CHECK(r.config->trusted_ca_count() == 1);
}

TEST_CASE("every truncation and many corruptions of an encrypted key are refused cleanly", "[tls][config]") {
    // The PBES2-AES decoder is ours: it must refuse anything malformed without reading past it.
    const TestPki pki;
    const std::string cert = pki.read("client.pem");
    const std::string key = pki.read("client_enc_aes128.key.der");
    TlsOptions o;
    o.verify = 0;
    o.client_cert = cert;
    o.client_password = TestPki::kClientKeyPassword;
    for (std::size_t n = 0; n < key.size(); ++n) {
        const std::string truncated = key.substr(0, n);
        o.client_key = truncated;
        CAPTURE(n);
        CHECK_FALSE(build(o).config);
    }
    std::size_t refused = 0;
    for (std::size_t i = 0; i < key.size(); ++i) {
        std::string corrupt = key;
        corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5A);
        o.client_key = corrupt;
        const Built r = build(o);
        if (!r.config)
            ++refused;
        else
            CHECK(r.config->has_client_certificate());  // a flip the format tolerates still gives the key
    }
    CHECK(refused > key.size() / 2);
}
