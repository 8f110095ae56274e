#include "bench/peers/paho_client.hpp"

#include <chrono>

#include "bench/peers/seq_payload.hpp"
#include "bench/peers/socket_nodelay.hpp"

namespace bench {

PahoClient::~PahoClient() {
    if (client_ != nullptr) MQTTClient_destroy(&client_);
}

void PahoClient::note_event() {
    ++events_;
    changed_.notify_all();
}

void PahoClient::on_connection_lost(void* self, char* /*cause*/) {
    auto* c = static_cast<PahoClient*>(self);
    const std::lock_guard lock(c->mutex_);
    c->connected_ = false;
    c->note_event();
}

int PahoClient::on_message_arrived(void* self, char* topic, int /*topic_len*/, MQTTClient_message* msg) {
    auto* c = static_cast<PahoClient*>(self);
    const auto seq = parse_seq(
        {static_cast<const unsigned char*>(msg->payload), static_cast<std::size_t>(msg->payloadlen)});
    {
        const std::lock_guard lock(c->mutex_);
        ++c->received_;
        c->last_seq_ = seq.value_or(0);
        c->note_event();
    }
    MQTTClient_freeMessage(&msg);
    MQTTClient_free(topic);
    return 1;  // handled: Paho may acknowledge it
}

void PahoClient::on_delivery_complete(void* self, int /*token*/) {
    auto* c = static_cast<PahoClient*>(self);
    const std::lock_guard lock(c->mutex_);
    ++c->completed_;
    c->note_event();
}

bool PahoClient::connect(const ConnectParams& p, int timeout_ms, std::string& error) {
    const std::string uri = (p.tls_ca.empty() ? "tcp://" : "ssl://") + p.host + ":" + std::to_string(p.port);
    MQTTClient c = nullptr;
    int rc = MQTTClient_create(&c, uri.c_str(), p.client_id.c_str(), MQTTCLIENT_PERSISTENCE_NONE, nullptr);
    if (rc != MQTTCLIENT_SUCCESS) {
        error = std::string("MQTTClient_create: ") + MQTTClient_strerror(rc);
        return false;
    }
    client_ = c;
    rc = MQTTClient_setCallbacks(c, this, &PahoClient::on_connection_lost, &PahoClient::on_message_arrived,
                                 &PahoClient::on_delivery_complete);
    if (rc != MQTTCLIENT_SUCCESS) {
        error = std::string("MQTTClient_setCallbacks: ") + MQTTClient_strerror(rc);
        return false;
    }
    MQTTClient_connectOptions opts = MQTTClient_connectOptions_initializer;
    opts.keepAliveInterval = p.keepalive_s;
    opts.cleansession = 1;
    opts.reliable = 0;  // more than one message in flight
    opts.MQTTVersion = MQTTVERSION_3_1_1;
    opts.maxInflightMessages = p.send_window;
    opts.connectTimeout = (timeout_ms + 999) / 1000;
    MQTTClient_SSLOptions ssl = MQTTClient_SSLOptions_initializer;
    if (!p.tls_ca.empty()) {
        ssl.trustStore = p.tls_ca.c_str();
        ssl.enableServerCertAuth = 1;
        opts.ssl = &ssl;
    }
    rc = MQTTClient_connect(c, &opts);
    if (rc != MQTTCLIENT_SUCCESS) {
        error = std::string("MQTTClient_connect: ") + MQTTClient_strerror(rc);
        return false;
    }
    if (set_nodelay_on_connections_to(p.port) == 0) {
        error = "could not set TCP_NODELAY on Paho's socket";
        return false;
    }
    const std::lock_guard lock(mutex_);
    connected_ = true;
    return true;
}

bool PahoClient::subscribe(const std::string& topic, int qos, int /*timeout_ms*/, std::string& error) {
    const int rc = MQTTClient_subscribe(client_, topic.c_str(), qos);
    if (rc != MQTTCLIENT_SUCCESS) {
        error = std::string("MQTTClient_subscribe: ") + MQTTClient_strerror(rc);
        return false;
    }
    return true;
}

PublishStatus PahoClient::publish(const std::string& topic, std::span<const char> payload, int qos) {
    MQTTClient_deliveryToken token = 0;
    const int rc = MQTTClient_publish(client_, topic.c_str(), static_cast<int>(payload.size()),
                                      payload.data(), qos, 0, &token);
    if (rc == MQTTCLIENT_SUCCESS) return PublishStatus::kOk;
    if (rc == MQTTCLIENT_MAX_MESSAGES_INFLIGHT) return PublishStatus::kFull;
    return PublishStatus::kError;
}

void PahoClient::pump(int timeout_ms) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return events_ != seen_events_; });
    seen_events_ = events_;
}

std::uint64_t PahoClient::completed() const {
    const std::lock_guard lock(mutex_);
    return completed_;
}

std::uint64_t PahoClient::received() const {
    const std::lock_guard lock(mutex_);
    return received_;
}

std::uint64_t PahoClient::last_received_seq() const {
    const std::lock_guard lock(mutex_);
    return last_seq_;
}

bool PahoClient::connected() const {
    const std::lock_guard lock(mutex_);
    return connected_;
}

void PahoClient::disconnect() {
    if (client_ == nullptr || !connected()) return;
    MQTTClient_disconnect(client_, 1000);
    const std::lock_guard lock(mutex_);
    connected_ = false;
}

}  // namespace bench
