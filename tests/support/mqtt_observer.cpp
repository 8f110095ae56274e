#include "tests/support/mqtt_observer.hpp"

#include <mosquitto.h>

#include <algorithm>
#include <stdexcept>

namespace tests {

namespace {

constexpr auto kAnswerTimeout = std::chrono::seconds(10);

}  // namespace

MqttObserver::MqttObserver(std::uint16_t port) : MqttObserver(port, Options{}) {}

MqttObserver::MqttObserver(std::uint16_t port, Options options) {
    mosquitto_lib_init();  // reference-counted by libmosquitto; undone in the destructor
    mosq_ = mosquitto_new(options.client_id.empty() ? nullptr : options.client_id.c_str(),
                          options.clean_session, this);
    if (mosq_ == nullptr) {
        mosquitto_lib_cleanup();
        throw std::runtime_error("mosquitto_new failed");
    }
    if (!options.username.empty()) {
        mosquitto_username_pw_set(mosq_, options.username.c_str(),
                                  options.password.empty() ? nullptr : options.password.c_str());
    }
    mosquitto_connect_callback_set(mosq_, &MqttObserver::on_connect);
    mosquitto_message_callback_set(mosq_, &MqttObserver::on_message);
    mosquitto_subscribe_callback_set(mosq_, &MqttObserver::on_subscribe);
    mosquitto_unsubscribe_callback_set(mosq_, &MqttObserver::on_unsubscribe);
    mosquitto_publish_callback_set(mosq_, &MqttObserver::on_publish);
    if (mosquitto_connect(mosq_, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS ||
        mosquitto_loop_start(mosq_) != MOSQ_ERR_SUCCESS) {
        mosquitto_destroy(mosq_);
        mosquitto_lib_cleanup();
        throw std::runtime_error("observer: cannot connect to 127.0.0.1:" + std::to_string(port));
    }
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, kAnswerTimeout, [this] { return connack_ >= 0; }) || connack_ != 0) {
        lock.unlock();
        mosquitto_disconnect(mosq_);
        mosquitto_loop_stop(mosq_, true);
        mosquitto_destroy(mosq_);
        mosquitto_lib_cleanup();
        throw std::runtime_error("observer: no CONNACK 0 from 127.0.0.1:" + std::to_string(port));
    }
}

MqttObserver::~MqttObserver() {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    mosquitto_destroy(mosq_);
    mosquitto_lib_cleanup();
}

void MqttObserver::on_connect(mosquitto*, void* self, int rc) {
    auto* o = static_cast<MqttObserver*>(self);
    std::lock_guard lock(o->mutex_);
    o->connack_ = rc;
    o->changed_.notify_all();
}

void MqttObserver::on_message(mosquitto*, void* self, const mosquitto_message* msg) {
    auto* o = static_cast<MqttObserver*>(self);
    std::lock_guard lock(o->mutex_);
    o->messages_.push_back(ObservedMessage{
        msg->topic,
        std::string(static_cast<const char*>(msg->payload), static_cast<std::size_t>(msg->payloadlen)),
        msg->qos, msg->retain});
    o->changed_.notify_all();
}

void MqttObserver::on_subscribe(mosquitto*, void* self, int mid, int, const int*) {
    auto* o = static_cast<MqttObserver*>(self);
    std::lock_guard lock(o->mutex_);
    o->done_mids_.push_back(mid);
    o->changed_.notify_all();
}

void MqttObserver::on_unsubscribe(mosquitto* m, void* self, int mid) {
    on_subscribe(m, self, mid, 0, nullptr);
}

void MqttObserver::on_publish(mosquitto* m, void* self, int mid) {
    on_subscribe(m, self, mid, 0, nullptr);
}

void MqttObserver::wait_mid(int mid, const char* what) {
    std::unique_lock lock(mutex_);
    const bool done = changed_.wait_for(lock, kAnswerTimeout, [&] {
        return std::find(done_mids_.begin(), done_mids_.end(), mid) != done_mids_.end();
    });
    if (!done) throw std::runtime_error(std::string("observer: no answer to ") + what);
}

void MqttObserver::subscribe(const std::string& filter, int qos) {
    int mid = 0;
    if (mosquitto_subscribe(mosq_, &mid, filter.c_str(), qos) != MOSQ_ERR_SUCCESS)
        throw std::runtime_error("observer: subscribe failed");
    wait_mid(mid, "SUBSCRIBE");
}

void MqttObserver::unsubscribe(const std::string& filter) {
    int mid = 0;
    if (mosquitto_unsubscribe(mosq_, &mid, filter.c_str()) != MOSQ_ERR_SUCCESS)
        throw std::runtime_error("observer: unsubscribe failed");
    wait_mid(mid, "UNSUBSCRIBE");
}

void MqttObserver::publish(const std::string& topic, std::string_view payload, int qos, bool retain) {
    int mid = 0;
    if (mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()), payload.data(), qos,
                          retain) != MOSQ_ERR_SUCCESS)
        throw std::runtime_error("observer: publish failed");
    wait_mid(mid, "PUBLISH");
}

std::vector<ObservedMessage> MqttObserver::messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
}

std::vector<ObservedMessage> MqttObserver::messages_on(const std::string& topic) const {
    std::lock_guard lock(mutex_);
    std::vector<ObservedMessage> out;
    for (const auto& m : messages_) {
        if (m.topic == topic) out.push_back(m);
    }
    return out;
}

bool MqttObserver::wait_for(const std::function<bool(const std::vector<ObservedMessage>&)>& done,
                            std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done(messages_); });
}

bool MqttObserver::wait_for_count(const std::string& topic, std::size_t count,
                                  std::chrono::milliseconds timeout) {
    return wait_for(
        [&](const std::vector<ObservedMessage>& ms) {
            return static_cast<std::size_t>(std::count_if(
                       ms.begin(), ms.end(), [&](const ObservedMessage& m) { return m.topic == topic; })) >=
                   count;
        },
        timeout);
}

}  // namespace tests
