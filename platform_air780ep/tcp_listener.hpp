// A TCP server socket of one adapter, for socket.listen (docs/modules/socket.md): LwipTcpListener
// listens on the module's lwIP (reached from the host through --forward HOSTPORT=DEVICEPORT, slirp's
// host forwarding); HostTcpListener listens on the host's 127.0.0.1 at the port the script gave, or
// at the host port a --forward names for it (ETH0). As LuatOS's lwIP adapter holds one accepted connection
// until the script takes it, a listener keeps one pending connection and refuses (closes) others that come
// meanwhile. The owner is told of a pending connection from the event loop (never from inside a call it
// made).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "luat_mqtt/transport.hpp"
#include "platform_air780ep/frame_codec.hpp"
#include "platform_air780ep/host_port_map.hpp"
#include "sys_task/event_loop.hpp"

struct tcp_pcb;

namespace platform_air780ep {

class LwipStack;

struct AcceptedConnection {
    std::unique_ptr<luat_mqtt::Transport> stream;  // connected
    Ipv4 address = 0;                              // the client, as this adapter sees it
    std::uint16_t port = 0;
};

class TcpListener {
  public:
    virtual ~TcpListener() = default;
    // Listen on `port`. False, with the reason, when the port cannot be had.
    virtual bool listen(std::uint16_t port, std::string& error) = 0;
    // The pending connection, if any (the listener takes the next one after this).
    virtual std::optional<AcceptedConnection> take() = 0;
    void set_on_connection(std::function<void()> fn) { on_connection_ = std::move(fn); }

  protected:
    std::function<void()> on_connection_;
};

class LwipTcpListener final : public TcpListener {
  public:
    explicit LwipTcpListener(LwipStack& stack) : stack_(stack) {}
    ~LwipTcpListener() override;
    bool listen(std::uint16_t port, std::string& error) override;
    std::optional<AcceptedConnection> take() override;

    // ---- for lwIP's accept callback ----
    signed char on_accept(struct tcp_pcb* pcb);

  private:
    LwipStack& stack_;
    struct tcp_pcb* listen_pcb_ = nullptr;
    std::optional<AcceptedConnection> pending_;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

class HostTcpListener final : public TcpListener {
  public:
    // `ports` (may be null; it must outlive the listener): the --forward moves of ETH0's ports.
    explicit HostTcpListener(sys_task::EventLoop& loop, const HostPortMap* ports = nullptr)
        : loop_(loop), ports_(ports) {}
    ~HostTcpListener() override;
    bool listen(std::uint16_t port, std::string& error) override;
    std::optional<AcceptedConnection> take() override;

  private:
    void on_readable();

    sys_task::EventLoop& loop_;
    const HostPortMap* ports_;
    int fd_ = -1;
    sys_task::EventLoop::WatchId watch_ = 0;
    std::optional<AcceptedConnection> pending_;
};

}  // namespace platform_air780ep
