#include "platform_air780ep/frame_codec.hpp"

#include <algorithm>
#include <charconv>

namespace platform_air780ep {

std::uint16_t load_be16(std::span<const std::uint8_t> bytes, std::size_t offset) {
    return static_cast<std::uint16_t>((bytes[offset] << 8) | bytes[offset + 1]);
}

std::uint32_t load_be32(std::span<const std::uint8_t> bytes, std::size_t offset) {
    return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
           (std::uint32_t{bytes[offset + 2]} << 8) | std::uint32_t{bytes[offset + 3]};
}

void store_be16(std::span<std::uint8_t> bytes, std::size_t offset, std::uint16_t value) {
    bytes[offset] = static_cast<std::uint8_t>(value >> 8);
    bytes[offset + 1] = static_cast<std::uint8_t>(value);
}

void store_be32(std::span<std::uint8_t> bytes, std::size_t offset, std::uint32_t value) {
    bytes[offset] = static_cast<std::uint8_t>(value >> 24);
    bytes[offset + 1] = static_cast<std::uint8_t>(value >> 16);
    bytes[offset + 2] = static_cast<std::uint8_t>(value >> 8);
    bytes[offset + 3] = static_cast<std::uint8_t>(value);
}

std::uint32_t checksum_add(std::span<const std::uint8_t> data, std::uint32_t sum) {
    std::size_t i = 0;
    for (; i + 1 < data.size(); i += 2)
        sum += load_be16(data, i);
    if (i < data.size()) sum += std::uint32_t{data[i]} << 8;
    while ((sum >> 16) != 0)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return sum;
}

std::uint16_t checksum_finish(std::uint32_t sum) {
    while ((sum >> 16) != 0)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

std::string ipv4_to_string(Ipv4 address) {
    return std::to_string(address >> 24) + '.' + std::to_string((address >> 16) & 0xFF) + '.' +
           std::to_string((address >> 8) & 0xFF) + '.' + std::to_string(address & 0xFF);
}

std::optional<Ipv4> parse_ipv4(std::string_view text) {
    Ipv4 result = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (text.empty() || text.front() != '.') return std::nullopt;
            text.remove_prefix(1);
        }
        std::size_t digits = 0;
        while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
            ++digits;
        if (digits == 0 || digits > 3 || (digits > 1 && text[0] == '0')) return std::nullopt;
        unsigned value = 0;
        std::from_chars(text.data(), text.data() + digits, value);
        if (value > 255) return std::nullopt;
        result = (result << 8) | value;
        text.remove_prefix(digits);
    }
    if (!text.empty()) return std::nullopt;
    return result;
}

std::optional<Ipv4View> parse_ipv4_frame(std::span<const std::uint8_t> frame) {
    if (frame.size() < kEthHeaderLen + kIpv4MinHeaderLen) return std::nullopt;
    if (load_be16(frame, 12) != kEtherTypeIpv4) return std::nullopt;
    const std::size_t ip = kEthHeaderLen;
    if ((frame[ip] >> 4) != 4) return std::nullopt;
    const std::size_t header_len = std::size_t{frame[ip] & 0x0Fu} * 4;
    const std::size_t total_len = load_be16(frame, ip + 2);
    if (header_len < kIpv4MinHeaderLen || total_len < header_len || ip + total_len > frame.size()) {
        return std::nullopt;
    }
    return Ipv4View{
        ip, header_len, total_len, frame[ip + 9], load_be32(frame, ip + 12), load_be32(frame, ip + 16)};
}

void write_eth_ipv4_headers(std::span<std::uint8_t> out, std::span<const std::uint8_t, 6> destination_mac,
                            std::span<const std::uint8_t, 6> source_mac, std::uint8_t protocol, Ipv4 source,
                            Ipv4 destination) {
    std::copy(destination_mac.begin(), destination_mac.end(), out.begin());
    std::copy(source_mac.begin(), source_mac.end(), out.begin() + 6);
    store_be16(out, 12, kEtherTypeIpv4);
    const std::size_t ip = kEthHeaderLen;
    std::fill_n(out.begin() + ip, kIpv4MinHeaderLen, std::uint8_t{0});
    out[ip] = 0x45;
    store_be16(out, ip + 2, static_cast<std::uint16_t>(out.size() - kEthHeaderLen));
    store_be16(out, ip + 6, 0x4000);  // don't fragment
    out[ip + 8] = 64;                 // TTL
    out[ip + 9] = protocol;
    store_be32(out, ip + 12, source);
    store_be32(out, ip + 16, destination);
    store_be16(out, ip + 10, checksum_finish(checksum_add(out.subspan(ip, kIpv4MinHeaderLen))));
}

std::vector<std::uint8_t> make_udp_reply(std::span<const std::uint8_t> request, Ipv4 source,
                                         std::uint16_t source_port, std::span<const std::uint8_t> payload) {
    const auto ip = parse_ipv4_frame(request);
    const std::size_t udp = ip->offset + ip->header_len;
    const std::size_t udp_len = kUdpHeaderLen + payload.size();
    std::vector<std::uint8_t> out(kEthHeaderLen + kIpv4MinHeaderLen + udp_len, 0);
    write_eth_ipv4_headers(out, request.subspan<6, 6>(), request.first<6>(), kIpProtoUdp, source, ip->source);
    const std::size_t oip = kEthHeaderLen;
    const std::size_t oudp = oip + kIpv4MinHeaderLen;
    store_be16(out, oudp, source_port);
    store_be16(out, oudp + 2, load_be16(request, udp));  // the asker's port
    store_be16(out, oudp + 4, static_cast<std::uint16_t>(udp_len));
    std::copy(payload.begin(), payload.end(),
              out.begin() + static_cast<std::ptrdiff_t>(oudp + kUdpHeaderLen));
    // UDP checksum over the pseudo header (addresses, protocol, length) and the datagram; a zero
    // result is sent as all ones (zero means "no checksum").
    std::uint32_t sum = checksum_add(std::span(out).subspan(oip + 12, 8));
    sum += static_cast<std::uint32_t>(kIpProtoUdp + udp_len);
    sum = checksum_add(std::span(out).subspan(oudp, udp_len), sum);
    const std::uint16_t udp_sum = checksum_finish(sum);
    store_be16(out, oudp + 6, udp_sum == 0 ? 0xFFFF : udp_sum);
    return out;
}

}  // namespace platform_air780ep
