// Publish / subscribe and the QoS machinery: acks, message ids, the in-flight window and outbox, the
// send budget, resend after reconnect, exactly-once incoming QoS 2.
#include <catch2/catch.hpp>

#include "rig.hpp"

using namespace luat_mqtt;
using namespace tests;
using Strings = std::vector<std::string>;

namespace {

ByteVec incoming(std::string_view topic, std::string_view payload, std::uint8_t qos, std::uint16_t id,
                 bool dup = false, bool retain = false) {
    PublishPacket p;
    p.topic = topic;
    p.payload = as_bytes(payload);
    p.qos = qos;
    p.packet_id = id;
    p.dup = dup;
    p.retain = retain;
    return encoded(p);
}

ByteVec ack(PacketType type, std::uint16_t id) {
    return encoded(AckPacket{type, id});
}

}  // namespace

TEST_CASE("QoS 0 publish: the exact bytes, id 0, sent(0) right away") {
    Rig r;
    r.connect_ok();
    const SendResult res = r.s.publish("a/b", as_bytes("hi"), 0, 0);
    CHECK(res.ok());
    CHECK(res.id == 0);
    CHECK(to_hex(r.s.output().data()) == "30 07 00 03 61 2F 62 68 69");
    r.sent();
    CHECK(r.events() == Strings{"sent 0"});
    // retain as LuatOS casts it: any non-zero low byte.
    CHECK(r.s.publish("a/b", as_bytes("hi"), 0, 1).ok());
    CHECK(r.sent() == Strings{"PUBLISH a/b q0 dup=0 retain=1 'hi'"});
    CHECK(r.s.publish("a/b", as_bytes("hi"), 0, 256).ok());
    CHECK(r.sent() == Strings{"PUBLISH a/b q0 dup=0 retain=0 'hi'"});
}

TEST_CASE("publish with qos 3 or negative: sent as QoS 0, returns 0, no sent event (LuatOS)") {
    Rig r;
    r.connect_ok();
    for (const std::int64_t q : {3, 4, -1, 255}) {
        const SendResult res = r.s.publish("t", as_bytes("x"), q, 0);
        CHECK(res.ok());
        CHECK(res.id == 0);
        CHECK(r.sent() == Strings{"PUBLISH t q0 dup=0 retain=0 'x'"});
        CHECK(r.events().empty());
    }
    CHECK(r.s.publish("t", as_bytes("x"), 257, 0).id == 1);  // the low byte is 1: QoS 1, like LuatOS
}

TEST_CASE("QoS 1: PUBLISH with id, PUBACK gives sent(id)") {
    Rig r;
    r.connect_ok();
    const SendResult res = r.s.publish("a/b", as_bytes("hi"), 1, 1);
    CHECK(res.id == 1);
    CHECK(to_hex(r.s.output().data()) == "33 09 00 03 61 2F 62 00 01 68 69");
    r.sent();
    CHECK(r.events().empty());
    CHECK(r.s.inflight_count() == 1);
    r.broker(ack(PacketType::kPuback, 1));
    CHECK(r.events() == Strings{"sent 1"});
    CHECK(r.s.inflight_count() == 0);
    CHECK(r.s.stored_bytes() == 0);
}

TEST_CASE("QoS 2: PUBREC -> PUBREL, PUBCOMP gives sent(id)") {
    Rig r;
    r.connect_ok();
    CHECK(r.s.publish("a/b", as_bytes("hi"), 2, 0).id == 1);
    CHECK(r.sent() == Strings{"PUBLISH a/b q2 id=1 dup=0 retain=0 'hi'"});
    r.broker(ack(PacketType::kPubrec, 1));
    CHECK(to_hex(r.s.output().data()) == "62 02 00 01");
    r.sent();
    CHECK(r.events().empty());              // not on PUBREC
    r.broker(ack(PacketType::kPubrec, 1));  // a repeated PUBREC: PUBREL again
    CHECK(r.sent() == Strings{"PUBREL 1"});
    r.broker(ack(PacketType::kPubcomp, 1));
    CHECK(r.events() == Strings{"sent 1"});
    r.broker(ack(PacketType::kPubcomp, 1));  // duplicate: nothing
    CHECK(r.events().empty());
    CHECK(r.s.inflight_count() == 0);
}

TEST_CASE("incoming QoS 0 / 1 / 2: recv with metas; PUBACK; PUBREC then PUBCOMP on PUBREL") {
    Rig r;
    r.connect_ok();
    r.broker(incoming("x/0", "zero", 0, 0, false, true));
    CHECK(r.events() == Strings{"recv x/0 'zero' id=0 q0 r1 d0"});
    CHECK(r.sent().empty());
    r.broker(incoming("x/1", "one", 1, 7));
    CHECK(r.events() == Strings{"recv x/1 'one' id=7 q1 r0 d0"});
    CHECK(to_hex(r.s.output().data()) == "40 02 00 07");
    r.sent();
    r.broker(incoming("x/2", "two", 2, 8));
    CHECK(r.events() == Strings{"recv x/2 'two' id=8 q2 r0 d0"});
    CHECK(to_hex(r.s.output().data()) == "50 02 00 08");
    r.sent();
    r.broker(hex("62 02 00 08"));
    CHECK(to_hex(r.s.output().data()) == "70 02 00 08");
    r.sent();
    CHECK(r.events().empty());
}

TEST_CASE("incoming QoS 2 is delivered exactly once under a duplicated PUBLISH") {
    Rig r;
    r.connect_ok();
    r.broker(incoming("q2", "once", 2, 300));
    r.broker(incoming("q2", "once", 2, 300, true));  // resend with DUP before our PUBREC arrived
    r.broker(incoming("q2", "once", 2, 300, true));
    CHECK(r.events() == Strings{"recv q2 'once' id=300 q2 r0 d0"});
    CHECK(r.sent() == Strings{"PUBREC 300", "PUBREC 300", "PUBREC 300"});
    CHECK(r.s.held_incoming_qos2() == 1);
    r.broker(hex("62 02 01 2C"));
    CHECK(r.sent() == Strings{"PUBCOMP 300"});
    CHECK(r.s.held_incoming_qos2() == 0);
    // The id is free again: a new message with it is new.
    r.broker(incoming("q2", "again", 2, 300));
    CHECK(r.events() == Strings{"recv q2 'again' id=300 q2 r0 d0"});
    // Incoming QoS 1 duplicates are delivered (at least once), as LuatOS does.
    r.broker(incoming("q1", "a", 1, 5));
    r.broker(incoming("q1", "a", 1, 5, true));
    CHECK(r.events() == Strings{"recv q1 'a' id=5 q1 r0 d0", "recv q1 'a' id=5 q1 r0 d1"});
}

TEST_CASE("held incoming QoS 2 ids survive a reconnect with session present, not one without") {
    Rig r;
    r.s.auth("dev", "", {}, false);
    r.s.set_autoreconn(true, 1000);
    r.connect_ok();
    r.broker(incoming("q2", "m", 2, 9));
    r.events();
    r.sent();
    r.s.on_transport_closed(TransportError::kPeerClosed);
    r.events();
    r.advance(1000);
    r.s.on_transport_connected();
    r.sent();
    r.broker_packet(ConnackPacket{true, 0});
    CHECK(r.events() == Strings{"conack"});
    r.broker(incoming("q2", "m", 2, 9, true));  // the broker resends: still held, no second recv
    CHECK(r.events().empty());
    CHECK(r.sent() == Strings{"PUBREC 9"});

    r.s.on_transport_closed(TransportError::kPeerClosed);
    r.events();
    r.advance(1000);
    r.s.on_transport_connected();
    r.sent();
    r.broker_packet(ConnackPacket{false, 0});  // the broker lost the session
    CHECK(r.s.held_incoming_qos2() == 0);
}

TEST_CASE("out-of-order and unknown acks") {
    Rig r;
    r.connect_ok();
    CHECK(r.s.publish("t", as_bytes("1"), 1, 0).id == 1);
    CHECK(r.s.publish("t", as_bytes("2"), 1, 0).id == 2);
    CHECK(r.s.publish("t", as_bytes("3"), 2, 0).id == 3);
    r.sent();
    r.broker(ack(PacketType::kPuback, 2));
    r.broker(ack(PacketType::kPuback, 99));  // unknown: ignored
    r.broker(ack(PacketType::kPuback, 3));   // wrong kind of ack for a QoS 2 message: ignored
    r.broker(ack(PacketType::kPubcomp, 3));  // PUBCOMP before PUBREC: ignored
    r.broker(ack(PacketType::kPubrec, 77));  // unknown: no PUBREL
    r.broker(ack(PacketType::kPuback, 1));
    r.broker(ack(PacketType::kPuback, 1));     // duplicate: ignored
    r.broker(hex("90 03 00 2A 00"));           // SUBACK for nothing we sent
    r.broker(hex("B0 02 00 2B"));              // UNSUBACK likewise
    r.broker(ack(PacketType::kPubrel, 1234));  // PUBREL we do not hold: still answered
    CHECK(r.events() == Strings{"sent 2", "sent 1"});
    CHECK(r.sent() == Strings{"PUBCOMP 1234"});
    CHECK(r.s.state() == ConnectionState::kReady);  // none of it drops the link
    r.broker(ack(PacketType::kPubrec, 3));
    r.broker(ack(PacketType::kPubcomp, 3));
    CHECK(r.events() == Strings{"sent 3"});
}

TEST_CASE("subscribe / unsubscribe: packets, suback(ok, code), unsuback; filters checked") {
    Rig r;
    r.connect_ok();
    CHECK(r.s.subscribe("a/+", 1).id == 1);
    CHECK(to_hex(r.s.output().data()) == "82 08 00 01 00 03 61 2F 2B 01");
    r.sent();
    r.broker(hex("90 03 00 01 01"));
    CHECK(r.events() == Strings{"suback true 1"});
    CHECK(r.s.subscribe("denied/#", 5).id == 2);  // qos outside 0..2 -> 0
    CHECK(r.sent() == Strings{"SUBSCRIBE 2 denied/#:q0"});
    r.broker(hex("90 03 00 02 80"));
    CHECK(r.events() == Strings{"suback false 128"});
    CHECK(r.s.unsubscribe("a/+").id == 3);
    CHECK(to_hex(r.s.output().data()) == "A2 07 00 03 00 03 61 2F 2B");
    r.sent();
    r.broker(hex("B0 02 00 03"));
    CHECK(r.events() == Strings{"unsuback"});

    CHECK(r.s.subscribe("a/b#", 0).refusal == Refusal::kFilterInvalid);
    CHECK(r.s.subscribe("a+", 0).refusal == Refusal::kFilterInvalid);
    CHECK(r.s.subscribe("", 0).refusal == Refusal::kTopicEmpty);
    CHECK(r.s.unsubscribe("#/a").refusal == Refusal::kFilterInvalid);
    CHECK(r.s.subscribe("\xC3", 0).refusal == Refusal::kTopicInvalidUtf8);
    CHECK(r.sent().empty());
}

TEST_CASE("publish topic checks: empty, wildcard, invalid UTF-8, too long") {
    Rig r;
    r.connect_ok();
    CHECK(r.s.publish("", as_bytes("x"), 0, 0).refusal == Refusal::kTopicEmpty);
    CHECK(r.s.publish("a/+", as_bytes("x"), 0, 0).refusal == Refusal::kTopicWildcard);
    CHECK(r.s.publish("a/#", as_bytes("x"), 1, 0).refusal == Refusal::kTopicWildcard);
    CHECK(r.s.publish("a\xFF", as_bytes("x"), 0, 0).refusal == Refusal::kTopicInvalidUtf8);
    CHECK(r.s.publish(std::string(65536, 't'), as_bytes("x"), 0, 0).refusal == Refusal::kTopicTooLong);
    CHECK(r.s.publish(std::string(65535, 't'), as_bytes("x"), 0, 0).ok());
    r.sent();
    CHECK(r.events() == Strings{"sent 0"});
    CHECK(std::string(to_string(Refusal::kTopicWildcard)) == "wildcard in a publish topic");
}

TEST_CASE("one message-id counter for PUBLISH, SUBSCRIBE, UNSUBSCRIBE; QoS 0 uses none") {
    Rig r;
    r.connect_ok();
    CHECK(r.s.publish("t", {}, 1, 0).id == 1);
    CHECK(r.s.subscribe("t", 0).id == 2);
    CHECK(r.s.publish("t", {}, 0, 0).id == 0);
    CHECK(r.s.unsubscribe("t").id == 3);
    CHECK(r.s.publish("t", {}, 2, 0).id == 4);
    // Not reset by a reconnect.
    r.s.disconnect();
    r.events();
    REQUIRE(r.s.connect());
    r.s.on_transport_connected();
    r.broker(hex("20 02 00 00"));
    CHECK(r.s.subscribe("t", 0).id == 5);
}

TEST_CASE("message ids wrap 65535 -> 1, skip 0 and skip ids still in flight") {
    Rig r;
    r.connect_ok();
    r.s.set_window(100);
    CHECK(r.s.publish("t", {}, 1, 0).id == 1);  // stays in flight
    CHECK(r.s.publish("t", {}, 1, 0).id == 2);  // stays in flight
    for (std::uint32_t expected = 3; expected <= 65535; ++expected) {
        const SendResult res = r.s.publish("t", {}, 1, 0);
        REQUIRE(res.id == expected);
        r.s.output().clear();
        r.broker(ack(PacketType::kPuback, res.id));
    }
    r.events();
    CHECK(r.s.publish("t", {}, 1, 0).id == 3);  // 0, 1 and 2 skipped
    r.broker(ack(PacketType::kPuback, 1));
    CHECK(r.s.subscribe("t", 0).id == 4);
}

TEST_CASE("the window: the 21st QoS 1 publish gets its id but waits until an ack frees a slot") {
    Rig r;
    r.connect_ok();
    CHECK(r.s.window() == 20);
    for (int i = 1; i <= 25; ++i)
        CHECK(r.s.publish("t", as_bytes(std::to_string(i)), 1, 0).id == i);
    auto sent = r.sent();
    CHECK(sent.size() == 20);
    CHECK(sent.front() == "PUBLISH t q1 id=1 dup=0 retain=0 '1'");
    CHECK(sent.back() == "PUBLISH t q1 id=20 dup=0 retain=0 '20'");
    CHECK(r.s.inflight_count() == 20);
    CHECK(r.s.outbox_count() == 5);
    r.broker(ack(PacketType::kPuback, 5));
    CHECK(r.sent() == Strings{"PUBLISH t q1 id=21 dup=0 retain=0 '21'"});
    CHECK(r.events() == Strings{"sent 5"});
    // QoS 0 is not held by the window.
    CHECK(r.s.publish("t", as_bytes("q0"), 0, 0).ok());
    CHECK(r.sent() == Strings{"PUBLISH t q0 dup=0 retain=0 'q0'"});
    // A larger window lets the rest go at once; a smaller one only holds new messages back.
    r.s.set_window(30);
    CHECK(r.sent().size() == 4);
    CHECK(r.s.outbox_count() == 0);
    r.s.set_window(1);
    CHECK(r.s.publish("t", as_bytes("late"), 2, 0).id == 26);
    CHECK(r.sent().empty());
    for (int id = 1; id <= 25; ++id) {
        if (id != 5) r.broker(ack(PacketType::kPuback, static_cast<std::uint16_t>(id)));
    }
    CHECK(r.sent() == Strings{"PUBLISH t q2 id=26 dup=0 retain=0 'late'"});
}

TEST_CASE("the send budget: a publish storm is refused once full, memory stays flat") {
    Rig r;
    r.connect_ok();
    r.s.set_send_budget(10'000);
    const std::string payload(100, 'p');  // 105-byte packets: 30 67 00 01 74 + 100 bytes
    int accepted = 0;
    SendResult res;
    while ((res = r.s.publish("t", as_bytes(payload), 0, 0)).ok())
        ++accepted;
    CHECK(res.refusal == Refusal::kBudgetFull);
    CHECK(accepted == 10'000 / 105);
    CHECK(r.s.output().size() <= 10'000);
    const std::size_t capacity = r.s.output().capacity();
    for (int i = 0; i < 100'000; ++i)
        REQUIRE(r.s.publish("t", as_bytes(payload), 0, 0).refusal == Refusal::kBudgetFull);
    CHECK(r.s.output().capacity() == capacity);
    CHECK(r.events().size() == static_cast<std::size_t>(accepted));  // one sent(0) per accepted message
    // The transport takes the bytes: room again.
    r.sent();
    CHECK(r.s.publish("t", as_bytes(payload), 0, 0).ok());

    // QoS 1 storm: the outbox is bounded the same way, and refused publishes use no id.
    r.sent();
    int queued = 0;
    while ((res = r.s.publish("t", as_bytes(payload), 1, 0)).ok())
        ++queued;
    CHECK(res.refusal == Refusal::kBudgetFull);
    CHECK(r.s.stored_bytes() + r.s.output().size() <= 10'000);
    CHECK(r.s.inflight_count() == 20);
    CHECK(r.s.outbox_count() == static_cast<std::size_t>(queued) - 20);
    CHECK(r.s.publish("t", as_bytes(payload), 1, 0).refusal == Refusal::kBudgetFull);
    r.sent();
    r.broker(ack(PacketType::kPuback, 1));
    CHECK(r.s.publish("t", as_bytes(payload), 0, 0).ok());
    CHECK(r.s.publish("t", as_bytes(payload), 1, 0).id == queued + 1);
}

TEST_CASE("the send budget: one packet larger than the budget goes when nothing else is held") {
    Rig r;
    r.connect_ok();
    r.s.set_send_budget(1000);
    const std::string big(5000, 'b');
    CHECK(r.s.publish("t", as_bytes("small"), 0, 0).ok());
    CHECK(r.s.publish("t", as_bytes(big), 0, 0).refusal == Refusal::kBudgetFull);  // "small" is held
    r.sent();
    CHECK(r.s.publish("t", as_bytes(big), 0, 0).ok());
    CHECK(r.s.publish("t", as_bytes("small"), 0, 0).refusal == Refusal::kBudgetFull);
    r.sent();
    CHECK(r.s.publish("t", as_bytes(big), 1, 0).id == 1);  // QoS 1: stored until its PUBACK
    r.sent();
    CHECK(r.s.publish("t", as_bytes(big), 1, 0).refusal == Refusal::kBudgetFull);
    r.broker(ack(PacketType::kPuback, 1));
    CHECK(r.s.publish("t", as_bytes(big), 1, 0).id == 2);
}

TEST_CASE("resend after reconnect with session present: PUBLISH with DUP and PUBREL, in order") {
    Rig r;
    r.s.auth("dev", "", {}, false);
    r.s.set_autoreconn(true, 1000);
    r.s.set_window(3);
    r.connect_ok();
    CHECK(r.s.publish("t", as_bytes("one"), 1, 0).id == 1);
    CHECK(r.s.publish("t", as_bytes("two"), 2, 0).id == 2);
    CHECK(r.s.publish("t", as_bytes("three"), 2, 0).id == 3);
    CHECK(r.s.publish("t", as_bytes("four"), 1, 0).id == 4);  // waits in the outbox
    r.sent();
    r.broker(ack(PacketType::kPubrec, 2));  // 2 is now in its PUBREL phase
    CHECK(r.sent() == Strings{"PUBREL 2"});
    r.s.on_transport_closed(TransportError::kReset);
    CHECK(r.events() == Strings{"error other 0", "disconnect 0"});
    // While waiting, publishing is refused (not connected), nothing is lost.
    CHECK(r.s.publish("t", as_bytes("x"), 1, 0).refusal == Refusal::kNotConnected);
    r.advance(1000);
    r.s.on_transport_connected();
    CHECK(r.sent() == Strings{"CONNECT id=dev clean=0 ka=240"});
    // Published while waiting for CONNACK: queued behind the resends.
    CHECK(r.s.publish("t", as_bytes("five"), 1, 0).id == 5);
    CHECK(r.sent().empty());
    r.broker_packet(ConnackPacket{true, 0});
    CHECK(r.events() == Strings{"conack"});
    const auto raw = r.sent_raw();
    REQUIRE(raw.size() == 3);
    CHECK(to_hex(raw[0]) == "3A 08 00 01 74 00 01 6F 6E 65");  // QoS 1 with DUP: 0x32 | 0x08
    CHECK(describe_packet(raw[1]) == "PUBREL 2");
    CHECK(describe_packet(raw[2]) == "PUBLISH t q2 id=3 dup=1 retain=0 'three'");
    CHECK(r.logs == Strings{"resent 3 unacknowledged QoS 1/2 messages"});
    r.broker(ack(PacketType::kPuback, 1));
    CHECK(r.sent() == Strings{"PUBLISH t q1 id=4 dup=0 retain=0 'four'"});
    r.broker(ack(PacketType::kPubcomp, 2));
    CHECK(r.sent() == Strings{"PUBLISH t q1 id=5 dup=0 retain=0 'five'"});
    CHECK(r.events() == Strings{"sent 1", "sent 2"});
}

TEST_CASE("clean session: inflight and outbox dropped at disconnect, nothing resent") {
    Rig r;  // auth(..., clean = true)
    r.s.set_autoreconn(true, 1000);
    r.s.set_window(1);
    r.connect_ok();
    CHECK(r.s.publish("t", as_bytes("a"), 1, 0).id == 1);
    CHECK(r.s.publish("t", as_bytes("b"), 2, 0).id == 2);
    r.sent();
    r.s.on_transport_closed(TransportError::kPeerClosed);
    r.events();
    CHECK(r.s.inflight_count() == 0);
    CHECK(r.s.outbox_count() == 0);
    CHECK(r.s.stored_bytes() == 0);
    CHECK(r.logs == Strings{"clean session: dropped 2 unacknowledged QoS 1/2 messages"});
    r.advance(1000);
    r.s.on_transport_connected();
    CHECK(r.sent() == Strings{"CONNECT id=dev1 clean=1 ka=240"});
    r.broker_packet(ConnackPacket{false, 0});
    CHECK(r.sent().empty());
    // The dropped ids are free again; the counter goes on.
    CHECK(r.s.publish("t", {}, 1, 0).id == 3);
}

TEST_CASE("before CONNACK: QoS 0 goes out at once (as LuatOS), QoS 1/2 wait for CONNACK") {
    Rig r;
    REQUIRE(r.s.connect());
    r.s.on_transport_connected();
    r.sent();
    CHECK(r.s.publish("t", as_bytes("early"), 0, 0).ok());
    CHECK(r.s.publish("t", as_bytes("held"), 1, 0).id == 1);
    CHECK(r.s.subscribe("s", 1).id == 2);
    CHECK(r.sent() == Strings{"PUBLISH t q0 dup=0 retain=0 'early'", "SUBSCRIBE 2 s:q1"});
    CHECK(r.events() == Strings{"sent 0"});
    r.broker(hex("20 02 00 00"));
    CHECK(r.sent() == Strings{"PUBLISH t q1 id=1 dup=0 retain=0 'held'"});
}

TEST_CASE("SUBSCRIBE ids pending at a disconnect are freed; their SUBACK never comes") {
    Rig r;
    r.connect_ok();
    CHECK(r.s.subscribe("a", 0).id == 1);
    r.s.disconnect();
    r.events();
    REQUIRE(r.s.connect());
    r.s.on_transport_connected();
    r.broker(hex("20 02 00 00"));
    r.events();
    r.broker(hex("90 03 00 01 00"));  // a stale SUBACK for id 1: no event
    CHECK(r.events().empty());
}
