// MQTT 3.1.1 decoding: an incremental frame decoder over a fixed receive buffer, and a parser that
// turns one complete frame into a packet view for all 14 packet types.
//
// The frame decoder owns one buffer of the client's receive size. It is fed arbitrary chunks (one
// byte at a time works) and hands out complete frames as views into that buffer. A frame larger than
// the buffer is refused as soon as its fixed header is known, without buffering or allocating it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <variant>

#include "luat_mqtt/packet.hpp"

namespace luat_mqtt {

enum class DecodeError {
    kNone = 0,
    kBadRemainingLength,  // the remaining-length field runs past four bytes
    kPacketTooLarge,      // the whole packet is larger than the receive buffer
    kBadType,             // packet type 0 or 15
    kBadFlags,            // reserved fixed-header flags (or CONNACK acknowledge flags) not as §2.2.2 says
    kBadLength,           // the remaining length does not match the content (a field runs past the end...)
    kPublishQos3,         // PUBLISH with both QoS bits set
    kTopicEmpty,          // PUBLISH / will topic of length 0
    kTopicInvalidUtf8,    // PUBLISH / will topic not valid UTF-8
    kTopicWildcard,       // PUBLISH / will topic with '+' or '#'
    kPacketIdZero,        // a packet identifier of 0
    kInvalidUtf8,         // another string (client id, user name) not valid UTF-8
    kBadProtocol,         // CONNECT: protocol name not "MQTT" or level not 4
    kBadConnectFlags,     // CONNECT: reserved flag, will qos/retain without will, password without user
    kBadFilter,           // SUBSCRIBE / UNSUBSCRIBE: filter rules broken or requested qos byte invalid
    kEmptyList,           // SUBSCRIBE / UNSUBSCRIBE / SUBACK without a single entry
    kBadReturnCode,       // SUBACK return code other than 0, 1, 2, 0x80
};
const char* to_string(DecodeError e);

// One complete packet as received: the first byte and the bytes after the remaining-length field.
struct Frame {
    std::uint8_t header = 0;
    Bytes body;
    [[nodiscard]] unsigned type_bits() const { return header >> 4; }
    [[nodiscard]] std::uint8_t flags() const { return static_cast<std::uint8_t>(header & 0x0F); }
    // Types 0 and 15 are reserved; type() is meaningful only when valid_type().
    [[nodiscard]] bool valid_type() const { return type_bits() >= 1 && type_bits() <= 14; }
    [[nodiscard]] PacketType type() const { return static_cast<PacketType>(type_bits()); }
};

using Packet = std::variant<ConnectPacket, ConnackPacket, PublishPacket, AckPacket, SubscribeView,
                            SubackPacket, UnsubscribeView, EmptyPacket>;

// Parse and validate one frame. On success `out` holds views into `frame.body`.
DecodeError parse_packet(const Frame& frame, Packet& out);

class FrameDecoder {
  public:
    enum class Status { kNeedMore, kFrame, kError };

    explicit FrameDecoder(std::size_t capacity = 0) { reset(capacity); }
    FrameDecoder(const FrameDecoder&) = delete;
    FrameDecoder& operator=(const FrameDecoder&) = delete;

    // Drop buffered data and any error; (re)allocate the buffer if `capacity` differs. Capacities
    // below kMaxFixedHeaderSize are raised to it, so a fixed header always fits.
    void reset(std::size_t capacity);
    // Drop buffered data and any error, keep the buffer.
    void clear();
    // Give the buffer back (capacity 0 until the next reset()).
    void release();

    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    [[nodiscard]] std::size_t buffered() const { return end_ - begin_; }

    // Room after the buffered bytes, for the caller to read into, then commit(). Moves a partial frame
    // to the front first, which invalidates frames returned before.
    std::span<std::uint8_t> free_space();
    void commit(std::size_t n);
    // Copy as much of `data` as fits; returns the count taken.
    std::size_t feed(Bytes data);

    // The next complete frame, if any. After kError the decoder stays in error until clear()/reset().
    // A frame stays valid until the next free_space()/feed()/reset()/clear().
    Status next(Frame& frame, DecodeError& error);

  private:
    std::unique_ptr<std::uint8_t[]> buf_;
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0;  // first byte not yet returned in a frame
    std::size_t end_ = 0;    // one past the last buffered byte
    DecodeError error_ = DecodeError::kNone;
};

}  // namespace luat_mqtt
