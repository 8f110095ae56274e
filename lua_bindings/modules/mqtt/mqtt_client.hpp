// One `mqtt.create` client as Lua sees it. The MQTTCTRL* userdata holds this object (constructed in
// the userdata's memory as an MqttClientSlot, destroyed by its finaliser): the engine's Client over an
// AdapterStream, the socket channel it holds, the Lua callback, and the glue to the device's MqttHub.
//
// Lifetime, as LuatOS: the userdata is pinned in the registry from create until close(), so dropping
// the last Lua reference changes nothing. close() sends DISCONNECT, gives back the socket channel and
// frees the stream at once, unpins the userdata and stops every event (queued ones included); the
// engine stays, closed, until the garbage collector takes the userdata, and answers every method as a
// closed client does (LuatOS keeps its released control block the same way: publish -> nothing,
// state() -> 0, close() again -> nothing...). When the run ends (reboot, exit) the clients not closed
// are shut down without a DISCONNECT, as a module that loses power or reboots.
//
// LuatOS's MQTTCTRL* has no finaliser at all; ours frees the engine and must survive being called by
// hand (debug.getmetatable(c).__gc(c)): it runs once, and a client it destroyed is an empty slot that
// every method recognises (docs/modules/mqtt.md, "A closed or destroyed client").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "lua_bindings/modules/mqtt/mqtt_hub.hpp"
#include "luat_mqtt/client.hpp"
#include "platform_air780ep/adapter_stream.hpp"
#include "platform_air780ep/channel_pool.hpp"
#include "sys_task/logger.hpp"
#include "sys_task/lua_cxx.hpp"
#include "sys_task/sys_scheduler.hpp"

namespace platform_air780ep {
class TlsStream;
}

namespace lua_bindings {

inline constexpr const char* kMqttClientType = "MQTTCTRL*";

// The engine's enums at the edge: mqtt.STATE_* (LuatOS's MQTT_STATE_DISCONNECT 0, SCONNECT 1, MQTT 2,
// READY 3) for a connection state, and the device log's level for an engine diagnostic line.
lua_Integer lua_state_value(luat_mqtt::ConnectionState state);
sys_task::LogLevel logger_level(luat_mqtt::LogLevel level);

class LuaMqttClient;

// The clients of one run that are not closed yet, so that the end of the run can shut them down.
class MqttClientSet {
  public:
    MqttClientSet() = default;
    MqttClientSet(const MqttClientSet&) = delete;
    MqttClientSet& operator=(const MqttClientSet&) = delete;
    ~MqttClientSet() { shutdown_all(); }

    void add(LuaMqttClient* c) { clients_.insert(c); }
    void remove(LuaMqttClient* c) { clients_.erase(c); }
    void shutdown_all();
    [[nodiscard]] std::size_t size() const { return clients_.size(); }

  private:
    std::set<LuaMqttClient*> clients_;
};

class LuaMqttClient final : public luat_mqtt::TimerPort, public luat_mqtt::EventSink {
  public:
    struct Parts {
        MqttHub& hub;
        sys_task::Logger& log;
        sys_task::Scheduler& scheduler;
        MqttClientSet& set;
        platform_air780ep::Channel channel;
        std::unique_ptr<platform_air780ep::AdapterStream> stream;
        const platform_air780ep::TlsStream* tls = nullptr;  // inside `stream`, when the client uses TLS
        std::string host;
        std::uint16_t port = 0;
    };

    explicit LuaMqttClient(Parts parts);
    ~LuaMqttClient();
    LuaMqttClient(const LuaMqttClient&) = delete;
    LuaMqttClient& operator=(const LuaMqttClient&) = delete;

    // The engine; after close() (or the run's end) a closed one, which answers as LuatOS's closed
    // client does.
    [[nodiscard]] luat_mqtt::Client& engine() { return *client_; }
    [[nodiscard]] bool closed() const { return client_->session().closed(); }
    [[nodiscard]] const std::string& host() const { return host_; }
    [[nodiscard]] std::uint16_t port() const { return port_; }

    // Pin the userdata at `index` (this object) in the registry until close().
    void pin(lua_State* L, int index);
    // Let go of the registry references (the pin and the callback); close() does it too.
    void unpin(lua_State* L);
    // c:on(): a function replaces the callback; anything else removes it.
    void set_callback(lua_State* L, int index);
    void set_debug(bool on);
    // c:close().
    void close(lua_State* L);
    // The run ends: let go of the connection, the channel and the timer; no Lua calls (the state is
    // about to be closed), no DISCONNECT.
    void shutdown();

    // Whether a refused publish/subscribe/unsubscribe deserves a warning line: the first of a kind
    // and topic does; repeats (a script publishing into a full send budget in a loop) do not, until
    // something is accepted again (accepted()).
    bool first_refusal(luat_mqtt::Refusal refusal, std::string_view topic);
    void accepted() { last_refusal_ = luat_mqtt::Refusal::kNone; }

    // From the hub, each as its own native message.
    void deliver(const PendingMqttEvent& event);
    void on_timer_fired();

    // luat_mqtt::TimerPort
    [[nodiscard]] std::uint64_t now_ms() const override { return hub_.loop().now_ms(); }
    void arm(std::uint64_t deadline_ms) override;
    void cancel() override;
    // luat_mqtt::EventSink
    void on_mqtt_event(const luat_mqtt::Event& event) override;
    void on_mqtt_log(luat_mqtt::LogLevel level, std::string_view text) override;

  private:
    void release();

    MqttHub& hub_;
    sys_task::Logger& log_;
    sys_task::Scheduler& scheduler_;
    MqttClientSet* set_;
    std::uint64_t serial_ = 0;
    platform_air780ep::Channel channel_;
    platform_air780ep::AdapterStream* stream_;  // owned by client_; null once closed
    const platform_air780ep::TlsStream* tls_;   // owned by client_, through the stream
    std::string host_;
    std::uint16_t port_;
    std::unique_ptr<luat_mqtt::Client> client_;
    int self_ref_ = LUA_NOREF;
    int callback_ref_ = LUA_NOREF;
    sys_task::EventLoop::TimerId timer_ = 0;
    bool closing_ = false;  // close() in progress: the events of its close path are not for Lua
    luat_mqtt::Refusal last_refusal_ = luat_mqtt::Refusal::kNone;
    std::string last_refused_topic_;
};

// What the MQTTCTRL* userdata holds: the client until its finaliser runs, then nothing.
using MqttClientSlot = std::optional<LuaMqttClient>;

}  // namespace lua_bindings
