// One `socket.create` link (the NWCTRL* userdata's object): LuatOS's network_ctrl_t and its
// default state machine (luat_network_adapter.c), driven by the adapter's TCP stream (TLS inside when
// configured) or UDP socket, and the adapter's up/down changes. It turns what happens into LuatOS's
// result events (socket.LINK, ON_LINE, TX_OK, CLOSED, EVENT with 0 or -1), which SocketLinks delivers
// to the script. docs/modules/socket.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "luat_mqtt/transport.hpp"
#include "platform_air780ep/channel_pool.hpp"
#include "platform_air780ep/datagram_socket.hpp"
#include "platform_air780ep/tcp_listener.hpp"
#include "platform_air780ep/tls/tls_config.hpp"
#include "sys_task/event_loop.hpp"

namespace lua_bindings {

class DeviceNetwork;

// network_ctrl_t's states and wait targets, as their numbers are shown to scripts (socket.state) and
// make the event ids (EV_NW_RESULT_BASE + target).
enum class NwState {
    kLinkOff = 0,
    kOffLine,
    kWaitDns,
    kConnecting,
    kShakehand,
    kOnline,
    kListen,
    kDisconnecting
};
enum class NwWait { kNone = 0, kLinkUp, kOnLine, kTxOk, kOffLine, kEvent };

// What the link under a ctrl reports (LuatOS's EV_NW_* socket events).
enum class NwInput {
    kLinkUp,
    kLinkDown,
    kConnectOk,
    kTxOk,
    kRxNew,
    kError,
    kRemoteClose,
    kCloseOk,
    kListening,
    kNewConnection
};

struct CtrlConfig {
    bool is_tcp = false;  // LuatOS's network_init_ctrl clears it: a ctrl never configured is UDP
    bool tls = false;
    std::shared_ptr<const platform_air780ep::TlsConfig> tls_config;
    std::uint16_t local_port = 0;
    std::uint32_t keep_idle = 0, keep_interval = 0, keep_cnt = 0;
};

class SocketCtrl final : private luat_mqtt::TransportListener, private platform_air780ep::DatagramListener {
  public:
    // (wait target of the event, result 0 / -1): to the script, in order, as native messages.
    using Emit = std::function<void(NwWait target, int result)>;

    SocketCtrl(DeviceNetwork& network, int adapter, platform_air780ep::Channel channel, Emit emit);
    ~SocketCtrl();
    SocketCtrl(const SocketCtrl&) = delete;
    SocketCtrl& operator=(const SocketCtrl&) = delete;

    [[nodiscard]] int adapter() const { return adapter_; }
    [[nodiscard]] std::size_t channel() const { return channel_.index(); }
    [[nodiscard]] NwState state() const { return state_; }
    [[nodiscard]] const CtrlConfig& config() const { return config_; }
    void set_config(CtrlConfig config) { config_ = std::move(config); }
    void set_debug(bool on) { debug_ = on; }
    [[nodiscard]] bool has_socket() const { return socket_open_; }
    // The addresses a name resolved to (socket.remoteIP); empty for a literal or before DNS.
    [[nodiscard]] const std::vector<std::string>& dns_ips() const { return dns_ips_; }

    // The LuatOS calls: each returns network_*'s result (<0 failure, 0 done now, 1 under way).
    int wait_link_up();
    int connect(const std::string& host, std::uint16_t port, bool host_is_literal);
    int close_gracefully();  // network_close
    void force_close();      // network_force_close_socket
    // network_tx: `sent` is what was accepted.
    int tx(std::span<const std::uint8_t> data, std::optional<platform_air780ep::Ipv4> to,
           std::uint16_t to_port, std::size_t& sent);
    // network_rx without a buffer: the bytes ready (TCP) or the next datagram's size (UDP); nullopt
    // when LuatOS refuses to read.
    std::optional<std::size_t> rx_pending() const;
    // Up to out.size() bytes (one datagram for UDP, cut to out.size()); from/port for UDP.
    std::optional<std::size_t> rx(std::span<std::uint8_t> out, platform_air780ep::Ipv4& from,
                                  std::uint16_t& port);
    int wait_event();
    // network_listen: TCP only; `max_wait_accept` > 0 keeps listening after each client (accept with
    // a callback makes a new link of each).
    int listen(int max_wait_accept);
    [[nodiscard]] int max_wait_accept() const { return max_wait_accept_; }
    // network_socket_accept(ctrl, NULL): the client of this (single-client) link; false if none.
    bool accept_here(platform_air780ep::Ipv4& address, std::uint16_t& port) const;
    // network_socket_accept(ctrl, other): the waiting client goes to `other` (a new link, online).
    bool accept_into(SocketCtrl& other, platform_air780ep::Ipv4& address, std::uint16_t& port);

  private:
    void on_transport_connected() override { input(NwInput::kConnectOk); }
    void on_transport_readable() override { input(NwInput::kRxNew); }
    void on_transport_writable() override {}
    void on_transport_closed(luat_mqtt::TransportError error, std::string_view detail) override;
    void on_datagram_open(bool ok, std::string_view detail) override;
    void on_datagram_readable() override { input(NwInput::kRxNew); }

    void on_adapter(bool up);
    int start_listen();
    void adopt(platform_air780ep::AcceptedConnection c, const CtrlConfig& config);
    bool adapter_ready() const;
    int prepare_connect();
    void drop_link();
    void watch_tx();
    void input(NwInput in);
    int step(NwInput in);
    void log_failure(const std::string& what);

    DeviceNetwork& network_;
    int adapter_;
    platform_air780ep::Channel channel_;
    Emit emit_;
    CtrlConfig config_;
    bool debug_ = false;

    NwState state_ = NwState::kLinkOff;
    NwWait wait_ = NwWait::kNone;
    bool need_close_ = false;
    bool new_rx_ = false;
    bool socket_open_ = false;
    bool adapter_up_ = false;
    std::string host_;
    std::uint16_t port_ = 0;
    bool literal_ = false;
    std::vector<std::string> dns_ips_;
    std::function<std::string()> remote_of_;  // the TCP stream's "host:port (address...)"
    std::unique_ptr<luat_mqtt::Transport> stream_;
    std::unique_ptr<platform_air780ep::DatagramSocket> udp_;
    std::unique_ptr<platform_air780ep::TcpListener> listener_;
    bool is_server_ = false;
    int max_wait_accept_ = 0;
    platform_air780ep::Ipv4 client_address_ = 0;
    std::uint16_t client_port_ = 0;
    sys_task::EventLoop::TimerId tx_timer_ = 0;
    std::uint64_t adapter_listener_ = 0;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace lua_bindings
