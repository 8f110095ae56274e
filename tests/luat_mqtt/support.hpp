// Test helpers for the MQTT engine: hex byte vectors and readable dumps of packets and events.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "luat_mqtt/encode.hpp"

namespace tests {

// The helpers of these tests speak the engine's own names.
using namespace luat_mqtt;

using ByteVec = std::vector<std::uint8_t>;

// "10 1F 00 04" -> bytes (spaces ignored).
ByteVec hex(std::string_view text);
std::string to_hex(Bytes bytes);
ByteVec text_bytes(std::string_view s);

template <class Packet>
ByteVec encoded(const Packet& p) {
    ByteVec out(encoded_size(p));
    out.resize(encode(p, out));
    return out;
}

// One complete packet (the whole byte vector) in a readable form, e.g. "PUBLISH a/b q1 id=3 dup=0
// retain=0 'hi'", or "MALFORMED <reason>".
std::string describe_packet(Bytes packet);
// Split a byte stream into whole packets (the stream must hold whole packets only).
std::vector<ByteVec> split_packets(Bytes stream);

}  // namespace tests
