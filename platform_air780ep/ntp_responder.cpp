#include "platform_air780ep/ntp_responder.hpp"

#include <algorithm>
#include <charconv>

#include "platform_air780ep/module_clock.hpp"
#include "platform_air780ep/ntp_packet.hpp"

namespace platform_air780ep {

std::int64_t NetworkTime::unix_ms() const {
    return host_unix_ms() + skew_seconds_ * 1000;
}

std::optional<std::int64_t> parse_clock_skew(std::string_view text, std::string& error) {
    constexpr std::int64_t kMax = 10LL * 366 * 86400;
    std::string_view digits = text;
    bool negative = false;
    if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
        negative = digits.front() == '-';
        digits.remove_prefix(1);
    } else if (text != "0") {
        error =
            "clock needs +SECONDS or -SECONDS (the simulated network time's offset from the host's), got '" +
            std::string(text) + "'";
        return std::nullopt;
    }
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || value > kMax) {
        error = "clock needs +SECONDS or -SECONDS with |SECONDS| <= " + std::to_string(kMax) + ", got '" +
                std::string(text) + "'";
        return std::nullopt;
    }
    return negative ? -value : value;
}

bool NtpResponder::is_request(std::span<const std::uint8_t> frame) const {
    const auto ip = parse_ipv4_frame(frame);
    if (!ip || ip->protocol != kIpProtoUdp || ip->destination != gateway_) return false;
    const std::size_t udp = ip->offset + ip->header_len;
    if (udp + kUdpHeaderLen > ip->offset + ip->total_len) return false;
    return load_be16(frame, udp + 2) == kNtpPort;
}

std::optional<std::vector<std::uint8_t>> NtpResponder::answer(std::span<const std::uint8_t> frame) const {
    if (!is_request(frame)) return std::nullopt;
    const auto ip = parse_ipv4_frame(frame);
    const std::size_t udp = ip->offset + ip->header_len;
    const std::size_t udp_len = load_be16(frame, udp + 4);
    if (udp_len < kUdpHeaderLen || udp + udp_len > ip->offset + ip->total_len) return std::nullopt;
    const auto reply =
        make_ntp_reply(frame.subspan(udp + kUdpHeaderLen, udp_len - kUdpHeaderLen), time_.unix_ms());
    if (!reply) return std::nullopt;

    return make_udp_reply(frame, gateway_, kNtpPort, *reply);
}

}  // namespace platform_air780ep
