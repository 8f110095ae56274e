// PeerClient over Paho C's MQTTClient API (Debian's libpaho-mqtt-dev, libpaho-mqtt3c) in its callback
// mode: publish writes from the caller's thread, Paho's own thread reads and runs the callbacks, and
// pump() waits on a condition variable for the next callback.
//
// Why MQTTClient and not MQTTAsync: MQTTClient enforces the in-flight window itself
// (maxInflightMessages; MQTTClient_publish answers MQTTCLIENT_MAX_MESSAGES_INFLIGHT past it) and writes
// each publish in the calling thread, as the Lua loop and libmosquitto do. MQTTAsync queues every
// request as a command for its own thread without bound, so a tight loop would measure that queue.
#pragma once

#include <MQTTClient.h>

#include <condition_variable>
#include <mutex>

#include "bench/peers/peer_client.hpp"

namespace bench {

class PahoClient final : public PeerClient {
  public:
    PahoClient() = default;
    PahoClient(const PahoClient&) = delete;
    PahoClient& operator=(const PahoClient&) = delete;
    ~PahoClient() override;

    bool connect(const ConnectParams& params, int timeout_ms, std::string& error) override;
    bool subscribe(const std::string& topic, int qos, int timeout_ms, std::string& error) override;
    PublishStatus publish(const std::string& topic, std::span<const char> payload, int qos) override;
    [[nodiscard]] bool backlogged() const override { return false; }  // Paho waits for the socket itself
    void pump(int timeout_ms) override;
    [[nodiscard]] std::uint64_t completed() const override;
    [[nodiscard]] std::uint64_t received() const override;
    [[nodiscard]] std::uint64_t last_received_seq() const override;
    [[nodiscard]] bool connected() const override;
    void disconnect() override;

  private:
    static void on_connection_lost(void* self, char* cause);
    static int on_message_arrived(void* self, char* topic, int topic_len, MQTTClient_message* msg);
    static void on_delivery_complete(void* self, int token);
    void note_event();  // with mutex_ held

    MQTTClient client_ = nullptr;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::uint64_t events_ = 0;  // bumped by every callback
    std::uint64_t seen_events_ = 0;
    bool connected_ = false;
    std::uint64_t completed_ = 0;
    std::uint64_t received_ = 0;
    std::uint64_t last_seq_ = 0;
};

}  // namespace bench
