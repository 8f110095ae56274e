// The simulated network's DNS server. slirp's own DNS is disabled; queries that the module's lwIP
// DNS client sends to the gateway's port 53 are answered here, from the host map, before slirp
// sees them:
//  - a name the host map sends to this host (127.0.0.1 / localhost), and `localhost` itself,
//    resolve to the gateway, which slirp connects to the host's 127.0.0.1;
//  - a name mapped elsewhere is unreachable from the simulated link (it only reaches the host's
//    loopback) and, like any unmapped name, gets NXDOMAIN: the connect fails as on a module whose
//    DNS has no answer.
// Answers carry TTL 0 so lwIP caches nothing and every connect asks again over the (faulty) link.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "platform_air780ep/frame_codec.hpp"
#include "platform_air780ep/host_map.hpp"

namespace platform_air780ep {

constexpr std::uint16_t kDnsPort = 53;

struct DnsAnswer {
    std::vector<std::uint8_t> frame;  // the reply, Ethernet framed, back to the asker
    std::string name;                 // the name asked for
    std::optional<Ipv4> address;      // nullopt: NXDOMAIN (or no A record for another query type)
    std::string reason;               // why, for the log
};

class DnsResponder {
  public:
    DnsResponder(const HostMap& hosts, Ipv4 gateway) : hosts_(hosts), gateway_(gateway) {}

    // True for an IPv4/UDP frame to the gateway's port 53 (only those are answered here).
    [[nodiscard]] bool is_query(std::span<const std::uint8_t> frame) const;
    // The reply to a query frame; nullopt for a malformed query (dropped, as a resolver would).
    [[nodiscard]] std::optional<DnsAnswer> answer(std::span<const std::uint8_t> frame) const;
    // What a name resolves to on the simulated network, and why.
    [[nodiscard]] std::optional<Ipv4> resolve(const std::string& name, std::string& reason) const;

  private:
    const HostMap& hosts_;
    Ipv4 gateway_;
};

}  // namespace platform_air780ep
