// Helpers for the platform network tests: the private mosquitto, an in-loop TCP echo/sink server,
// a transport listener that records what happens, and running the loop until a condition holds.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "luat_mqtt/transport.hpp"
#include "sys_task/event_loop.hpp"
#include "tests/support/mosquitto.hpp"
#include "tests/support/process.hpp"

namespace platform_air780ep {}

namespace tests {

// The helpers of these tests speak the platform's own names.
using namespace platform_air780ep;

// A private mosquitto on a free loopback port: the project's shared fixture (tests/support).
using Broker = tests::Mosquitto;

// A TCP server on 127.0.0.1 driven by the test's event loop. Echoes what it receives (unless
// `echo` is false: then it only counts), and can close a connection on demand.
class LoopServer {
  public:
    explicit LoopServer(sys_task::EventLoop& loop, bool echo = true);
    ~LoopServer();
    LoopServer(const LoopServer&) = delete;
    LoopServer& operator=(const LoopServer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::size_t connections() const { return accepted_; }
    // Accepted connections the peer has not closed yet.
    [[nodiscard]] std::size_t open_connections() const { return conns_.size(); }
    // Connections the peer ended with a reset rather than a FIN.
    [[nodiscard]] std::size_t resets() const { return resets_; }
    [[nodiscard]] std::size_t bytes_received() const { return received_; }
    [[nodiscard]] const std::vector<std::uint8_t>& data() const { return data_; }
    // Microseconds on steady_clock of the first and the latest received byte.
    [[nodiscard]] std::uint64_t first_byte_us() const { return first_us_; }
    [[nodiscard]] std::uint64_t last_byte_us() const { return last_us_; }
    // Close every accepted connection (the peer sees FIN).
    void close_connections();
    // Abort every accepted connection (SO_LINGER 0: the peer sees RST).
    void reset_connections();
    // Send bytes to every accepted connection.
    void send_all(const std::vector<std::uint8_t>& bytes);

  private:
    struct Conn;
    void on_accept();
    void on_conn(Conn& c, short revents);

    sys_task::EventLoop& loop_;
    bool echo_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    sys_task::EventLoop::WatchId watch_ = 0;
    std::vector<std::unique_ptr<Conn>> conns_;
    std::size_t accepted_ = 0;
    std::size_t received_ = 0;
    std::size_t resets_ = 0;
    std::vector<std::uint8_t> data_;
    std::uint64_t first_us_ = 0;
    std::uint64_t last_us_ = 0;
};

// Records transport events ("connected", "closed:<error>") and reads everything readable.
class RecordingListener final : public luat_mqtt::TransportListener {
  public:
    explicit RecordingListener(luat_mqtt::Transport& t) : transport_(t) { t.set_listener(this); }
    void on_transport_connected() override { events.push_back("connected"); }
    void on_transport_readable() override;
    void on_transport_writable() override { ++writable_events; }
    void on_transport_closed(luat_mqtt::TransportError error, std::string_view why) override;

    [[nodiscard]] bool connected() const;
    [[nodiscard]] bool closed() const { return closed_error.has_value(); }

    std::vector<std::string> events;  // connected / closed:<error> (readable/writable not listed)
    std::vector<std::uint8_t> received;
    std::optional<luat_mqtt::TransportError> closed_error;
    std::string closed_detail;
    int writable_events = 0;
    bool auto_read = true;

  private:
    luat_mqtt::Transport& transport_;
};

// An Ethernet/IPv4/UDP frame from the guest (10.0.2.15:source_port) to the gateway (10.0.2.2:
// destination_port), as the module's stack sends it to the link's responders.
std::vector<std::uint8_t> guest_udp_frame(std::uint16_t source_port, std::uint16_t destination_port,
                                          std::span<const std::uint8_t> payload);

// Run the loop until `done()` or `timeout_ms` of wall time passed; returns done().
bool run_until(sys_task::EventLoop& loop, const std::function<bool()>& done, int timeout_ms);
// Run the loop for about `ms`.
void run_for(sys_task::EventLoop& loop, int ms);

std::uint64_t steady_us();

// MQTT 3.1.1 packets for raw-socket tests.
std::vector<std::uint8_t> mqtt_connect(const std::string& client_id, std::uint16_t keepalive = 60);
std::vector<std::uint8_t> mqtt_publish_qos1(const std::string& topic, std::uint16_t id,
                                            const std::string& payload);

}  // namespace tests
