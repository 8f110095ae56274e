// NTP (RFC 5905) packets as the module's SNTP client (LuatOS's libsntp) and the simulated network's
// NTP server (ntp_responder.hpp) exchange them: 48 bytes, client mode 3, server mode 4, 64-bit
// timestamps (seconds since 1900, 32-bit binary fraction). docs/network.md, "Time".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace platform_air780ep {

constexpr std::uint16_t kNtpPort = 123;
constexpr std::size_t kNtpPacketLen = 48;
// LuatOS accepts a reply of at least 44 bytes (up to the transmit timestamp's seconds).
constexpr std::size_t kNtpMinReplyLen = 44;
constexpr std::uint32_t kNtpUnixOffset = 2208988800U;  // seconds from 1900-01-01 to 1970-01-01

struct NtpTimestamp {
    std::uint32_t seconds = 0;   // since 1900 (era 0), modulo 2^32
    std::uint32_t fraction = 0;  // 1/2^32 s
    bool operator==(const NtpTimestamp&) const = default;
};

NtpTimestamp ntp_timestamp_from_unix_ms(std::int64_t unix_ms);
// The Unix time of a timestamp, reading seconds below 1970 as the next era (after 2036), as
// LuatOS's libsntp does; a zero timestamp is 0.
std::int64_t unix_ms_from_ntp(NtpTimestamp t);

// LuatOS's request: LI 0, version 3, mode 3 (0x1B), everything zero but the transmit timestamp,
// which is the client's own estimate once it has synced (zero before).
std::array<std::uint8_t, kNtpPacketLen> make_ntp_request(NtpTimestamp transmit);

struct NtpPacket {
    std::uint8_t leap = 0;
    std::uint8_t version = 0;
    std::uint8_t mode = 0;
    std::uint8_t stratum = 0;
    NtpTimestamp reference, originate, receive, transmit;
};
// A packet of at least kNtpMinReplyLen bytes (a shorter transmit fraction reads as 0).
std::optional<NtpPacket> parse_ntp_packet(std::span<const std::uint8_t> bytes);

// The server's answer to a client request at `unix_ms` (receive = transmit = reference = now,
// originate = the request's transmit timestamp, stratum 1, the request's version). nullopt for a
// datagram that is not a client request (shorter than 48 bytes, mode other than 3).
std::optional<std::array<std::uint8_t, kNtpPacketLen>> make_ntp_reply(std::span<const std::uint8_t> request,
                                                                      std::int64_t unix_ms);

}  // namespace platform_air780ep
