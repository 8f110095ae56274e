#include "platform_air780ep/frame_filter.hpp"

namespace platform_air780ep {

namespace {

constexpr std::size_t kArpLen = 28;  // Ethernet/IPv4 ARP payload

}  // namespace

FrameVerdict classify_guest_frame(std::span<const std::uint8_t> frame, Ipv4 gateway) {
    if (frame.size() < kEthHeaderLen) return FrameVerdict::kDropMalformed;
    const std::uint16_t type = load_be16(frame, 12);
    if (type == kEtherTypeArp) {
        if (frame.size() < kEthHeaderLen + kArpLen) return FrameVerdict::kDropMalformed;
        const std::size_t arp = kEthHeaderLen;
        // hardware Ethernet (1), protocol IPv4, address lengths 6 and 4
        if (load_be16(frame, arp) != 1 || load_be16(frame, arp + 2) != kEtherTypeIpv4 ||
            frame[arp + 4] != 6 || frame[arp + 5] != 4) {
            return FrameVerdict::kDropMalformed;
        }
        const Ipv4 target = load_be32(frame, arp + 24);
        return target == gateway ? FrameVerdict::kPass : FrameVerdict::kDropNotGateway;
    }
    if (type == kEtherTypeIpv4) {
        const auto ip = parse_ipv4_frame(frame);
        if (!ip) return FrameVerdict::kDropMalformed;
        return ip->destination == gateway ? FrameVerdict::kPass : FrameVerdict::kDropNotGateway;
    }
    return FrameVerdict::kDropOtherType;
}

bool FrameFilter::admit(std::span<const std::uint8_t> frame) {
    if (classify_guest_frame(frame, gateway_) == FrameVerdict::kPass) {
        ++counts_.passed;
        return true;
    }
    ++counts_.dropped;
    return false;
}

}  // namespace platform_air780ep
