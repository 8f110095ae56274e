// The device's TLS settings (docs/debugging.md): --trust-ca accepts a chain to the test CA besides
// the script's server_cert and keeps the host-name check and the script's own checks; --tls-keylog
// writes one NSS CLIENT_RANDOM line per handshake, the master secret of that session.
#include <catch2/catch.hpp>

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "tests/tls/support/tls_world.hpp"

using platform_air780ep::TlsConfig;
using platform_air780ep::TlsDeviceSettings;
using platform_air780ep::TlsKeyLog;
using platform_air780ep::TlsOptions;
using tests::TempDir;
using tests::TlsClient;
using tests::TlsWorld;

namespace {

std::shared_ptr<const TlsConfig> build(const TlsOptions& options, const TlsDeviceSettings& device) {
    std::vector<std::string> warnings;
    std::string error;
    std::shared_ptr<const TlsConfig> config = TlsConfig::create(options, device, warnings, error);
    INFO(error);
    REQUIRE(config);
    return config;
}

TlsOptions trusting(const std::string& ca, int verify = 2) {
    TlsOptions o;
    o.server_cert = ca;
    o.verify = verify;
    return o;
}

TlsDeviceSettings test_ca(const TlsWorld& w) {
    TlsDeviceSettings d;
    d.trust_ca = w.pki.read("ca.pem");
    d.trust_ca_path = w.pki.path("ca.pem").string();
    return d;
}

}  // namespace

TEST_CASE(
    "device TLS settings: --trust-ca: a chain to the test CA verifies besides the script's CA, the name is "
    "still checked",
    "[tls][debugging]") {
    TlsWorld w;
    const std::string wrong = w.pki.read("wrong_ca.pem");
    {
        TlsClient c(w.loop, build(trusting(wrong), {}));
        CHECK_FALSE(c.connect("localhost", w.broker.port("tls")));  // as the module: refused
    }
    const auto config = build(trusting(wrong), test_ca(w));
    CHECK(config->trusts_test_ca());
    CHECK(config->test_ca_path() == w.pki.path("ca.pem").string());
    CHECK(config->trusted_ca_count() == 1);  // the script's own
    {
        TlsClient c(w.loop, config);
        CHECK(c.connect("localhost", w.broker.port("tls")));
    }
    {
        TlsClient c(w.loop, config);
        CHECK_FALSE(c.connect("broker.wrong-name.test", w.broker.port("tls")));
        CHECK(c.probe.close_detail ==
              "server certificate rejected: The certificate Common Name (CN) does not match with the "
              "expected CN");
    }
    // verify 2 without server_cert: the test CA alone is enough here.
    TlsOptions none;
    CHECK(build(none, test_ca(w))->trusts_test_ca());
    // verify 0 checks nothing, so the test CA is not even loaded.
    CHECK_FALSE(build(trusting(wrong, 0), test_ca(w))->trusts_test_ca());
}

TEST_CASE(
    "device TLS settings: --trust-ca: the script's server_cert is still parsed and refused first, a bad test "
    "CA is named",
    "[tls][debugging]") {
    TlsWorld w;
    std::vector<std::string> warnings;
    std::string plain_error, trusted_error;
    const std::string cut = w.pki.read("ca.pem").substr(0, 100);
    CHECK(TlsConfig::create(trusting(cut), warnings, plain_error) == nullptr);
    CHECK(TlsConfig::create(trusting(cut), test_ca(w), warnings, trusted_error) == nullptr);
    CHECK(trusted_error == plain_error);
    CHECK(trusted_error.starts_with("server_cert: "));

    TlsDeviceSettings bad;
    bad.trust_ca = "not a certificate";
    bad.trust_ca_path = "bad.pem";
    std::string error;
    CHECK(TlsConfig::create(trusting(w.pki.read("ca.pem")), bad, warnings, error) == nullptr);
    CHECK(error ==
          "--trust-ca bad.pem: X509 - The CRT/CRL/CSR format is invalid, e.g. different type expected");
    CHECK_FALSE(platform_air780ep::check_certificates("not a certificate", error));
    CHECK(platform_air780ep::check_certificates(w.pki.read("ca.der"), error));
}

TEST_CASE("device TLS settings: --tls-keylog: one CLIENT_RANDOM line per handshake, whatever verify says",
          "[tls][debugging]") {
    TlsWorld w;
    TempDir dir("tls-keylog");
    const auto path = dir.path() / "keys.txt";
    std::string error;
    TlsDeviceSettings d;
    d.keylog = TlsKeyLog::create(path.string(), error);
    REQUIRE(d.keylog);
    std::string insecure_error;
    std::shared_ptr<const TlsConfig> insecure = TlsConfig::create_insecure(d, insecure_error);
    REQUIRE(insecure);
    const auto verified = build(trusting(w.pki.read("ca.pem")), d);
    for (const auto& config : {insecure, verified}) {
        TlsClient c(w.loop, config);
        CHECK(c.connect("localhost", w.broker.port("tls")));
    }
    CHECK(d.keylog->sessions() == 2);
    const std::string text = tests::read_file(path);
    CHECK(std::regex_match(text, std::regex("(CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n){2}")));
    CHECK(text.substr(0, 78) != text.substr(text.find('\n') + 1, 78));  // two sessions, two randoms

    // Without the setting nothing is written.
    TlsClient c(w.loop, build(trusting(w.pki.read("ca.pem")), {}));
    CHECK(c.connect("localhost", w.broker.port("tls")));
    CHECK(tests::read_file(path) == text);
    CHECK(TlsKeyLog::create((dir.path() / "no/such/keys.txt").string(), error) == nullptr);
    CHECK(error.starts_with("cannot open "));
}
