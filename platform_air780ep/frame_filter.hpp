// The safety filter of the simulated cellular link: what lwIP sends may reach libslirp (and so the
// host's network) only if it is addressed to the link's gateway. Everything else is dropped and
// counted before slirp sees it, so no frame from the simulated module can go to a real address.
#pragma once

#include <cstdint>
#include <span>

#include "platform_air780ep/frame_codec.hpp"

namespace platform_air780ep {

enum class FrameVerdict {
    kPass,            // ARP asking for / answering the gateway, or IPv4 to the gateway
    kDropNotGateway,  // well-formed ARP/IPv4 to any other address (broadcasts included)
    kDropMalformed,   // too short, or an ARP/IPv4 header that does not parse
    kDropOtherType,   // any other EtherType (IPv6, VLAN, ...)
};

// Pure: the verdict for one Ethernet frame leaving the guest.
FrameVerdict classify_guest_frame(std::span<const std::uint8_t> frame, Ipv4 gateway);

struct FrameFilterCounts {
    std::uint64_t passed = 0;
    std::uint64_t dropped = 0;
};

class FrameFilter {
  public:
    explicit FrameFilter(Ipv4 gateway) : gateway_(gateway) {}
    // True when the frame may go on; counts either way.
    bool admit(std::span<const std::uint8_t> frame);
    [[nodiscard]] const FrameFilterCounts& counts() const { return counts_; }
    [[nodiscard]] Ipv4 gateway() const { return gateway_; }

  private:
    Ipv4 gateway_;
    FrameFilterCounts counts_;
};

}  // namespace platform_air780ep
