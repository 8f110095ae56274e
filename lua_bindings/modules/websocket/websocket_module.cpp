// websocket: LuatOS's WebSocket client API (docs/modules/websocket.md). Argument checks, defaults,
// returns and log texts as components/network/websocket/luat_lib_websocket.c has them; the protocol
// is ws_protocol.hpp, the connection websocket_client.hpp.
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_network.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/network_modules.hpp"
#include "lua_bindings/modules/websocket/websocket_client.hpp"
#include "lua_bindings/modules/zbuff/zbuff.hpp"
#include "luat_mqtt/packet.hpp"
#include "platform_air780ep/tls/tls_config.hpp"
#include "platform_air780ep/tls/tls_stream.hpp"

namespace lua_bindings {

namespace {

constexpr const char* kTag = "websocket";
constexpr std::size_t kHeadersMax = 1024;    // WS_HEADER_MAX
constexpr std::size_t kHeaderPairMax = 256;  // name + value of one table entry

struct WebsocketModule {
    WebsocketModule(RunContext& r, DeviceNetwork& n) : run(r), network(n) {}
    ~WebsocketModule() {
        const WebsocketClientSet open = clients;  // shutdown() leaves the set
        for (WebsocketClient* c : open)
            c->shutdown();
    }
    WebsocketModule(const WebsocketModule&) = delete;
    WebsocketModule& operator=(const WebsocketModule&) = delete;
    RunContext& run;
    DeviceNetwork& network;
    WebsocketClientSet clients;
};

using WebsocketSlot = std::optional<WebsocketClient>;

WebsocketModule& module_of(lua_State* L) {
    return upvalue_object<WebsocketModule>(L);
}

sys_task::Logger& logger_of(lua_State* L) {
    return module_of(L).run.device().logger();
}

WebsocketClient& check_client(lua_State* L) {
    auto* slot = static_cast<WebsocketSlot*>(luaL_checkudata(L, 1, kWebsocketType));
    if (!slot->has_value()) luaL_error(L, "attempt to use a destroyed websocket client");
    return **slot;
}

// websocket.create(adapter, url, keepalive, use_ipv6) -> client | nothing
int l_create(lua_State* L) {
    WebsocketModule& m = module_of(L);
    Device& device = m.run.device();
    sys_task::Logger& log = device.logger();
    const lua_Integer adapter = luaL_optinteger(L, 1, device.adapters().default_id());
    if (adapter < 0 || adapter >= platform_air780ep::kAdapterCount) return 0;
    std::size_t url_len = 0;
    const char* url = luaL_checklstring(L, 2, &url_len);
    std::uint32_t keepalive = 60;
    if (lua_isinteger(L, 3)) {
        // LuatOS keeps it in a uint16_t and uses it when > 0.
        const auto k = static_cast<std::uint16_t>(luaL_checkinteger(L, 3));
        if (k > 0) keepalive = k;
    }
    if (lua_isboolean(L, 4) && lua_toboolean(L, 4) != 0)
        log.warn(kTag, "websocket.create: IPv6 is not available on this device, IPv4 is used");
    WsUrl parsed = ws_parse_url(std::string_view(url, url_len));

    std::string error;
    std::optional<platform_air780ep::Channel> channel = m.network.channels().acquire("websocket", error);
    if (!channel) {
        log.error(kTag, "websocket init FAID ret -1: " + error);
        return 0;
    }
    std::unique_ptr<luat_mqtt::Transport> transport =
        m.network.make_tcp_stream(static_cast<int>(adapter), error);
    if (!transport) {
        log.error(kTag, "websocket init FAID ret -1: " + error);
        return 0;
    }
    if (parsed.tls) {
        // LuatOS's Lua API has no TLS options: wss:// is TLS without certificate checks (verify 0).
        // The device's TLS settings still apply (--tls-keylog).
        auto config = platform_air780ep::TlsConfig::create_insecure(m.network.tls_settings(), error);
        if (!config) {
            log.error(kTag, "websocket.create: " + error);
            return 0;
        }
        transport = std::make_unique<platform_air780ep::TlsStream>(device.loop(), std::move(config),
                                                                   std::move(transport));
    }
    const std::size_t index = channel->index();
    auto stream = std::make_unique<platform_air780ep::AdapterStream>(
        log, device.adapters(), static_cast<int>(adapter), std::move(transport), index,
        parsed.tls ? "TLS" : "TCP");
    stream->set_log_tag(kTag);

    void* memory = lua_newuserdatauv(L, sizeof(WebsocketSlot), 0);
    auto* slot = new (memory)
        WebsocketSlot(std::in_place, WebsocketClient::Parts{m.run, m.clients, std::move(*channel),
                                                            std::move(stream), std::move(parsed), keepalive});
    luaL_setmetatable(L, kWebsocketType);
    (*slot)->pin(L, -1);
    return 1;
}

// wsc:on(cb)
int l_on(lua_State* L) {
    check_client(L).set_callback(L, 2);
    return 0;
}

// wsc:connect() -> boolean
int l_connect(lua_State* L) {
    lua_pushboolean(L, check_client(L).connect() ? 1 : 0);
    return 1;
}

// wsc:autoreconn(reconnect, reconnect_time)
int l_autoreconn(lua_State* L) {
    WebsocketClient& c = check_client(L);
    c.set_autoreconn(lua_toboolean(L, 2) != 0, luaL_optinteger(L, 3, 3000));
    return 0;
}

// wsc:send(data, fin, opt) -> boolean | nothing. LuatOS reads Lua argument 3 (documented as `fin`)
// as the opcode switch: 1 sends a binary frame, anything else a text frame; every frame has FIN set.
int l_send(lua_State* L) {
    WebsocketClient& c = check_client(L);
    std::string_view payload;
    if (lua_isstring(L, 2)) {
        std::size_t len = 0;
        const char* s = luaL_checklstring(L, 2, &len);
        payload = std::string_view(s, len);
    } else if (Zbuff* z = test_zbuff(L, 2)) {
        payload = luat_mqtt::as_text(z->used_bytes());
    } else {
        logger_of(L).debug(kTag, "only support string or zbuff");
        return 0;
    }
    const bool binary = lua_isinteger(L, 3) && lua_tointeger(L, 3) == 1;
    lua_pushboolean(L, c.send(payload, binary ? WsOpcode::kBinary : WsOpcode::kText) ? 1 : 0);
    return 1;
}

// wsc:close()
int l_close(lua_State* L) {
    check_client(L).close(L);
    return 0;
}

// wsc:ready() -> boolean
int l_ready(lua_State* L) {
    lua_pushboolean(L, check_client(L).ready() ? 1 : 0);
    return 1;
}

// A header value as LuatOS writes it: '*', '-', '.', '_' and ' ' percent-encoded, the rest as is.
void append_value(std::string& out, std::string_view value) {
    for (const char ch : value) {
        if (ch == '*' || ch == '-' || ch == '.' || ch == '_' || ch == ' ') {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned>(static_cast<unsigned char>(ch)));
            out += hex;
        } else {
            out += ch;
        }
    }
}

// wsc:headers(table | string) -> true | nothing
int l_headers(lua_State* L) {
    WebsocketClient& c = check_client(L);
    if (!lua_istable(L, 2) && !lua_isstring(L, 2)) return 0;
    std::string out;
    if (lua_istable(L, 2)) {
        lua_pushnil(L);
        while (lua_next(L, 2) != 0) {
            std::size_t name_len = 0, value_len = 0;
            lua_pushvalue(L, -2);  // a copy: lua_tolstring must not change the key lua_next walks
            const char* name = lua_tolstring(L, -1, &name_len);
            const char* value = lua_tolstring(L, -2, &value_len);
            const std::string name_text = name ? std::string(name, name_len) : "(null)";
            const std::string value_text = value ? std::string(value, value_len) : "(null)";
            if (name_len == 0 || value_len == 0 || name_len + value_len > kHeaderPairMax) {
                logger_of(L).warn(kTag, "bad header " + name_text + " " + value_text);
                return 0;
            }
            out += name_text;
            out += ':';
            if (kHeadersMax - out.size() < value_len * 2) {
                logger_of(L).warn(kTag, "bad header " + name_text + " " + value_text + ", too large");
                return 0;
            }
            append_value(out, value_text);
            out += "\r\n";
            lua_pop(L, 2);
        }
    } else {
        std::size_t len = 0;
        const char* data = luaL_checklstring(L, 2, &len);
        if (len > kHeadersMax - 1) {
            logger_of(L).warn(kTag, "headers too large size " + std::to_string(len));
            return 0;
        }
        out.assign(data, ::strnlen(data, len));  // LuatOS keeps it as a C string
    }
    c.set_headers(std::move(out));
    lua_pushboolean(L, 1);
    return 1;
}

// wsc:debug(onoff)
int l_debug(lua_State* L) {
    WebsocketClient& c = check_client(L);
    if (lua_isboolean(L, 2)) c.set_debug(lua_toboolean(L, 2) != 0);
    return 0;
}

int l_gc(lua_State* L) {
    auto* slot = static_cast<WebsocketSlot*>(luaL_checkudata(L, 1, kWebsocketType));
    slot->reset();
    return 0;
}

}  // namespace

void install_websocket(RunContext& run, DeviceNetwork& network) {
    auto module = std::make_shared<WebsocketModule>(run, network);
    run.on_close([module]() mutable { module.reset(); });

    lua_State* L = run.state();
    push_module_table(L, "websocket");
    static const luaL_Reg kFunctions[] = {
        {"create", l_create}, {"on", l_on},       {"connect", l_connect}, {"autoreconn", l_autoreconn},
        {"send", l_send},     {"close", l_close}, {"ready", l_ready},     {"headers", l_headers},
        {"debug", l_debug},   {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module.get());

    luaL_newmetatable(L, kWebsocketType);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_gc);
    lua_setfield(L, -2, "__gc");
    // LuatOS's WS* metatable has only __index; a script sees that, never our finaliser.
    lua_createtable(L, 0, 2);
    lua_pushstring(L, kWebsocketType);
    lua_setfield(L, -2, "__name");
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
}

}  // namespace lua_bindings
