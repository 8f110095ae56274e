// Byte-level helpers for the Ethernet/IPv4/UDP frames that cross the simulated link: big-endian
// loads and stores, the Internet checksum, and IPv4 address text. Addresses are host-order
// std::uint32_t values (10.0.2.2 is 0x0A000202).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace platform_air780ep {

using Ipv4 = std::uint32_t;

constexpr std::size_t kEthHeaderLen = 14;
constexpr std::size_t kIpv4MinHeaderLen = 20;
constexpr std::size_t kUdpHeaderLen = 8;
constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeArp = 0x0806;
constexpr std::uint8_t kIpProtoUdp = 17;
constexpr std::uint8_t kIpProtoTcp = 6;

constexpr Ipv4 make_ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return (Ipv4{a} << 24) | (Ipv4{b} << 16) | (Ipv4{c} << 8) | Ipv4{d};
}

// The simulated module's Ethernet address (locally administered), which both ends of the link use.
constexpr std::array<std::uint8_t, 6> kGuestMac = {0x02, 0x78, 0x0E, 0x50, 0x00, 0x01};
// The Ethernet address libslirp answers for its gateway: 52:55 and the gateway's IPv4 address.
constexpr std::array<std::uint8_t, 6> slirp_gateway_mac(Ipv4 gateway) {
    return {0x52,
            0x55,
            static_cast<std::uint8_t>(gateway >> 24),
            static_cast<std::uint8_t>(gateway >> 16),
            static_cast<std::uint8_t>(gateway >> 8),
            static_cast<std::uint8_t>(gateway)};
}

// Callers check the length first; these never read past `bytes`.
std::uint16_t load_be16(std::span<const std::uint8_t> bytes, std::size_t offset);
std::uint32_t load_be32(std::span<const std::uint8_t> bytes, std::size_t offset);
void store_be16(std::span<std::uint8_t> bytes, std::size_t offset, std::uint16_t value);
void store_be32(std::span<std::uint8_t> bytes, std::size_t offset, std::uint32_t value);

// RFC 1071 one's complement sum folded to 16 bits (not yet complemented), continuing from `sum`.
std::uint32_t checksum_add(std::span<const std::uint8_t> data, std::uint32_t sum = 0);
// The checksum field value for data summed by checksum_add.
std::uint16_t checksum_finish(std::uint32_t sum);

std::string ipv4_to_string(Ipv4 address);
// Strict dotted quad ("10.0.2.2"); nullopt for anything else (names, IPv6, junk).
std::optional<Ipv4> parse_ipv4(std::string_view text);

// The IPv4 header of an Ethernet frame, if the frame carries a well-formed one.
struct Ipv4View {
    std::size_t offset;      // of the IP header within the frame
    std::size_t header_len;  // IHL * 4
    std::size_t total_len;   // IP total length (header + payload), within the frame
    std::uint8_t protocol;
    Ipv4 source;
    Ipv4 destination;
};
std::optional<Ipv4View> parse_ipv4_frame(std::span<const std::uint8_t> frame);

// Writes the Ethernet and IPv4 headers of a frame (no options, don't fragment, TTL 64, checksum
// filled) into `out`, whose size is the whole frame: Ethernet header, IP header and payload.
void write_eth_ipv4_headers(std::span<std::uint8_t> out, std::span<const std::uint8_t, 6> destination_mac,
                            std::span<const std::uint8_t, 6> source_mac, std::uint8_t protocol, Ipv4 source,
                            Ipv4 destination);

// The UDP reply to the well-formed IPv4/UDP frame `request` (checked by the caller): back to the
// asker's MAC, address and port, from the MAC it was sent to, `source` and `source_port`.
std::vector<std::uint8_t> make_udp_reply(std::span<const std::uint8_t> request, Ipv4 source,
                                         std::uint16_t source_port, std::span<const std::uint8_t> payload);

}  // namespace platform_air780ep
