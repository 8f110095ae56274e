// Bad input from the broker: every malformed class closes the link with LuatOS's protocol-error code
// and order (disconnect(0) -> close / reconnect timer -> error("connect", code)); a burst of small
// packets never does; a whole conversation fed one byte at a time works.
#include <catch2/catch.hpp>

#include <random>

#include "rig.hpp"

using namespace luat_mqtt;
using namespace tests;
using Strings = std::vector<std::string>;

namespace {

ByteVec publish_bytes(std::string_view topic, std::size_t payload_size, std::uint8_t qos = 0,
                      std::uint16_t id = 0) {
    const std::string payload(payload_size, 'p');
    PublishPacket p;
    p.topic = topic;
    p.payload = as_bytes(payload);
    p.qos = qos;
    p.packet_id = id;
    return encoded(p);
}

// Feed `bad` to a connected session; return the events it gave.
Strings after_bad_input(const ByteVec& bad, std::size_t rx_size = kDefaultRxSize) {
    Rig r;
    r.s.set_rx_size(static_cast<std::int64_t>(rx_size));
    r.connect_ok();
    r.requests();
    r.broker(bad);
    CHECK(r.s.state() == ConnectionState::kDisconnected);
    CHECK(r.requests() == Strings{"close"});
    return r.events();
}

Strings violation(int code) {
    return {"disconnect 0", "close", "error connect " + std::to_string(code)};
}

}  // namespace

TEST_CASE("malformed input classes give their LuatOS code, after disconnect(0) and close") {
    // bad remaining length: a fifth length byte
    CHECK(after_bad_input(hex("30 FF FF FF FF 01")) == violation(100));
    // a single packet longer than the receive buffer (known from its header, never buffered)
    CHECK(after_bad_input(publish_bytes("t", 100), 64) == violation(99));
    CHECK(after_bad_input(hex("30 FF FF FF 7F")) == violation(99));
    // PUBLISH with qos 3
    CHECK(after_bad_input(hex("36 07 00 03 61 2F 62 68 69")) == violation(98));
    // empty topic
    CHECK(after_bad_input(hex("30 04 00 00 68 69")) == violation(99));
    // invalid UTF-8 in the topic, and U+0000
    CHECK(after_bad_input(hex("30 06 00 02 C3 28 68 69")) == violation(99));
    CHECK(after_bad_input(hex("30 06 00 02 61 00 68 69")) == violation(99));
    // wildcard in a PUBLISH topic
    CHECK(after_bad_input(hex("30 05 00 01 2B 68 69")) == violation(99));
    // LuatOS's limits: topic > 4096 bytes, payload > 256 KiB
    CHECK(after_bad_input(publish_bytes(std::string(4097, 't'), 1)) == violation(99));
    CHECK(after_bad_input(publish_bytes("t", 256 * 1024 + 1), 300 * 1024) == violation(99));
    // declared lengths past the data: topic length beyond the packet, packet id cut off
    CHECK(after_bad_input(hex("30 04 00 09 61 62")) == violation(100));
    CHECK(after_bad_input(hex("32 04 00 01 61 00")) == violation(100));
    // second CONNACK
    CHECK(after_bad_input(hex("20 02 00 00")) == violation(95));
    // packets a server never sends, reserved types, bad flags, bad ack lengths, bad SUBACK code
    CHECK(after_bad_input(hex("10 0C 00 04 4D 51 54 54 04 02 00 3C 00 00")) == violation(100));
    CHECK(after_bad_input(hex("C0 00")) == violation(100));
    CHECK(after_bad_input(hex("00 00")) == violation(100));
    CHECK(after_bad_input(hex("F0 00")) == violation(100));
    CHECK(after_bad_input(hex("41 02 00 01")) == violation(100));
    CHECK(after_bad_input(hex("40 01 00")) == violation(100));
    CHECK(after_bad_input(hex("40 02 00 00")) == violation(100));
    CHECK(after_bad_input(hex("90 03 00 01 05")) == violation(100));
    CHECK(after_bad_input(hex("D0 01 00")) == violation(100));
}

TEST_CASE("a packet other than CONNACK before CONNACK: 96") {
    for (const char* first : {"D0 00", "30 05 00 01 74 68 69", "40 02 00 01", "E0 00", "00 00"}) {
        INFO(first);
        Rig r;
        REQUIRE(r.s.connect());
        r.s.on_transport_connected();
        r.sent();
        r.requests();
        r.broker(hex(first));
        CHECK(r.s.state() == ConnectionState::kDisconnected);
        CHECK(r.events() == violation(96));
        CHECK(r.requests() == Strings{"close"});
    }
}

TEST_CASE("a malformed CONNACK (and session present on a clean session): 100") {
    for (const char* connack : {"20 03 00 00 00", "20 02 04 00", "20 02 01 00"}) {
        INFO(connack);
        Rig r;  // clean session
        REQUIRE(r.s.connect());
        r.s.on_transport_connected();
        r.sent();
        r.broker(hex(connack));
        CHECK(r.events() == violation(100));
    }
}

TEST_CASE("a protocol violation with auto-reconnect: disconnect(0), error, then reconnect") {
    Rig r;
    r.s.set_rx_size(64);
    r.s.set_autoreconn(true, 2000);
    r.connect_ok();
    r.requests();
    CHECK(r.broker(publish_bytes("t", 100)) < 100);  // the session stops taking bytes at the error
    CHECK(r.events() == Strings{"disconnect 0", "error connect 99"});
    CHECK(r.requests() == Strings{"close"});
    REQUIRE(r.logs.size() == 1);
    CHECK(r.logs[0] == "protocol error 99: packet larger than the receive buffer");
    r.advance(2000);
    CHECK(r.requests() == Strings{"open"});
    // The new connection starts with an empty receive buffer.
    r.s.on_transport_connected();
    r.sent();
    r.broker(hex("20 02 00 00"));
    CHECK(r.events() == Strings{"conack"});
    r.broker(publish_bytes("t", 10));
    CHECK(r.events() == Strings{"recv t 'pppppppppp' id=0 q0 r0 d0"});
}

TEST_CASE("many small packets at once never drop the link, whatever the receive buffer size") {
    Rig r;
    r.s.set_rx_size(64);
    r.connect_ok();
    ByteVec burst;
    for (int i = 0; i < 1000; ++i) {
        const ByteVec p =
            publish_bytes("t/" + std::to_string(i % 10), 20, 1, static_cast<std::uint16_t>(i + 1));
        burst.insert(burst.end(), p.begin(), p.end());
    }
    REQUIRE(burst.size() > 20'000);
    CHECK(r.broker(burst) == burst.size());
    CHECK(r.s.state() == ConnectionState::kReady);
    CHECK(r.events().size() == 1000);
    CHECK(r.sent().size() == 1000);  // a PUBACK each
}

TEST_CASE("a whole conversation fed one byte at a time, and in random chunks") {
    auto script = [] {
        ByteVec in;
        auto add = [&](const ByteVec& b) { in.insert(in.end(), b.begin(), b.end()); };
        add(hex("20 02 00 00"));                // CONNACK
        add(hex("90 03 00 01 01"));             // SUBACK 1
        add(publish_bytes("a/b", 300, 1, 10));  // 2-byte remaining length
        add(hex("40 02 00 02"));                // PUBACK 2
        add(publish_bytes("q/2", 5, 2, 11));
        add(hex("62 02 00 0B"));            // PUBREL 11
        add(hex("D0 00"));                  // PINGRESP
        add(publish_bytes("big", 20'000));  // 3-byte remaining length
        return in;
    }();
    const Strings expected_events = {"conack",
                                     "suback true 1",
                                     "recv a/b '" + std::string(300, 'p') + "' id=10 q1 r0 d0",
                                     "sent 2",
                                     "recv q/2 'ppppp' id=11 q2 r0 d0",
                                     "pong",
                                     "recv big '" + std::string(20'000, 'p') + "' id=0 q0 r0 d0"};
    // The PUBLISH made before CONNACK waits for it; then the acks of the broker's messages.
    const Strings expected_sent = {"PUBLISH p q1 id=2 dup=0 retain=0 'x'", "PUBACK 10", "PUBREC 11",
                                   "PUBCOMP 11"};

    auto run = [&](auto next_chunk) {
        Rig r;
        REQUIRE(r.s.connect());
        r.s.on_transport_connected();
        REQUIRE(r.s.subscribe("s", 1).id == 1);  // goes out before CONNACK, as on LuatOS
        REQUIRE(r.s.publish("p", as_bytes("x"), 1, 0).id == 2);
        CHECK(r.sent() == Strings{"CONNECT id=dev1 clean=1 ka=240", "SUBSCRIBE 1 s:q1"});
        std::size_t pos = 0;
        while (pos < script.size()) {
            const std::size_t n = std::min<std::size_t>(next_chunk(), script.size() - pos);
            REQUIRE(r.broker(ByteVec(script.begin() + static_cast<std::ptrdiff_t>(pos),
                                     script.begin() + static_cast<std::ptrdiff_t>(pos + n))) == n);
            pos += n;
        }
        CHECK(r.events() == expected_events);
        CHECK(r.sent() == expected_sent);
    };
    run([] { return std::size_t{1}; });
    std::mt19937 rng(7);
    std::uniform_int_distribution<std::size_t> chunk(1, 5000);
    for (int i = 0; i < 10; ++i)
        run([&] { return chunk(rng); });
}
