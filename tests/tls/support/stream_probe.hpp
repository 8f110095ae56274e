// Test-only: a TransportListener that records what a stream reports, a few raw MQTT packets, and a
// loop runner. The probe also checks the Transport rule that no callback comes while the owner is
// inside a call into the stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "luat_mqtt/transport.hpp"
#include "sys_task/event_loop.hpp"

namespace tests {

using Bytes = std::vector<std::uint8_t>;

Bytes mqtt_connect(std::string_view client_id);  // MQTT 3.1.1, clean session, keepalive 60
Bytes mqtt_publish(std::string_view topic, std::uint16_t packet_id, int qos,
                   std::span<const std::uint8_t> payload);
Bytes mqtt_subscribe(std::string_view topic, std::uint16_t packet_id, int qos);
Bytes mqtt_disconnect();
// Removes and returns the first complete MQTT packet of `buffer`, if there is one.
std::optional<Bytes> take_packet(Bytes& buffer);
std::string hex(std::span<const std::uint8_t> bytes);  // "20 02 00 00"

// Runs the loop until `done()` or the timeout; returns done().
bool run_until(sys_task::EventLoop& loop, const std::function<bool()>& done, int timeout_ms = 5000);

class StreamProbe final : public luat_mqtt::TransportListener {
  public:
    explicit StreamProbe(luat_mqtt::Transport& stream) : stream_(&stream) { stream.set_listener(this); }

    // Calls into the stream (marked, for the re-entrancy check). open() forgets what the previous
    // session received.
    bool open(std::string_view host, std::uint16_t port);
    void close();
    // Queues bytes and writes what the stream accepts; the rest goes on on_transport_writable().
    void send(std::span<const std::uint8_t> bytes);
    // Reads while the stream says bytes are readable (a reader that reads outside callbacks).
    void read_readable();

    // Bytes read per readable callback; a small value leaves data in the stream.
    std::size_t read_per_callback = std::numeric_limits<std::size_t>::max();
    std::size_t read_chunk = 1024;         // buffer size of each read() call
    std::function<void()> on_closed_hook;  // runs at the end of on_transport_closed

    std::vector<std::string> events;  // "connected", "closed"
    std::optional<luat_mqtt::TransportError> close_error;
    std::string close_detail;
    Bytes received;
    std::size_t readable_calls = 0;
    std::size_t writable_calls = 0;
    std::size_t short_writes = 0;  // write() calls that accepted less than offered
    bool reentered = false;        // a callback came while we were inside a stream call
    // The state the last event left: connected, or closed (events keeps the history of all sessions).
    [[nodiscard]] bool connected() const { return !events.empty() && events.back() == "connected"; }
    [[nodiscard]] bool closed() const { return !events.empty() && events.back() == "closed"; }
    [[nodiscard]] bool outbox_empty() const { return outbox_.empty(); }

    void on_transport_connected() override;
    void on_transport_readable() override;
    void on_transport_writable() override;
    void on_transport_closed(luat_mqtt::TransportError error, std::string_view detail) override;

  private:
    void flush_outbox();
    std::size_t read_some(std::size_t limit);
    void callback_entered();

    luat_mqtt::Transport* stream_;
    bool in_call_ = false;
    Bytes outbox_;
};

}  // namespace tests
