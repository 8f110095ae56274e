// What the command line says about a device's network (luatos --host / --link / --control /
// --adapter / --uart / --channels / --pcap / --tls-keylog / --trust-ca), and what in-process tests set the
// same way.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "platform_air780ep/adapter_table.hpp"
#include "platform_air780ep/channel_pool.hpp"
#include "platform_air780ep/host_map.hpp"
#include "platform_air780ep/link_settings.hpp"

namespace lua_bindings {

// --forward [tcp:|udp:]HOSTPORT=DEVICEPORT: the host's 127.0.0.1:HOSTPORT reaches the module's
// DEVICEPORT (a socket.listen server, or a UDP socket bound to that local port).
struct PortForward {
    std::uint16_t host_port = 0;
    std::uint16_t device_port = 0;
    bool udp = false;
};

struct NetworkOptions {
    platform_air780ep::HostMap hosts;      // --host NAME=ADDR[:PORT] (repeatable)
    platform_air780ep::LinkSettings link;  // --link SPEC: the simulated cellular link's figures
    std::string control_path;              // --control PATH: the control socket ("": none)
    // --adapter lwip|eth0: the default adapter (mqtt.create(nil, ...), socket.dft()).
    int default_adapter = platform_air780ep::kAdapterLwipGp;
    // The simulated cellular link (socket.LWIP_GP: lwIP + libslirp). lwIP is process-global, so at
    // most one device per process may have it at a time; devices without it use socket.ETH0 only.
    bool cellular = true;
    // --forward: over LWIP_GP slirp forwards the host port to the module's; over ETH0 the module's
    // server (or bound UDP socket) takes the host port in place of its own (docs/network.md).
    std::vector<PortForward> forwards;
    std::map<int, std::string> uart_links;  // --uart ID=PATH: a fixed symlink to that UART's pty
    // --channels N: the socket channels shared by every adapter's users. The Air780EP has 8; more are
    // only for benchmarks that need many clients in one device.
    std::size_t channels = platform_air780ep::ChannelPool::kAir780epChannels;
    // Debugging (docs/debugging.md). --pcap FILE: the cellular link's frames into a pcap file ("": none).
    std::string pcap_path;
    // --tls-keylog FILE: every TLS session's secrets, NSS key log format ("": none).
    std::string tls_keylog_path;
    // --trust-ca FILE (test only): TLS verification also accepts a chain to this CA ("": none).
    std::string trust_ca_path;
};

}  // namespace lua_bindings
