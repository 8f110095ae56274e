#include "luat_mqtt/encode.hpp"

#include <cstring>

namespace luat_mqtt {

namespace {

// Sequential writer over a buffer that the caller sized with encoded_size().
class Writer {
  public:
    explicit Writer(std::span<std::uint8_t> out)
        : p_(out.data()), begin_(out.data()), end_(out.data() + out.size()) {}
    void u8(std::uint8_t v) { *p_++ = v; }
    void u16(std::uint16_t v) {
        *p_++ = static_cast<std::uint8_t>(v >> 8);
        *p_++ = static_cast<std::uint8_t>(v & 0xFF);
    }
    void raw(Bytes b) {
        if (!b.empty()) std::memcpy(p_, b.data(), b.size());
        p_ += b.size();
    }
    void str(Bytes b) {  // length-prefixed (§1.5.3), for UTF-8 strings and binary fields alike
        u16(static_cast<std::uint16_t>(b.size()));
        raw(b);
    }
    void str(std::string_view s) { str(as_bytes(s)); }
    void header(std::uint8_t first, std::uint32_t remaining) {
        u8(first);
        p_ += encode_remaining_length(remaining, {p_, static_cast<std::size_t>(end_ - p_)});
    }
    [[nodiscard]] std::size_t written() const { return static_cast<std::size_t>(p_ - begin_); }

  private:
    std::uint8_t* p_;
    std::uint8_t* begin_;
    std::uint8_t* end_;
};

std::uint8_t first_byte(PacketType t, std::uint8_t flags = 0) {
    return static_cast<std::uint8_t>((static_cast<unsigned>(t) << 4) | flags);
}

// Whole packet size for a remaining length, 0 if it is too long for the field.
std::size_t total_size(std::size_t remaining) {
    if (remaining > kMaxRemainingLength) return 0;
    return 1 + remaining_length_size(static_cast<std::uint32_t>(remaining)) + remaining;
}

std::size_t string_size(std::size_t len, bool& ok) {
    if (len > kMaxStringLength) ok = false;
    return 2 + len;
}

std::size_t connect_remaining(const ConnectPacket& p, bool& ok) {
    std::size_t n = 10;  // protocol name "MQTT" (6) + level (1) + flags (1) + keepalive (2)
    n += string_size(p.client_id.size(), ok);
    if (p.will) {
        n += string_size(p.will->topic.size(), ok);
        n += string_size(p.will->payload.size(), ok);
    }
    if (p.username) n += string_size(p.username->size(), ok);
    if (p.password) n += string_size(p.password->size(), ok);
    return n;
}

std::size_t publish_remaining(const PublishPacket& p, bool& ok) {
    return string_size(p.topic.size(), ok) + (p.qos > 0 ? 2 : 0) + p.payload.size();
}

std::size_t subscribe_remaining(const SubscribePacket& p, bool& ok) {
    std::size_t n = 2;
    for (const Subscription& s : p.subscriptions)
        n += string_size(s.filter.size(), ok) + 1;
    return n;
}

std::size_t unsubscribe_remaining(const UnsubscribePacket& p, bool& ok) {
    std::size_t n = 2;
    for (std::string_view f : p.filters)
        n += string_size(f.size(), ok);
    return n;
}

// Shared tail of every encode(): refuse what encoded_size() refuses and buffers that are too small.
template <class Packet>
bool can_write(const Packet& p, std::span<std::uint8_t> out) {
    const std::size_t n = encoded_size(p);
    return n != 0 && out.size() >= n;
}

}  // namespace

const char* to_string(PacketType t) {
    switch (t) {
        case PacketType::kConnect:
            return "CONNECT";
        case PacketType::kConnack:
            return "CONNACK";
        case PacketType::kPublish:
            return "PUBLISH";
        case PacketType::kPuback:
            return "PUBACK";
        case PacketType::kPubrec:
            return "PUBREC";
        case PacketType::kPubrel:
            return "PUBREL";
        case PacketType::kPubcomp:
            return "PUBCOMP";
        case PacketType::kSubscribe:
            return "SUBSCRIBE";
        case PacketType::kSuback:
            return "SUBACK";
        case PacketType::kUnsubscribe:
            return "UNSUBSCRIBE";
        case PacketType::kUnsuback:
            return "UNSUBACK";
        case PacketType::kPingreq:
            return "PINGREQ";
        case PacketType::kPingresp:
            return "PINGRESP";
        case PacketType::kDisconnect:
            return "DISCONNECT";
    }
    return "UNKNOWN";
}

std::size_t remaining_length_size(std::uint32_t value) {
    if (value < 128u) return 1;
    if (value < 16'384u) return 2;
    if (value < 2'097'152u) return 3;
    if (value <= kMaxRemainingLength) return 4;
    return 0;
}

std::size_t encode_remaining_length(std::uint32_t value, std::span<std::uint8_t> out) {
    const std::size_t n = remaining_length_size(value);
    if (n == 0 || out.size() < n) return 0;
    for (std::size_t i = 0; i < n; ++i) {
        auto digit = static_cast<std::uint8_t>(value % 128u);
        value /= 128u;
        if (i + 1 < n) digit |= 0x80;
        out[i] = digit;
    }
    return n;
}

std::size_t encoded_size(const ConnectPacket& p) {
    bool ok = true;
    const std::size_t rem = connect_remaining(p, ok);
    return ok ? total_size(rem) : 0;
}
std::size_t encoded_size(const ConnackPacket&) {
    return 4;
}
std::size_t encoded_size(const PublishPacket& p) {
    bool ok = true;
    const std::size_t rem = publish_remaining(p, ok);
    return ok ? total_size(rem) : 0;
}
std::size_t encoded_size(const AckPacket&) {
    return 4;
}
std::size_t encoded_size(const SubscribePacket& p) {
    bool ok = true;
    const std::size_t rem = subscribe_remaining(p, ok);
    return ok ? total_size(rem) : 0;
}
std::size_t encoded_size(const SubackPacket& p) {
    return total_size(2 + p.return_codes.size());
}
std::size_t encoded_size(const UnsubscribePacket& p) {
    bool ok = true;
    const std::size_t rem = unsubscribe_remaining(p, ok);
    return ok ? total_size(rem) : 0;
}
std::size_t encoded_size(const EmptyPacket&) {
    return 2;
}

std::size_t encode(const ConnectPacket& p, std::span<std::uint8_t> out) {
    if (!can_write(p, out)) return 0;
    bool ok = true;
    Writer w(out);
    w.header(first_byte(PacketType::kConnect), static_cast<std::uint32_t>(connect_remaining(p, ok)));
    w.str(std::string_view("MQTT"));
    w.u8(4);  // protocol level 3.1.1
    std::uint8_t flags = 0;
    if (p.clean_session) flags |= 0x02;
    if (p.will) {
        flags |= 0x04;
        flags |= static_cast<std::uint8_t>((p.will->qos & 0x03) << 3);
        if (p.will->retain) flags |= 0x20;
    }
    if (p.password) flags |= 0x40;
    if (p.username) flags |= 0x80;
    w.u8(flags);
    w.u16(p.keepalive);
    w.str(p.client_id);
    if (p.will) {
        w.str(p.will->topic);
        w.str(p.will->payload);
    }
    if (p.username) w.str(*p.username);
    if (p.password) w.str(*p.password);
    return w.written();
}

std::size_t encode(const ConnackPacket& p, std::span<std::uint8_t> out) {
    if (!can_write(p, out)) return 0;
    Writer w(out);
    w.header(first_byte(PacketType::kConnack), 2);
    w.u8(p.session_present ? 1 : 0);
    w.u8(p.return_code);
    return w.written();
}

std::size_t encode(const PublishPacket& p, std::span<std::uint8_t> out) {
    if (!can_write(p, out)) return 0;
    bool ok = true;
    Writer w(out);
    std::uint8_t flags = static_cast<std::uint8_t>((p.qos & 0x03) << 1);
    if (p.dup) flags |= 0x08;
    if (p.retain) flags |= 0x01;
    w.header(first_byte(PacketType::kPublish, flags), static_cast<std::uint32_t>(publish_remaining(p, ok)));
    w.str(p.topic);
    if (p.qos > 0) w.u16(p.packet_id);
    w.raw(p.payload);
    return w.written();
}

std::size_t encode(const AckPacket& p, std::span<std::uint8_t> out) {
    if (!can_write(p, out)) return 0;
    Writer w(out);
    // §3.6.1: PUBREL's fixed-header flags are 0010.
    w.header(first_byte(p.type, p.type == PacketType::kPubrel ? 0x02 : 0x00), 2);
    w.u16(p.packet_id);
    return w.written();
}

std::size_t encode(const SubscribePacket& p, std::span<std::uint8_t> out) {
    if (!can_write(p, out)) return 0;
    bool ok = true;
    Writer w(out);
    w.header(first_byte(PacketType::kSubscribe, 0x02),
             static_cast<std::uint32_t>(subscribe_remaining(p, ok)));
    w.u16(p.packet_id);
    for (const Subscription& s : p.subscriptions) {
        w.str(s.filter);
        w.u8(s.qos);
    }
    return w.written();
}

std::size_t encode(const SubackPacket& p, std::span<std::uint8_t> out) {
    if (!can_write(p, out)) return 0;
    Writer w(out);
    w.header(first_byte(PacketType::kSuback), static_cast<std::uint32_t>(2 + p.return_codes.size()));
    w.u16(p.packet_id);
    w.raw(p.return_codes);
    return w.written();
}

std::size_t encode(const UnsubscribePacket& p, std::span<std::uint8_t> out) {
    if (!can_write(p, out)) return 0;
    bool ok = true;
    Writer w(out);
    w.header(first_byte(PacketType::kUnsubscribe, 0x02),
             static_cast<std::uint32_t>(unsubscribe_remaining(p, ok)));
    w.u16(p.packet_id);
    for (std::string_view f : p.filters)
        w.str(f);
    return w.written();
}

std::size_t encode(const EmptyPacket& p, std::span<std::uint8_t> out) {
    if (!can_write(p, out)) return 0;
    Writer w(out);
    w.header(first_byte(p.type), 0);
    return w.written();
}

}  // namespace luat_mqtt
