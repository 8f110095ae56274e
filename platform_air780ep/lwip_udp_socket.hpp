// A UDP socket of the simulated module (adapter socket.LWIP_GP) on lwIP's raw udp API, next to
// LwipTcpStream: the same gateway rule (an IPv4 literal that is this host, or a name the link's DNS
// answers from the host map, means the gateway, which slirp takes to the host's 127.0.0.1; any other
// address is unreachable over the simulated link) and the same host-map port rewrite. Its datagrams
// cross the link model, so loss, delay, rate and outages apply to them (docs/network.md).
//
// The socket must be destroyed before the LwipStack it was made on.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "platform_air780ep/datagram_socket.hpp"
#include "platform_air780ep/host_map.hpp"

struct udp_pcb;

namespace platform_air780ep {

class LwipStack;

class LwipUdpSocket final : public DatagramSocket {
  public:
    LwipUdpSocket(LwipStack& stack, const HostMap& hosts);
    ~LwipUdpSocket() override;
    LwipUdpSocket(const LwipUdpSocket&) = delete;
    LwipUdpSocket& operator=(const LwipUdpSocket&) = delete;

    void set_listener(DatagramListener* listener) override { listener_ = listener; }
    bool open(std::string_view host, std::uint16_t port, std::uint16_t local_port,
              std::string& error) override;
    bool send(std::span<const std::uint8_t> data, std::optional<Ipv4> to, std::uint16_t to_port,
              std::string& error) override;
    [[nodiscard]] bool open_done() const override { return peer_.has_value(); }
    [[nodiscard]] std::optional<Ipv4> peer() const override { return peer_; }
    void close() override;

    [[nodiscard]] std::uint16_t local_port() const;

    // ---- for lwIP's receive callback ----
    void deliver(Datagram d);

  private:
    // The address a literal (after the map) reaches over the link, or nullopt with the reason.
    std::optional<Ipv4> reach(const std::string& literal, std::uint16_t port, std::string& error) const;
    void finish_open(bool ok, std::string detail);
    void notify_readable();

    LwipStack& stack_;
    const HostMap& hosts_;
    DatagramListener* listener_ = nullptr;
    struct udp_pcb* pcb_ = nullptr;
    std::string host_;
    std::uint16_t port_ = 0;
    std::optional<Ipv4> peer_;
    std::uint64_t dns_token_ = 0;
    bool readable_posted_ = false;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // posted callbacks check it
};

}  // namespace platform_air780ep
