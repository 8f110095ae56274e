// The module's ports that `--forward HOSTPORT=DEVICEPORT` moves to another port of this host over
// ETH0 (docs/network.md, "Servers on the module"). Over LWIP_GP slirp does the forwarding; over ETH0
// the module's sockets are this host's own, so a server on DEVICEPORT listens on HOSTPORT instead and
// a script with a fixed port (the official server demo's 50003) can run beside another one.
#pragma once

#include <cstdint>
#include <map>

namespace platform_air780ep {

struct HostPortMap {
    std::map<std::uint16_t, std::uint16_t> tcp;  // device port -> host port
    std::map<std::uint16_t, std::uint16_t> udp;

    [[nodiscard]] std::uint16_t tcp_port(std::uint16_t device_port) const { return find(tcp, device_port); }
    [[nodiscard]] std::uint16_t udp_port(std::uint16_t device_port) const { return find(udp, device_port); }

  private:
    static std::uint16_t find(const std::map<std::uint16_t, std::uint16_t>& m, std::uint16_t port) {
        const auto it = m.find(port);
        return it == m.end() ? port : it->second;
    }
};

}  // namespace platform_air780ep
