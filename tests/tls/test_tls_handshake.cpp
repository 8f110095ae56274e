// TlsStream handshakes against a private mosquitto: every line of issue 5's Tests paragraph, at the
// stream level (raw MQTT packets over the TLS stream; the MQTT-level tests come with the binding).
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "tests/tls/support/tls_world.hpp"

using luat_mqtt::TransportError;
using platform_air780ep::TlsConfig;
using platform_air780ep::TlsOptions;
using tests::Bytes;
using tests::mqtt_connect;
using tests::mqtt_publish;
using tests::must_build;
using tests::must_insecure;
using tests::TestPki;
using tests::TlsClient;
using tests::TlsWorld;

namespace {

const std::vector<std::string> kConnected{"connected"};
const std::vector<std::string> kRefused{"closed"};
constexpr const char* kConnack = "20 02 00 00";

TlsOptions trusting(const std::string& ca, int verify = 2) {
    TlsOptions o;
    o.server_cert = ca;
    o.verify = verify;
    return o;
}

}  // namespace

TEST_CASE("ssl = true: encrypted without a certificate check, the broker answers CONNECT",
          "[tls][handshake]") {
    TlsWorld w;
    TlsClient c(w.loop, must_insecure());
    CHECK(c.connect("localhost", w.broker.port("tls")));
    CHECK(c.probe.events == kConnected);
    CHECK(c.stream->session_description().rfind("TLSv1.2 TLS-ECDHE-ECDSA-WITH-", 0) == 0);
    CHECK(c.exchange(mqtt_connect("ssl-true")) == kConnack);
    CHECK(c.stream->verify_warning().empty());
    CHECK_FALSE(c.probe.reentered);
}

TEST_CASE("the right CA: connects, CONNACK, QoS 1 PUBLISH gets its PUBACK", "[tls][handshake]") {
    TlsWorld w;
    const std::string ca = w.pki.read("ca.pem");
    TlsClient c(w.loop, must_build(trusting(ca)));
    CHECK(c.connect("localhost", w.broker.port("tls")));
    CHECK(c.probe.events == kConnected);
    CHECK(c.exchange(mqtt_connect("right-ca")) == kConnack);
    const Bytes payload{'h', 'e', 'l', 'l', 'o'};
    CHECK(c.exchange(mqtt_publish("luatos/tls", 7, 1, payload)) == "40 02 00 07");
    CHECK(c.stream->verify_warning().empty());
    CHECK_FALSE(c.probe.reentered);
}

TEST_CASE("the wrong CA: refused during the handshake, never connected, the log says why",
          "[tls][handshake]") {
    TlsWorld w;
    const std::string wrong = w.pki.read("wrong_ca.pem");
    TlsClient c(w.loop, must_build(trusting(wrong)));
    CHECK_FALSE(c.connect("localhost", w.broker.port("tls")));
    CHECK(c.probe.events == kRefused);
    CHECK(c.probe.close_error == TransportError::kTlsHandshake);
    CHECK(c.probe.close_detail ==
          "server certificate rejected: The certificate is not correctly signed by the trusted CA");
    CHECK(c.probe.received.empty());
    CHECK_FALSE(c.stream->is_open());
    CHECK_FALSE(c.probe.reentered);
}

TEST_CASE("a CA chain in server_cert (wrong CA first) and a DER CA both verify", "[tls][handshake]") {
    TlsWorld w;
    const std::string chain = w.pki.read("wrong_ca.pem") + w.pki.read("ca.pem");
    const std::string der = w.pki.read("ca.der");
    for (const std::string* ca : {&chain, &der}) {
        TlsClient c(w.loop, must_build(trusting(*ca)));
        CHECK(c.connect("localhost", w.broker.port("tls")));
        CHECK(c.exchange(mqtt_connect("chain")) == kConnack);
    }
}

TEST_CASE("the wrong host name: refused at verify 2, accepted at 1 with a warning and at 0",
          "[tls][handshake]") {
    TlsWorld w;
    const std::string ca = w.pki.read("ca.pem");
    const std::string mismatch = "The certificate Common Name (CN) does not match with the expected CN";
    {
        TlsClient c(w.loop, must_build(trusting(ca, 2)));
        CHECK_FALSE(c.connect("broker.wrong-name.test", w.broker.port("tls")));
        CHECK(c.probe.events == kRefused);
        CHECK(c.probe.close_error == TransportError::kTlsHandshake);
        CHECK(c.probe.close_detail == "server certificate rejected: " + mismatch);
    }
    {
        TlsClient c(w.loop, must_build(trusting(ca, 1)));
        CHECK(c.connect("broker.wrong-name.test", w.broker.port("tls")));
        CHECK(c.stream->verify_warning() == mismatch);
        CHECK(c.exchange(mqtt_connect("verify-1")) == kConnack);
    }
    {
        TlsClient c(w.loop, must_build(trusting(ca, 0)));
        CHECK(c.connect("broker.wrong-name.test", w.broker.port("tls")));
        CHECK(c.stream->verify_warning().empty());
        CHECK(c.exchange(mqtt_connect("verify-0")) == kConnack);
    }
}

TEST_CASE("verify 1 with the wrong CA connects and warns with the reason", "[tls][handshake]") {
    TlsWorld w;
    const std::string wrong = w.pki.read("wrong_ca.pem");
    TlsClient c(w.loop, must_build(trusting(wrong, 1)));
    CHECK(c.connect("localhost", w.broker.port("tls")));
    CHECK(c.stream->verify_warning() == "The certificate is not correctly signed by the trusted CA");
}

TEST_CASE("an IP-address host verifies against the certificate's iPAddress entry", "[tls][handshake]") {
    TlsWorld w;
    const std::string ca = w.pki.read("ca.pem");
    {
        TlsClient c(w.loop, must_build(trusting(ca)));
        CHECK(c.connect("127.0.0.1", w.broker.port("tls")));
        CHECK(c.exchange(mqtt_connect("by-address")) == kConnack);
    }
    {
        // The test stream always reaches 127.0.0.1: only the name given to TLS differs.
        TlsClient c(w.loop, must_build(trusting(ca)));
        CHECK_FALSE(c.connect("127.0.0.2", w.broker.port("tls")));
        CHECK(c.probe.close_detail ==
              "server certificate rejected: The certificate Common Name (CN) does not match with the "
              "expected CN");
    }
}

TEST_CASE("an expired server certificate is refused", "[tls][handshake]") {
    TlsWorld w;
    const std::string ca = w.pki.read("ca.pem");
    TlsClient c(w.loop, must_build(trusting(ca)));
    CHECK_FALSE(c.connect("localhost", w.broker.port("expired")));
    CHECK(c.probe.events == kRefused);
    CHECK(c.probe.close_error == TransportError::kTlsHandshake);
    CHECK(c.probe.close_detail == "server certificate rejected: The certificate validity has expired");
}

TEST_CASE("verify 2 without server_cert: every handshake is refused", "[tls][handshake]") {
    TlsWorld w;
    TlsClient c(w.loop, must_build(TlsOptions{}));
    CHECK_FALSE(c.connect("localhost", w.broker.port("tls")));
    CHECK(c.probe.close_error == TransportError::kTlsHandshake);
    CHECK(c.probe.close_detail ==
          "no server_cert to check the server against (verify = 2): SSL - No CA Chain is set, but required "
          "to operate");
}

TEST_CASE("mutual TLS: the client certificate is accepted where the broker requires one",
          "[tls][handshake]") {
    TlsWorld w;
    const std::string ca = w.pki.read("ca.pem");
    const std::string cert = w.pki.read("client.pem");
    const std::string key = w.pki.read("client.key");
    TlsOptions o = trusting(ca);
    o.client_cert = cert;
    o.client_key = key;
    TlsClient c(w.loop, must_build(o));
    CHECK(c.connect("localhost", w.broker.port("mtls")));
    CHECK(c.exchange(mqtt_connect("mutual")) == kConnack);
    const Bytes payload{'m'};
    CHECK(c.exchange(mqtt_publish("luatos/mtls", 1, 1, payload)) == "40 02 00 01");
}

TEST_CASE("mutual TLS with an encrypted client key and its password", "[tls][handshake]") {
    TlsWorld w;
    const std::string ca = w.pki.read("ca.pem");
    const std::string cert = w.pki.read("client.pem");
    const std::string key = w.pki.read("client_enc.key");  // as `openssl pkey -aes256` makes it
    TlsOptions o = trusting(ca);
    o.client_cert = cert;
    o.client_key = key;
    o.client_password = TestPki::kClientKeyPassword;
    TlsClient c(w.loop, must_build(o));
    CHECK(c.connect("localhost", w.broker.port("mtls")));
    CHECK(c.exchange(mqtt_connect("encrypted-key")) == kConnack);
    o.client_password = "wrong";
    std::vector<std::string> warnings;
    std::string error;
    CHECK(TlsConfig::create(o, warnings, error) == nullptr);
    CHECK(error == "client_key: PK - Given private key password does not allow for correct decryption");
}

TEST_CASE("no client certificate where the broker requires one: refused", "[tls][handshake]") {
    TlsWorld w;
    const std::string ca = w.pki.read("ca.pem");
    TlsClient c(w.loop, must_build(trusting(ca)));
    CHECK_FALSE(c.connect("localhost", w.broker.port("mtls")));
    CHECK(c.probe.events == kRefused);
    CHECK(c.probe.close_error == TransportError::kTlsHandshake);
    CHECK(c.probe.close_detail == "the server sent alert handshake_failure (40)");
}

TEST_CASE("a client certificate from a CA the broker does not trust: refused", "[tls][handshake]") {
    TlsWorld w;
    const std::string ca = w.pki.read("ca.pem");
    const std::string cert = w.pki.read("stranger.pem");
    const std::string key = w.pki.read("stranger.key");
    TlsOptions o = trusting(ca);
    o.client_cert = cert;
    o.client_key = key;
    TlsClient c(w.loop, must_build(o));
    CHECK_FALSE(c.connect("localhost", w.broker.port("mtls")));
    CHECK(c.probe.close_error == TransportError::kTlsHandshake);
    CHECK(c.probe.close_detail == "the server sent alert unknown_ca (48)");
}

TEST_CASE("TLS to a plain MQTT port: the handshake fails when the broker hangs up", "[tls][handshake]") {
    TlsWorld w;
    TlsClient c(w.loop, must_insecure());
    CHECK_FALSE(c.connect("localhost", w.broker.port("plain")));
    CHECK(c.probe.events == kRefused);
    CHECK(c.probe.close_error == TransportError::kTlsHandshake);
    // mosquitto drops the connection with our ClientHello unread: a FIN or a reset, as timing goes.
    const std::string remote = "localhost:" + std::to_string(w.broker.port("plain")) +
                               " (127.0.0.1:" + std::to_string(w.broker.port("plain")) + ")";
    CHECK_THAT(c.probe.close_detail,
               Catch::Matchers::Equals("the connection closed during the TLS handshake (closed by peer " +
                                       remote + ")") ||
                   Catch::Matchers::Equals("the connection closed during the TLS handshake (connection to " +
                                           remote + ": Connection reset by peer)"));
}

TEST_CASE("nothing listening: the inner stream's connect failure comes through unchanged",
          "[tls][handshake]") {
    sys_task::EventLoop loop;
    TlsClient c(loop, must_insecure());
    const std::string port = std::to_string(tests::free_loopback_port());
    CHECK_FALSE(c.connect("localhost", static_cast<std::uint16_t>(std::stoi(port))));
    CHECK(c.probe.events == kRefused);
    CHECK(c.probe.close_error == TransportError::kConnectFailed);
    CHECK(c.probe.close_detail ==
          "connect to localhost:" + port + " (127.0.0.1:" + port + "): Connection refused");
    CHECK_FALSE(c.probe.reentered);
}

TEST_CASE("clients sharing one config connect at the same time", "[tls][handshake]") {
    TlsWorld w;
    const std::string ca = w.pki.read("ca.pem");
    const auto config = must_build(trusting(ca));
    std::vector<std::unique_ptr<TlsClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<TlsClient>(w.loop, config));
        REQUIRE(clients.back()->probe.open("localhost", w.broker.port("tls")));
    }
    REQUIRE(tests::run_until(w.loop, [&] {
        for (const auto& c : clients) {
            if (c->probe.events.empty()) return false;
        }
        return true;
    }));
    int n = 0;
    for (const auto& c : clients) {
        CHECK(c->probe.events == kConnected);
        CHECK(c->exchange(mqtt_connect("shared-" + std::to_string(n++))) == kConnack);
    }
}

TEST_CASE("a script's broker name sent elsewhere by the host map is still the name TLS checks",
          "[tls][handshake]") {
    // The guide's "SSL with certificate" demo: broker.emqx.io:8883 with the CA read from /luadb/.
    // The platform connects to the mapped address (here the test stream always goes to 127.0.0.1);
    // SNI and the certificate check use the script's host name.
    TlsWorld w(tests::KeyKind::kEcP256, true, {"broker.emqx.io"});
    const std::string ca = w.pki.read("ca.pem");  // as io.readFile gives it: PEM, no NUL
    TlsClient c(w.loop, must_build(trusting(ca)));
    CHECK(c.connect("broker.emqx.io", w.broker.port("tls")));
    CHECK(c.exchange(mqtt_connect("abc")) == kConnack);
}
