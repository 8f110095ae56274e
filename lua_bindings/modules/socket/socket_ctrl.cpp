#include "lua_bindings/modules/socket/socket_ctrl.hpp"

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_network.hpp"
#include "platform_air780ep/host_tcp_stream.hpp"
#include "platform_air780ep/lwip_tcp_stream.hpp"
#include "platform_air780ep/tls/tls_stream.hpp"

namespace lua_bindings {

namespace {

constexpr std::uint64_t kTxPollMs = 1;  // how often TX_OK looks whether the peer has every byte

// "name:port (10.0.2.2)" / "name:port (127.0.0.1:port)" -> the address in brackets.
std::string address_in(const std::string& remote) {
    const auto open = remote.find('(');
    if (open == std::string::npos) return {};
    const auto end = remote.find_first_of(":)", open + 1);
    return remote.substr(open + 1, end == std::string::npos ? std::string::npos : end - open - 1);
}

}  // namespace

SocketCtrl::SocketCtrl(DeviceNetwork& network, int adapter, platform_air780ep::Channel channel, Emit emit)
    : network_(network), adapter_(adapter), channel_(std::move(channel)), emit_(std::move(emit)) {
    adapter_listener_ =
        network_.device().adapters().add_listener([this](const platform_air780ep::AdapterInfo& a) {
            if (a.id != adapter_) return;
            input(a.up ? NwInput::kLinkUp : NwInput::kLinkDown);
        });
}

SocketCtrl::~SocketCtrl() {
    network_.device().adapters().remove_listener(adapter_listener_);
    drop_link();
}

bool SocketCtrl::adapter_ready() const {
    return network_.device().adapters().is_ready(adapter_);
}

int SocketCtrl::wait_link_up() {
    if (adapter_ready()) {
        state_ = NwState::kOffLine;
        wait_ = NwWait::kNone;
        return 0;
    }
    state_ = NwState::kLinkOff;
    wait_ = NwWait::kLinkUp;
    return 1;
}

int SocketCtrl::listen(int max_wait_accept) {
    max_wait_accept_ = max_wait_accept;
    if (state_ == NwState::kListen) return 1;  // the adapter accepts several clients
    if (socket_open_) return -1;
    is_server_ = true;
    need_close_ = false;
    wait_ = NwWait::kOnLine;
    if (!adapter_ready()) {
        state_ = NwState::kLinkOff;
        return 1;
    }
    if (start_listen() < 0) {
        state_ = NwState::kOffLine;
        wait_ = NwWait::kNone;
        return -1;
    }
    state_ = NwState::kConnecting;
    return 1;
}

int SocketCtrl::start_listen() {
    if (!config_.is_tcp) {
        network_.device().logger().error("socket", "a UDP listen is not supported by this simulation");
        return -1;
    }
    std::string error;
    listener_ = network_.make_tcp_listener(adapter_, error);
    if (!listener_ || !listener_->listen(config_.local_port, error)) {
        network_.device().logger().error(
            "socket", "listen on port " + std::to_string(config_.local_port) + " failed: " + error);
        listener_.reset();
        return -1;
    }
    listener_->set_on_connection([this] { input(NwInput::kNewConnection); });
    socket_open_ = true;
    std::weak_ptr<int> alive = alive_;
    network_.device().loop().post([this, alive] {
        if (!alive.expired()) input(NwInput::kListening);
    });
    return 0;
}

bool SocketCtrl::accept_here(platform_air780ep::Ipv4& address, std::uint16_t& port) const {
    if (!stream_ || !is_server_) return false;
    address = client_address_;
    port = client_port_;
    return true;
}

bool SocketCtrl::accept_into(SocketCtrl& other, platform_air780ep::Ipv4& address, std::uint16_t& port) {
    if (!listener_) return false;
    std::optional<platform_air780ep::AcceptedConnection> c = listener_->take();
    if (!c && stream_ && is_server_) {
        // single-client mode: the client this link took moves to the new one; this one listens again
        c = platform_air780ep::AcceptedConnection{std::move(stream_), client_address_, client_port_};
        state_ = NwState::kListen;
        wait_ = NwWait::kOnLine;
        new_rx_ = false;
    }
    if (!c) return false;
    address = c->address;
    port = c->port;
    other.adopt(std::move(*c), config_);
    return true;
}

void SocketCtrl::adopt(platform_air780ep::AcceptedConnection c, const CtrlConfig& config) {
    config_ = config;
    config_.tls = false;
    client_address_ = c.address;
    client_port_ = c.port;
    stream_ = std::move(c.stream);
    stream_->set_listener(this);
    socket_open_ = true;
    literal_ = true;
    state_ = NwState::kOnline;
    wait_ = NwWait::kNone;
    if (stream_->readable() > 0) {
        std::weak_ptr<int> alive = alive_;
        network_.device().loop().post([this, alive] {
            if (!alive.expired()) input(NwInput::kRxNew);
        });
    }
}

int SocketCtrl::connect(const std::string& host, std::uint16_t port, bool host_is_literal) {
    if (socket_open_) return -1;
    need_close_ = false;
    host_ = host;
    port_ = port;
    literal_ = host_is_literal;
    dns_ips_.clear();
    wait_ = NwWait::kOnLine;
    if (!adapter_ready()) {
        state_ = NwState::kLinkOff;
        return 1;
    }
    if (prepare_connect() < 0) {
        state_ = NwState::kOffLine;
        wait_ = NwWait::kNone;
        return -1;
    }
    return 1;
}

int SocketCtrl::prepare_connect() {
    std::string error;
    sys_task::EventLoop& loop = network_.device().loop();
    if (config_.is_tcp) {
        std::unique_ptr<luat_mqtt::Transport> stream = network_.make_tcp_stream(adapter_, error);
        if (!stream) {
            log_failure(error);
            return -1;
        }
        if (auto* lwip = dynamic_cast<platform_air780ep::LwipTcpStream*>(stream.get())) {
            remote_of_ = [lwip] { return lwip->remote(); };
        } else if (auto* host = dynamic_cast<platform_air780ep::HostTcpStream*>(stream.get())) {
            remote_of_ = [host] { return host->remote(); };
        }
        if (config_.tls) {
            // The line mqtt and http log for each TLS connect while --trust-ca widens verification.
            if (const std::string w =
                    config_.tls_config ? config_.tls_config->connect_warning() : std::string();
                !w.empty())
                network_.device().logger().warn("net", "socket[" + std::to_string(channel()) + "] " + w);
            stream =
                std::make_unique<platform_air780ep::TlsStream>(loop, config_.tls_config, std::move(stream));
        }
        stream_ = std::move(stream);
        stream_->set_listener(this);
        if (!stream_->open(host_, port_)) {
            stream_.reset();
            remote_of_ = nullptr;
            return -1;
        }
    } else {
        udp_ = network_.make_udp_socket(adapter_, error);
        if (!udp_) {
            log_failure(error);
            return -1;
        }
        udp_->set_listener(this);
        if (!udp_->open(host_, port_, config_.local_port, error)) {
            log_failure(error);
            udp_.reset();
            return -1;
        }
    }
    socket_open_ = true;
    state_ = literal_ ? NwState::kConnecting : NwState::kWaitDns;
    return 0;
}

void SocketCtrl::log_failure(const std::string& what) {
    network_.device().logger().error(
        "socket", "connect to " + host_ + ":" + std::to_string(port_) + " failed: " + what);
}

void SocketCtrl::on_transport_closed(luat_mqtt::TransportError error, std::string_view detail) {
    const bool connecting = state_ == NwState::kWaitDns || state_ == NwState::kConnecting;
    if (connecting) log_failure(detail.empty() ? luat_mqtt::to_string(error) : std::string(detail));
    input(error == luat_mqtt::TransportError::kPeerClosed ? NwInput::kRemoteClose : NwInput::kError);
}

void SocketCtrl::on_datagram_open(bool ok, std::string_view detail) {
    if (!ok) {
        log_failure(std::string(detail));
        input(NwInput::kError);
        return;
    }
    input(NwInput::kConnectOk);
}

void SocketCtrl::drop_link() {
    if (tx_timer_ != 0) network_.device().loop().cancel_timer(tx_timer_);
    tx_timer_ = 0;
    remote_of_ = nullptr;
    stream_.reset();
    udp_.reset();
    listener_.reset();
    is_server_ = false;
    alive_ = std::make_shared<int>(0);
}

void SocketCtrl::force_close() {
    drop_link();
    socket_open_ = false;
    need_close_ = false;
    new_rx_ = false;
    dns_ips_.clear();
    wait_ = NwWait::kNone;
}

int SocketCtrl::close_gracefully() {
    new_rx_ = false;
    need_close_ = false;
    if (!socket_open_) {
        state_ = NwState::kOffLine;
        wait_ = NwWait::kNone;
        return 0;
    }
    const NwState old = state_;
    state_ = NwState::kDisconnecting;
    wait_ = NwWait::kOffLine;
    if (old == NwState::kOnline && config_.is_tcp && stream_) {
        // Our close sends what is queued and the FIN (docs/network.md, "The run-end drain"); the
        // stream has no "closed" callback, so the close is done for LuatOS's state machine now.
        stream_->close();
        std::weak_ptr<int> alive = alive_;
        network_.device().loop().post([this, alive] {
            if (!alive.expired()) input(NwInput::kCloseOk);
        });
        return 1;
    }
    force_close();
    state_ = NwState::kOffLine;
    wait_ = NwWait::kNone;
    return 0;
}

int SocketCtrl::tx(std::span<const std::uint8_t> data, std::optional<platform_air780ep::Ipv4> to,
                   std::uint16_t to_port, std::size_t& sent) {
    sent = 0;
    if (need_close_ || !socket_open_ || state_ != NwState::kOnline) return -1;
    if (config_.is_tcp) {
        sent = stream_->write(data);
        if (sent == 0 && !data.empty()) return 0;
        watch_tx();
    } else {
        // A datagram the simulation may not send (a destination off this host, a broadcast) is lost
        // as the network would lose it: LuatOS's lwIP adapter only logs a failed udp_sendto_if and
        // still reports TX_OK, and the socket stays usable (udpsrv's heartbeat to 255.255.255.255).
        std::string error;
        if (!udp_->send(data, to, to_port, error))
            network_.device().logger().warn("socket", "datagram dropped: " + error);
        sent = data.size();
        std::weak_ptr<int> alive = alive_;
        network_.device().loop().post([this, alive] {
            if (!alive.expired()) input(NwInput::kTxOk);
        });
    }
    wait_ = NwWait::kTxOk;
    return 1;
}

void SocketCtrl::watch_tx() {
    if (tx_timer_ != 0) return;
    // A timer that is due is a queued message that cancel_timer no longer reaches (event_loop.hpp):
    // if the socket is released before it runs, `alive` has expired and it does nothing.
    std::weak_ptr<int> alive = alive_;
    tx_timer_ = network_.device().loop().add_timer(0, [this, alive] {
        if (alive.expired()) return;
        tx_timer_ = 0;
        if (!stream_) return;
        if (stream_->unsent() == 0) {
            input(NwInput::kTxOk);
            return;
        }
        tx_timer_ = network_.device().loop().add_timer(kTxPollMs, [this, alive] {
            if (alive.expired()) return;
            tx_timer_ = 0;
            watch_tx();
        });
    });
}

std::optional<std::size_t> SocketCtrl::rx_pending() const {
    if ((need_close_ && !new_rx_) || !socket_open_ || state_ != NwState::kOnline) return std::nullopt;
    if (config_.is_tcp) return stream_ ? stream_->readable() : 0;
    return udp_ ? udp_->next_size() : 0;
}

std::optional<std::size_t> SocketCtrl::rx(std::span<std::uint8_t> out, platform_air780ep::Ipv4& from,
                                          std::uint16_t& port) {
    if (!rx_pending()) return std::nullopt;
    new_rx_ = false;
    if (config_.is_tcp) return stream_ ? stream_->read(out) : 0;
    std::optional<platform_air780ep::Datagram> d = udp_ ? udp_->receive() : std::nullopt;
    if (!d) return 0;
    const std::size_t n = std::min(out.size(), d->data.size());  // the rest of the datagram is dropped
    std::copy_n(d->data.begin(), n, out.begin());
    from = d->from;
    port = d->port;
    return n;
}

int SocketCtrl::wait_event() {
    if (new_rx_) {
        wait_ = NwWait::kEvent;
        return 0;
    }
    if (need_close_ || !socket_open_ || state_ != NwState::kOnline) return -1;
    wait_ = NwWait::kEvent;
    return 1;
}

// network_default_statemachine: one input, the state's answer (<0 failed, 0 done, >0 nothing to
// report), then the result event for what the script waits for (EVENT when it waits for nothing).
void SocketCtrl::input(NwInput in) {
    const bool close_flag = state_ == NwState::kDisconnecting && wait_ == NwWait::kOffLine;
    const int result = step(in);
    if (result > 0) {
        if (new_rx_) emit_(NwWait::kEvent, 0);
        return;
    }
    NwWait target = wait_ != NwWait::kNone ? wait_ : NwWait::kEvent;
    if (close_flag && wait_ == NwWait::kNone) target = NwWait::kOffLine;
    if (state_ != NwState::kListen || result < 0) wait_ = NwWait::kNone;
    emit_(target, result < 0 ? -1 : 0);
}

int SocketCtrl::step(NwInput in) {
    const bool failure = in == NwInput::kError || in == NwInput::kRemoteClose || in == NwInput::kCloseOk;
    switch (state_) {
        case NwState::kLinkOff:
            if (in != NwInput::kLinkUp) return 1;
            state_ = NwState::kOffLine;
            if (wait_ == NwWait::kLinkUp) return 0;
            if (wait_ == NwWait::kOnLine) {
                if (is_server_) {
                    if (start_listen() < 0) return -1;
                    state_ = NwState::kConnecting;
                    return 1;
                }
                return prepare_connect() < 0 ? -1 : 1;
            }
            return 1;
        case NwState::kOffLine:
            return 1;
        case NwState::kWaitDns:
        case NwState::kConnecting:
        case NwState::kShakehand:
            if (need_close_ || wait_ != NwWait::kOnLine) return -1;
            if (failure || in == NwInput::kLinkDown) return -1;
            if (in == NwInput::kListening && is_server_) {
                state_ = NwState::kListen;
                return 1;
            }
            if (in == NwInput::kConnectOk) {
                state_ = NwState::kOnline;
                if (!literal_ && remote_of_) {
                    const std::string ip = address_in(remote_of_());
                    if (!ip.empty()) dns_ips_ = {ip};
                } else if (!literal_ && udp_ && udp_->peer()) {
                    dns_ips_ = {platform_air780ep::ipv4_to_string(*udp_->peer())};
                }
                return 0;
            }
            return 1;
        case NwState::kOnline:
            if (need_close_ || wait_ == NwWait::kOffLine) return -1;
            if (failure || in == NwInput::kLinkDown) {
                need_close_ = true;
                return -1;
            }
            if (in == NwInput::kTxOk) return wait_ == NwWait::kTxOk ? 0 : 1;
            if (in == NwInput::kRxNew) {
                new_rx_ = true;
                return wait_ != NwWait::kTxOk ? 0 : 1;
            }
            return 1;
        case NwState::kListen:
            if (need_close_ || wait_ == NwWait::kOffLine) return -1;
            if (failure || in == NwInput::kLinkDown) {
                need_close_ = true;
                return -1;
            }
            if (in == NwInput::kNewConnection) {
                if (max_wait_accept_ > 0) return 0;  // several clients: stay listening
                std::optional<platform_air780ep::AcceptedConnection> c = listener_->take();
                if (!c) return 1;
                client_address_ = c->address;
                client_port_ = c->port;
                stream_ = std::move(c->stream);
                stream_->set_listener(this);
                state_ = NwState::kOnline;
                if (stream_->readable() > 0) {  // the client spoke before it was taken
                    std::weak_ptr<int> alive = alive_;
                    network_.device().loop().post([this, alive] {
                        if (!alive.expired()) input(NwInput::kRxNew);
                    });
                }
                return 0;
            }
            return 1;
        case NwState::kDisconnecting:
            if (wait_ != NwWait::kOffLine) return -1;
            if (failure || in == NwInput::kLinkUp) {
                force_close();  // the wait is cleared: input() reports CLOSED
                state_ = NwState::kOffLine;
                return 0;
            }
            if (in == NwInput::kLinkDown) return -1;
            return 1;
    }
    return 1;
}

}  // namespace lua_bindings
