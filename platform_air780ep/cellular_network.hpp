// The simulated module's cellular data path as one object (adapter socket.LWIP_GP): the link
// (filter, link model, DNS from the host map, libslirp) with lwIP on top, in the order their
// lifetimes need (the stack is destroyed before the link it sends into). Construct it after the
// event loop, logger and host map it uses, destroy it before them; at most one per process
// (lwIP is process-global).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "platform_air780ep/host_map.hpp"
#include "platform_air780ep/lwip_stack.hpp"
#include "platform_air780ep/lwip_tcp_stream.hpp"
#include "platform_air780ep/lwip_udp_socket.hpp"
#include "platform_air780ep/slirp_link.hpp"

namespace platform_air780ep {

class CellularNetwork {
  public:
    // nullptr, with the reason in `error`, if the link (libslirp) or the stack (another one alive in
    // this process) cannot be set up.
    static std::unique_ptr<CellularNetwork> create(sys_task::EventLoop& loop, sys_task::Logger& log,
                                                   const HostMap& hosts, const SlirpLinkConfig& config,
                                                   std::string& error);
    ~CellularNetwork();
    CellularNetwork(const CellularNetwork&) = delete;
    CellularNetwork& operator=(const CellularNetwork&) = delete;

    [[nodiscard]] SlirpLink& link() { return *link_; }
    [[nodiscard]] LwipStack& stack() { return *stack_; }
    // The module's address on the cellular network ("10.0.2.15"), for IP_READY.
    [[nodiscard]] std::string address() const { return stack_->address(); }
    // Whether bytes and FINs given to lwIP's connections are still on their way to the host's sockets:
    // not yet sent by lwIP, or sent and not yet known to slirp (for a connection closed here, slirp
    // having the FIN is enough: its ACK coming back matters to nobody once the run is over), or
    // still in slirp, not yet written to the host socket. False while the link is down: nothing
    // can leave then; connections lwIP is already retransmitting (no answer for a whole RTO) are not
    // counted either. The run-end drain waits on it.
    [[nodiscard]] bool output_in_flight();
    // How long the run-end drain may wait: 500 ms, plus the link's round trip (delay and jitter of
    // both directions), so that a slow link gets the same chance as a fast one.
    [[nodiscard]] std::uint64_t drain_budget_ms() const;

    // Frees what slirp still holds for connections the module closed (docs/network.md, "Connections
    // the module gave up"): slirp keeps two 128 KiB socket buffers per connection until the host side
    // closes too, which a silent server never does. For each connection lwIP closed whose FIN slirp
    // has (FIN_WAIT_2 / TIME_WAIT here, CLOSE_WAIT there) and whose bytes all reached the host socket,
    // slirp is handed the reset lwIP would send to whatever the server sent next. Returns how many.
    std::size_t release_closed();

    // A TCP stream of this adapter (for mqtt.create(socket.LWIP_GP, ...) and friends).
    [[nodiscard]] std::unique_ptr<LwipTcpStream> make_tcp_stream() {
        return std::make_unique<LwipTcpStream>(*stack_, hosts_);
    }

    // A UDP socket of this adapter (socket.create + socket.config(ctrl, port, true)); it must go before
    // this network does.
    [[nodiscard]] std::unique_ptr<LwipUdpSocket> make_udp_socket() {
        return std::make_unique<LwipUdpSocket>(*stack_, hosts_);
    }

  private:
    CellularNetwork(sys_task::EventLoop& loop, const HostMap& hosts, std::unique_ptr<SlirpLink> link,
                    std::unique_ptr<LwipStack> stack);

    sys_task::EventLoop& loop_;

    const HostMap& hosts_;
    std::unique_ptr<SlirpLink> link_;
    std::unique_ptr<LwipStack> stack_;  // after link_: destroyed first
    sys_task::EventLoop::HookId release_hook_ = 0;
    std::uint64_t next_release_ms_ = 0;
};

}  // namespace platform_air780ep
