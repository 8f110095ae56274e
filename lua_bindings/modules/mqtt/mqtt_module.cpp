// mqtt: LuatOS's MQTT client API (docs/modules/mqtt.md), over the luat_mqtt engine.
//
// Glue only: argument checks, defaults and return values as LuatOS has them; the protocol, the
// clamps and the events are the engine's. The MQTTCTRL* userdata's metatable looks names up in the
// module table, so every method is also a module function (mqtt.publish(c, ...) == c:publish(...)).
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_network.hpp"
#include "lua_bindings/modules/lua_args.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/mqtt/mqtt_client.hpp"
#include "lua_bindings/modules/network_modules.hpp"
#include "lua_bindings/modules/zbuff/zbuff.hpp"
#include "platform_air780ep/tls/tls_config.hpp"
#include "platform_air780ep/tls/tls_stream.hpp"

namespace lua_bindings {

namespace {

// LuatOS's host buffer is 192 bytes with its NUL.
constexpr std::size_t kMaxHostLength = 191;

// What the functions of one run share (upvalue 1 of each).
struct MqttModule {
    MqttModule(RunContext& r, DeviceNetwork& n, MqttHub& h) : run(r), network(n), hub(h) {}
    RunContext& run;
    DeviceNetwork& network;
    MqttHub& hub;
    MqttClientSet clients;  // destroyed (the clients shut down) when the run ends
};

MqttModule& module_of(lua_State* L) {
    return upvalue_object<MqttModule>(L);
}

sys_task::Logger& logger_of(lua_State* L) {
    return module_of(L).run.device().logger();
}

// Argument 1 as a client, as liolib's tofile: anything but an MQTTCTRL* raises luaL_checkudata's
// argument error, a client whose finaliser ran raises one error of its own. A closed client is a
// client: LuatOS answers its methods (state 0, publish nothing, close again nothing), and so does
// the closed engine.
LuaMqttClient& check_client(lua_State* L) {
    auto* slot = static_cast<MqttClientSlot*>(luaL_checkudata(L, 1, kMqttClientType));
    if (!slot->has_value()) luaL_error(L, "attempt to use a destroyed mqtt client");
    return **slot;
}

// C strings in LuatOS: an embedded NUL ends the text (libemqtt uses strlen).
std::string_view c_text(const char* s, std::size_t len) {
    return {s, ::strnlen(s, len)};
}

// Why a publish / subscribe / unsubscribe sent nothing. "Not connected" is an ordinary answer (LuatOS
// returns nil quietly); everything else is a mistake or a limit the script should hear about, once.
void report_refusal(lua_State* L, LuaMqttClient& c, const char* what, luat_mqtt::Refusal refusal,
                    std::string_view topic) {
    switch (refusal) {
        case luat_mqtt::Refusal::kNone:
        case luat_mqtt::Refusal::kClosed:
        case luat_mqtt::Refusal::kNotConnected:
        case luat_mqtt::Refusal::kConnecting:
            return;
        default:
            break;
    }
    if (!c.first_refusal(refusal, topic)) return;
    logger_of(L).warn("mqtt", std::string(what) + " refused: " + luat_mqtt::to_string(refusal) + " (topic '" +
                                  std::string(topic) + "')");
}

// ---- mqtt.create ---------------------------------------------------------------------------------

// mqtt.create's arguments as LuatOS reads them. The views are into strings of the Lua stack (the
// arguments, the `ssl` table), valid during the call.
struct CreateOptions {
    int adapter = 0;
    std::string_view host;
    lua_Integer port_argument = 0;  // checked once the channel is taken, as LuatOS does
    std::uint16_t port = 0;         // then
    enum class Ssl { kNone, kInsecure, kTable } ssl = Ssl::kNone;
    platform_air780ep::TlsOptions tls;
    std::optional<lua_Integer> rx_size;
    std::optional<lua_Integer> conn_timeout;
    bool ipv6 = false;
};

// The `ssl` table's fields; wrong types are ignored, as LuatOS does. The strings stay referenced by
// the table (argument 4) while they are used.
void read_ssl_table(lua_State* L, int index, platform_air780ep::TlsOptions& tls) {
    if (lua_getfield(L, index, "verify") == LUA_TNUMBER) {
        // Truncated as C would; far out of range stays out of range (and is refused).
        const lua_Number v = lua_tonumber(L, -1);
        tls.verify = v > -1000 && v < 1000 ? static_cast<int>(v) : -1000;
    }
    lua_pop(L, 1);
    auto text = [&](const char* field) -> std::optional<std::string_view> {
        std::optional<std::string_view> out;
        if (lua_getfield(L, index, field) == LUA_TSTRING) {
            std::size_t len = 0;
            const char* s = lua_tolstring(L, -1, &len);
            out = std::string_view(s, len);
        }
        lua_pop(L, 1);
        return out;
    };
    tls.server_cert = text("server_cert");
    tls.client_cert = text("client_cert");
    tls.client_key = text("client_key");
    tls.client_password = text("client_password");
}

void read_opts(lua_State* L, int index, CreateOptions& o) {
    if (lua_isboolean(L, index)) {
        o.ipv6 = lua_toboolean(L, index) != 0;
        return;
    }
    if (!lua_istable(L, index)) return;
    if (lua_getfield(L, index, "ipv6") == LUA_TBOOLEAN) o.ipv6 = lua_toboolean(L, -1) != 0;
    lua_pop(L, 1);
    auto number = [&](const char* field) -> std::optional<lua_Integer> {
        std::optional<lua_Integer> out;
        if (lua_getfield(L, index, field) == LUA_TNUMBER) {
            const lua_Number n = lua_tonumber(L, -1);
            if (n >= -1e15 && n <= 1e15) out = static_cast<lua_Integer>(n);
        }
        lua_pop(L, 1);
        return out;
    };
    o.rx_size = number("rxSize");
    o.conn_timeout = number("conn_timeout");
}

// Step 1 of mqtt.create: the adapter, a C int as in LuatOS (2^32 + 1 is 1). An id outside the table
// gives nullopt after the log line, before any other argument is looked at (mqtt.create(99) returns
// nothing on the module, whatever follows).
std::optional<int> read_create_adapter(lua_State* L, Device& device, sys_task::Logger& log) {
    const auto adapter = static_cast<int>(luaL_optinteger(L, 1, device.adapters().default_id()));
    if (adapter < 0 || adapter >= platform_air780ep::kAdapterCount) {
        log.error("mqtt", "mqtt.create: no network adapter " + std::to_string(adapter));
        return std::nullopt;
    }
    return adapter;
}

// Step 3: the other arguments, read once the channel is taken, as LuatOS reads them (a wrong type
// raises; the channel goes back as the error unwinds). What LuatOS refuses gives nullopt after its
// log line.
std::optional<CreateOptions> read_create_arguments(lua_State* L, int adapter, sys_task::Logger& log) {
    CreateOptions o;
    o.adapter = adapter;
    if (lua_isinteger(L, 2)) {
        // LuatOS takes an integer as a raw IPv4 address and then fails to connect to it.
        log.error("mqtt", "mqtt.create: the host must be a name or an address as text, not the number " +
                              std::to_string(lua_tointeger(L, 2)));
        return std::nullopt;
    }
    std::size_t host_len = 0;
    const char* host = luaL_checklstring(L, 2, &host_len);
    o.host = c_text(host, host_len);
    // A WebSocket URL's port is read only when it is an integer (else 0: the URL's own), so a missing
    // or fractional one raises nothing; the URL is refused later (check_endpoint).
    if (o.host.starts_with("ws://") || o.host.starts_with("wss://")) {
        o.port_argument = lua_isinteger(L, 3) ? lua_tointeger(L, 3) : 0;
    } else {
        o.port_argument = luaL_checkinteger(L, 3);
    }
    if (lua_isboolean(L, 4) && lua_toboolean(L, 4) != 0) {
        o.ssl = CreateOptions::Ssl::kInsecure;
    } else if (lua_istable(L, 4)) {
        o.ssl = CreateOptions::Ssl::kTable;
        read_ssl_table(L, 4, o.tls);
    }
    read_opts(L, 5, o);
    return o;
}

// Step 4: what LuatOS refuses once it holds the channel (the caller's Channel handle gives it back).
// Sets o.port; false after the log line.
bool check_endpoint(CreateOptions& o, sys_task::Logger& log) {
    if (o.host.size() > kMaxHostLength) {
        log.error("mqtt", "mqtt.create: host is " + std::to_string(o.host.size()) + " bytes, longer than " +
                              std::to_string(kMaxHostLength));
        return false;
    }
    if (o.host.starts_with("ws://") || o.host.starts_with("wss://")) {
        log.error("mqtt", "mqtt.create: MQTT over WebSocket (" + std::string(o.host) + ") is not supported");
        return false;
    }
    if (o.port_argument < 1 || o.port_argument > 65535) {
        log.error("mqtt",
                  "mqtt.create: port " + std::to_string(o.port_argument) + " is not a TCP port (1..65535)");
        return false;
    }
    o.port = static_cast<std::uint16_t>(o.port_argument);
    if (o.ipv6) log.warn("mqtt", "mqtt.create: IPv6 is not available on this device, IPv4 is used");
    return true;
}

// The client's stream, built once the arguments are known good.
struct ClientStream {
    std::unique_ptr<platform_air780ep::AdapterStream> stream;
    const platform_air780ep::TlsStream* tls = nullptr;  // inside `stream`, when the client uses TLS
};

// Steps 5 and 6: the TLS configuration, the adapter's TCP stream, TLS over it, all inside the
// AdapterStream that logs the socket's happenings. nullopt after the log line.
std::optional<ClientStream> build_stream(MqttModule& m, const CreateOptions& o, std::size_t channel_index) {
    Device& device = m.run.device();
    sys_task::Logger& log = device.logger();
    std::string error;
    std::shared_ptr<const platform_air780ep::TlsConfig> tls_config;
    if (o.ssl != CreateOptions::Ssl::kNone) {
        std::vector<std::string> warnings;
        const platform_air780ep::TlsDeviceSettings& device_tls = m.network.tls_settings();
        tls_config = o.ssl == CreateOptions::Ssl::kInsecure
                         ? platform_air780ep::TlsConfig::create_insecure(device_tls, error)
                         : platform_air780ep::TlsConfig::create(o.tls, device_tls, warnings, error);
        for (const std::string& w : warnings)
            log.warn("mqtt", w);
        if (!tls_config) {
            log.error("mqtt", "mqtt.create: ssl." + error);
            return std::nullopt;
        }
    }
    std::unique_ptr<luat_mqtt::Transport> transport = m.network.make_tcp_stream(o.adapter, error);
    if (!transport) {
        log.error("mqtt", "mqtt.create: " + error);
        return std::nullopt;
    }
    ClientStream out;
    const std::string connect_warning = tls_config ? tls_config->connect_warning() : std::string();
    if (tls_config) {
        auto t = std::make_unique<platform_air780ep::TlsStream>(device.loop(), std::move(tls_config),
                                                                std::move(transport));
        out.tls = t.get();
        transport = std::move(t);
    }
    out.stream = std::make_unique<platform_air780ep::AdapterStream>(log, device.adapters(), o.adapter,
                                                                    std::move(transport), channel_index,
                                                                    out.tls != nullptr ? "TLS" : "TCP");
    out.stream->set_connect_warning(connect_warning);
    return out;
}

// Step 7: the userdata is the client; its __gc is set before anything else can raise.
void push_client(lua_State* L, MqttModule& m, const CreateOptions& o, platform_air780ep::Channel channel,
                 ClientStream stream) {
    void* memory = lua_newuserdatauv(L, sizeof(MqttClientSlot), 0);
    auto* slot = new (memory) MqttClientSlot(
        std::in_place,
        LuaMqttClient::Parts{m.hub, m.run.device().logger(), m.run.scheduler(), m.clients, std::move(channel),
                             std::move(stream.stream), stream.tls, std::string(o.host), o.port});
    luaL_setmetatable(L, kMqttClientType);
    LuaMqttClient& client = **slot;
    client.pin(L, -1);
    if (o.rx_size) client.engine().set_rx_size(*o.rx_size);
    if (o.conn_timeout) client.engine().set_connect_timeout(*o.conn_timeout);
}

// mqtt.create(adapter, host, port, ssl, opts) -> client | nothing
int l_create(lua_State* L) {
    MqttModule& m = module_of(L);
    sys_task::Logger& log = m.run.device().logger();
    const std::optional<int> adapter = read_create_adapter(L, m.run.device(), log);
    if (!adapter) return 0;
    // Step 2: the socket channel (8 shared by every link of the module). None free: nothing, before
    // the host and the port are looked at, as luat_mqtt_init fails on the module.
    std::string error;
    std::optional<platform_air780ep::Channel> channel = m.network.channels().acquire("mqtt", error);
    if (!channel) {
        log.error("mqtt", "mqtt.create: " + error);
        return 0;
    }
    std::optional<CreateOptions> o = read_create_arguments(L, *adapter, log);
    if (!o) return 0;
    if (!check_endpoint(*o, log)) return 0;
    std::optional<ClientStream> stream = build_stream(m, *o, channel->index());
    if (!stream) return 0;
    push_client(L, m, *o, std::move(*channel), std::move(*stream));
    return 1;
}

// ---- settings -----------------------------------------------------------------------------------

// c:auth(client_id, username, password, cleanSession) -> true | nothing
int l_auth(lua_State* L) {
    LuaMqttClient& c = check_client(L);
    std::size_t id_len = 0, user_len = 0, pass_len = 0;
    const char* id = luaL_optlstring(L, 2, "", &id_len);
    const char* user = luaL_optlstring(L, 3, "", &user_len);
    const char* pass = luaL_optlstring(L, 4, "", &pass_len);
    // Only an explicit false turns clean session off.
    const bool clean = !(lua_isboolean(L, 5) && lua_toboolean(L, 5) == 0);
    const luat_mqtt::AuthResult r = c.engine().auth(c_text(id, id_len), c_text(user, user_len),
                                                    luat_mqtt::as_bytes(c_text(pass, pass_len)), clean);
    if (!luat_mqtt::accepted(r)) {
        // A closed client answers nothing, quietly; a refused setting is the script's mistake.
        if (r != luat_mqtt::AuthResult::kClosed)
            logger_of(L).error("mqtt", std::string("auth: ") + luat_mqtt::to_string(r));
        return 0;
    }
    if (r == luat_mqtt::AuthResult::kPasswordWithoutUsername) {
        logger_of(L).warn("mqtt",
                          std::string("auth: ") + luat_mqtt::to_string(r) + " (MQTT 3.1.1 forbids it)");
    }
    lua_pushboolean(L, 1);
    return 1;
}

// c:keepalive(seconds)
int l_keepalive(lua_State* L) {
    LuaMqttClient& c = check_client(L);
    // LuatOS's `int timeout`: the engine then clamps it to 15..600
    const auto seconds = static_cast<std::int32_t>(luaL_optinteger(L, 2, luat_mqtt::kDefaultKeepaliveS));
    c.engine().set_keepalive(seconds);
    return 0;
}

// c:autoreconn(enable, period_ms)
int l_autoreconn(lua_State* L) {
    LuaMqttClient& c = check_client(L);
    std::optional<bool> enable;
    if (lua_isboolean(L, 2)) enable = lua_toboolean(L, 2) != 0;
    // LuatOS's uint32_t reconnect_time: -1 is 4294967295 ms, not the 1000 ms floor
    const auto period =
        static_cast<std::uint32_t>(luaL_optinteger(L, 3, luat_mqtt::kDefaultReconnectPeriodMs));
    c.engine().set_autoreconn(enable, period);
    return 0;
}

// c:on(fn)
int l_on(lua_State* L) {
    check_client(L).set_callback(L, 2);
    return 0;
}

// c:will(topic, payload, qos, retain) -> boolean
int l_will(lua_State* L) {
    LuaMqttClient& c = check_client(L);
    std::size_t topic_len = 0, payload_len = 0;
    const char* topic = luaL_checklstring(L, 2, &topic_len);
    const char* payload = luaL_checklstring(L, 3, &payload_len);
    // LuatOS's `int` both, then libemqtt's uint8_t qos (257 is 1; above 2 is 0) and size_t retain
    const auto qos = static_cast<std::uint8_t>(luaL_optinteger(L, 4, 0));
    const auto retain = static_cast<std::int32_t>(luaL_optinteger(L, 5, 0));
    const bool ok = c.engine().set_will(
        c_text(topic, topic_len), luat_mqtt::as_bytes(std::string_view(payload, payload_len)), qos, retain);
    // A closed client refuses quietly; a bad topic or payload is the script's mistake.
    if (!ok && !c.closed())
        logger_of(L).error("mqtt", "will: refused (topic '" + std::string(topic) + "', " +
                                       std::to_string(payload_len) + " bytes)");
    lua_pushboolean(L, ok ? 1 : 0);
    return 1;
}

// c:debug(onoff)
int l_debug(lua_State* L) {
    LuaMqttClient& c = check_client(L);
    if (lua_isboolean(L, 2)) c.set_debug(lua_toboolean(L, 2) != 0);
    return 0;
}

// ---- commands -----------------------------------------------------------------------------------

// c:connect() -> boolean
int l_connect(lua_State* L) {
    LuaMqttClient& c = check_client(L);
    lua_pushboolean(L, c.engine().connect() ? 1 : 0);
    return 1;
}

// c:disconnect() -> true
int l_disconnect(lua_State* L) {
    check_client(L).engine().disconnect();
    lua_pushboolean(L, 1);
    return 1;
}

// c:close()
int l_close(lua_State* L) {
    check_client(L).close(L);
    return 0;
}

// c:publish(topic, payload, qos, retain) -> msg_id | nothing (payload: a string or a zbuff's used bytes)
int l_publish(lua_State* L) {
    LuaMqttClient& c = check_client(L);
    std::size_t topic_len = 0;
    const char* topic_text = luaL_checklstring(L, 2, &topic_len);
    const std::string_view topic = c_text(topic_text, topic_len);
    std::string_view payload;  // a string, a zbuff's used bytes, or empty for anything else
    if (lua_isstring(L, 3)) {
        std::size_t len = 0;
        const char* p = lua_tolstring(L, 3, &len);
        payload = std::string_view(p, len);
    } else if (const Zbuff* buff = test_zbuff(L, 3)) {
        const auto bytes = buff->used_bytes();
        payload = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    } else {
        logger_of(L).debug("mqtt", "only support string or zbuff");
    }
    const lua_Integer qos = luaL_optinteger(L, 4, 0);
    const lua_Integer retain = luaL_optinteger(L, 5, 0);
    const luat_mqtt::SendResult r = c.engine().publish(topic, luat_mqtt::as_bytes(payload), qos, retain);
    if (!r.ok()) {
        report_refusal(L, c, "publish", r.refusal, topic);
        return 0;
    }
    c.accepted();
    lua_pushinteger(L, r.id);
    return 1;
}

// c:subscribe(topic, qos) / c:subscribe({[topic] = qos, ...}) -> msg_id | nothing | 0
int l_subscribe(lua_State* L) {
    LuaMqttClient& c = check_client(L);
    if (lua_isstring(L, 2)) {
        std::size_t len = 0;
        const char* t = lua_tolstring(L, 2, &len);
        // LuatOS's uint8_t qos: 257 is 1 (and libemqtt sends above 2 as 0)
        const auto qos = static_cast<std::uint8_t>(luaL_optinteger(L, 3, 0));
        const luat_mqtt::SendResult r = c.engine().subscribe(c_text(t, len), qos);
        if (!r.ok()) {
            report_refusal(L, c, "subscribe", r.refusal, c_text(t, len));
            return 0;
        }
        lua_pushinteger(L, r.id);
        return 1;
    }
    if (!lua_istable(L, 2)) {
        lua_pushinteger(L, 0);
        return 1;
    }
    // One SUBSCRIBE per entry, as LuatOS; the id of the last one if every one was sent.
    bool all_sent = true;
    lua_Integer last_id = 0;
    lua_pushnil(L);
    while (lua_next(L, 2) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING && lua_type(L, -2) != LUA_TNUMBER) {
            return luaL_argerror(L, 2,
                                 lua_pushfstring(L, "topic expected as key, got %s", luaL_typename(L, -2)));
        }
        // The qos as LuatOS reads it: luaL_optinteger on the value at -1, so a wrong one raises with
        // that index (`bad argument #-2 to 'subscribe' (number has no integer representation)` for
        // c:subscribe({t = 1.5}), #-1 for mqtt.subscribe(c, ...)); then its uint8_t.
        const auto qos = static_cast<std::uint8_t>(luaL_optinteger(L, -1, 0));
        lua_pushvalue(L, -2);  // a copy: lua_tolstring must not change the key lua_next walks
        std::size_t len = 0;
        const char* t = lua_tolstring(L, -1, &len);
        const luat_mqtt::SendResult r = c.engine().subscribe(c_text(t, len), qos);
        if (r.ok()) {
            last_id = r.id;
        } else {
            all_sent = false;
            report_refusal(L, c, "subscribe", r.refusal, c_text(t, len));
        }
        lua_pop(L, 2);
    }
    if (!all_sent) return 0;
    lua_pushinteger(L, last_id);
    return 1;
}

// c:unsubscribe(topic) / c:unsubscribe({topic1, topic2, ...}) -> msg_id | nothing | 0
int l_unsubscribe(lua_State* L) {
    LuaMqttClient& c = check_client(L);
    auto one = [&](std::string_view topic, bool& all_sent, lua_Integer& last_id) {
        const luat_mqtt::SendResult r = c.engine().unsubscribe(topic);
        if (r.ok()) {
            last_id = r.id;
        } else {
            all_sent = false;
            report_refusal(L, c, "unsubscribe", r.refusal, topic);
        }
    };
    bool all_sent = true;
    lua_Integer last_id = 0;
    if (lua_isstring(L, 2)) {
        std::size_t len = 0;
        const char* t = lua_tolstring(L, 2, &len);
        one(c_text(t, len), all_sent, last_id);
    } else if (lua_istable(L, 2)) {
        const auto n = static_cast<lua_Integer>(lua_rawlen(L, 2));
        for (lua_Integer i = 1; i <= n; ++i) {
            lua_geti(L, 2, i);
            // luaL_checklstring on the element at -1, as LuatOS: `bad argument #-2 to 'unsubscribe'
            // (string expected, got table)` for c:unsubscribe({"a", {}}); the topics before it are sent
            std::size_t len = 0;
            const char* t = luaL_checklstring(L, -1, &len);
            one(c_text(t, len), all_sent, last_id);
            lua_pop(L, 1);
        }
    } else {
        lua_pushinteger(L, 0);
        return 1;
    }
    if (!all_sent) return 0;
    lua_pushinteger(L, last_id);
    return 1;
}

// c:ready() -> boolean
int l_ready(lua_State* L) {
    lua_pushboolean(L, check_client(L).engine().ready() ? 1 : 0);
    return 1;
}

// c:state() -> mqtt.STATE_*
int l_state(lua_State* L) {
    lua_pushinteger(L, lua_state_value(check_client(L).engine().state()));
    return 1;
}

// __index (upvalue 1: the module table): LuatOS's takes the key with luaL_checkstring, so c[true]
// raises `bad argument #2 to '__index' (string expected, got boolean)`; a number is a name that
// names nothing.
int l_index(lua_State* L) {
    luatos_check_lstring(L, 2, nullptr);
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    return 1;
}

// __gc: the collector took a closed client, the Lua state is being closed at the end of the run, or
// a script called it by hand (debug.getmetatable). Runs once; later calls find an empty slot.
int l_gc(lua_State* L) {
    auto* slot = static_cast<MqttClientSlot*>(luaL_checkudata(L, 1, kMqttClientType));
    if (!slot->has_value()) return 0;
    (*slot)->unpin(L);  // only a live client finalised by hand still has its references
    slot->reset();      // the storage itself is Lua's: the optional is never destroyed as such
    return 0;
}

}  // namespace

void install_mqtt(RunContext& run, DeviceNetwork& network) {
    auto module = std::make_shared<MqttModule>(run, network, network.mqtt_hub());
    // At the end of the run the clients not closed are shut down, before the Lua state goes.
    run.on_close([module]() mutable { module.reset(); });

    lua_State* L = run.state();
    push_module_table(L, "mqtt");
    static const luaL_Reg kFunctions[] = {
        {"create", l_create},
        {"auth", l_auth},
        {"keepalive", l_keepalive},
        {"autoreconn", l_autoreconn},
        {"on", l_on},
        {"connect", l_connect},
        {"disconnect", l_disconnect},
        {"close", l_close},
        {"publish", l_publish},
        {"subscribe", l_subscribe},
        {"unsubscribe", l_unsubscribe},
        {"ready", l_ready},
        {"state", l_state},
        {"will", l_will},
        {"debug", l_debug},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module.get());
    const IntConstant kConstants[] = {
        {"STATE_DISCONNECT", lua_state_value(luat_mqtt::ConnectionState::kDisconnected)},
        {"STATE_SCONNECT", lua_state_value(luat_mqtt::ConnectionState::kConnecting)},
        {"STATE_MQTT", lua_state_value(luat_mqtt::ConnectionState::kAwaitingConnack)},
        {"STATE_READY", lua_state_value(luat_mqtt::ConnectionState::kReady)},
        {"VERIFY_NONE", 0},
        {"VERIFY_OPTION", 1},
        {"VERIFY_REQUIRED", 2},
    };
    set_int_constants(L, kConstants);

    luaL_newmetatable(L, kMqttClientType);  // also sets __name = "MQTTCTRL*" (tostring)
    lua_pushvalue(L, -2);
    lua_pushcclosure(L, l_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_gc);
    lua_setfield(L, -2, "__gc");
    // What getmetatable(c) gives: LuatOS's MQTTCTRL* metatable has __name and __index and no
    // finaliser, so a script gets the same, and never ours.
    lua_createtable(L, 0, 2);
    lua_pushstring(L, kMqttClientType);
    lua_setfield(L, -2, "__name");
    lua_pushvalue(L, -3);  // the module table
    lua_setfield(L, -2, "__index");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
}

}  // namespace lua_bindings
