// The host map: `--host NAME=ADDR[:PORT]` entries that send a name a script uses (say its real
// broker, `lbsmqtt.airm2m.com`, port 1884) to a local one (`127.0.0.1:41234`), so flashed scripts
// run unchanged. Shared by both network paths:
//  - socket.ETH0 (host sockets) connects to ADDR (resolved by the host if it is a name);
//  - socket.LWIP_GP (lwIP on the simulated link) resolves a mapped name through the link's DNS,
//    which answers with the gateway address; slirp takes the gateway to the host's 127.0.0.1.
// A PORT in the entry replaces the port the script asked for. Names match case-insensitively;
// a NAME may also be an IPv4 literal (a script that hard-codes its broker's address).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace platform_air780ep {

struct HostTarget {
    std::string address;                // IPv4 literal or host name, as given
    std::optional<std::uint16_t> port;  // replaces the script's port when set
};

class HostMap {
  public:
    // Parse and add "NAME=ADDR[:PORT]". On bad syntax returns false and sets `error`; the map is
    // unchanged. A later entry for the same name replaces the earlier one.
    bool add(std::string_view spec, std::string& error);
    void add(std::string_view name, HostTarget target);

    [[nodiscard]] const HostTarget* find(std::string_view name) const;
    [[nodiscard]] bool empty() const { return entries_.empty(); }
    [[nodiscard]] const std::map<std::string, HostTarget>& entries() const { return entries_; }

    // Where a connection to host:port goes after the map.
    struct Route {
        std::string host;  // what to connect to / resolve
        std::uint16_t port;
        bool mapped;
    };
    [[nodiscard]] Route route(std::string_view host, std::uint16_t port) const;

    // Whether the map names this host's `port` as a destination: an entry whose address is this
    // host (127.0.0.0/8, `localhost`) with that PORT, or with no PORT (every port: the user named
    // the address itself). The simulated link's gateway forwards only these (gateway_firewall.hpp).
    [[nodiscard]] bool forwards_to_this_host(std::uint16_t port) const;

  private:
    std::map<std::string, HostTarget> entries_;  // key: lower-cased name
};

// True for the names and literals that mean "this host" (127.0.0.0/8 and `localhost`).
bool is_loopback_host(std::string_view host);

// Valid DNS-style host name (letters, digits, '-', '_', dots; labels 1..63; at most 253 chars).
bool is_valid_host_name(std::string_view name);

std::string lower_case(std::string_view text);

}  // namespace platform_air780ep
