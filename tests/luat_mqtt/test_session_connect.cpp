// Session life cycle against a scripted broker and a fake clock: connect, CONNACK rejection, connect
// timeout, reconnect, disconnect/close, settings, and the event order of every failure case
// (docs/modules/mqtt.md, "Events").
#include <catch2/catch.hpp>

#include "rig.hpp"

using namespace luat_mqtt;
using namespace tests;
using Strings = std::vector<std::string>;

TEST_CASE("connect: states 0 -> 1 -> 2 -> 3, the exact CONNECT, then conack") {
    Rig r;
    REQUIRE(r.s.auth("abc", "user", as_bytes("password"), true) == AuthResult::kOk);
    CHECK(r.s.state() == ConnectionState::kDisconnected);
    CHECK(r.s.connect());
    CHECK(r.s.state() == ConnectionState::kConnecting);
    CHECK(r.requests() == Strings{"open"});
    CHECK(r.s.output().empty());  // nothing before the stream is up
    r.s.on_transport_connected();
    CHECK(r.s.state() == ConnectionState::kAwaitingConnack);
    const auto raw = r.sent_raw();
    REQUIRE(raw.size() == 1);
    CHECK(
        to_hex(raw[0]) ==
        "10 1F 00 04 4D 51 54 54 04 C2 00 F0 00 03 61 62 63 00 04 75 73 65 72 00 08 70 61 73 73 77 6F 72 64");
    CHECK_FALSE(r.s.ready());
    CHECK(r.events().empty());
    r.broker(hex("20 02 00 00"));
    CHECK(r.s.state() == ConnectionState::kReady);
    CHECK(r.s.ready());
    CHECK(r.events() == Strings{"conack"});
    CHECK(r.requests().empty());
}

TEST_CASE("before auth(): empty client id, clean session 0; message ids still start at 1") {
    FakeClock clock;
    Session s(clock);
    CHECK(s.next_message_id_counter() == 0);
    REQUIRE(s.connect());
    s.on_transport_connected();
    CHECK(describe_packet(s.output().data()) == "CONNECT id= clean=0 ka=240");
    s.output().clear();
    s.feed(hex("20 02 00 00"));
    CHECK(s.publish("t", {}, 1, 0).id == 1);  // 0 is never handed out
}

TEST_CASE("CONNACK rejected, rc 1..5, without auto-reconnect: disconnect(rc), close, error(conack, rc)") {
    for (std::uint8_t rc = 1; rc <= 5; ++rc) {
        Rig r;
        REQUIRE(r.s.connect());
        r.s.on_transport_connected();
        r.sent();
        r.requests();
        r.broker_packet(ConnackPacket{false, rc});
        CHECK(r.s.state() == ConnectionState::kDisconnected);
        const std::string n = std::to_string(rc);
        CHECK(r.events() == Strings{"disconnect " + n, "close", "error conack " + n});
        CHECK(r.requests() == Strings{"close"});
        CHECK_FALSE(r.s.next_deadline());  // nothing pending: no reconnect
    }
}

TEST_CASE("CONNACK rejected with auto-reconnect: disconnect(rc), error(conack, rc), retried forever") {
    Rig r;
    r.s.set_autoreconn(true, 3000);
    REQUIRE(r.s.connect());
    for (int attempt = 0; attempt < 3; ++attempt) {
        CHECK(r.requests() == Strings{"open"});
        r.s.on_transport_connected();
        r.sent();
        r.broker_packet(ConnackPacket{false, 4});
        CHECK(r.events() == Strings{"disconnect 4", "error conack 4"});
        CHECK(r.requests() == Strings{"close"});
        CHECK(r.s.state() == ConnectionState::kDisconnected);
        CHECK(r.s.next_deadline() == r.clock.now + 3000);
        r.advance(2999);
        CHECK(r.s.state() == ConnectionState::kDisconnected);
        r.advance(1);
        CHECK(r.s.state() == ConnectionState::kConnecting);
    }
}

TEST_CASE("connect timeout: error(timeout, 0), disconnect(0), close; in state 1 and in state 2") {
    for (const bool stream_up : {false, true}) {
        Rig r;
        r.s.set_connect_timeout(10);
        REQUIRE(r.s.connect());
        r.requests();
        if (stream_up) r.s.on_transport_connected();
        r.advance(9999);
        CHECK(r.s.state() == (stream_up ? ConnectionState::kAwaitingConnack : ConnectionState::kConnecting));
        CHECK(r.events().empty());
        r.advance(1);
        CHECK(r.s.state() == ConnectionState::kDisconnected);
        CHECK(r.events() == Strings{"error timeout 0", "disconnect 0", "close"});
        CHECK(r.requests() == Strings{"close"});
    }
}

TEST_CASE("connect timeout is cancelled by CONNACK") {
    Rig r;
    r.connect_ok();
    r.advance(120'000);
    CHECK(r.s.state() == ConnectionState::kReady);
    CHECK(r.events().empty());
}

TEST_CASE("transport failure before the stream is up: error(connect, 0), disconnect(0), close") {
    Rig r;
    REQUIRE(r.s.connect());
    r.requests();
    r.s.on_transport_closed(TransportError::kConnectFailed);
    CHECK(r.s.state() == ConnectionState::kDisconnected);
    CHECK(r.events() == Strings{"error connect 0", "disconnect 0", "close"});
    CHECK(r.requests() == Strings{"close"});
}

TEST_CASE("peer closes after the stream is up: error(other, 0), disconnect(0), then close or reconnect") {
    SECTION("no auto-reconnect") {
        Rig r;
        r.connect_ok();
        r.s.on_transport_closed(TransportError::kPeerClosed);
        CHECK(r.events() == Strings{"error other 0", "disconnect 0", "close"});
        CHECK(r.s.state() == ConnectionState::kDisconnected);
    }
    SECTION("auto-reconnect: reconnects after the period, and conack again") {
        Rig r;
        r.s.set_autoreconn(true, 1500);
        r.connect_ok();
        r.s.on_transport_closed(TransportError::kReset);
        CHECK(r.events() == Strings{"error other 0", "disconnect 0"});
        CHECK(r.requests() == Strings{"close"});
        r.advance(1500);
        CHECK(r.requests() == Strings{"open"});
        r.s.on_transport_connected();
        CHECK(r.sent().size() == 1);
        r.broker(hex("20 02 00 00"));
        CHECK(r.events() == Strings{"conack"});
    }
    SECTION("in state 2, waiting for CONNACK") {
        Rig r;
        REQUIRE(r.s.connect());
        r.s.on_transport_connected();
        r.s.on_transport_closed(TransportError::kPeerClosed);
        CHECK(r.events() == Strings{"error other 0", "disconnect 0", "close"});
    }
}

TEST_CASE("the reconnect chain never stops, even when the transport refuses to start") {
    Rig r;
    r.s.set_autoreconn(true, 1000);
    r.connect_ok();
    r.s.on_transport_closed(TransportError::kPeerClosed);
    r.events();
    r.requests();
    for (int attempt = 0; attempt < 5; ++attempt) {
        r.advance(1000);
        CHECK(r.requests() == Strings{"open"});
        r.s.on_transport_open_failed();  // e.g. no free socket at that moment
        CHECK(r.events() == Strings{"error connect 0", "disconnect 0"});
        CHECK(r.requests() == Strings{"close"});
        CHECK(r.s.next_deadline() == r.clock.now + 1000);
    }
}

TEST_CASE(
    "autoreconn(false) during a failing chain: the scheduled attempt still runs; its failure ends in close") {
    // LuatOS (luat_lib_mqtt.c l_mqtt_autoreconn) only sets the flag; the running reconnect timer
    // fires, and luat_mqtt_close_socket then gives disconnect, then close as auto-reconnect is off.
    Rig r;
    r.s.set_autoreconn(true, 1000);
    r.connect_ok();
    r.s.on_transport_closed(TransportError::kPeerClosed);
    CHECK(r.events() == Strings{"error other 0", "disconnect 0"});
    r.requests();
    r.advance(1000);
    CHECK(r.requests() == Strings{"open"});
    r.s.on_transport_closed(TransportError::kConnectFailed);
    CHECK(r.events() == Strings{"error connect 0", "disconnect 0"});  // the chain goes on
    CHECK(r.requests() == Strings{"close"});

    r.s.set_autoreconn(false, 3000);
    CHECK(r.s.next_deadline() == r.clock.now + 1000);  // still scheduled
    r.advance(1000);
    CHECK(r.requests() == Strings{"open"});
    r.s.on_transport_closed(TransportError::kConnectFailed);
    CHECK(r.events() == Strings{"error connect 0", "disconnect 0", "close"});
    CHECK(r.requests() == Strings{"close"});
    CHECK_FALSE(r.s.next_deadline());
    r.advance(60'000);
    CHECK(r.requests().empty());
    CHECK(r.events().empty());
}

TEST_CASE(
    "autoreconn(false) while a reconnect is scheduled: if that attempt succeeds, the connection stays") {
    Rig r;
    r.s.set_autoreconn(true, 1000);
    r.connect_ok();
    r.s.on_transport_closed(TransportError::kPeerClosed);
    r.events();
    r.requests();
    r.s.set_autoreconn(false, 3000);
    r.advance(1000);
    CHECK(r.requests() == Strings{"open"});
    r.s.on_transport_connected();
    r.broker(hex("20 02 00 00"));
    CHECK(r.events() == Strings{"conack"});
    CHECK(r.s.ready());
}

TEST_CASE("connect() whose transport refuses to start: no event, state 0 (connect() reports false)") {
    Rig r;
    REQUIRE(r.s.connect());
    CHECK(r.requests() == Strings{"open"});
    r.s.on_transport_open_failed();
    CHECK(r.s.state() == ConnectionState::kDisconnected);
    CHECK(r.events().empty());
    CHECK(r.requests().empty());
    CHECK_FALSE(r.s.next_deadline());
}

TEST_CASE("connect() while connecting or connected: false, state 0 at once, disconnect(0), close") {
    SECTION("connected") {
        Rig r;
        r.connect_ok();
        CHECK_FALSE(r.s.connect());
        CHECK(r.s.state() == ConnectionState::kDisconnected);
        CHECK(r.events() == Strings{"disconnect 0", "close"});
        CHECK(r.requests() == Strings{"close"});
        CHECK(r.sent().empty());  // the close path sends no DISCONNECT
    }
    SECTION("connecting, with auto-reconnect") {
        Rig r;
        r.s.set_autoreconn(true, 2000);
        REQUIRE(r.s.connect());
        r.requests();
        CHECK_FALSE(r.s.connect());
        CHECK(r.s.state() == ConnectionState::kDisconnected);
        CHECK(r.events() == Strings{"disconnect 0"});
        CHECK(r.requests() == Strings{"close"});
        r.advance(2000);
        CHECK(r.s.state() == ConnectionState::kConnecting);
    }
}

TEST_CASE("disconnect(): DISCONNECT, state 0 at once, disconnect(0), close") {
    Rig r;
    r.connect_ok();
    CHECK(r.s.disconnect());
    CHECK(r.s.state() == ConnectionState::kDisconnected);
    CHECK_FALSE(r.s.ready());
    CHECK(r.sent() == Strings{"DISCONNECT"});
    CHECK(r.events() == Strings{"disconnect 0", "close"});
    CHECK(r.requests() == Strings{"close"});
    // Again, in state 0: nothing happens.
    CHECK(r.s.disconnect());
    CHECK(r.events().empty());
    CHECK(r.requests().empty());
    // connect() works again afterwards.
    CHECK(r.s.connect());
    CHECK(r.requests() == Strings{"open"});
}

TEST_CASE("disconnect() with auto-reconnect on still reconnects (LuatOS's official test)") {
    Rig r;
    r.s.set_autoreconn(true, 3000);
    r.connect_ok();
    CHECK(r.s.disconnect());
    CHECK(r.events() == Strings{"disconnect 0"});
    r.advance(3000);
    CHECK(r.s.state() == ConnectionState::kConnecting);
    CHECK(r.requests() == Strings{"close", "open"});
}

TEST_CASE("close(): DISCONNECT, then nothing: no event, no timer, no reconnect, commands refused") {
    Rig r;
    r.s.set_autoreconn(true, 1000);
    r.connect_ok();
    r.s.close();
    CHECK(r.s.closed());
    CHECK(r.s.state() == ConnectionState::kDisconnected);
    CHECK(r.sent() == Strings{"DISCONNECT"});
    CHECK(r.requests() == Strings{"close"});
    CHECK(r.events().empty());
    CHECK_FALSE(r.s.next_deadline());
    r.advance(60'000);
    CHECK(r.requests().empty());
    CHECK_FALSE(r.s.connect());
    CHECK(r.s.publish("t", {}, 0, 0).refusal == Refusal::kClosed);
    CHECK(r.s.subscribe("t", 0).refusal == Refusal::kClosed);
    CHECK(r.events().empty());
}

TEST_CASE("a DISCONNECT packet from the broker: error(other, 0), disconnect(-2), close") {
    Rig r;
    r.connect_ok();
    r.broker(hex("E0 00"));
    CHECK(r.events() == Strings{"error other 0", "disconnect -2", "close"});
    CHECK(r.requests() == Strings{"close"});
}

TEST_CASE("auth(): LuatOS's length limits, counter reset, password without user name not sent") {
    Rig r;
    CHECK(r.s.auth(std::string(191, 'c'), std::string(191, 'u'), as_bytes(std::string(511, 'p')), true) ==
          AuthResult::kOk);
    CHECK(r.s.auth(std::string(192, 'c'), "", {}, true) == AuthResult::kClientIdTooLong);
    CHECK(r.s.auth("c", std::string(192, 'u'), {}, true) == AuthResult::kUsernameTooLong);
    CHECK(r.s.auth("c", "u", as_bytes(std::string(512, 'p')), true) == AuthResult::kPasswordTooLong);
    CHECK(r.s.auth("c\xFF", "", {}, true) == AuthResult::kClientIdInvalidUtf8);
    CHECK(r.s.auth("c", "\xC3", {}, true) == AuthResult::kUsernameInvalidUtf8);
    CHECK_FALSE(accepted(AuthResult::kClientIdTooLong));

    CHECK(r.s.auth("dev", "", as_bytes("secret"), false) == AuthResult::kPasswordWithoutUsername);
    CHECK(accepted(AuthResult::kPasswordWithoutUsername));
    REQUIRE(r.s.connect());
    r.s.on_transport_connected();
    CHECK(r.sent() == Strings{"CONNECT id=dev clean=0 ka=240"});  // no user, no password flag

    // The counter restarts at 1 on every auth().
    r.broker(hex("20 02 00 00"));
    CHECK(r.s.publish("t", {}, 1, 0).id == 1);
    CHECK(r.s.publish("t", {}, 1, 0).id == 2);
    r.s.auth("dev", "", {}, false);
    CHECK(r.s.publish("t", {}, 1, 0).id == 3);  // 1 and 2 are still in flight: skipped
}

TEST_CASE("settings: keepalive 15..600, auto-reconnect period, connect timeout 5..120") {
    Rig r;
    CHECK(r.s.keepalive() == 240);
    r.s.set_keepalive(5);
    CHECK(r.s.keepalive() == 15);
    r.s.set_keepalive(0);
    CHECK(r.s.keepalive() == 15);
    r.s.set_keepalive(601);
    CHECK(r.s.keepalive() == 600);
    r.s.set_keepalive(60);
    CHECK(r.s.keepalive() == 60);

    CHECK_FALSE(r.s.autoreconn());
    CHECK(r.s.reconnect_period_ms() == 3000);
    r.s.set_autoreconn(true, 200);
    CHECK(r.s.autoreconn());
    CHECK(r.s.reconnect_period_ms() == 1000);  // minimum when enabled
    r.s.set_autoreconn(std::nullopt, 5000);    // the flag only changes when given
    CHECK(r.s.autoreconn());
    CHECK(r.s.reconnect_period_ms() == 5000);
    r.s.set_autoreconn(false, 3000);
    CHECK_FALSE(r.s.autoreconn());

    CHECK(r.s.connect_timeout_s() == 30);
    r.s.set_connect_timeout(1);
    CHECK(r.s.connect_timeout_s() == 5);
    r.s.set_connect_timeout(1000);
    CHECK(r.s.connect_timeout_s() == 120);

    CHECK(r.s.rx_size() == 32 * 1024 + 4);
    r.s.set_rx_size(0);
    CHECK(r.s.rx_size() == 32 * 1024 + 4);  // only > 0 takes effect
    r.s.set_rx_size(4096);
    CHECK(r.s.rx_size() == 4096);
    r.s.set_rx_size(std::int64_t{1} << 40);
    CHECK(r.s.rx_size() == 268'435'460);  // the largest MQTT packet: 5 header bytes + 268435455
    r.s.set_rx_size(4096);

    // The keepalive goes into the next CONNECT.
    REQUIRE(r.s.connect());
    r.s.on_transport_connected();
    CHECK(r.sent() == Strings{"CONNECT id=dev1 clean=1 ka=60"});
}

TEST_CASE("will: in every CONNECT; an invalid will is refused and the old one kept") {
    Rig r;
    CHECK(r.s.set_will("dev/status", as_bytes("offline"), 1, 1));
    CHECK_FALSE(r.s.set_will("dev/+", as_bytes("x"), 0, 0));
    CHECK_FALSE(r.s.set_will("", as_bytes("x"), 0, 0));
    CHECK_FALSE(r.s.set_will("t", as_bytes(std::string(65536, 'x')), 0, 0));
    CHECK(r.s.set_will("dev/status", {}, 7, 0) == true);  // empty payload allowed, qos 7 -> 0
    CHECK(r.s.set_will("dev/status", as_bytes("offline"), 1, 1));
    r.s.set_autoreconn(true, 1000);
    REQUIRE(r.s.connect());
    for (int i = 0; i < 2; ++i) {
        REQUIRE(r.s.state() == ConnectionState::kConnecting);
        r.s.on_transport_connected();
        CHECK(r.sent() == Strings{"CONNECT id=dev1 clean=1 ka=240 will=dev/status:'offline':q1:r1"});
        r.s.on_transport_closed(TransportError::kPeerClosed);
        r.advance(1000);
    }
}

TEST_CASE("publish and subscribe while the transport connects are refused; the attempt goes on") {
    Rig r;
    CHECK(r.s.publish("t", as_bytes("x"), 0, 0).refusal == Refusal::kNotConnected);
    REQUIRE(r.s.connect());
    r.requests();
    CHECK(r.s.publish("t", as_bytes("x"), 1, 0).refusal == Refusal::kConnecting);
    CHECK(r.s.subscribe("t", 0).refusal == Refusal::kConnecting);
    CHECK(r.s.unsubscribe("t").refusal == Refusal::kConnecting);
    CHECK(r.s.state() == ConnectionState::kConnecting);
    CHECK(r.events().empty());
    CHECK(r.requests().empty());
    r.s.on_transport_connected();
    r.sent();
    r.broker(hex("20 02 00 00"));
    CHECK(r.events() == Strings{"conack"});
}
