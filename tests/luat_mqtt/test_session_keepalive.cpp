// Keepalive: PINGREQ every keepalive x 3/4 from CONNACK, not reset by traffic; "pong"; and the dead
// link that LuatOS never notices (docs/differences.md).
#include <catch2/catch.hpp>

#include "rig.hpp"

using namespace luat_mqtt;
using namespace tests;
using Strings = std::vector<std::string>;

namespace {

ByteVec publish_bytes(std::string_view topic, std::string_view payload) {
    PublishPacket p;
    p.topic = topic;
    p.payload = as_bytes(payload);
    return encoded(p);
}

}  // namespace

TEST_CASE("PINGREQ every keepalive x 3/4 from CONNACK, not reset by traffic; PINGRESP gives pong") {
    Rig r;
    r.s.set_keepalive(60);  // PINGREQ every 45 s
    r.clock.now = 1000;
    r.connect_ok();
    CHECK(r.s.next_deadline() == 46'000);
    r.run_until(45'999);
    CHECK(r.sent().empty());
    r.run_until(46'000);
    CHECK(r.sent() == Strings{"PINGREQ"});
    r.broker(hex("D0 00"));
    CHECK(r.events() == Strings{"pong"});
    // Traffic in both directions does not move the schedule.
    r.run_until(60'000);
    r.broker(publish_bytes("t", "x"));
    REQUIRE(r.s.publish("t", as_bytes("y"), 0, 0).ok());
    r.sent();
    r.events();
    r.run_until(90'999);
    CHECK(r.sent().empty());
    r.run_until(91'000);
    CHECK(r.sent() == Strings{"PINGREQ"});
    r.broker(hex("D0 00"));
    r.run_until(136'000);
    CHECK(r.sent() == Strings{"PINGREQ"});
    CHECK(r.events() == Strings{"pong"});
    CHECK(r.s.state() == ConnectionState::kReady);
}

TEST_CASE("the default keepalive 240 s pings every 180 s") {
    Rig r;
    r.connect_ok();
    CHECK(r.s.next_deadline() == 180'000);
}

TEST_CASE(
    "dead link: a PINGREQ unanswered when the next is due, nothing received: error(other), "
    "disconnect(0), close") {
    Rig r;
    r.s.set_keepalive(20);  // 15 s
    r.connect_ok();
    r.run_until(15'000);
    CHECK(r.sent() == Strings{"PINGREQ"});
    r.run_until(29'999);
    CHECK(r.s.state() == ConnectionState::kReady);
    r.run_until(30'000);
    CHECK(r.s.state() == ConnectionState::kDisconnected);
    CHECK(r.events() == Strings{"error other 0", "disconnect 0", "close"});
    CHECK(r.requests() == Strings{"close"});
    CHECK(r.sent().empty());  // no second PINGREQ
    REQUIRE(r.logs.size() == 1);
    CHECK(r.logs[0] == "no PINGRESP and nothing else received for 15000 ms: the link is dead");
}

TEST_CASE("dead link with auto-reconnect: error(other), disconnect(0), then a new connection") {
    Rig r;
    r.s.set_keepalive(15);
    r.s.set_autoreconn(true, 3000);
    r.connect_ok();
    r.run_until(22'500);  // 11.25 s: PINGREQ; 22.5 s: dead
    CHECK(r.events() == Strings{"error other 0", "disconnect 0"});
    CHECK(r.requests() == Strings{"close"});
    r.run_until(25'500);
    CHECK(r.requests() == Strings{"open"});
    CHECK(r.s.state() == ConnectionState::kConnecting);
}

TEST_CASE("an unanswered PINGREQ is not a dead link if anything else arrived meanwhile") {
    Rig r;
    r.s.set_keepalive(20);
    r.connect_ok();
    r.run_until(15'000);
    CHECK(r.sent() == Strings{"PINGREQ"});
    r.run_until(20'000);
    r.broker(publish_bytes("t", "still here"));  // the broker is alive, only the PINGRESP is missing
    r.events();
    r.run_until(30'000);
    CHECK(r.s.state() == ConnectionState::kReady);
    CHECK(r.sent() == Strings{"PINGREQ"});
    // Now nothing at all for a whole period.
    r.run_until(45'000);
    CHECK(r.s.state() == ConnectionState::kDisconnected);
    CHECK(r.events() == Strings{"error other 0", "disconnect 0", "close"});
}

TEST_CASE("no ping timer outside state 3; it restarts at each CONNACK") {
    Rig r;
    r.s.set_keepalive(15);
    r.s.set_autoreconn(true, 1000);
    REQUIRE(r.s.connect());
    r.s.on_transport_connected();
    r.sent();
    CHECK(r.s.next_deadline() == 30'000);  // only the connect timeout
    r.broker(hex("20 02 00 00"));
    r.events();
    r.s.on_transport_closed(TransportError::kPeerClosed);
    r.events();
    CHECK(r.s.next_deadline() == 1000);  // only the reconnect
    r.run_until(1000);
    r.s.on_transport_connected();
    r.sent();
    r.run_until(5000);
    r.broker(hex("20 02 00 00"));
    CHECK(r.s.next_deadline() == 5000 + 11'250);
}
