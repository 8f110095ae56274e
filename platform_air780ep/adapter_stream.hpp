// The transport of one `mqtt.create` client: the adapter's TCP stream (TLS inside when asked), bound
// to its network adapter, and what the device log says about it.
//
// It forwards everything to the inner stream, with two things added:
//  * open() while the adapter is down waits for it to come up (IP_READY), as LuatOS's socket layer
//    waits for link-up; the client's connect timeout bounds the wait;
//  * C-side log lines a user can act on, without flooding: each attempt (`D/net socket[N] connect to
//    host:port TCP`), a failed connect (`E/mqtt connect to host:port failed: <why>`, a repeated
//    identical reason only once until a connect succeeds), a connection lost (`W/mqtt connection to
//    host:port lost: <why>`); with c:debug(true), also every connect, read and write.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "luat_mqtt/transport.hpp"
#include "platform_air780ep/adapter_table.hpp"
#include "sys_task/logger.hpp"

namespace platform_air780ep {

class AdapterStream final : public luat_mqtt::Transport, private luat_mqtt::TransportListener {
  public:
    // `channel` is the socket channel index (for the log), `kind` "TCP" or "TLS".
    AdapterStream(sys_task::Logger& log, AdapterTable& adapters, int adapter,
                  std::unique_ptr<luat_mqtt::Transport> inner, std::size_t channel, std::string kind);
    ~AdapterStream() override;
    AdapterStream(const AdapterStream&) = delete;
    AdapterStream& operator=(const AdapterStream&) = delete;

    void set_listener(luat_mqtt::TransportListener* listener) override { listener_ = listener; }
    bool open(std::string_view host, std::uint16_t port) override;
    std::size_t write(std::span<const std::uint8_t> data) override;
    [[nodiscard]] std::size_t writable() const override { return inner_->writable(); }
    [[nodiscard]] std::size_t unsent() const override { return inner_->unsent(); }
    std::size_t read(std::span<std::uint8_t> out) override;
    [[nodiscard]] std::size_t readable() const override { return inner_->readable(); }
    void close() override;
    [[nodiscard]] bool is_open() const override { return waiting_ || inner_->is_open(); }

    // A warning logged after each attempt's connect line (`W/net socket[N] <text>`): the device's
    // test-only TLS trust (--trust-ca) says so on every connect. Empty: none.
    void set_connect_warning(std::string text) { connect_warning_ = std::move(text); }
    // c:debug(): log every transport happening (D/net).
    void set_debug(bool on) { debug_ = on; }
    // The tag of the failure lines (`E/<tag> connect to ... failed`): the module's, "mqtt" by default.
    void set_log_tag(std::string tag) { tag_ = std::move(tag); }
    // A close by the peer is how the stream normally ends (an FTP data connection): no "lost" line.
    void set_peer_close_expected(bool expected) { peer_close_expected_ = expected; }
    [[nodiscard]] bool waiting_for_adapter() const { return waiting_; }

  private:
    void on_transport_connected() override;
    void on_transport_readable() override;
    void on_transport_writable() override;
    void on_transport_closed(luat_mqtt::TransportError error, std::string_view detail) override;

    bool start();
    void stop_waiting();
    [[nodiscard]] std::string endpoint() const;
    void debug_line(const std::string& text);

    sys_task::Logger& log_;
    AdapterTable& adapters_;
    int adapter_;
    std::unique_ptr<luat_mqtt::Transport> inner_;
    std::size_t channel_;
    std::string kind_;
    luat_mqtt::TransportListener* listener_ = nullptr;
    std::string host_;
    std::uint16_t port_ = 0;
    bool waiting_ = false;
    AdapterTable::ListenerId adapter_listener_ = 0;
    bool connected_ = false;
    bool debug_ = false;
    bool peer_close_expected_ = false;
    std::string tag_ = "mqtt";
    std::string connect_warning_;
    std::string last_failure_;  // the last connect failure logged, until a connect succeeds
};

}  // namespace platform_air780ep
