// A UDP socket over the host's own sockets (adapter socket.ETH0), next to HostTcpStream: a
// non-blocking datagram socket bound to 127.0.0.1 and watched by the event loop. Destinations follow
// the gateway rule of the simulated link (docs/network.md "UDP"): this host, or what the host map
// names (its address and port rewrite applied; a mapped name is resolved on a helper thread by
// HostResolver). Anything else is refused, so no datagram from a script reaches a real network. A
// local port that a --forward moves (HostPortMap) is bound at its host port instead.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "platform_air780ep/datagram_socket.hpp"
#include "platform_air780ep/host_map.hpp"
#include "platform_air780ep/host_port_map.hpp"
#include "platform_air780ep/host_resolver.hpp"
#include "sys_task/event_loop.hpp"

namespace platform_air780ep {

class HostUdpSocket final : public DatagramSocket {
  public:
    // `ports` (may be null; it must outlive the socket): the --forward moves of ETH0's ports.
    HostUdpSocket(sys_task::EventLoop& loop, const HostMap& hosts, const HostPortMap* ports = nullptr);
    ~HostUdpSocket() override;
    HostUdpSocket(const HostUdpSocket&) = delete;
    HostUdpSocket& operator=(const HostUdpSocket&) = delete;

    void set_listener(DatagramListener* listener) override { listener_ = listener; }
    bool open(std::string_view host, std::uint16_t port, std::uint16_t local_port,
              std::string& error) override;
    bool send(std::span<const std::uint8_t> data, std::optional<Ipv4> to, std::uint16_t to_port,
              std::string& error) override;
    [[nodiscard]] bool open_done() const override { return peer_.has_value(); }
    [[nodiscard]] std::optional<Ipv4> peer() const override { return peer_; }
    void close() override;

    [[nodiscard]] std::uint16_t local_port() const;

  private:
    void finish_open(bool ok, std::string detail);
    void receive();

    sys_task::EventLoop& loop_;
    const HostMap& hosts_;
    const HostPortMap* ports_;
    HostResolver resolver_;
    DatagramListener* listener_ = nullptr;
    int fd_ = -1;
    sys_task::EventLoop::WatchId watch_ = 0;
    std::string host_;
    std::uint16_t port_ = 0;
    std::optional<Ipv4> peer_;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // posted callbacks check it
};

}  // namespace platform_air780ep
