// TlsStream as a byte stream: partial records, flow control, close_notify, reconnects, lifetimes.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tests/tls/support/tls_world.hpp"

using luat_mqtt::TransportError;
using platform_air780ep::TlsConfig;
using platform_air780ep::TlsOptions;
using tests::Bytes;
using tests::LoopbackTcpStream;
using tests::mqtt_connect;
using tests::mqtt_disconnect;
using tests::mqtt_publish;
using tests::mqtt_subscribe;
using tests::must_build;
using tests::run_until;
using tests::take_packet;
using tests::TlsClient;
using tests::TlsWorld;

namespace {

constexpr const char* kConnack = "20 02 00 00";

std::shared_ptr<const TlsConfig> right_ca(const TlsWorld& w) {
    const std::string ca = w.pki.read("ca.pem");
    TlsOptions o;
    o.server_cert = ca;
    return must_build(o);
}

Bytes random_bytes(std::size_t n) {
    std::mt19937 gen(1234);
    std::uniform_int_distribution<int> byte(0, 255);
    Bytes out(n);
    for (auto& b : out)
        b = static_cast<std::uint8_t>(byte(gen));
    return out;
}

struct TlsRecord {
    std::uint8_t type;
    std::size_t length;
};

// Splits what a TLS client sent into records (type, length); fails on a torn record.
std::vector<TlsRecord> records_of(const Bytes& sent) {
    std::vector<TlsRecord> out;
    std::size_t pos = 0;
    while (pos + 5 <= sent.size()) {
        const std::size_t len = (static_cast<std::size_t>(sent[pos + 3]) << 8) | sent[pos + 4];
        out.push_back({sent[pos], len});
        pos += 5 + len;
    }
    REQUIRE(pos == sent.size());
    return out;
}

}  // namespace

TEST_CASE("big messages both ways through a tiny send buffer and a reader that takes little at a time",
          "[tls][io]") {
    TlsWorld w;
    // 1000 bytes of send buffer: every 16 KiB record is taken in part (MBEDTLS_ERR_SSL_WANT_WRITE, the
    // same record finished later); 333-byte socket reads: records arrive in pieces.
    TlsClient c(w.loop, right_ca(w), LoopbackTcpStream::Options{.send_capacity = 1000, .read_chunk = 333});
    c.probe.read_per_callback = 500;  // leaves decrypted data in the stream after each callback
    c.probe.read_chunk = 200;
    REQUIRE(c.connect("localhost", w.broker.port("tls")));
    REQUIRE(c.exchange(mqtt_connect("big")) == kConnack);
    REQUIRE(c.exchange(mqtt_subscribe("luatos/echo", 1, 0)) == "90 03 00 01 00");

    const Bytes payload = random_bytes(100 * 1024);
    c.probe.send(mqtt_publish("luatos/echo", 0, 0, payload));
    std::optional<Bytes> echo;
    // The reader also reads whenever readable() says so: it must count every complete record that
    // has arrived, or the last records would wait for a callback that never comes.
    const bool done = run_until(w.loop, [&] {
        c.probe.read_readable();
        echo = take_packet(c.probe.received);
        return echo.has_value() || c.probe.closed();
    });
    REQUIRE(done);
    REQUIRE(echo);
    const Bytes expected = mqtt_publish("luatos/echo", 0, 0, payload);
    CHECK(echo->size() == expected.size());
    CHECK(*echo == expected);
    CHECK(c.probe.short_writes > 0);    // write() took less than offered ...
    CHECK(c.probe.writable_calls > 0);  // ... and said when to go on
    CHECK(c.probe.outbox_empty());
    CHECK(c.stream->unsent() == 0);
    CHECK(c.probe.events == std::vector<std::string>{"connected"});
    CHECK_FALSE(c.probe.reentered);
}

TEST_CASE("close() ends the session with a close_notify alert", "[tls][io]") {
    TlsWorld w;
    TlsClient c(w.loop, right_ca(w), LoopbackTcpStream::Options{.record_sent = true});
    REQUIRE(c.connect("localhost", w.broker.port("tls")));
    REQUIRE(c.exchange(mqtt_connect("bye")) == kConnack);
    c.probe.close();
    CHECK_FALSE(c.stream->is_open());
    const std::vector<TlsRecord> records = records_of(c.tcp->sent_bytes());
    REQUIRE(records.size() >= 2);
    CHECK(records.back().type == 21);  // alert: close_notify, encrypted (2 bytes + AEAD nonce and tag)
    CHECK(records.back().length == 2 + 8 + 16);
    CHECK(records[records.size() - 2].type == 23);  // the CONNECT, as application data
    CHECK(c.probe.events == std::vector<std::string>{"connected", "close()"});  // no callback after close()
}

TEST_CASE("the broker ending the session (after DISCONNECT) is reported once, as closed by the peer",
          "[tls][io]") {
    TlsWorld w;
    TlsClient c(w.loop, right_ca(w));
    REQUIRE(c.connect("localhost", w.broker.port("tls")));
    REQUIRE(c.exchange(mqtt_connect("disconnecting")) == kConnack);
    c.probe.send(mqtt_disconnect());
    REQUIRE(run_until(w.loop, [&] { return c.probe.closed(); }));
    CHECK(c.probe.events == std::vector<std::string>{"connected", "closed"});
    CHECK(c.probe.close_error == TransportError::kPeerClosed);
    CHECK(c.probe.close_detail == "the server closed the TLS session (close_notify)");
    CHECK_FALSE(c.stream->is_open());
    CHECK_FALSE(c.probe.reentered);
}

TEST_CASE("one stream and config serve several sessions: close() then open() again", "[tls][io]") {
    TlsWorld w;
    TlsClient c(w.loop, right_ca(w));
    for (int round = 0; round < 3; ++round) {
        REQUIRE(c.connect("localhost", w.broker.port("tls")));
        CHECK(c.exchange(mqtt_connect("again")) == kConnack);
        c.probe.close();
    }
    CHECK(c.probe.events ==
          std::vector<std::string>{"connected", "close()", "connected", "close()", "connected", "close()"});
}

TEST_CASE("after a refused handshake the stream can be opened again", "[tls][io]") {
    TlsWorld w;
    TlsClient c(w.loop, right_ca(w));
    REQUIRE_FALSE(c.connect("wrong.name.test", w.broker.port("tls")));
    REQUIRE(c.probe.close_error == TransportError::kTlsHandshake);
    CHECK(c.connect("localhost", w.broker.port("tls")));
    CHECK(c.exchange(mqtt_connect("second-try")) == kConnack);
    CHECK(c.probe.events == std::vector<std::string>{"closed", "connected"});
}

TEST_CASE("before the handshake is done nothing can be written or read, and open() is refused", "[tls][io]") {
    TlsWorld w;
    TlsClient c(w.loop, right_ca(w));
    REQUIRE(c.probe.open("localhost", w.broker.port("tls")));
    CHECK(c.stream->is_open());
    CHECK_FALSE(c.stream->open("localhost", w.broker.port("tls")));
    const Bytes data{1, 2, 3};
    CHECK(c.stream->write(data) == 0);
    CHECK(c.stream->writable() == 0);
    CHECK(c.stream->readable() == 0);
    Bytes buf(10);
    CHECK(c.stream->read(buf) == 0);
    CHECK(c.stream->session_description().empty());
    REQUIRE(run_until(w.loop, [&] { return c.probe.connected(); }));
    CHECK(c.stream->writable() == 16384);
    CHECK(c.exchange(mqtt_connect("patient")) == kConnack);
}

TEST_CASE("the owner may destroy the stream from on_transport_closed", "[tls][io]") {
    TlsWorld w;
    SECTION("after a refused handshake") {
        TlsOptions o;
        const std::string wrong = w.pki.read("wrong_ca.pem");
        o.server_cert = wrong;
        TlsClient c(w.loop, must_build(o));
        c.probe.on_closed_hook = [&c] { c.stream.reset(); };
        CHECK_FALSE(c.connect("localhost", w.broker.port("tls")));
        CHECK_FALSE(c.stream);
    }
    SECTION("after the peer ended the session") {
        TlsClient c(w.loop, right_ca(w));
        c.probe.on_closed_hook = [&c] { c.stream.reset(); };
        REQUIRE(c.connect("localhost", w.broker.port("tls")));
        REQUIRE(c.exchange(mqtt_connect("destroyed")) == kConnack);
        c.probe.send(mqtt_disconnect());
        REQUIRE(run_until(w.loop, [&] { return c.probe.closed(); }));
        CHECK_FALSE(c.stream);
        w.loop.run_once(0);  // nothing posted may touch the destroyed stream
    }
}

TEST_CASE("destroying an open stream sends close_notify and needs no callback", "[tls][io]") {
    TlsWorld w;
    TlsClient c(w.loop, right_ca(w));
    REQUIRE(c.connect("localhost", w.broker.port("tls")));
    REQUIRE(c.exchange(mqtt_connect("dropped")) == kConnack);
    c.stream.reset();
    w.loop.run_once(0);
    CHECK(c.probe.events == std::vector<std::string>{"connected"});
}

TEST_CASE("data that came before the server's close_notify is read first, then the close is reported",
          "[tls][io]") {
    TlsWorld w;
    TlsClient c(w.loop, right_ca(w), LoopbackTcpStream::Options{});  // a socket the test can look at
    REQUIRE(c.connect("localhost", w.broker.port("tls")));
    REQUIRE(c.exchange(mqtt_connect("last-words")) == kConnack);
    REQUIRE(c.exchange(mqtt_subscribe("luatos/last", 1, 0)) == "90 03 00 01 00");
    // Our PUBLISH comes back, then the broker ends the session for our DISCONNECT. Both are waiting
    // in the socket before the loop runs, so the close_notify is met inside read(), behind the data:
    // the close must come after the read returned, from the loop.
    const Bytes payload = random_bytes(10 * 1024);
    Bytes both = mqtt_publish("luatos/last", 0, 0, payload);
    const Bytes disconnect = mqtt_disconnect();
    both.insert(both.end(), disconnect.begin(), disconnect.end());
    c.probe.send(both);
    REQUIRE(run_until(w.loop, [&] { return c.probe.outbox_empty() && c.stream->unsent() == 0; }));
    // The broker closes the connection after its close_notify: once its FIN is in, so is all before it.
    REQUIRE(c.tcp->wait_until_peer_finished(5000));
    REQUIRE(run_until(w.loop, [&] { return c.probe.closed(); }));
    CHECK(take_packet(c.probe.received) == mqtt_publish("luatos/last", 0, 0, payload));
    CHECK(c.probe.events == std::vector<std::string>{"connected", "closed"});
    CHECK(c.probe.close_error == TransportError::kPeerClosed);
    CHECK(c.probe.close_detail == "the server closed the TLS session (close_notify)");
    CHECK_FALSE(c.probe.reentered);
}
