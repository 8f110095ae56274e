#include "bench/peers/mosquitto_client.hpp"

#include <mosquitto.h>
#include <poll.h>

#include <cerrno>

#include "bench/peers/measure.hpp"
#include "bench/peers/seq_payload.hpp"

namespace bench {

MosquittoClient::~MosquittoClient() {
    if (mosq_ != nullptr) mosquitto_destroy(mosq_);
}

void MosquittoClient::on_connect(mosquitto* /*m*/, void* self, int rc) {
    auto* c = static_cast<MosquittoClient*>(self);
    c->connack_rc_ = rc;
    c->connected_ = rc == 0;
}

void MosquittoClient::on_disconnect(mosquitto* /*m*/, void* self, int /*rc*/) {
    static_cast<MosquittoClient*>(self)->connected_ = false;
}

void MosquittoClient::on_publish(mosquitto* /*m*/, void* self, int mid) {
    auto* c = static_cast<MosquittoClient*>(self);
    // libmosquitto also reports QoS 0 messages here (once written); only QoS 1/2 ids are in pending_.
    if (c->pending_.erase(mid) != 0) ++c->completed_;
}

void MosquittoClient::on_message(mosquitto* /*m*/, void* self, const mosquitto_message* msg) {
    auto* c = static_cast<MosquittoClient*>(self);
    ++c->received_;
    const auto seq = parse_seq(
        {static_cast<const unsigned char*>(msg->payload), static_cast<std::size_t>(msg->payloadlen)});
    c->last_seq_ = seq.value_or(0);
}

void MosquittoClient::on_subscribe(mosquitto* /*m*/, void* self, int mid, int count, const int* granted) {
    auto* c = static_cast<MosquittoClient*>(self);
    if (mid == c->suback_mid_ && count > 0) c->suback_granted_ = granted[0];
}

bool MosquittoClient::connect(const ConnectParams& p, int timeout_ms, std::string& error) {
    mosq_ = mosquitto_new(p.client_id.c_str(), true, this);
    if (mosq_ == nullptr) {
        error = "mosquitto_new failed";
        return false;
    }
    mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_int_option(mosq_, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_int_option(mosq_, MOSQ_OPT_SEND_MAXIMUM, p.send_window);
    mosquitto_connect_callback_set(mosq_, &MosquittoClient::on_connect);
    mosquitto_disconnect_callback_set(mosq_, &MosquittoClient::on_disconnect);
    mosquitto_message_callback_set(mosq_, &MosquittoClient::on_message);
    mosquitto_subscribe_callback_set(mosq_, &MosquittoClient::on_subscribe);
    if (!p.tls_ca.empty()) {
        const int rc = mosquitto_tls_set(mosq_, p.tls_ca.c_str(), nullptr, nullptr, nullptr, nullptr);
        if (rc != MOSQ_ERR_SUCCESS) {
            error = std::string("mosquitto_tls_set: ") + mosquitto_strerror(rc);
            return false;
        }
    }
    const int rc = mosquitto_connect(mosq_, p.host.c_str(), p.port, p.keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS) {
        error = std::string("mosquitto_connect: ") + mosquitto_strerror(rc);
        return false;
    }
    const std::uint64_t deadline = mono_ns() + static_cast<std::uint64_t>(timeout_ms) * 1000000ULL;
    while (connack_rc_ < 0 && mono_ns() < deadline) {
        if (mosquitto_loop(mosq_, 100, 1) != MOSQ_ERR_SUCCESS) break;
    }
    if (connack_rc_ != 0) {
        error =
            connack_rc_ < 0 ? "no CONNACK" : std::string("CONNACK ") + mosquitto_connack_string(connack_rc_);
        return false;
    }
    return true;
}

bool MosquittoClient::subscribe(const std::string& topic, int qos, int timeout_ms, std::string& error) {
    suback_granted_ = -1;
    const int rc = mosquitto_subscribe(mosq_, &suback_mid_, topic.c_str(), qos);
    if (rc != MOSQ_ERR_SUCCESS) {
        error = std::string("mosquitto_subscribe: ") + mosquitto_strerror(rc);
        return false;
    }
    const std::uint64_t deadline = mono_ns() + static_cast<std::uint64_t>(timeout_ms) * 1000000ULL;
    while (suback_granted_ < 0 && connected_ && mono_ns() < deadline)
        pump(100);
    if (suback_granted_ < 0 || suback_granted_ > 2) {
        error = suback_granted_ < 0 ? "no SUBACK" : "subscription refused";
        return false;
    }
    return true;
}

PublishStatus MosquittoClient::publish(const std::string& topic, std::span<const char> payload, int qos) {
    // The completion callback only from the first QoS 1/2 publish on: with one set, libmosquitto 2.0.11
    // calls it for every QoS 0 message too, and its memory then grows with a QoS 0 storm (measured:
    // 15 MB instead of 4.5 MB for 50k 1 KiB messages); a QoS 0 application would not set it.
    if (qos > 0 && !publish_callback_set_) {
        mosquitto_publish_callback_set(mosq_, &MosquittoClient::on_publish);
        publish_callback_set_ = true;
    }
    int mid = 0;
    const int rc = mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()),
                                     payload.data(), qos, false);
    if (rc != MOSQ_ERR_SUCCESS) return PublishStatus::kError;
    if (qos > 0) pending_.insert(mid);
    return PublishStatus::kOk;
}

bool MosquittoClient::backlogged() const {
    return mosquitto_want_write(mosq_);
}

// libmosquitto's documented external-loop API (mosquitto_socket + loop_read/loop_write/loop_misc) rather
// than mosquitto_loop(): in 2.0.11 every publish also writes a wake-up byte to an internal socket pair
// that mosquitto_loop() selects on, so mosquitto_loop() returns at once instead of waiting for the
// socket to take more, and a publisher faster than the broker queues without bound (measured: 25 MB
// for 100k 1 KiB QoS 0 messages). Here poll() waits for the socket itself.
void MosquittoClient::pump(int timeout_ms) {
    const int fd = mosquitto_socket(mosq_);
    if (fd < 0) {
        connected_ = false;
        return;
    }
    pollfd pfd{fd, static_cast<short>(POLLIN | (mosquitto_want_write(mosq_) ? POLLOUT : 0)), 0};
    if (::poll(&pfd, 1, timeout_ms) > 0) {
        if ((pfd.revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
            // One packet per call when nothing is queued: read until the socket says EAGAIN.
            for (;;) {
                errno = 0;
                if (mosquitto_loop_read(mosq_, 1) != MOSQ_ERR_SUCCESS) {
                    connected_ = false;
                    return;
                }
                if (errno == EAGAIN || errno == EWOULDBLOCK || !connected_) break;
            }
        }
        if ((pfd.revents & POLLOUT) != 0 && mosquitto_loop_write(mosq_, 1) != MOSQ_ERR_SUCCESS) {
            connected_ = false;
            return;
        }
    }
    mosquitto_loop_misc(mosq_);
}

void MosquittoClient::disconnect() {
    if (mosq_ == nullptr || !connected_) return;
    mosquitto_disconnect(mosq_);
    for (int i = 0; i < 10 && connected_; ++i)
        pump(10);
}

}  // namespace bench
