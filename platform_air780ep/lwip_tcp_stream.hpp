// A TCP connection of the simulated module (adapter socket.LWIP_GP): luat_mqtt::Transport over
// lwIP's raw API on the LwipStack.
//
// open(host, port) applies the host map's port rewrite, resolves names with lwIP's DNS client
// (answered over the simulated link from the host map; 127.0.0.1 / localhost mean the host, i.e.
// the gateway), then connects. Received bytes are copied out of lwIP at once into this stream's
// buffer, and the TCP window is reopened (tcp_recved) only as the owner reads, so unread data
// holds the peer back. Writes are copied into lwIP's send buffer and sent when the event loop is
// about to block (one tcp_output per burst). Listener callbacks are deferred to the event loop,
// never made from inside an lwIP callback or a call of the owner.
//
// Errors: an unknown name -> kDnsFailed; an address other than this host's (unreachable over the
// simulated link) or a refused connect (slirp answers one with a reset) -> kConnectFailed; reset after
// connecting -> kReset; lwIP giving up retransmitting -> kTimeout; FIN -> kPeerClosed once every byte before
// it has been read.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "luat_mqtt/byte_queue.hpp"
#include "luat_mqtt/transport.hpp"
#include "platform_air780ep/frame_codec.hpp"
#include "platform_air780ep/host_map.hpp"
#include "sys_task/listener_notices.hpp"

struct tcp_pcb;
struct pbuf;

namespace platform_air780ep {

class LwipStack;

class LwipTcpStream final : public luat_mqtt::Transport {
  public:
    LwipTcpStream(LwipStack& stack, const HostMap& hosts);
    ~LwipTcpStream() override;
    LwipTcpStream(const LwipTcpStream&) = delete;
    LwipTcpStream& operator=(const LwipTcpStream&) = delete;

    void set_listener(luat_mqtt::TransportListener* listener) override { notices_.set_listener(listener); }
    bool open(std::string_view host, std::uint16_t port) override;
    std::size_t write(std::span<const std::uint8_t> data) override;
    [[nodiscard]] std::size_t writable() const override;
    [[nodiscard]] std::size_t unsent() const override;
    std::size_t read(std::span<std::uint8_t> out) override;
    [[nodiscard]] std::size_t readable() const override { return rx_.size(); }
    void close() override;
    // Resolving, connecting or connected (not after it ended: then close() or open() again).
    [[nodiscard]] bool is_open() const override {
        return state_ == State::kResolving || state_ == State::kConnecting || state_ == State::kConnected;
    }

    // "10.0.2.2:1883" once known (for the log).
    [[nodiscard]] const std::string& remote() const { return remote_; }

    // A connection a listener accepted (LwipTcpListener): the stream takes the pcb, connected, and
    // announces nothing (the owner knows). `remote` is "a.b.c.d:port" for the log.
    void adopt(struct tcp_pcb* pcb, std::string remote);

    // ---- for LwipStack ----
    void flush_output();
    void on_stack_gone();
    void on_dns_answer(std::uint64_t token, std::optional<Ipv4> address);

  private:
    enum class State { kIdle, kResolving, kConnecting, kConnected, kEnded };

    static signed char lwip_connected(void* arg, struct tcp_pcb* pcb, signed char err);
    static signed char lwip_recv(void* arg, struct tcp_pcb* pcb, struct pbuf* p, signed char err);
    static signed char lwip_sent(void* arg, struct tcp_pcb* pcb, std::uint16_t len);
    static void lwip_error(void* arg, signed char err);

    void start_connect(Ipv4 address);
    // The stream ends with `error`: the pcb is let go (aborted unless `graceful`), the owner is told later.
    void end(luat_mqtt::TransportError error, std::string detail, bool graceful = false);
    void release_pcb(bool graceful);

    LwipStack* stack_;
    const HostMap& hosts_;

    State state_ = State::kIdle;
    struct tcp_pcb* pcb_ = nullptr;
    std::uint64_t token_ = 0;
    std::string host_;
    std::uint16_t port_ = 0;
    std::string remote_;
    luat_mqtt::ByteQueue rx_;
    bool peer_finished_ = false;
    bool want_writable_ = false;
    bool aborted_pcb_ = false;  // release_pcb had to tcp_abort (a callback must then return ERR_ABRT)

    sys_task::ListenerNotices notices_;  // last: destroyed first, before the state it reads
};

}  // namespace platform_air780ep
