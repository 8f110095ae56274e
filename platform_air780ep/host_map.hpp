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

#include "platform_air780ep/frame_codec.hpp"

namespace platform_air780ep {

// How the module reads the host a script connects to (docs/network.md, "Literal addresses and
// names"). LuatOS's socket layer (components/network/adapter/luat_network_adapter.c,
// network_get_host_by_name) first tries lwIP's ipaddr_aton, whose IPv4 form is BSD inet_aton's: one
// to four parts, each decimal, octal (leading 0) or hex (0x); the last part fills the remaining bytes
// (127.1, 0x7f000001, 2130706433 are all 127.0.0.1); trailing white space ends it. Anything else is a
// name for DNS. A name lwIP's DNS client cannot put into a query (empty, longer than 255, an empty
// label as in `a..b` or `localhost.`, a label longer than 63) is refused here at once, with a reason.
struct HostForm {
    enum class Kind { kLiteral, kName, kInvalid };
    Kind kind = Kind::kInvalid;
    Ipv4 address = 0;    // kLiteral
    std::string reason;  // kInvalid: why no query can be made for it
};
HostForm classify_host(std::string_view host);
// lwIP's ip4addr_aton, on our side: nullopt when the text is not an IPv4 literal of any form.
std::optional<Ipv4> parse_ipv4_any_form(std::string_view text);

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
    // The same for a host as classify_host() reads it: a literal in any form (127.1) matches an
    // entry for itself, or else one for its dotted quad (127.0.0.1), which is also the route's host.
    [[nodiscard]] Route route(std::string_view host, const HostForm& form, std::uint16_t port) const;

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
