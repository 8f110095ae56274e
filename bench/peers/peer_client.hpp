// What a bench case needs from an MQTT client library. bench_peer_mosquitto and bench_peer_paho each
// adapt their library to this, so that both run exactly the same case code (peer_cases.cpp), the same
// work the Lua bench scripts do.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace bench {

struct ConnectParams {
    std::string host;
    int port = 0;
    std::string client_id;
    int keepalive_s = 60;
    int send_window = 20;  // the library's own in-flight limit for QoS 1/2, where it has one
    std::string tls_ca;    // non-empty: TLS
};

enum class PublishStatus {
    kOk,
    kFull,   // the library refused for now (its in-flight limit); try again after pump()
    kError,  // the connection is gone
};

class PeerClient {
  public:
    virtual ~PeerClient() = default;

    // Connect and wait for a successful CONNACK (or fail with a message).
    virtual bool connect(const ConnectParams& params, int timeout_ms, std::string& error) = 0;
    // Subscribe and wait for the SUBACK.
    virtual bool subscribe(const std::string& topic, int qos, int timeout_ms, std::string& error) = 0;
    virtual PublishStatus publish(const std::string& topic, std::span<const char> payload, int qos) = 0;
    // Bytes are waiting for the socket (the library buffers them): pump() before publishing more.
    [[nodiscard]] virtual bool backlogged() const = 0;
    // Let the library do its I/O and callbacks, waiting up to `timeout_ms` for something to happen.
    virtual void pump(int timeout_ms) = 0;
    // QoS 1/2 publishes completed (PUBACK for QoS 1, PUBCOMP for QoS 2), as the Lua "sent" event.
    [[nodiscard]] virtual std::uint64_t completed() const = 0;
    // Messages received on the subscriptions, and the sequence number of the last one (0: none/unreadable).
    [[nodiscard]] virtual std::uint64_t received() const = 0;
    [[nodiscard]] virtual std::uint64_t last_received_seq() const = 0;
    [[nodiscard]] virtual bool connected() const = 0;
    // Send DISCONNECT and close.
    virtual void disconnect() = 0;
};

}  // namespace bench
