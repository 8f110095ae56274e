#include "lua_bindings/modules/mqtt/mqtt_hub.hpp"

#include <utility>

#include "lua_bindings/modules/mqtt/mqtt_client.hpp"

namespace lua_bindings {

std::uint64_t MqttHub::add(LuaMqttClient* client) {
    const std::uint64_t serial = next_serial_++;
    clients_.emplace(serial, client);
    return serial;
}

void MqttHub::remove(std::uint64_t serial) {
    clients_.erase(serial);
    if (observer_) observer_(serial, nullptr);
}

LuaMqttClient* MqttHub::find(std::uint64_t serial) const {
    const auto it = clients_.find(serial);
    return it == clients_.end() ? nullptr : it->second;
}

PendingMqttEvent& MqttHub::push_slot() {
    if (count_ == ring_.size()) {
        // Full: unroll into a ring twice as large (the slots keep their strings' capacity).
        std::vector<PendingMqttEvent> bigger(ring_.empty() ? 64 : ring_.size() * 2);
        for (std::size_t i = 0; i < count_; ++i)
            bigger[i] = std::move(ring_[(head_ + i) % ring_.size()]);
        ring_ = std::move(bigger);
        head_ = 0;
    }
    ++count_;
    return ring_[(head_ + count_ - 1) % ring_.size()];
}

void MqttHub::pop_slot() {
    head_ = (head_ + 1) % ring_.size();
    --count_;
}

void MqttHub::post_event(std::uint64_t serial, const luat_mqtt::Event& event) {
    if (observer_) observer_(serial, &event);
    if (event.type == luat_mqtt::EventType::kSent && event.value == 0) {
        loop_.post_repeatable({this, serial}, [this, serial] { deliver_qos0_sent(serial); });
        return;
    }
    PendingMqttEvent& slot = push_slot();
    slot.seq = next_seq_++;
    slot.client = serial;
    slot.type = event.type;
    slot.value = event.value;
    slot.ok = event.ok;
    slot.error_kind = event.error_kind;
    slot.meta = event.meta;
    if (event.type == luat_mqtt::EventType::kRecv) {
        slot.topic.assign(event.topic);
        slot.payload.assign(luat_mqtt::as_text(event.payload));
    }
    const std::uint64_t seq = slot.seq;
    loop_.post([this, seq] { deliver(seq); });
}

void MqttHub::deliver(std::uint64_t seq) {
    // Native messages run in order, one per event; anything older at the head was dropped.
    while (count_ > 0 && ring_[head_].seq < seq)
        pop_slot();
    if (count_ == 0 || ring_[head_].seq != seq) return;
    LuaMqttClient* client = find(ring_[head_].client);
    if (client == nullptr) {
        pop_slot();
        return;
    }
    if (delivering_) {
        // A callback ran the loop (sys.run() inside it): deliver from a copy of its own.
        PendingMqttEvent nested = std::move(ring_[head_]);
        pop_slot();
        client->deliver(nested);
        return;
    }
    std::swap(current_, ring_[head_]);
    pop_slot();
    delivering_ = true;
    struct Reset {
        bool& flag;
        ~Reset() { flag = false; }
    } reset{delivering_};  // a Lua error in the callback unwinds through here
    client->deliver(current_);
}

void MqttHub::deliver_qos0_sent(std::uint64_t serial) {
    LuaMqttClient* client = find(serial);
    if (client == nullptr) return;
    PendingMqttEvent event;  // no topic or payload: nothing allocated
    event.client = serial;
    event.type = luat_mqtt::EventType::kSent;
    client->deliver(event);
}

sys_task::EventLoop::TimerId MqttHub::add_timer(std::uint64_t serial, std::uint64_t delay_ms) {
    return loop_.add_timer(delay_ms, [this, serial] { on_timer(serial); });
}

void MqttHub::on_timer(std::uint64_t serial) {
    if (LuaMqttClient* client = find(serial)) client->on_timer_fired();
}

}  // namespace lua_bindings
