#include "lua_bindings/modules/mqtt/mqtt_client.hpp"

#include <vector>

#include "platform_air780ep/tls/tls_stream.hpp"

namespace lua_bindings {

lua_Integer lua_state_value(luat_mqtt::ConnectionState state) {
    switch (state) {
        case luat_mqtt::ConnectionState::kDisconnected:
            return 0;
        case luat_mqtt::ConnectionState::kConnecting:
            return 1;
        case luat_mqtt::ConnectionState::kAwaitingConnack:
            return 2;
        case luat_mqtt::ConnectionState::kReady:
            return 3;
    }
    return 0;
}

sys_task::LogLevel logger_level(luat_mqtt::LogLevel level) {
    switch (level) {
        case luat_mqtt::LogLevel::kDebug:
            return sys_task::kLogDebug;
        case luat_mqtt::LogLevel::kInfo:
            return sys_task::kLogInfo;
        case luat_mqtt::LogLevel::kWarn:
            return sys_task::kLogWarn;
        case luat_mqtt::LogLevel::kError:
            return sys_task::kLogError;
    }
    return sys_task::kLogError;
}

void MqttClientSet::shutdown_all() {
    // shutdown() removes each client from the set.
    while (!clients_.empty())
        (*clients_.begin())->shutdown();
}

LuaMqttClient::LuaMqttClient(Parts parts)
    : hub_(parts.hub),
      log_(parts.log),
      scheduler_(parts.scheduler),
      set_(&parts.set),
      channel_(std::move(parts.channel)),
      stream_(parts.stream.get()),
      tls_(parts.tls),
      host_(std::move(parts.host)),
      port_(parts.port),
      client_(std::make_unique<luat_mqtt::Client>(std::move(parts.stream), *this, *this, host_, port_)) {
    serial_ = hub_.add(this);  // only once fully built: the hub may call it from now on
    set_->add(this);
}

LuaMqttClient::~LuaMqttClient() {
    shutdown();
}

void LuaMqttClient::pin(lua_State* L, int index) {
    lua_pushvalue(L, index);
    self_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
}

void LuaMqttClient::unpin(lua_State* L) {
    if (callback_ref_ != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, callback_ref_);
    if (self_ref_ != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, self_ref_);
    callback_ref_ = self_ref_ = LUA_NOREF;
}

void LuaMqttClient::set_callback(lua_State* L, int index) {
    if (callback_ref_ != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, callback_ref_);
    callback_ref_ = LUA_NOREF;
    if (!closed() && lua_isfunction(L, index)) {
        lua_pushvalue(L, index);
        callback_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    }
}

void LuaMqttClient::set_debug(bool on) {
    if (stream_ != nullptr) stream_->set_debug(on);
}

void LuaMqttClient::close(lua_State* L) {
    if (closed()) return;
    closing_ = true;
    client_->close();  // DISCONNECT if connected, the close path (its events go nowhere), the stream freed
    release();
    unpin(L);
}

void LuaMqttClient::shutdown() {
    if (closed()) return;
    closing_ = true;
    client_->abandon();  // the stream freed (TLS included), no DISCONNECT
    release();
    // The registry references die with the Lua state.
    callback_ref_ = self_ref_ = LUA_NOREF;
}

void LuaMqttClient::release() {
    hub_.remove(serial_);  // queued events and a pending timer expiry find nothing now
    cancel();
    stream_ = nullptr;
    tls_ = nullptr;
    channel_.release();
    if (set_ != nullptr) set_->remove(this);
    set_ = nullptr;
}

bool LuaMqttClient::first_refusal(luat_mqtt::Refusal refusal, std::string_view topic) {
    if (refusal == last_refusal_ && topic == last_refused_topic_) return false;
    last_refusal_ = refusal;
    last_refused_topic_.assign(topic);
    return true;
}

void LuaMqttClient::arm(std::uint64_t deadline_ms) {
    cancel();
    const std::uint64_t now = now_ms();
    timer_ = hub_.add_timer(serial_, deadline_ms > now ? deadline_ms - now : 0);
}

void LuaMqttClient::cancel() {
    if (timer_ != 0) hub_.cancel_timer(timer_);
    timer_ = 0;
}

void LuaMqttClient::on_timer_fired() {
    timer_ = 0;
    client_->on_timer();
}

void LuaMqttClient::on_mqtt_event(const luat_mqtt::Event& event) {
    if (closing_) return;
    if (event.type == luat_mqtt::EventType::kConack && tls_ != nullptr && !tls_->verify_warning().empty()) {
        // verify = 1: the handshake went on although the certificate did not verify.
        log_.warn("mqtt", host_ + ":" + std::to_string(port_) +
                              " server certificate not verified (verify=1): " + tls_->verify_warning());
    }
    hub_.post_event(serial_, event);
}

void LuaMqttClient::on_mqtt_log(luat_mqtt::LogLevel level, std::string_view text) {
    log_.log(logger_level(level), "mqtt", text);
}

void LuaMqttClient::deliver(const PendingMqttEvent& e) {
    if (closed() || callback_ref_ == LUA_NOREF) return;
    lua_State* L = scheduler_.running_state();
    if (L == nullptr) return;
    const int top = lua_gettop(L);
    luaL_checkstack(L, 10, "mqtt event");
    lua_rawgeti(L, LUA_REGISTRYINDEX, self_ref_);  // kept below the call for MQTT_PONG
    const int self = top + 1;
    lua_rawgeti(L, LUA_REGISTRYINDEX, callback_ref_);
    if (!lua_isfunction(L, -1)) {
        lua_settop(L, top);
        return;
    }
    lua_pushvalue(L, self);
    lua_pushstring(L, luat_mqtt::to_string(e.type));
    int nargs = 2;
    switch (e.type) {
        case luat_mqtt::EventType::kRecv:
            lua_pushlstring(L, e.topic.data(), e.topic.size());
            lua_pushlstring(L, e.payload.data(), e.payload.size());
            lua_createtable(L, 0, 4);
            lua_pushinteger(L, e.meta.message_id);
            lua_setfield(L, -2, "message_id");
            lua_pushinteger(L, e.meta.qos);
            lua_setfield(L, -2, "qos");
            lua_pushinteger(L, e.meta.retain ? 1 : 0);
            lua_setfield(L, -2, "retain");
            lua_pushinteger(L, e.meta.dup ? 1 : 0);
            lua_setfield(L, -2, "dup");
            nargs += 3;
            break;
        case luat_mqtt::EventType::kSent:
        case luat_mqtt::EventType::kDisconnect:
            lua_pushinteger(L, e.value);
            nargs += 1;
            break;
        case luat_mqtt::EventType::kSuback:
            lua_pushboolean(L, e.ok ? 1 : 0);
            lua_pushinteger(L, e.value);
            nargs += 2;
            break;
        case luat_mqtt::EventType::kError:
            lua_pushstring(L, luat_mqtt::to_string(e.error_kind));
            lua_pushinteger(L, e.value);
            nargs += 2;
            break;
        case luat_mqtt::EventType::kConack:
        case luat_mqtt::EventType::kUnsuback:
        case luat_mqtt::EventType::kPong:
        case luat_mqtt::EventType::kClose:
            break;
    }
    // The callback may destroy this client (its finaliser called by hand): nothing of `this` is used
    // after the call.
    sys_task::Scheduler& scheduler = scheduler_;
    // As LuatOS: an error in the callback is not caught; it ends sys.run().
    lua_call(L, nargs, 0);
    if (e.type == luat_mqtt::EventType::kPong) {
        lua_pushliteral(L, "MQTT_PONG");
        lua_pushvalue(L, self);
        scheduler.publish(L, 2);
    }
    lua_settop(L, top);
}

}  // namespace lua_bindings
