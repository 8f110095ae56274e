// PeerClient over libmosquitto, driven from the caller's thread (no libmosquitto thread): publish writes
// at once, pump() runs mosquitto_loop(), as a single-threaded libmosquitto application does.
#pragma once

#include <unordered_set>

#include "bench/peers/peer_client.hpp"

struct mosquitto;
struct mosquitto_message;

namespace bench {

class MosquittoClient final : public PeerClient {
  public:
    MosquittoClient() = default;
    MosquittoClient(const MosquittoClient&) = delete;
    MosquittoClient& operator=(const MosquittoClient&) = delete;
    ~MosquittoClient() override;

    bool connect(const ConnectParams& params, int timeout_ms, std::string& error) override;
    bool subscribe(const std::string& topic, int qos, int timeout_ms, std::string& error) override;
    PublishStatus publish(const std::string& topic, std::span<const char> payload, int qos) override;
    [[nodiscard]] bool backlogged() const override;
    void pump(int timeout_ms) override;
    [[nodiscard]] std::uint64_t completed() const override { return completed_; }
    [[nodiscard]] std::uint64_t received() const override { return received_; }
    [[nodiscard]] std::uint64_t last_received_seq() const override { return last_seq_; }
    [[nodiscard]] bool connected() const override { return connected_; }
    void disconnect() override;

  private:
    static void on_connect(mosquitto* m, void* self, int rc);
    static void on_disconnect(mosquitto* m, void* self, int rc);
    static void on_publish(mosquitto* m, void* self, int mid);
    static void on_message(mosquitto* m, void* self, const mosquitto_message* msg);
    static void on_subscribe(mosquitto* m, void* self, int mid, int count, const int* granted);

    mosquitto* mosq_ = nullptr;
    bool connected_ = false;
    bool publish_callback_set_ = false;
    int connack_rc_ = -1;  // -1: no CONNACK yet
    int suback_mid_ = 0;
    int suback_granted_ = -1;
    std::unordered_set<int> pending_;  // QoS 1/2 message ids not yet completed
    std::uint64_t completed_ = 0;
    std::uint64_t received_ = 0;
    std::uint64_t last_seq_ = 0;
};

}  // namespace bench
