// Test support: a second MQTT client (libmosquitto on its own thread) that watches what the device
// publishes and publishes downlinks to it. Every call waits for the broker's answer (CONNACK, SUBACK,
// the publish handshake), so a test that continues after it knows the broker has done it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

struct mosquitto;
struct mosquitto_message;

namespace tests {

struct ObservedMessage {
    std::string topic;
    std::string payload;
    int qos = 0;
    bool retain = false;
};

class MqttObserver {
  public:
    struct Options {
        std::string client_id;  // "" = the broker picks one (clean session only)
        bool clean_session = true;
        std::string username;
        std::string password;
    };
    // Connects to 127.0.0.1:port; throws std::runtime_error if the broker does not accept it.
    explicit MqttObserver(std::uint16_t port);
    MqttObserver(std::uint16_t port, Options options);
    ~MqttObserver();
    MqttObserver(const MqttObserver&) = delete;
    MqttObserver& operator=(const MqttObserver&) = delete;

    // Waits for the SUBACK.
    void subscribe(const std::string& filter, int qos = 2);
    void unsubscribe(const std::string& filter);
    // Waits until the message has gone (QoS 0) or its handshake is complete (QoS 1/2).
    void publish(const std::string& topic, std::string_view payload, int qos = 1, bool retain = false);

    [[nodiscard]] std::vector<ObservedMessage> messages() const;
    [[nodiscard]] std::vector<ObservedMessage> messages_on(const std::string& topic) const;
    bool wait_for(const std::function<bool(const std::vector<ObservedMessage>&)>& done,
                  std::chrono::milliseconds timeout);
    // Until `count` messages on `topic` have arrived.
    bool wait_for_count(const std::string& topic, std::size_t count, std::chrono::milliseconds timeout);

  private:
    static void on_connect(mosquitto* m, void* self, int rc);
    static void on_message(mosquitto* m, void* self, const mosquitto_message* msg);
    static void on_subscribe(mosquitto* m, void* self, int mid, int count, const int* granted);
    static void on_unsubscribe(mosquitto* m, void* self, int mid);
    static void on_publish(mosquitto* m, void* self, int mid);
    void wait_mid(int mid, const char* what);

    mosquitto* mosq_ = nullptr;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    int connack_ = -1;
    std::vector<int> done_mids_;
    std::vector<ObservedMessage> messages_;
};

}  // namespace tests
