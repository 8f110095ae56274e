#include "support.hpp"

#include <catch2/catch.hpp>

#include <cctype>
#include <cstdio>
#include <variant>

#include "luat_mqtt/decode.hpp"

namespace tests {

ByteVec hex(std::string_view text) {
    ByteVec out;
    int nibble = -1;
    for (const char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        const int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
        if (nibble < 0) {
            nibble = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(nibble * 16 + v));
            nibble = -1;
        }
    }
    return out;
}

std::string to_hex(Bytes bytes) {
    std::string s;
    char buf[4];
    for (const std::uint8_t b : bytes) {
        std::snprintf(buf, sizeof buf, "%02X", b);
        if (!s.empty()) s += ' ';
        s += buf;
    }
    return s;
}

ByteVec text_bytes(std::string_view s) {
    return {s.begin(), s.end()};
}

namespace {

std::string quoted(Bytes b) {
    return "'" + std::string(as_text(b)) + "'";
}

}  // namespace

std::string describe_packet(Bytes packet) {
    FrameDecoder dec(packet.size() + 8);
    Frame frame;
    DecodeError err = DecodeError::kNone;
    if (dec.feed(packet) != packet.size() || dec.next(frame, err) != FrameDecoder::Status::kFrame) {
        return std::string("MALFORMED ") + to_string(err);
    }
    Packet p;
    if (const DecodeError e = parse_packet(frame, p); e != DecodeError::kNone) {
        return std::string("MALFORMED ") + to_string(e);
    }
    std::string s = to_string(frame.type());
    if (const auto* c = std::get_if<ConnectPacket>(&p)) {
        s += " id=" + std::string(c->client_id) + " clean=" + std::to_string(c->clean_session) +
             " ka=" + std::to_string(c->keepalive);
        if (c->will) {
            s += " will=" + std::string(c->will->topic) + ":" + quoted(c->will->payload) + ":q" +
                 std::to_string(c->will->qos) + ":r" + std::to_string(c->will->retain);
        }
        if (c->username) s += " user=" + std::string(*c->username);
        if (c->password) s += " pass=" + quoted(*c->password);
    } else if (const auto* ca = std::get_if<ConnackPacket>(&p)) {
        s += " sp=" + std::to_string(ca->session_present) + " rc=" + std::to_string(ca->return_code);
    } else if (const auto* pub = std::get_if<PublishPacket>(&p)) {
        s += " " + std::string(pub->topic) + " q" + std::to_string(pub->qos);
        if (pub->qos > 0) s += " id=" + std::to_string(pub->packet_id);
        s += " dup=" + std::to_string(pub->dup) + " retain=" + std::to_string(pub->retain) + " " +
             quoted(pub->payload);
    } else if (const auto* ack = std::get_if<AckPacket>(&p)) {
        s += " " + std::to_string(ack->packet_id);
    } else if (const auto* sub = std::get_if<SubscribeView>(&p)) {
        s += " " + std::to_string(sub->packet_id);
        for (const Subscription e : sub->subscriptions)
            s += " " + std::string(e.filter) + ":q" + std::to_string(e.qos);
    } else if (const auto* uns = std::get_if<UnsubscribeView>(&p)) {
        s += " " + std::to_string(uns->packet_id);
        for (const Subscription e : uns->filters)
            s += " " + std::string(e.filter);
    } else if (const auto* sa = std::get_if<SubackPacket>(&p)) {
        s += " " + std::to_string(sa->packet_id);
        for (const std::uint8_t c2 : sa->return_codes)
            s += " " + std::to_string(c2);
    }
    return s;
}

std::vector<ByteVec> split_packets(Bytes stream) {
    std::vector<ByteVec> out;
    std::size_t pos = 0;
    while (pos < stream.size()) {
        std::size_t remaining = 0, multiplier = 1, len_bytes = 0;
        for (;;) {
            REQUIRE(pos + 1 + len_bytes < stream.size());
            const std::uint8_t digit = stream[pos + 1 + len_bytes];
            remaining += (digit & 0x7Fu) * multiplier;
            multiplier *= 128;
            ++len_bytes;
            if ((digit & 0x80) == 0) break;
            REQUIRE(len_bytes < 4);
        }
        const std::size_t total = 1 + len_bytes + remaining;
        REQUIRE(pos + total <= stream.size());
        out.emplace_back(stream.begin() + static_cast<std::ptrdiff_t>(pos),
                         stream.begin() + static_cast<std::ptrdiff_t>(pos + total));
        pos += total;
    }
    return out;
}

}  // namespace tests
