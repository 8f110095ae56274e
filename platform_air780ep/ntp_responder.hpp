// The simulated network's NTP server. Every server a script's socket.sntp names and the host map
// does not send elsewhere is this one (docs/network.md, "Time"); it answers from the host's clock
// plus a skew that `--control clock +SECONDS` sets (NetworkTime).
//  - on the cellular link (socket.LWIP_GP) at the gateway's UDP port 123: SlirpLink hands it the
//    requests before slirp sees them, as it does DNS queries;
//  - for socket.ETH0, HostNtpServer (host_ntp_server.hpp) serves the same time on a loopback port.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "platform_air780ep/frame_codec.hpp"

namespace platform_air780ep {

// The simulated network's wall time: the host's clock, skewed.
class NetworkTime {
  public:
    [[nodiscard]] std::int64_t unix_ms() const;
    [[nodiscard]] std::int64_t skew_seconds() const { return skew_seconds_; }
    void set_skew_seconds(std::int64_t seconds) { skew_seconds_ = seconds; }

  private:
    std::int64_t skew_seconds_ = 0;
};

// Parses the `clock` command's argument: "+SECONDS" or "-SECONDS" (|s| <= 10 years), or "0".
std::optional<std::int64_t> parse_clock_skew(std::string_view text, std::string& error);

class NtpResponder {
  public:
    NtpResponder(const NetworkTime& time, Ipv4 gateway) : time_(time), gateway_(gateway) {}

    // True for an IPv4/UDP frame to the gateway's port 123.
    [[nodiscard]] bool is_request(std::span<const std::uint8_t> frame) const;
    // The reply frame (Ethernet framed, from the gateway's port 123 back to the asker); nullopt for
    // anything that is not an NTP client request (dropped, as a server would).
    [[nodiscard]] std::optional<std::vector<std::uint8_t>> answer(std::span<const std::uint8_t> frame) const;

  private:
    const NetworkTime& time_;
    Ipv4 gateway_;
};

}  // namespace platform_air780ep
