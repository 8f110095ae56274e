// How MQTT clients reach the sys loop: one per device (the DeviceNetwork's, so it outlives every run
// and every native message it posts).
//
// Each engine event becomes one native message, as on LuatOS, and cheaply: the event is copied into a
// reused slot of one FIFO ring (a "recv" topic and payload into the slot's strings, which keep their
// capacity), and the message posted is a closure of two words (this hub, the event's sequence number)
// that std::function stores without allocating. A client's engine timer is an EventLoop timer whose
// closure is two words too (this hub, the client's serial).
//
// The "sent"(0) of a QoS 0 publish carries nothing but its client: it takes no ring slot, and a run of
// them (a script publishing in a tight loop, which gets no event until it yields) is one repeatable
// native message (EventLoop::post_repeatable): each still reaches the callback as its own message, in
// order, but a storm of a million publishes queues a few bytes instead of ~150 per message.
//
// Clients are known by serial, never by pointer, in what is queued: a message for a client closed (or
// a run ended) since finds nothing and is dropped, so no event reaches Lua after close() and nothing
// dangles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "luat_mqtt/event.hpp"
#include "sys_task/event_loop.hpp"

namespace lua_bindings {

class LuaMqttClient;

// One event on its way to Lua (luat_mqtt::Event with owned topic and payload).
struct PendingMqttEvent {
    std::uint64_t seq = 0;
    std::uint64_t client = 0;  // serial
    luat_mqtt::EventType type = luat_mqtt::EventType::kConack;
    int value = 0;
    bool ok = false;
    luat_mqtt::ErrorKind error_kind = luat_mqtt::ErrorKind::kConnect;
    luat_mqtt::RecvMeta meta;
    std::string topic;
    std::string payload;
};

class MqttHub {
  public:
    explicit MqttHub(sys_task::EventLoop& loop) : loop_(loop) {}
    MqttHub(const MqttHub&) = delete;
    MqttHub& operator=(const MqttHub&) = delete;

    std::uint64_t add(LuaMqttClient* client);
    // Forget a client: its queued events and its timer's expiry are dropped.
    void remove(std::uint64_t serial);
    [[nodiscard]] LuaMqttClient* find(std::uint64_t serial) const;

    // Queue `event` for client `serial` and post the native message that delivers it.
    void post_event(std::uint64_t serial, const luat_mqtt::Event& event);
    // A one-shot timer that calls the client's on_timer_fired() as a native message.
    sys_task::EventLoop::TimerId add_timer(std::uint64_t serial, std::uint64_t delay_ms);
    void cancel_timer(sys_task::EventLoop::TimerId id) { loop_.cancel_timer(id); }

    [[nodiscard]] sys_task::EventLoop& loop() { return loop_; }
    [[nodiscard]] std::size_t queued_events() const { return count_; }

    // Hears every engine event of every client as it is queued, and a client's removal (its serial,
    // nullptr): the `luatos --status-fd` report (lua_bindings/app/status_reporter.hpp). Must not
    // call back into the hub.
    using Observer = std::function<void(std::uint64_t serial, const luat_mqtt::Event* event)>;
    void set_observer(Observer observer) { observer_ = std::move(observer); }

  private:
    void deliver(std::uint64_t seq);
    void deliver_qos0_sent(std::uint64_t serial);
    void on_timer(std::uint64_t serial);
    PendingMqttEvent& push_slot();
    void pop_slot();

    sys_task::EventLoop& loop_;
    std::unordered_map<std::uint64_t, LuaMqttClient*> clients_;
    std::uint64_t next_serial_ = 1;
    std::uint64_t next_seq_ = 1;
    // FIFO ring of slots: [head_, head_ + count_) modulo the size.
    std::vector<PendingMqttEvent> ring_;
    std::size_t head_ = 0;
    std::size_t count_ = 0;
    // The event being delivered (swapped out of its slot, so the callback may queue more events).
    PendingMqttEvent current_;
    bool delivering_ = false;
    Observer observer_;
};

}  // namespace lua_bindings
