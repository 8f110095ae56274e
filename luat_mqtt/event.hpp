// The events a client reports, with LuatOS's names and arguments (docs/modules/mqtt.md, "Events"), and
// the ordered queue the session fills and the driver empties.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "luat_mqtt/packet.hpp"

namespace luat_mqtt {

enum class EventType : std::uint8_t {
    kConack,      // CONNACK accepted; state() is already ready
    kRecv,        // topic, payload, meta
    kSent,        // value = message id (0 for QoS 0)
    kSuback,      // ok, value = first return code of the SUBACK
    kUnsuback,    // no arguments
    kPong,        // PINGRESP
    kDisconnect,  // value = error_state: 0, the CONNACK code 1..5, or -2 after a broker DISCONNECT
    kClose,       // the client will not reconnect by itself
    kError,       // error_kind, value = code
};
// The LuatOS event name: "conack", "recv", "sent", "suback", "unsuback", "pong", "disconnect",
// "close", "error".
const char* to_string(EventType t);

enum class ErrorKind : std::uint8_t {
    kConnect,  // DNS / TCP / TLS failure while connecting (code 0), or a protocol violation (95..100)
    kConack,   // CONNACK rejected (code = return code)
    kOther,    // the link failed after it was up, or a dead link was found (code 0)
    kTimeout,  // no CONNACK within the connect timeout (code 0)
};
// The LuatOS error kind: "connect", "conack", "other", "timeout".
const char* to_string(ErrorKind k);

// How serious a diagnostic line is. The binding maps it to the device log's levels (`D/`, `I/`, `W/`,
// `E/`); the engine knows no logger.
enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarn, kError };
// "debug", "info", "warn", "error".
const char* to_string(LogLevel level);

// LuatOS's `metas` table of a "recv" event (integers there: retain/dup are 0/1).
struct RecvMeta {
    std::uint16_t message_id = 0;  // 0 for QoS 0
    std::uint8_t qos = 0;
    bool retain = false;
    bool dup = false;
};

struct Event {
    EventType type = EventType::kConack;
    int value = 0;    // sent: message id; suback: code; disconnect: error_state; error: code
    bool ok = false;  // suback: code <= 2
    ErrorKind error_kind = ErrorKind::kConnect;  // error
    std::string_view topic;                      // recv
    Bytes payload;                               // recv
    RecvMeta meta;                               // recv
};

// FIFO of events and diagnostic log lines, in the order they happened. Topic and payload bytes of
// "recv" events are copied into one reused arena, so a steady flow of events allocates nothing.
class EventQueue {
  public:
    struct Item {
        bool is_log = false;
        Event event;                           // when !is_log
        LogLevel log_level = LogLevel::kInfo;  // when is_log
        std::string_view log_text;             // when is_log
    };

    void push(const Event& e);
    void push_log(LogLevel level, std::string_view text);
    // The oldest item; its views stay valid until the next push(), pop() or clear().
    bool pop(Item& out);
    void clear();
    [[nodiscard]] bool empty() const { return head_ == items_.size(); }
    [[nodiscard]] std::size_t size() const { return items_.size() - head_; }

  private:
    struct Stored {
        bool is_log = false;
        Event event;  // views left empty; rebuilt from the offsets on pop()
        LogLevel log_level = LogLevel::kInfo;
        std::size_t text_off = 0, text_len = 0;        // topic, or log text
        std::size_t payload_off = 0, payload_len = 0;  // recv payload
    };
    std::size_t store(Bytes b);

    std::vector<Stored> items_;
    std::size_t head_ = 0;
    std::vector<std::uint8_t> arena_;
};

}  // namespace luat_mqtt
