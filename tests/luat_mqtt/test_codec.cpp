// Byte-exact vectors for every MQTT 3.1.1 packet type, written by hand from the standard: each one is
// encoded, decoded back, and the decoded view re-encoded to the same bytes.
#include <catch2/catch.hpp>

#include <variant>

#include "luat_mqtt/decode.hpp"
#include "luat_mqtt/encode.hpp"
#include "support.hpp"

using namespace luat_mqtt;
using namespace tests;

namespace {

// One whole packet decoded; the packet's views point into the bytes this object keeps.
class Decoded {
  public:
    explicit Decoded(const ByteVec& bytes) : bytes_(bytes) {
        FrameDecoder dec(bytes_.size());
        REQUIRE(dec.feed(bytes_) == bytes_.size());
        Frame frame;
        DecodeError err = DecodeError::kNone;
        REQUIRE(dec.next(frame, err) == FrameDecoder::Status::kFrame);
        REQUIRE(dec.buffered() == 0);
        // The body is the tail of the packet: point it at our copy, which outlives the decoder.
        frame.body = Bytes(bytes_).last(frame.body.size());
        REQUIRE(parse_packet(frame, packet_) == DecodeError::kNone);
    }
    Decoded(const Decoded&) = delete;
    Decoded& operator=(const Decoded&) = delete;
    template <class P>
    const P& as() const {
        REQUIRE(std::holds_alternative<P>(packet_));
        return std::get<P>(packet_);
    }

  private:
    ByteVec bytes_;
    Packet packet_;
};

DecodeError decode_error(const ByteVec& bytes) {
    FrameDecoder dec(bytes.size() + 16);
    REQUIRE(dec.feed(bytes) == bytes.size());
    Frame frame;
    DecodeError err = DecodeError::kNone;
    const auto st = dec.next(frame, err);
    if (st == FrameDecoder::Status::kError) return err;
    REQUIRE(st == FrameDecoder::Status::kFrame);
    Packet p;
    return parse_packet(frame, p);
}

}  // namespace

TEST_CASE("remaining length: the boundary values of §2.2.3 table 2.4") {
    const std::vector<std::pair<std::uint32_t, std::string>> table = {
        {0, "00"},           {127, "7F"},           {128, "80 01"},           {16383, "FF 7F"},
        {16384, "80 80 01"}, {2097151, "FF FF 7F"}, {2097152, "80 80 80 01"}, {268435455, "FF FF FF 7F"},
    };
    for (const auto& [value, bytes] : table) {
        ByteVec out(4);
        const std::size_t n = encode_remaining_length(value, out);
        out.resize(n);
        CHECK(to_hex(out) == bytes);
        CHECK(remaining_length_size(value) == n);
    }
    CHECK(remaining_length_size(268435456) == 0);
    ByteVec out(4);
    CHECK(encode_remaining_length(268435456, out) == 0);
}

TEST_CASE("CONNECT: user, password, clean session, keepalive 240") {
    const std::string_view password = "password";
    ConnectPacket c;
    c.client_id = "abc";
    c.clean_session = true;
    c.keepalive = 240;
    c.username = "user";
    c.password = as_bytes(password);
    const ByteVec expected = hex(
        "10 1F 00 04 4D 51 54 54 04 C2 00 F0 00 03 61 62 63 00 04 75 73 65 72 00 08 70 61 73 73 77 6F 72 64");
    CHECK(encoded_size(c) == expected.size());
    CHECK(encoded(c) == expected);
    const Decoded d_holder(expected);
    const auto& d = d_holder.as<ConnectPacket>();
    CHECK(d.client_id == "abc");
    CHECK(d.clean_session);
    CHECK(d.keepalive == 240);
    CHECK(*d.username == "user");
    CHECK(as_text(*d.password) == "password");
    CHECK_FALSE(d.will);
    CHECK(encoded(d) == expected);
}

TEST_CASE("CONNECT: will qos 1 retained, no user, session kept") {
    ConnectPacket c;
    c.client_id = "c1";
    c.clean_session = false;
    c.keepalive = 60;
    c.will = Will{"w/t", as_bytes("bye"), 1, true};
    const ByteVec expected =
        hex("10 18 00 04 4D 51 54 54 04 2C 00 3C 00 02 63 31 00 03 77 2F 74 00 03 62 79 65");
    CHECK(encoded(c) == expected);
    const Decoded d_holder(expected);
    const auto& d = d_holder.as<ConnectPacket>();
    REQUIRE(d.will);
    CHECK(d.will->topic == "w/t");
    CHECK(as_text(d.will->payload) == "bye");
    CHECK(d.will->qos == 1);
    CHECK(d.will->retain);
    CHECK_FALSE(d.clean_session);
    CHECK_FALSE(d.username);
    CHECK(encoded(d) == expected);
}

TEST_CASE("CONNECT: empty client id, and a long one needing two remaining-length bytes") {
    ConnectPacket c;
    c.keepalive = 60;
    CHECK(encoded(c) == hex("10 0C 00 04 4D 51 54 54 04 02 00 3C 00 00"));
    // A will payload of 300 bytes: remaining = 10 + 2 + 2+1 + 2+300 = 317 = 0xBD 0x02.
    const std::string payload(300, 'x');
    c.will = Will{"t", as_bytes(payload), 0, false};
    const ByteVec out = encoded(c);
    REQUIRE(out.size() == 320);
    CHECK(to_hex(Bytes(out).first(15)) == "10 BD 02 00 04 4D 51 54 54 04 06 00 3C 00 00");
    CHECK(encoded(Decoded(out).as<ConnectPacket>()) == out);
}

TEST_CASE("CONNACK") {
    const ByteVec a = hex("20 02 01 00");
    CHECK(encoded(ConnackPacket{true, 0}) == a);
    const Decoded d_holder(a);
    const auto& d = d_holder.as<ConnackPacket>();
    CHECK(d.session_present);
    CHECK(d.return_code == 0);
    const ByteVec r = hex("20 02 00 05");
    CHECK(encoded(ConnackPacket{false, 5}) == r);
    CHECK(Decoded(r).as<ConnackPacket>().return_code == 5);
}

TEST_CASE("PUBLISH: QoS 0, QoS 1 retained, QoS 2 duplicate") {
    PublishPacket p;
    p.topic = "a/b";
    p.payload = as_bytes("hi");
    const ByteVec q0 = hex("30 07 00 03 61 2F 62 68 69");
    CHECK(encoded(p) == q0);

    p.qos = 1;
    p.retain = true;
    p.packet_id = 10;
    const ByteVec q1 = hex("33 09 00 03 61 2F 62 00 0A 68 69");
    CHECK(encoded(p) == q1);

    p.qos = 2;
    p.retain = false;
    p.dup = true;
    p.packet_id = 0x1234;
    const ByteVec q2 = hex("3C 09 00 03 61 2F 62 12 34 68 69");
    CHECK(encoded(p) == q2);

    for (const ByteVec& v : {q0, q1, q2}) {
        const Decoded d_holder(v);
        const auto& d = d_holder.as<PublishPacket>();
        CHECK(d.topic == "a/b");
        CHECK(as_text(d.payload) == "hi");
        CHECK(encoded(d) == v);
    }
    const Decoded d2_holder(q2);
    const auto& d2 = d2_holder.as<PublishPacket>();
    CHECK(d2.qos == 2);
    CHECK(d2.dup);
    CHECK_FALSE(d2.retain);
    CHECK(d2.packet_id == 0x1234);
}

TEST_CASE("PUBLISH: empty payload, and 200 bytes of payload (two length bytes)") {
    PublishPacket p;
    p.topic = "t";
    CHECK(encoded(p) == hex("30 03 00 01 74"));
    CHECK(Decoded(hex("30 03 00 01 74")).as<PublishPacket>().payload.empty());
    const std::string payload(200, 'z');
    p.payload = as_bytes(payload);
    const ByteVec out = encoded(p);
    CHECK(to_hex(Bytes(out).first(6)) == "30 CB 01 00 01 74");
    CHECK(out.size() == 206);
}

TEST_CASE("PUBACK, PUBREC, PUBREL (flags 0010), PUBCOMP, UNSUBACK") {
    const std::vector<std::pair<PacketType, std::string>> acks = {
        {PacketType::kPuback, "40 02 00 0A"},   {PacketType::kPubrec, "50 02 00 0A"},
        {PacketType::kPubrel, "62 02 00 0A"},   {PacketType::kPubcomp, "70 02 00 0A"},
        {PacketType::kUnsuback, "B0 02 00 0A"},
    };
    for (const auto& [type, bytes] : acks) {
        CHECK(to_hex(encoded(AckPacket{type, 10})) == bytes);
        const auto d = Decoded(hex(bytes)).as<AckPacket>();
        CHECK(d.type == type);
        CHECK(d.packet_id == 10);
    }
}

TEST_CASE("SUBSCRIBE: one filter, and two filters in one packet") {
    const Subscription one{"a/+", 1};
    const ByteVec v1 = hex("82 08 00 01 00 03 61 2F 2B 01");
    CHECK(encoded(SubscribePacket{1, {&one, 1}}) == v1);
    const Decoded d1_holder(v1);
    const auto& d1 = d1_holder.as<SubscribeView>();
    CHECK(d1.packet_id == 1);
    REQUIRE(d1.subscriptions.size() == 1);
    CHECK((*d1.subscriptions.begin()).filter == "a/+");
    CHECK((*d1.subscriptions.begin()).qos == 1);

    const Subscription two[] = {{"a/#", 0}, {"b", 2}};
    const ByteVec v2 = hex("82 0C 00 02 00 03 61 2F 23 00 00 01 62 02");
    CHECK(encoded(SubscribePacket{2, two}) == v2);
    const Decoded d2_holder(v2);
    const auto& d2 = d2_holder.as<SubscribeView>();
    std::vector<std::string> seen;
    for (const Subscription s : d2.subscriptions)
        seen.push_back(std::string(s.filter) + ":" + std::to_string(s.qos));
    CHECK(seen == std::vector<std::string>{"a/#:0", "b:2"});
}

TEST_CASE("SUBACK: granted qos and failure codes") {
    const std::uint8_t codes1[] = {1};
    CHECK(encoded(SubackPacket{1, codes1}) == hex("90 03 00 01 01"));
    const std::uint8_t codes2[] = {0, 0x80};
    const ByteVec v = hex("90 04 00 02 00 80");
    CHECK(encoded(SubackPacket{2, codes2}) == v);
    const Decoded d_holder(v);
    const auto& d = d_holder.as<SubackPacket>();
    CHECK(d.packet_id == 2);
    CHECK(to_hex(d.return_codes) == "00 80");
}

TEST_CASE("UNSUBSCRIBE") {
    const std::string_view filters[] = {"a/b"};
    const ByteVec v = hex("A2 07 00 03 00 03 61 2F 62");
    CHECK(encoded(UnsubscribePacket{3, filters}) == v);
    const Decoded d_holder(v);
    const auto& d = d_holder.as<UnsubscribeView>();
    CHECK(d.packet_id == 3);
    REQUIRE(d.filters.size() == 1);
    CHECK((*d.filters.begin()).filter == "a/b");
}

TEST_CASE("PINGREQ, PINGRESP, DISCONNECT") {
    CHECK(to_hex(encoded(EmptyPacket{PacketType::kPingreq})) == "C0 00");
    CHECK(to_hex(encoded(EmptyPacket{PacketType::kPingresp})) == "D0 00");
    CHECK(to_hex(encoded(EmptyPacket{PacketType::kDisconnect})) == "E0 00");
    CHECK(Decoded(hex("C0 00")).as<EmptyPacket>().type == PacketType::kPingreq);
    CHECK(Decoded(hex("D0 00")).as<EmptyPacket>().type == PacketType::kPingresp);
    CHECK(Decoded(hex("E0 00")).as<EmptyPacket>().type == PacketType::kDisconnect);
}

TEST_CASE("encoders refuse what does not fit the format or the buffer") {
    const std::string big(65536, 'a');
    PublishPacket p;
    p.topic = big;
    CHECK(encoded_size(p) == 0);
    ConnectPacket c;
    c.client_id = big;
    CHECK(encoded_size(c) == 0);
    PublishPacket small;
    small.topic = "t";
    ByteVec tiny(3);
    CHECK(encode(small, tiny) == 0);  // needs 5
}

TEST_CASE("malformed packets give their decode error") {
    CHECK(decode_error(hex("30 FF FF FF FF 01")) == DecodeError::kBadRemainingLength);
    CHECK(decode_error(hex("00 00")) == DecodeError::kBadType);
    CHECK(decode_error(hex("F0 00")) == DecodeError::kBadType);
    CHECK(decode_error(hex("60 02 00 01")) == DecodeError::kBadFlags);  // PUBREL needs 0010
    CHECK(decode_error(hex("41 02 00 01")) == DecodeError::kBadFlags);
    CHECK(decode_error(hex("82 08 00 01 00 03 61 2F 2B 01")) == DecodeError::kNone);
    CHECK(decode_error(hex("80 08 00 01 00 03 61 2F 2B 01")) == DecodeError::kBadFlags);
    CHECK(decode_error(hex("40 03 00 01 00")) == DecodeError::kBadLength);
    CHECK(decode_error(hex("40 02 00 00")) == DecodeError::kPacketIdZero);
    CHECK(decode_error(hex("20 02 02 00")) == DecodeError::kBadFlags);  // CONNACK reserved flag bit
    CHECK(decode_error(hex("20 03 00 00 00")) == DecodeError::kBadLength);
    CHECK(decode_error(hex("36 07 00 03 61 2F 62 68 69")) == DecodeError::kPublishQos3);
    CHECK(decode_error(hex("30 04 00 00 68 69")) == DecodeError::kTopicEmpty);
    CHECK(decode_error(hex("30 04 00 03 61 2F")) == DecodeError::kBadLength);  // topic runs past the end
    CHECK(decode_error(hex("30 06 00 02 C3 28 68 69")) == DecodeError::kTopicInvalidUtf8);
    CHECK(decode_error(hex("30 06 00 02 61 00 68 69")) == DecodeError::kTopicInvalidUtf8);  // U+0000
    CHECK(decode_error(hex("30 05 00 01 23 68 69")) == DecodeError::kTopicWildcard);
    CHECK(decode_error(hex("32 05 00 01 61 00 00")) == DecodeError::kPacketIdZero);
    CHECK(decode_error(hex("32 04 00 01 61 00")) == DecodeError::kBadLength);  // packet id cut
    CHECK(decode_error(hex("90 02 00 01")) == DecodeError::kEmptyList);
    CHECK(decode_error(hex("90 03 00 01 03")) == DecodeError::kBadReturnCode);
    CHECK(decode_error(hex("82 02 00 01")) == DecodeError::kEmptyList);
    CHECK(decode_error(hex("82 07 00 01 00 02 61 2B 00")) == DecodeError::kBadFilter);     // "a+"
    CHECK(decode_error(hex("82 08 00 01 00 03 61 2F 2B 03")) == DecodeError::kBadFilter);  // qos 3
    CHECK(decode_error(hex("A2 02 00 01")) == DecodeError::kEmptyList);
    CHECK(decode_error(hex("C0 01 00")) == DecodeError::kBadLength);
    // CONNECT: wrong protocol, reserved flag, password without user name.
    CHECK(decode_error(hex("10 0C 00 04 4D 51 54 54 03 02 00 3C 00 00")) == DecodeError::kBadProtocol);
    CHECK(decode_error(hex("10 0C 00 04 4D 51 54 54 04 03 00 3C 00 00")) == DecodeError::kBadConnectFlags);
    CHECK(decode_error(hex("10 0C 00 04 4D 51 54 54 04 42 00 3C 00 00")) == DecodeError::kBadConnectFlags);
    CHECK(decode_error(hex("10 0D 00 04 4D 51 54 54 04 02 00 3C 00 00 00")) == DecodeError::kBadLength);
}
