#include "luat_mqtt/decode.hpp"

#include <algorithm>
#include <cstring>

#include "luat_mqtt/validate.hpp"

namespace luat_mqtt {

namespace {

// Bounds-checked sequential reader over one frame body.
class Reader {
  public:
    explicit Reader(Bytes b) : b_(b) {}
    bool u8(std::uint8_t& v) {
        if (left() < 1) return false;
        v = b_[pos_++];
        return true;
    }
    bool u16(std::uint16_t& v) {
        if (left() < 2) return false;
        v = static_cast<std::uint16_t>((b_[pos_] << 8) | b_[pos_ + 1]);
        pos_ += 2;
        return true;
    }
    bool bin(Bytes& v) {  // 16-bit length + bytes
        std::uint16_t n = 0;
        if (!u16(n) || left() < n) return false;
        v = b_.subspan(pos_, n);
        pos_ += n;
        return true;
    }
    bool str(std::string_view& v) {
        Bytes raw;
        if (!bin(raw)) return false;
        v = as_text(raw);
        return true;
    }
    Bytes rest() {
        Bytes r = b_.subspan(pos_);
        pos_ = b_.size();
        return r;
    }
    [[nodiscard]] std::size_t left() const { return b_.size() - pos_; }
    [[nodiscard]] bool at_end() const { return pos_ == b_.size(); }

  private:
    Bytes b_;
    std::size_t pos_ = 0;
};

DecodeError topic_error(TopicError e) {
    switch (e) {
        case TopicError::kOk:
            return DecodeError::kNone;
        case TopicError::kEmpty:
            return DecodeError::kTopicEmpty;
        case TopicError::kWildcard:
            return DecodeError::kTopicWildcard;
        case TopicError::kInvalidUtf8:
        case TopicError::kTooLong:
        case TopicError::kBadWildcard:
            break;
    }
    return DecodeError::kTopicInvalidUtf8;
}

// §2.2.2: the flags each packet type must carry (PUBLISH's are its own).
std::uint8_t required_flags(PacketType t) {
    switch (t) {
        case PacketType::kPubrel:
        case PacketType::kSubscribe:
        case PacketType::kUnsubscribe:
            return 0x02;
        default:
            return 0x00;
    }
}

DecodeError parse_connect(Reader& r, Packet& out) {
    std::string_view name;
    std::uint8_t level = 0, flags = 0;
    ConnectPacket p;
    if (!r.str(name) || !r.u8(level)) return DecodeError::kBadLength;
    if (name != "MQTT" || level != 4) return DecodeError::kBadProtocol;
    if (!r.u8(flags) || !r.u16(p.keepalive)) return DecodeError::kBadLength;
    const bool will = flags & 0x04;
    const auto will_qos = static_cast<std::uint8_t>((flags >> 3) & 0x03);
    const bool will_retain = flags & 0x20;
    const bool has_password = flags & 0x40;
    const bool has_user = flags & 0x80;
    if ((flags & 0x01) || will_qos == 3 || (!will && (will_qos != 0 || will_retain)) ||
        (has_password && !has_user)) {
        return DecodeError::kBadConnectFlags;
    }
    p.clean_session = flags & 0x02;
    if (!r.str(p.client_id)) return DecodeError::kBadLength;
    if (!valid_utf8(p.client_id)) return DecodeError::kInvalidUtf8;
    if (will) {
        Will w;
        w.qos = will_qos;
        w.retain = will_retain;
        if (!r.str(w.topic) || !r.bin(w.payload)) return DecodeError::kBadLength;
        if (const DecodeError e = topic_error(check_topic_name(w.topic)); e != DecodeError::kNone) return e;
        p.will = w;
    }
    if (has_user) {
        std::string_view user;
        if (!r.str(user)) return DecodeError::kBadLength;
        if (!valid_utf8(user)) return DecodeError::kInvalidUtf8;
        p.username = user;
    }
    if (has_password) {
        Bytes password;
        if (!r.bin(password)) return DecodeError::kBadLength;
        p.password = password;
    }
    if (!r.at_end()) return DecodeError::kBadLength;
    out = p;
    return DecodeError::kNone;
}

DecodeError parse_publish(std::uint8_t flags, Reader& r, Packet& out) {
    PublishPacket p;
    p.qos = static_cast<std::uint8_t>((flags >> 1) & 0x03);
    if (p.qos == 3) return DecodeError::kPublishQos3;
    p.dup = flags & 0x08;
    p.retain = flags & 0x01;
    if (!r.str(p.topic)) return DecodeError::kBadLength;
    if (p.qos > 0) {
        if (!r.u16(p.packet_id)) return DecodeError::kBadLength;
    }
    if (const DecodeError e = topic_error(check_topic_name(p.topic)); e != DecodeError::kNone) return e;
    if (p.qos > 0 && p.packet_id == 0) return DecodeError::kPacketIdZero;
    p.payload = r.rest();
    out = p;
    return DecodeError::kNone;
}

// SUBSCRIBE (with_qos) and UNSUBSCRIBE payloads: validate every entry and count them.
DecodeError parse_topic_list(Reader& r, bool with_qos, std::size_t& count) {
    count = 0;
    while (!r.at_end()) {
        std::string_view filter;
        if (!r.str(filter)) return DecodeError::kBadLength;
        if (const TopicError e = check_topic_filter(filter); e != TopicError::kOk) {
            return e == TopicError::kInvalidUtf8 ? DecodeError::kInvalidUtf8 : DecodeError::kBadFilter;
        }
        if (with_qos) {
            std::uint8_t qos = 0;
            if (!r.u8(qos)) return DecodeError::kBadLength;
            if (qos > 2) return DecodeError::kBadFilter;  // §3.8.3.1: reserved bits must be 0
        }
        ++count;
    }
    return count == 0 ? DecodeError::kEmptyList : DecodeError::kNone;
}

}  // namespace

const char* to_string(DecodeError e) {
    switch (e) {
        case DecodeError::kNone:
            return "none";
        case DecodeError::kBadRemainingLength:
            return "bad remaining length";
        case DecodeError::kPacketTooLarge:
            return "packet larger than the receive buffer";
        case DecodeError::kBadType:
            return "reserved packet type";
        case DecodeError::kBadFlags:
            return "bad fixed-header flags";
        case DecodeError::kBadLength:
            return "length does not match the content";
        case DecodeError::kPublishQos3:
            return "PUBLISH with QoS 3";
        case DecodeError::kTopicEmpty:
            return "empty topic";
        case DecodeError::kTopicInvalidUtf8:
            return "topic is not valid UTF-8";
        case DecodeError::kTopicWildcard:
            return "wildcard in topic name";
        case DecodeError::kPacketIdZero:
            return "packet identifier 0";
        case DecodeError::kInvalidUtf8:
            return "string is not valid UTF-8";
        case DecodeError::kBadProtocol:
            return "not MQTT 3.1.1";
        case DecodeError::kBadConnectFlags:
            return "bad CONNECT flags";
        case DecodeError::kBadFilter:
            return "bad topic filter";
        case DecodeError::kEmptyList:
            return "no topic in the packet";
        case DecodeError::kBadReturnCode:
            return "bad SUBACK return code";
    }
    return "unknown";
}

void TopicList::Iterator::load() {
    // The list was validated when it was decoded, so every entry is whole.
    if (rest_.size() < 2) {
        step_ = rest_.size();
        current_ = {};
        return;
    }
    const std::size_t len = static_cast<std::size_t>((rest_[0] << 8) | rest_[1]);
    current_.filter = as_text(rest_.subspan(2, len));
    current_.qos = with_qos_ ? rest_[2 + len] : 0;
    step_ = 2 + len + (with_qos_ ? 1 : 0);
}

DecodeError parse_packet(const Frame& frame, Packet& out) {
    if (!frame.valid_type()) return DecodeError::kBadType;
    const PacketType type = frame.type();
    if (type != PacketType::kPublish && frame.flags() != required_flags(type)) return DecodeError::kBadFlags;
    Reader r(frame.body);
    switch (type) {
        case PacketType::kConnect:
            return parse_connect(r, out);
        case PacketType::kConnack: {
            std::uint8_t ack_flags = 0;
            ConnackPacket p;
            if (frame.body.size() != 2) return DecodeError::kBadLength;
            r.u8(ack_flags);
            r.u8(p.return_code);
            if (ack_flags & 0xFE) return DecodeError::kBadFlags;
            p.session_present = ack_flags & 0x01;
            out = p;
            return DecodeError::kNone;
        }
        case PacketType::kPublish:
            return parse_publish(frame.flags(), r, out);
        case PacketType::kPuback:
        case PacketType::kPubrec:
        case PacketType::kPubrel:
        case PacketType::kPubcomp:
        case PacketType::kUnsuback: {
            AckPacket p;
            p.type = type;
            if (frame.body.size() != 2) return DecodeError::kBadLength;
            r.u16(p.packet_id);
            if (p.packet_id == 0) return DecodeError::kPacketIdZero;
            out = p;
            return DecodeError::kNone;
        }
        case PacketType::kSubscribe:
        case PacketType::kUnsubscribe: {
            std::uint16_t id = 0;
            if (!r.u16(id)) return DecodeError::kBadLength;
            if (id == 0) return DecodeError::kPacketIdZero;
            const bool with_qos = type == PacketType::kSubscribe;
            std::size_t count = 0;
            const Bytes payload = frame.body.subspan(2);
            if (const DecodeError e = parse_topic_list(r, with_qos, count); e != DecodeError::kNone) return e;
            if (with_qos) {
                out = SubscribeView{id, TopicList(payload, true, count)};
            } else {
                out = UnsubscribeView{id, TopicList(payload, false, count)};
            }
            return DecodeError::kNone;
        }
        case PacketType::kSuback: {
            SubackPacket p;
            if (!r.u16(p.packet_id)) return DecodeError::kBadLength;
            if (p.packet_id == 0) return DecodeError::kPacketIdZero;
            p.return_codes = r.rest();
            if (p.return_codes.empty()) return DecodeError::kEmptyList;
            for (const std::uint8_t c : p.return_codes) {
                if (c > 2 && c != kSubackFailure) return DecodeError::kBadReturnCode;
            }
            out = p;
            return DecodeError::kNone;
        }
        case PacketType::kPingreq:
        case PacketType::kPingresp:
        case PacketType::kDisconnect:
            if (!frame.body.empty()) return DecodeError::kBadLength;
            out = EmptyPacket{type};
            return DecodeError::kNone;
    }
    return DecodeError::kBadType;
}

void FrameDecoder::reset(std::size_t capacity) {
    capacity = std::max(capacity, kMaxFixedHeaderSize);
    if (capacity != capacity_ || !buf_) {
        buf_ = std::make_unique_for_overwrite<std::uint8_t[]>(capacity);
        capacity_ = capacity;
    }
    clear();
}

void FrameDecoder::clear() {
    begin_ = end_ = 0;
    error_ = DecodeError::kNone;
}

void FrameDecoder::release() {
    buf_.reset();
    capacity_ = 0;
    clear();
}

std::span<std::uint8_t> FrameDecoder::free_space() {
    if (begin_ > 0) {
        const std::size_t n = end_ - begin_;
        if (n > 0) std::memmove(buf_.get(), buf_.get() + begin_, n);
        begin_ = 0;
        end_ = n;
    }
    return {buf_.get() + end_, capacity_ - end_};
}

void FrameDecoder::commit(std::size_t n) {
    end_ += std::min(n, capacity_ - end_);
}

std::size_t FrameDecoder::feed(Bytes data) {
    const auto space = free_space();
    const std::size_t n = std::min(space.size(), data.size());
    if (n > 0) std::memcpy(space.data(), data.data(), n);
    end_ += n;
    return n;
}

FrameDecoder::Status FrameDecoder::next(Frame& frame, DecodeError& error) {
    if (error_ != DecodeError::kNone) {
        error = error_;
        return Status::kError;
    }
    const std::uint8_t* p = buf_.get() + begin_;
    const std::size_t avail = end_ - begin_;
    if (avail < 2) return Status::kNeedMore;
    std::uint32_t remaining = 0;
    std::uint32_t multiplier = 1;
    std::size_t len_bytes = 0;
    for (;;) {
        if (len_bytes == 4) {
            error_ = error = DecodeError::kBadRemainingLength;
            return Status::kError;
        }
        if (1 + len_bytes >= avail) return Status::kNeedMore;
        const std::uint8_t digit = p[1 + len_bytes];
        remaining += (digit & 0x7Fu) * multiplier;
        multiplier *= 128;
        ++len_bytes;
        if ((digit & 0x80) == 0) break;
    }
    const std::size_t total = 1 + len_bytes + remaining;
    if (total > capacity_) {
        error_ = error = DecodeError::kPacketTooLarge;
        return Status::kError;
    }
    if (avail < total) return Status::kNeedMore;
    frame.header = p[0];
    frame.body = Bytes(p + 1 + len_bytes, remaining);
    begin_ += total;
    return Status::kFrame;
}

}  // namespace luat_mqtt
