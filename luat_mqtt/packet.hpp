// MQTT 3.1.1 control packets as plain views: the shapes the encoder reads and the decoder fills in.
//
// Every field is a view (std::string_view for UTF-8 strings, std::span for binary data) into memory
// the caller owns: the encoder copies from it, the decoder points into its receive buffer. Nothing
// here allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace luat_mqtt {

using Bytes = std::span<const std::uint8_t>;

// A byte view of text (a Lua string, a literal): MQTT payloads and passwords are binary.
inline Bytes as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_text(Bytes b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

enum class PacketType : std::uint8_t {
    kConnect = 1,
    kConnack = 2,
    kPublish = 3,
    kPuback = 4,
    kPubrec = 5,
    kPubrel = 6,
    kPubcomp = 7,
    kSubscribe = 8,
    kSuback = 9,
    kUnsubscribe = 10,
    kUnsuback = 11,
    kPingreq = 12,
    kPingresp = 13,
    kDisconnect = 14,
};
const char* to_string(PacketType t);

// MQTT 3.1.1 §2.2.3: at most four remaining-length bytes.
inline constexpr std::uint32_t kMaxRemainingLength = 268'435'455;
inline constexpr std::size_t kMaxFixedHeaderSize = 5;
// §1.5.3: strings carry a 16-bit length.
inline constexpr std::size_t kMaxStringLength = 65535;

// LuatOS's field limits (libemqtt.h MQTT_CONF_*_LENGTH): a value must be strictly shorter.
inline constexpr std::size_t kClientIdLimit = 192;
inline constexpr std::size_t kUsernameLimit = 192;
inline constexpr std::size_t kPasswordLimit = 512;

// CONNACK return codes (§3.2.2.3).
enum ConnackCode : std::uint8_t {
    kConnackAccepted = 0,
    kConnackBadProtocol = 1,
    kConnackIdRejected = 2,
    kConnackUnavailable = 3,
    kConnackBadCredentials = 4,
    kConnackNotAuthorized = 5,
};
inline constexpr std::uint8_t kSubackFailure = 0x80;

struct Will {
    std::string_view topic;
    Bytes payload;
    std::uint8_t qos = 0;
    bool retain = false;
};

struct ConnectPacket {
    std::string_view client_id;
    bool clean_session = true;
    std::uint16_t keepalive = 0;
    std::optional<Will> will;
    std::optional<std::string_view> username;
    std::optional<Bytes> password;
};

struct ConnackPacket {
    bool session_present = false;
    std::uint8_t return_code = 0;
};

struct PublishPacket {
    std::string_view topic;
    Bytes payload;
    std::uint8_t qos = 0;
    bool retain = false;
    bool dup = false;
    std::uint16_t packet_id = 0;  // only present on the wire for QoS 1 and 2
};

// PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK: a packet id and nothing else.
struct AckPacket {
    PacketType type = PacketType::kPuback;
    std::uint16_t packet_id = 0;
};

struct Subscription {
    std::string_view filter;
    std::uint8_t qos = 0;
};

// Encoder input for SUBSCRIBE / UNSUBSCRIBE: the entries as an array.
struct SubscribePacket {
    std::uint16_t packet_id = 0;
    std::span<const Subscription> subscriptions;
};
struct UnsubscribePacket {
    std::uint16_t packet_id = 0;
    std::span<const std::string_view> filters;
};

// Decoder output for SUBSCRIBE / UNSUBSCRIBE: the validated payload, walked entry by entry, so that
// decoding needs no storage for the list.
class TopicList {
  public:
    TopicList() = default;
    TopicList(Bytes payload, bool with_qos, std::size_t count)
        : payload_(payload), with_qos_(with_qos), count_(count) {}

    class Iterator {
      public:
        using value_type = Subscription;
        using difference_type = std::ptrdiff_t;
        Iterator() = default;
        Iterator(Bytes rest, bool with_qos) : rest_(rest), with_qos_(with_qos) { load(); }
        Subscription operator*() const { return current_; }
        Iterator& operator++() {
            rest_ = rest_.subspan(step_);
            load();
            return *this;
        }
        Iterator operator++(int) {
            Iterator old = *this;
            ++*this;
            return old;
        }
        bool operator==(const Iterator& o) const { return rest_.size() == o.rest_.size(); }

      private:
        void load();
        Bytes rest_;
        bool with_qos_ = false;
        std::size_t step_ = 0;
        Subscription current_;
    };

    [[nodiscard]] Iterator begin() const { return {payload_, with_qos_}; }
    [[nodiscard]] Iterator end() const { return {payload_.last(0), with_qos_}; }
    [[nodiscard]] std::size_t size() const { return count_; }

  private:
    Bytes payload_;
    bool with_qos_ = false;
    std::size_t count_ = 0;
};

struct SubscribeView {
    std::uint16_t packet_id = 0;
    TopicList subscriptions;  // filter + requested qos
};
struct UnsubscribeView {
    std::uint16_t packet_id = 0;
    TopicList filters;  // qos is always 0
};

struct SubackPacket {
    std::uint16_t packet_id = 0;
    Bytes return_codes;  // one per requested filter: 0..2 granted, 0x80 failure
};

// PINGREQ, PINGRESP, DISCONNECT.
struct EmptyPacket {
    PacketType type = PacketType::kPingreq;
};

}  // namespace luat_mqtt
