// What the gateway forwards to the host (docs/network.md, "What the gateway forwards"). libslirp
// connects 10.0.2.2:PORT to the host's 127.0.0.1:PORT for any PORT; a firewall in front of it lets
// through only the ports the host map names for this host, so a script cannot reach the host's
// other services (sshd, a database) over the simulated link. A refused TCP segment is answered
// with a reset, as a firewall's REJECT does, so the connect fails at once; a refused UDP datagram
// is dropped. DNS (port 53) never gets here: the DNS responder answers it first.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "platform_air780ep/frame_codec.hpp"
#include "platform_air780ep/host_map.hpp"

namespace platform_air780ep {

struct GatewayRefusal {
    std::vector<std::uint8_t> reply;  // a TCP reset back to the guest; empty: nothing (UDP, a reset)
    std::string destination;          // "TCP 10.0.2.2:22"
    std::uint16_t port = 0;           // the refused port
    bool log = false;                 // a connection attempt (SYN) or a datagram: worth a log line
};

class GatewayFirewall {
  public:
    GatewayFirewall(const HostMap& hosts, Ipv4 gateway) : hosts_(hosts), gateway_(gateway) {}

    // nullopt: the frame may enter slirp (not TCP/UDP to the gateway, to a port the map names, or a
    // forwarded server's side of a connection the host opened).
    [[nodiscard]] std::optional<GatewayRefusal> check(std::span<const std::uint8_t> frame) const;

    // `--forward HOSTPORT=DEVICEPORT`: the host's connections reach the module's DEVICEPORT from the
    // gateway, so what the module's server sends back (TCP from DEVICEPORT to the gateway) passes;
    // `udp`: the same for the datagrams a UDP socket bound to DEVICEPORT sends to the gateway (slirp
    // takes them to the host's sender through the forward's socket).
    void allow_server_port(std::uint16_t device_port, bool udp = false) {
        (udp ? udp_server_ports_ : server_ports_).push_back(device_port);
    }

  private:
    const HostMap& hosts_;  // read at each frame: entries added later count
    Ipv4 gateway_;
    std::vector<std::uint16_t> server_ports_;
    std::vector<std::uint16_t> udp_server_ports_;
};

// The TCP reset that answers `segment` (an Ethernet frame carrying IPv4/TCP, checked by the caller),
// from its destination back to its source (RFC 793, "Reset Generation").
std::vector<std::uint8_t> tcp_reset_for(std::span<const std::uint8_t> segment);

struct TcpResetSpec {
    std::array<std::uint8_t, 6> source_mac{};
    std::array<std::uint8_t, 6> destination_mac{};
    Ipv4 source = 0;
    Ipv4 destination = 0;
    std::uint16_t source_port = 0;
    std::uint16_t destination_port = 0;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint8_t flags = 0x04;  // RST
};
// An Ethernet/IPv4/TCP segment without payload (a reset), checksums filled in.
std::vector<std::uint8_t> make_tcp_reset(const TcpResetSpec& spec);

}  // namespace platform_air780ep
