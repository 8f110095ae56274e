#include "platform_air780ep/ntp_packet.hpp"

#include <algorithm>

#include "platform_air780ep/frame_codec.hpp"

namespace platform_air780ep {

namespace {

constexpr std::size_t kReferenceAt = 16;
constexpr std::size_t kOriginateAt = 24;
constexpr std::size_t kReceiveAt = 32;
constexpr std::size_t kTransmitAt = 40;

NtpTimestamp load_timestamp(std::span<const std::uint8_t> bytes, std::size_t at) {
    NtpTimestamp t;
    if (bytes.size() >= at + 4) t.seconds = load_be32(bytes, at);
    if (bytes.size() >= at + 8) t.fraction = load_be32(bytes, at + 4);
    return t;
}

void store_timestamp(std::span<std::uint8_t> bytes, std::size_t at, NtpTimestamp t) {
    store_be32(bytes, at, t.seconds);
    store_be32(bytes, at + 4, t.fraction);
}

}  // namespace

NtpTimestamp ntp_timestamp_from_unix_ms(std::int64_t unix_ms) {
    const std::int64_t seconds = unix_ms >= 0 ? unix_ms / 1000 : -((-unix_ms + 999) / 1000);
    const std::int64_t ms = unix_ms - seconds * 1000;
    NtpTimestamp t;
    t.seconds =
        static_cast<std::uint32_t>(static_cast<std::uint64_t>(seconds + kNtpUnixOffset) & 0xFFFFFFFFU);
    // Rounded up, so that reading it back to milliseconds gives the same figure.
    t.fraction = static_cast<std::uint32_t>(((static_cast<std::uint64_t>(ms) << 32) + 999) / 1000);
    return t;
}

std::int64_t unix_ms_from_ntp(NtpTimestamp t) {
    if (t.seconds == 0 && t.fraction == 0) return 0;
    // Era 0 ends in 2036: a seconds count below 1970's belongs to era 1.
    const std::int64_t seconds =
        t.seconds >= kNtpUnixOffset
            ? static_cast<std::int64_t>(t.seconds - kNtpUnixOffset)
            : static_cast<std::int64_t>(t.seconds) + (std::int64_t{1} << 32) - kNtpUnixOffset;
    return seconds * 1000 + static_cast<std::int64_t>((static_cast<std::uint64_t>(t.fraction) * 1000) >> 32);
}

std::array<std::uint8_t, kNtpPacketLen> make_ntp_request(NtpTimestamp transmit) {
    std::array<std::uint8_t, kNtpPacketLen> packet{};
    packet[0] = 0x1B;
    store_timestamp(packet, kTransmitAt, transmit);
    return packet;
}

std::optional<NtpPacket> parse_ntp_packet(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < kNtpMinReplyLen) return std::nullopt;
    NtpPacket p;
    p.leap = static_cast<std::uint8_t>(bytes[0] >> 6);
    p.version = static_cast<std::uint8_t>((bytes[0] >> 3) & 0x7);
    p.mode = static_cast<std::uint8_t>(bytes[0] & 0x7);
    p.stratum = bytes[1];
    p.reference = load_timestamp(bytes, kReferenceAt);
    p.originate = load_timestamp(bytes, kOriginateAt);
    p.receive = load_timestamp(bytes, kReceiveAt);
    p.transmit = load_timestamp(bytes, kTransmitAt);
    return p;
}

std::optional<std::array<std::uint8_t, kNtpPacketLen>> make_ntp_reply(std::span<const std::uint8_t> request,
                                                                      std::int64_t unix_ms) {
    if (request.size() < kNtpPacketLen || (request[0] & 0x7) != 3) return std::nullopt;
    const std::uint8_t version = static_cast<std::uint8_t>((request[0] >> 3) & 0x7);
    std::array<std::uint8_t, kNtpPacketLen> reply{};
    reply[0] = static_cast<std::uint8_t>((version << 3) | 4);  // LI 0, server
    reply[1] = 1;                                              // stratum 1: a primary reference
    reply[2] = request[2];                                     // the client's poll interval
    reply[3] = 0xEC;                                           // precision 2^-20 s
    const std::uint8_t refid[4] = {'L', 'O', 'C', 'L'};
    std::copy(std::begin(refid), std::end(refid), reply.begin() + 12);
    const NtpTimestamp now = ntp_timestamp_from_unix_ms(unix_ms);
    store_timestamp(reply, kReferenceAt, now);
    std::copy_n(request.begin() + kTransmitAt, 8, reply.begin() + kOriginateAt);
    store_timestamp(reply, kReceiveAt, now);
    store_timestamp(reply, kTransmitAt, now);
    return reply;
}

}  // namespace platform_air780ep
