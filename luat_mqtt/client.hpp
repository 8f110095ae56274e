// One MQTT client: a Session driven over one Transport, with one timer and one event sink.
//
// This is what the Lua bindings hold per `mqtt.create()` object. They provide three things and get
// LuatOS's behaviour:
//   * a Transport (plain TCP or TLS) built by the platform; the Client owns it and is its listener;
//   * a TimerPort: the clock, plus one deadline to arm/cancel; when an armed deadline is reached the
//     owner calls Client::on_timer() (a late or early call is harmless);
//   * an EventSink that receives every event in order and queues it (the bindings post each as one
//     native message, so the script sees them later, one by one, as on LuatOS).
// It knows nothing of Lua, sockets or the event loop.
//
// Data flow: everything the session wants sent is written to the transport at once, as much as it
// accepts; the rest waits in the session's output queue and goes on on_transport_writable(). Input is
// read only into the free part of the receive buffer, handled, and read again, so the transport keeps
// what does not fit (and holds the peer back) and several small packets never overflow anything.
//
// Re-entrancy: the sink is called synchronously from inside commands (publish() gives "sent"(0)
// right away) and transport callbacks. It must only queue, never call back into the Client. If it
// does anyway, the nested call's events are delivered after the current one, still in order.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "luat_mqtt/clock.hpp"
#include "luat_mqtt/event.hpp"
#include "luat_mqtt/session.hpp"
#include "luat_mqtt/transport.hpp"

namespace luat_mqtt {

class TimerPort : public Clock {
  public:
    // Arm the single deadline (absolute, in now_ms() time), replacing any armed one.
    virtual void arm(std::uint64_t deadline_ms) = 0;
    virtual void cancel() = 0;

  protected:
    ~TimerPort() = default;
};

class EventSink {
  public:
    // One event. Its views (topic, payload) are valid during the call only.
    virtual void on_mqtt_event(const Event& event) = 0;
    // A diagnostic line for the C-side log (`<L>/mqtt <text>`). Only failure cases produce these
    // (dead link, protocol error, messages resent or dropped).
    virtual void on_mqtt_log(LogLevel level, std::string_view text) = 0;

  protected:
    ~EventSink() = default;
};

class Client final : private TransportListener {
  public:
    Client(std::unique_ptr<Transport> transport, TimerPort& timer, EventSink& sink, std::string host,
           std::uint16_t port);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Settings: see Session.
    AuthResult auth(std::string_view client_id, std::string_view username, Bytes password,
                    bool clean_session) {
        return session_.auth(client_id, username, password, clean_session);
    }
    void set_keepalive(std::int64_t seconds) { session_.set_keepalive(seconds); }
    void set_autoreconn(std::optional<bool> enable, std::int64_t period_ms);
    bool set_will(std::string_view topic, Bytes payload, std::int64_t qos, std::int64_t retain) {
        return session_.set_will(topic, payload, qos, retain);
    }
    void set_rx_size(std::int64_t bytes) { session_.set_rx_size(bytes); }
    void set_connect_timeout(std::int64_t seconds) { session_.set_connect_timeout(seconds); }
    void set_window(std::size_t messages);
    void set_send_budget(std::size_t bytes) { session_.set_send_budget(bytes); }

    // Commands: see Session. connect() is also false when the transport refuses to start.
    bool connect();
    bool disconnect();
    // c:close(): the session's close (DISCONNECT if connected), then the transport is freed. The
    // Client stays usable as a closed one: every command answers as Session does when closed.
    void close();
    // The device goes away (the run ends: reboot, exit, power): the transport is freed first, so
    // nothing more is sent (no DISCONNECT), then the session is closed as by close().
    void abandon();
    SendResult publish(std::string_view topic, Bytes payload, std::int64_t qos, std::int64_t retain);
    SendResult subscribe(std::string_view filter, std::int64_t qos);
    SendResult unsubscribe(std::string_view filter);

    [[nodiscard]] ConnectionState state() const { return session_.state(); }
    [[nodiscard]] bool ready() const { return session_.ready(); }

    // The TimerPort's deadline was reached.
    void on_timer();

    [[nodiscard]] const Session& session() const { return session_; }

  private:
    void on_transport_connected() override;
    void on_transport_readable() override;
    void on_transport_writable() override;
    void on_transport_closed(TransportError error, std::string_view detail) override;

    // Carry out everything the session asked for: transport requests, bytes, events, the timer.
    void pump();
    void flush_output();
    void deliver();
    void rearm_timer();
    void release_transport();

    std::unique_ptr<Transport> transport_;  // null once closed
    TimerPort& timer_;
    EventSink& sink_;
    std::string host_;
    std::uint16_t port_;
    Session session_;
    bool stream_up_ = false;
    bool open_failed_ = false;
    bool pumping_ = false;
    bool repump_ = false;
    std::optional<std::uint64_t> armed_;
};

}  // namespace luat_mqtt
