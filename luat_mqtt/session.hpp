// The MQTT 3.1.1 client session with LuatOS's behaviour (docs/modules/mqtt.md), sans-IO.
//
// Inputs: commands (the LuatOS methods), transport happenings (up, bytes, closed) and time (`on_time()`
// once `next_deadline()` is reached). Outputs, which the owner takes after every input:
//   * `output()`: bytes to send, one contiguous queue;
//   * `take_transport_request()`: open / close the stream, in order;
//   * `events()`: LuatOS events (and a few diagnostic log lines), in order.
// Nothing here blocks, allocates per QoS 0 message in the steady state, or knows about sockets or Lua.
//
// States (ConnectionState; the binding maps them to mqtt.STATE_* 0..3): disconnected (idle, closed or
// waiting to reconnect), connecting (the transport), awaiting CONNACK (CONNECT sent), ready. Every
// failure runs the "close path": disconnected at once, then the events
//   error -> disconnect(error_state) -> close (or, with auto-reconnect, the reconnect timer)
// except where LuatOS queues the error last: CONNACK rejected (disconnect(rc) -> [close] ->
// error("conack", rc)) and protocol violations (disconnect(0) -> [close] -> error("connect", n)).
//
// Protocol violations and their LuatOS codes (error("connect", code)):
//   95  CONNACK while already connected
//   96  any other packet before CONNACK
//   98  PUBLISH with QoS 3
//   99  PUBLISH with an empty, non-UTF-8 or wildcard topic, topic > 4096 bytes or payload > 256 KiB;
//       and any single packet larger than the receive buffer
//   100 any other malformed packet: remaining length over 4 bytes, lengths that do not match the
//       content, reserved flags set, packet id 0, a packet type a server never sends, a bad SUBACK code
// Several small packets waiting in the transport never drop the link: the owner reads only what fits.
//
// Differences from LuatOS (docs/differences.md), each visible only in a failure case:
//   * dead link: a PINGREQ still unanswered when the next is due, with nothing received meanwhile,
//     is handled as a broker close: error("other", 0) -> disconnect(0) -> reconnect / close;
//   * QoS 1/2: in-flight store + outbox with a window (default 20); with clean_session false the
//     unacknowledged PUBLISH (DUP set) and PUBREL packets go out again, in order, after the next
//     CONNACK; incoming QoS 2 is delivered once (id held from PUBREC to PUBREL); a clean session drops
//     all of it at disconnect;
//   * publish while the transport connects is refused and the attempt goes on;
//   * the reconnect chain never stops while auto-reconnect is on;
//   * a password without a user name is never sent (auth() says so, for a warning).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "luat_mqtt/byte_queue.hpp"
#include "luat_mqtt/clock.hpp"
#include "luat_mqtt/decode.hpp"
#include "luat_mqtt/event.hpp"
#include "luat_mqtt/id_set.hpp"
#include "luat_mqtt/outgoing_store.hpp"
#include "luat_mqtt/packet.hpp"
#include "luat_mqtt/transport.hpp"

namespace luat_mqtt {

// LuatOS defaults and limits.
inline constexpr std::size_t kDefaultRxSize = 32 * 1024 + 4;  // MQTT_RECV_BUF_LEN_MAX + 4
// The largest MQTT packet there can be; a larger receive buffer would never be used.
inline constexpr std::size_t kMaxRxSize = kMaxFixedHeaderSize + kMaxRemainingLength;
inline constexpr std::uint16_t kDefaultKeepaliveS = 240;
inline constexpr std::uint16_t kMinKeepaliveS = 15;
inline constexpr std::uint16_t kMaxKeepaliveS = 600;
inline constexpr std::uint32_t kDefaultReconnectPeriodMs = 3000;
inline constexpr std::uint32_t kMinReconnectPeriodMs = 1000;
inline constexpr std::uint32_t kDefaultConnectTimeoutS = 30;
inline constexpr std::uint32_t kMinConnectTimeoutS = 5;
inline constexpr std::uint32_t kMaxConnectTimeoutS = 120;
inline constexpr std::size_t kMaxIncomingTopic = 4096;          // LuatOS: longer => error 99
inline constexpr std::size_t kMaxIncomingPayload = 256 * 1024;  // LuatOS: larger => error 99
// Ours: the in-flight window (mosquitto's max_inflight_messages) and the bytes held for sending.
inline constexpr std::size_t kDefaultWindow = 20;
// The budget only has to keep the pipe full while a storming script sleeps in sys.wait(1): at ~90k
// 1 KiB messages/s a millisecond is ~90 KiB, and the stream's own buffer (lwIP's 64 KiB send buffer,
// the kernel's socket buffer) holds more behind it. Measured (bench storm, 1 KiB, host and lwIP):
// 64 KiB-1 MiB give the same rate; each MiB more is a MiB more of peak RSS under a storm.
inline constexpr std::size_t kDefaultSendBudget = 128 * 1024;

// error("connect", code) for protocol violations.
enum ProtocolErrorCode : int {
    kProtoSecondConnack = 95,
    kProtoBeforeConnack = 96,
    kProtoPublishQos3 = 98,
    kProtoBadPublish = 99,  // also: one packet larger than the receive buffer
    kProtoMalformed = 100,
};
// The code a decode error is reported with.
int protocol_error_code(DecodeError e);

// The error_state a "disconnect" event carries after a broker DISCONNECT packet.
inline constexpr int kErrorStateBrokerDisconnect = -2;

enum class TransportRequest : std::uint8_t { kOpen, kClose };

// Where the connection is. LuatOS's numbers (mqtt.STATE_DISCONNECT .. STATE_READY) are the binding's
// business: the engine only compares states.
enum class ConnectionState : std::uint8_t {
    kDisconnected,     // idle, closed, or waiting for the reconnect timer
    kConnecting,       // the transport is connecting (DNS, TCP, TLS)
    kAwaitingConnack,  // the stream is up and CONNECT sent
    kReady,            // CONNACK accepted
};

// Why publish / subscribe / unsubscribe sent nothing (the binding returns no value and may log it).
enum class Refusal : std::uint8_t {
    kNone = 0,
    kClosed,            // close() was called
    kNotConnected,      // disconnected
    kConnecting,        // the transport is still connecting (the attempt goes on)
    kTopicEmpty,        //
    kTopicTooLong,      // over 65535 bytes
    kTopicInvalidUtf8,  // ill-formed UTF-8 or U+0000
    kTopicWildcard,     // '+' or '#' in a PUBLISH topic
    kFilterInvalid,     // '+' or '#' misplaced in a topic filter
    kTooLarge,          // the packet would exceed MQTT's 256 MiB limit
    kBudgetFull,        // the bytes held for sending would exceed the send budget
    kNoFreeId,          // all 65535 message ids are in use
};
const char* to_string(Refusal r);

struct SendResult {
    Refusal refusal = Refusal::kNone;
    std::uint16_t id = 0;  // the message id; 0 for QoS 0
    [[nodiscard]] bool ok() const { return refusal == Refusal::kNone; }
};

enum class AuthResult : std::uint8_t {
    kOk,
    kPasswordWithoutUsername,  // accepted, but the password is never sent (MQTT 3.1.1 §3.1.2.9): warn
    kClientIdTooLong,          // >= 192 bytes: refused (the binding returns nothing)
    kUsernameTooLong,          // >= 192 bytes
    kPasswordTooLong,          // >= 512 bytes
    kClientIdInvalidUtf8,      // MQTT strings must be UTF-8: refused
    kUsernameInvalidUtf8,
    kClosed,  // close() was called: a closed session takes no settings
};
[[nodiscard]] inline bool accepted(AuthResult r) {
    return r == AuthResult::kOk || r == AuthResult::kPasswordWithoutUsername;
}
const char* to_string(AuthResult r);

class Session {
  public:
    explicit Session(const Clock& clock);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // ---- settings (take effect at the next connect unless said otherwise) ----

    // c:auth(): limits client_id < 192, username < 192, password < 512 bytes; resets the message-id
    // counter to 1. Before any auth(): empty client id, clean_session false, counter 0.
    AuthResult auth(std::string_view client_id, std::string_view username, Bytes password,
                    bool clean_session);
    // c:keepalive(): clamped to 15..600 s (default 240).
    void set_keepalive(std::int64_t seconds);
    // c:autoreconn(): `enable` only changes the flag when given; the period is always set
    // (minimum 1000 ms when enabled). Disabling does not cancel a reconnect already scheduled: it
    // runs, and if it fails the chain ends with `close` (LuatOS's luat_mqtt_close_socket).
    void set_autoreconn(std::optional<bool> enable, std::int64_t period_ms);
    // c:will(): false if the topic is not a valid topic name or the payload exceeds 65535 bytes.
    // qos outside 0..2 becomes 0. Sent in every later CONNECT.
    bool set_will(std::string_view topic, Bytes payload, std::int64_t qos, std::int64_t retain);
    // opts.rxSize: > 0 takes effect; the largest packet that can be received. LuatOS has no upper
    // clamp; here it is the largest possible MQTT packet (kMaxRxSize).
    void set_rx_size(std::int64_t bytes);
    // opts.conn_timeout: seconds, clamped to 5..120 (default 30).
    void set_connect_timeout(std::int64_t seconds);
    // In-flight window for QoS 1/2 PUBLISH (minimum 1); applies at once.
    void set_window(std::size_t messages);
    // Bytes that may be held for sending: the output queue plus stored QoS 1/2 packets. Past it
    // publish/subscribe/unsubscribe are refused with kBudgetFull, except that one packet larger than
    // the budget is taken when nothing else is held.
    void set_send_budget(std::size_t bytes) { budget_ = bytes; }

    [[nodiscard]] std::uint16_t keepalive() const { return keepalive_s_; }
    [[nodiscard]] bool autoreconn() const { return autoreconn_; }
    [[nodiscard]] std::uint32_t reconnect_period_ms() const { return reconnect_period_ms_; }
    [[nodiscard]] std::uint32_t connect_timeout_s() const { return connect_timeout_s_; }
    [[nodiscard]] std::size_t rx_size() const { return rx_size_; }
    [[nodiscard]] std::size_t window() const { return store_.window(); }
    [[nodiscard]] std::size_t send_budget() const { return budget_; }
    [[nodiscard]] bool clean_session() const { return clean_session_; }

    // ---- commands ----

    // c:connect(). true: the attempt started (the owner opens the transport; if that fails at once it
    // calls on_transport_open_failed() and connect() is reported as false). false: already connecting
    // or connected (then the close path runs: disconnected, disconnect(0), close / reconnect), or closed.
    bool connect();
    // c:disconnect(): DISCONNECT if the stream is up, then the close path. Always true.
    bool disconnect();
    // c:close(): DISCONNECT if up, close path, then nothing more: no events, no timers, no reconnect.
    void close();
    // c:publish(): qos and retain as the Lua integers given (LuatOS casts them to uint8: qos 1/2 are
    // QoS 1/2, anything else is QoS 0; only qos == 0 gives the immediate "sent"(0)). Accepted in
    // awaiting CONNACK and ready; QoS 1/2 return their id at once and go out when the window has room.
    SendResult publish(std::string_view topic, Bytes payload, std::int64_t qos, std::int64_t retain);
    // c:subscribe() for one filter (qos outside 0..2 becomes 0); each gives one "suback".
    SendResult subscribe(std::string_view filter, std::int64_t qos);
    // c:unsubscribe() for one filter; each gives one "unsuback".
    SendResult unsubscribe(std::string_view filter);

    [[nodiscard]] ConnectionState state() const { return state_; }
    [[nodiscard]] bool ready() const { return state_ == ConnectionState::kReady; }
    [[nodiscard]] bool closed() const { return closed_; }

    // ---- transport happenings ----

    void on_transport_connected();
    // open() refused to even start: a connect() from the script returns false with no event; an
    // attempt of the reconnect timer fails like an async connect failure and the chain goes on.
    void on_transport_open_failed();
    // Before the stream was up: error("connect", 0); after: error("other", 0); then the close path.
    void on_transport_closed(TransportError error);
    // Whether received bytes are wanted now (awaiting CONNACK or ready).
    [[nodiscard]] bool wants_input() const { return stream_carries_mqtt(); }
    // Zero-copy receive: read into rx_space(), then on_received(count). rx_space() is never empty while
    // input is wanted: complete packets are handled before it returns.
    std::span<std::uint8_t> rx_space();
    void on_received(std::size_t n);
    // Copying receive (tests, fuzzing): takes what fits, handles it, repeats; returns the count taken
    // (less than data.size() only if the link was closed on the way).
    std::size_t feed(Bytes data);

    // ---- time ----

    // The earliest pending deadline (connect timeout, next PINGREQ, reconnect), if any.
    [[nodiscard]] std::optional<std::uint64_t> next_deadline() const;
    // Handle every deadline that has passed.
    void on_time();

    // ---- outputs ----

    ByteQueue& output() { return out_; }
    bool take_transport_request(TransportRequest& request);
    EventQueue& events() { return events_; }

    // ---- introspection ----

    [[nodiscard]] std::size_t inflight_count() const { return store_.inflight(); }
    [[nodiscard]] std::size_t outbox_count() const { return store_.queued(); }
    [[nodiscard]] std::size_t stored_bytes() const { return store_.stored_bytes(); }
    [[nodiscard]] std::size_t held_incoming_qos2() const { return incoming_qos2_.size(); }
    [[nodiscard]] std::uint16_t next_message_id_counter() const { return ids_.peek_counter(); }

  private:
    struct ErrorInfo {
        ErrorKind kind;
        int code;
    };

    void begin_connect(bool from_reconnect_timer);
    bool close_path(std::optional<ErrorInfo> before, std::optional<ErrorInfo> after);
    void protocol_error(int code, std::string_view why);
    void drop_session_state();
    void release_outbox();
    [[nodiscard]] bool within_budget(std::size_t extra) const;
    SendResult check_sendable() const;

    void process_frames();
    void handle_frame(const Frame& frame);
    void handle_connack(const ConnackPacket& p);
    void handle_publish(const PublishPacket& p);
    void handle_ack(const AckPacket& p);
    void handle_suback(const SubackPacket& p);
    void on_ping_due(std::uint64_t now);

    void emit(const Event& e);
    void emit_simple(EventType type, int value = 0);
    void emit_error(ErrorInfo e);
    void log(LogLevel level, std::string_view text);
    // The stream is up and speaks MQTT (awaiting CONNACK or ready): packets may go out and come in.
    [[nodiscard]] bool stream_carries_mqtt() const {
        return state_ == ConnectionState::kAwaitingConnack || state_ == ConnectionState::kReady;
    }
    void send_ack(PacketType type, std::uint16_t id);

    const Clock& clock_;

    // settings
    std::string client_id_;
    std::string username_;
    std::vector<std::uint8_t> password_;
    bool clean_session_ = false;
    std::uint16_t keepalive_s_ = kDefaultKeepaliveS;
    bool autoreconn_ = false;
    std::uint32_t reconnect_period_ms_ = kDefaultReconnectPeriodMs;
    struct StoredWill {
        std::string topic;
        std::vector<std::uint8_t> payload;
        std::uint8_t qos = 0;
        bool retain = false;
    };
    std::optional<StoredWill> will_;
    std::size_t rx_size_ = kDefaultRxSize;
    std::uint32_t connect_timeout_s_ = kDefaultConnectTimeoutS;
    std::size_t budget_ = kDefaultSendBudget;

    // connection state
    ConnectionState state_ = ConnectionState::kDisconnected;
    bool closed_ = false;
    int error_state_ = 0;
    bool attempt_from_timer_ = false;
    bool active_clean_session_ = false;  // what the current/last CONNECT said
    std::uint16_t active_keepalive_s_ = kDefaultKeepaliveS;
    std::optional<std::uint64_t> connect_deadline_;
    std::optional<std::uint64_t> ping_deadline_;
    std::optional<std::uint64_t> reconnect_deadline_;
    bool ping_outstanding_ = false;
    bool rx_since_ping_ = false;

    // session state
    MessageIds ids_;
    OutgoingStore store_{kDefaultWindow};
    IdSet incoming_qos2_;  // QoS 2 ids between our PUBREC and the broker's PUBREL
    IdSet pending_subscribe_;
    IdSet pending_unsubscribe_;

    // I/O
    FrameDecoder rx_;
    ByteQueue out_;
    std::vector<TransportRequest> requests_;
    std::size_t requests_head_ = 0;
    EventQueue events_;
};

}  // namespace luat_mqtt
