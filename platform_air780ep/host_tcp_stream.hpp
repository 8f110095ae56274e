// A TCP connection over the host's own sockets: the socket.ETH0 adapter, as the LuatOS PC
// simulator provides it. luat_mqtt::Transport on a non-blocking socket watched by the event loop.
//
// open(host, port) applies the host map (address and port rewrite). A numeric address is used as
// is; a name is resolved by the host resolver on a helper thread (HostResolver), so the loop never
// blocks on DNS, however slow the host's resolver is. Received bytes are buffered up to 64 KiB and
// the socket is not read further until the owner reads (the kernel's window then holds the peer
// back). The first write of a loop iteration is sent at once (a lone publish, an ack: latency);
// later ones are buffered (64 KiB) and sent with one send() per burst when the loop is about to
// block, or as soon as the buffer is full (a storm: throughput). Listener callbacks are deferred to
// the loop.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "luat_mqtt/byte_queue.hpp"
#include "luat_mqtt/transport.hpp"
#include "platform_air780ep/host_map.hpp"
#include "platform_air780ep/host_resolver.hpp"
#include "sys_task/event_loop.hpp"
#include "sys_task/listener_notices.hpp"

namespace platform_air780ep {

class HostTcpStream final : public luat_mqtt::Transport {
  public:
    static constexpr std::size_t kRxCapacity = 64 * 1024;
    static constexpr std::size_t kTxCapacity = 64 * 1024;

    HostTcpStream(sys_task::EventLoop& loop, const HostMap& hosts);
    ~HostTcpStream() override;
    HostTcpStream(const HostTcpStream&) = delete;
    HostTcpStream& operator=(const HostTcpStream&) = delete;

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

    // A connection a listener accepted (HostTcpListener): the stream takes the socket, connected.
    void adopt(int fd, std::string remote);

    // "lbsmqtt.airm2m.com:1884 (127.0.0.1:41234)" once known (for the log).
    [[nodiscard]] const std::string& remote() const { return remote_; }

  private:
    enum class State { kIdle, kResolving, kConnecting, kConnected, kEnded };

    void start_connect(Ipv4 address);
    void on_socket(short revents);
    void finish_connect();
    void receive();
    void flush();
    void update_watch();
    void end(luat_mqtt::TransportError error, std::string detail);
    void release_socket();

    sys_task::EventLoop& loop_;
    const HostMap& hosts_;
    HostResolver resolver_;
    sys_task::EventLoop::HookId flush_hook_ = 0;

    State state_ = State::kIdle;
    int fd_ = -1;
    sys_task::EventLoop::WatchId watch_ = 0;
    short watched_events_ = 0;
    std::string host_;
    std::uint16_t port_ = 0;
    std::string remote_;
    luat_mqtt::ByteQueue rx_;
    luat_mqtt::ByteQueue tx_;
    bool send_blocked_ = false;         // the kernel buffer is full: wait for POLLOUT
    bool sent_this_iteration_ = false;  // a write went out at once since the loop last blocked
    bool peer_finished_ = false;
    bool want_writable_ = false;

    sys_task::ListenerNotices notices_;  // last: destroyed first, before the state it reads
};

}  // namespace platform_air780ep
