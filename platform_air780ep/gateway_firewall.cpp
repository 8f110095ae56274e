#include "platform_air780ep/gateway_firewall.hpp"

#include <algorithm>

namespace platform_air780ep {

namespace {

constexpr std::size_t kTcpMinHeaderLen = 20;
constexpr std::uint8_t kTcpFin = 0x01;
constexpr std::uint8_t kTcpSyn = 0x02;
constexpr std::uint8_t kTcpRst = 0x04;
constexpr std::uint8_t kTcpAck = 0x10;

}  // namespace

std::optional<GatewayRefusal> GatewayFirewall::check(std::span<const std::uint8_t> frame) const {
    const auto ip = parse_ipv4_frame(frame);
    if (!ip || ip->destination != gateway_) return std::nullopt;
    if (ip->protocol != kIpProtoTcp && ip->protocol != kIpProtoUdp) return std::nullopt;
    const std::size_t l4 = ip->offset + ip->header_len;
    const std::size_t min_len = ip->protocol == kIpProtoTcp ? kTcpMinHeaderLen : kUdpHeaderLen;
    // Too short to name a port: slirp drops it as malformed anyway, and it reaches nothing.
    if (l4 + min_len > ip->offset + ip->total_len) return std::nullopt;
    const std::uint16_t port = load_be16(frame, l4 + 2);
    if (hosts_.forwards_to_this_host(port)) return std::nullopt;
    const std::vector<std::uint16_t>& servers =
        ip->protocol == kIpProtoTcp ? server_ports_ : udp_server_ports_;
    if (std::find(servers.begin(), servers.end(), load_be16(frame, l4)) != servers.end()) return std::nullopt;

    GatewayRefusal refusal;
    refusal.port = port;
    refusal.destination = std::string(ip->protocol == kIpProtoTcp ? "TCP " : "UDP ") +
                          ipv4_to_string(gateway_) + ":" + std::to_string(port);
    if (ip->protocol == kIpProtoUdp) {
        refusal.log = true;
        return refusal;
    }
    const std::uint8_t flags = frame[l4 + 13];
    if ((flags & kTcpRst) == 0) refusal.reply = tcp_reset_for(frame);
    refusal.log = (flags & kTcpSyn) != 0 && (flags & kTcpAck) == 0;
    return refusal;
}

std::vector<std::uint8_t> tcp_reset_for(std::span<const std::uint8_t> segment) {
    const auto ip = parse_ipv4_frame(segment);
    const std::size_t tcp = ip->offset + ip->header_len;
    const std::size_t tcp_header_len = std::size_t{static_cast<std::uint8_t>(segment[tcp + 12] >> 4)} * 4;
    const std::size_t payload =
        ip->total_len - ip->header_len - std::min(tcp_header_len, ip->total_len - ip->header_len);
    const std::uint8_t flags = segment[tcp + 13];
    // RFC 793: to a segment with ACK, RST with seq = its ack; otherwise RST|ACK acknowledging all of
    // it (SYN and FIN count one each).
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint8_t out_flags = kTcpRst;
    if ((flags & kTcpAck) != 0) {
        seq = load_be32(segment, tcp + 8);
    } else {
        ack = load_be32(segment, tcp + 4) + static_cast<std::uint32_t>(payload) +
              ((flags & kTcpSyn) ? 1u : 0u) + ((flags & kTcpFin) ? 1u : 0u);
        out_flags |= kTcpAck;
    }

    TcpResetSpec spec;
    std::copy_n(segment.begin() + 6, 6, spec.destination_mac.begin());  // back to the sender
    std::copy_n(segment.begin(), 6, spec.source_mac.begin());           // from the one it sent to
    spec.source = ip->destination;
    spec.destination = ip->source;
    spec.source_port = load_be16(segment, tcp + 2);
    spec.destination_port = load_be16(segment, tcp);
    spec.seq = seq;
    spec.ack = ack;
    spec.flags = out_flags;
    return make_tcp_reset(spec);
}

std::vector<std::uint8_t> make_tcp_reset(const TcpResetSpec& spec) {
    const std::size_t ip_len = kIpv4MinHeaderLen + kTcpMinHeaderLen;
    std::vector<std::uint8_t> out(kEthHeaderLen + ip_len, 0);
    write_eth_ipv4_headers(out, spec.destination_mac, spec.source_mac, kIpProtoTcp, spec.source,
                           spec.destination);
    const std::size_t oip = kEthHeaderLen;
    const std::size_t otcp = oip + kIpv4MinHeaderLen;
    store_be16(out, otcp, spec.source_port);
    store_be16(out, otcp + 2, spec.destination_port);
    store_be32(out, otcp + 4, spec.seq);
    store_be32(out, otcp + 8, spec.ack);
    out[otcp + 12] = static_cast<std::uint8_t>((kTcpMinHeaderLen / 4) << 4);
    out[otcp + 13] = spec.flags;
    // TCP checksum over the pseudo header (addresses, protocol, length) and the header.
    std::uint32_t sum = checksum_add(std::span(out).subspan(oip + 12, 8));
    sum += static_cast<std::uint32_t>(kIpProtoTcp + kTcpMinHeaderLen);
    sum = checksum_add(std::span(out).subspan(otcp, kTcpMinHeaderLen), sum);
    store_be16(out, otcp + 16, checksum_finish(sum));
    return out;
}

}  // namespace platform_air780ep
