// MQTT 3.1.1 encoders for all 14 packet types.
//
// Each packet has `encoded_size(p)`, the whole packet's size (fixed header included), and
// `encode(p, out)`, which writes it into a caller-provided buffer and returns the bytes written.
// encoded_size() returns 0 when the packet cannot be encoded (a string over 65535 bytes, a remaining
// length over 268435455); encode() then writes nothing and returns 0, as it does when `out` is too
// small. The encoders do not judge content (topic rules, qos range): validate.hpp does, before.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "luat_mqtt/byte_queue.hpp"
#include "luat_mqtt/packet.hpp"

namespace luat_mqtt {

// Remaining-length field (§2.2.3): 1..4 bytes; 0 if `value` is above kMaxRemainingLength.
std::size_t remaining_length_size(std::uint32_t value);
// Writes the field into `out` (at least remaining_length_size(value) bytes); returns its size.
std::size_t encode_remaining_length(std::uint32_t value, std::span<std::uint8_t> out);

std::size_t encoded_size(const ConnectPacket& p);
std::size_t encoded_size(const ConnackPacket& p);
std::size_t encoded_size(const PublishPacket& p);
std::size_t encoded_size(const AckPacket& p);
std::size_t encoded_size(const SubscribePacket& p);
std::size_t encoded_size(const SubackPacket& p);
std::size_t encoded_size(const UnsubscribePacket& p);
std::size_t encoded_size(const EmptyPacket& p);

std::size_t encode(const ConnectPacket& p, std::span<std::uint8_t> out);
std::size_t encode(const ConnackPacket& p, std::span<std::uint8_t> out);
std::size_t encode(const PublishPacket& p, std::span<std::uint8_t> out);
std::size_t encode(const AckPacket& p, std::span<std::uint8_t> out);
std::size_t encode(const SubscribePacket& p, std::span<std::uint8_t> out);
std::size_t encode(const SubackPacket& p, std::span<std::uint8_t> out);
std::size_t encode(const UnsubscribePacket& p, std::span<std::uint8_t> out);
std::size_t encode(const EmptyPacket& p, std::span<std::uint8_t> out);

// Encode straight into the tail of an output queue; returns the packet size (0: not encodable, the
// queue is unchanged).
template <class Packet>
std::size_t append_packet(ByteQueue& q, const Packet& p) {
    const std::size_t n = encoded_size(p);
    if (n == 0) return 0;
    return encode(p, q.append(n));
}

}  // namespace luat_mqtt
