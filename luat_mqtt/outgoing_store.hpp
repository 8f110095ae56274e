// Outgoing QoS 1/2 messages of one client: the in-flight list (sent, waiting for their acks, in send
// order) and the outbox (accepted by publish(), waiting for room in the in-flight window).
//
// mosquitto 2.0 accepts at most 20 unacknowledged incoming QoS>0 messages per client; a client that
// bursts past that loses QoS 2 messages or is disconnected. So at most `window` messages are in flight;
// the rest wait here, in order, and go out as acks free the window (docs/differences.md).
// The stored packets are what a reconnect with a kept session sends again (MQTT 3.1.1 §4.4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "luat_mqtt/packet.hpp"

namespace luat_mqtt {

class OutgoingStore {
  public:
    enum class Stage : std::uint8_t {
        kQueued,       // in the outbox, never sent
        kWaitPuback,   // QoS 1 sent
        kWaitPubrec,   // QoS 2 sent
        kWaitPubcomp,  // QoS 2: PUBREC received, PUBREL sent; only the id is kept
    };
    struct Message {
        std::uint16_t id = 0;
        std::uint8_t qos = 1;
        Stage stage = Stage::kQueued;
        std::vector<std::uint8_t> packet;  // the encoded PUBLISH (empty once it reached kWaitPubcomp)
    };
    enum class Ack { kUnknown, kCompleted, kSendPubrel };

    explicit OutgoingStore(std::size_t window = 20) : window_(window) {}

    void set_window(std::size_t n) { window_ = n < 1 ? 1 : n; }
    [[nodiscard]] std::size_t window() const { return window_; }

    // A new message, encoded, at the end of the outbox.
    void add(std::uint16_t id, std::uint8_t qos, std::vector<std::uint8_t> packet);

    // Move messages from the outbox into flight while the window has room; `send(Bytes)` gets each
    // PUBLISH as it goes. Returns how many moved.
    template <class Send>
    std::size_t release(Send&& send) {
        std::size_t moved = 0;
        while (!outbox_.empty() && inflight_.size() < window_) {
            inflight_.push_back(std::move(outbox_.front()));
            outbox_.pop_front();
            Message& m = inflight_.back();
            m.stage = m.qos == 2 ? Stage::kWaitPubrec : Stage::kWaitPuback;
            send(Bytes(m.packet));
            ++moved;
        }
        return moved;
    }

    // After a reconnect: everything in flight again, in the original order. `send(const Message&)`
    // gets each one; PUBLISH packets have their DUP flag set first (§4.4). Returns the count.
    template <class Send>
    std::size_t resend(Send&& send) {
        for (Message& m : inflight_) {
            if (!m.packet.empty()) m.packet[0] |= 0x08;
            send(static_cast<const Message&>(m));
        }
        return inflight_.size();
    }

    Ack on_puback(std::uint16_t id);
    Ack on_pubrec(std::uint16_t id);
    Ack on_pubcomp(std::uint16_t id);

    // Drop every message (clean session); `dropped(id)` for each, so its id can be freed.
    template <class Dropped>
    void clear(Dropped&& dropped) {
        for (const Message& m : inflight_)
            dropped(m.id);
        for (const Message& m : outbox_)
            dropped(m.id);
        inflight_.clear();
        outbox_.clear();
        stored_bytes_ = 0;
    }

    [[nodiscard]] std::size_t inflight() const { return inflight_.size(); }
    [[nodiscard]] std::size_t queued() const { return outbox_.size(); }
    [[nodiscard]] std::size_t stored_bytes() const { return stored_bytes_; }
    [[nodiscard]] const std::deque<Message>& inflight_messages() const { return inflight_; }

  private:
    std::deque<Message>::iterator find(std::uint16_t id);
    void forget_packet(Message& m);

    std::size_t window_;
    std::deque<Message> inflight_;
    std::deque<Message> outbox_;
    std::size_t stored_bytes_ = 0;
};

}  // namespace luat_mqtt
