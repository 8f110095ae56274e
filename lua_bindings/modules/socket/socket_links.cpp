// socket.create and the rest of LuatOS's socket API on top of SocketCtrl (luat_lib_socket.c): the
// NWCTRL* userdata, argument checks, return values, and the delivery of the result events to a
// callback, a sysplus task or sys_pub. docs/modules/socket.md.
#include <array>
#include <map>
#include <memory>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_network.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/network_modules.hpp"
#include "lua_bindings/modules/socket/socket_ctrl.hpp"
#include "lua_bindings/modules/zbuff/zbuff.hpp"
#include "platform_air780ep/adapter_table.hpp"

namespace lua_bindings {

namespace {

constexpr const char* kCtrlType = "NWCTRL*";
constexpr lua_Integer kResultBase = 0x0200000F;  // (EV_NW_END + 1) & 0x0fffffff
constexpr lua_Integer kDefaultRxCache = 6;       // LUAT_LWIP_RX_CACHE_NUM on the EC718

const char* state_text(NwState s) {
    static const std::array<const char*, 9> kText = {
        "硬件离线", "离线", "等待DNS", "正在连接", "正在TLS握手", "在线", "在监听", "正在离线", "未知"};
    return kText[static_cast<std::size_t>(s)];
}

struct CtrlUd {
    std::uint64_t serial;
};

struct Entry {
    std::unique_ptr<SocketCtrl> ctrl;
    int cb_ref = LUA_NOREF;
    std::string task;
    bool has_task = false;
    void* address = nullptr;  // the userdata's block: what callbacks get as a light userdata
};

struct SocketLinks : std::enable_shared_from_this<SocketLinks> {
    SocketLinks(RunContext& r, DeviceNetwork& n) : run(r), network(n) {}
    RunContext& run;
    DeviceNetwork& network;
    std::map<std::uint64_t, Entry> entries;
    std::map<void*, std::uint64_t> by_address;
    std::uint64_t next_serial = 1;
    std::map<std::pair<int, lua_Integer>, std::string> dns_servers;  // (adapter, index) -> address
    lua_Integer ssl_log_level = 1;
    lua_Integer rx_cache = kDefaultRxCache;

    void deliver(lua_State* L, std::uint64_t serial, NwWait target, int result);
    void release(lua_State* L, std::uint64_t serial);
};

SocketLinks& links(lua_State* L) {
    return upvalue_object<SocketLinks>(L);
}

void SocketLinks::deliver(lua_State* L, std::uint64_t serial, NwWait target, int result) {
    const auto it = entries.find(serial);
    if (it == entries.end()) return;  // released since
    const Entry& e = it->second;
    const lua_Integer code = kResultBase + static_cast<lua_Integer>(target);
    if (e.cb_ref != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, e.cb_ref);
        if (!lua_isfunction(L, -1)) return;
        lua_pushlightuserdata(L, e.address);
        lua_pushinteger(L, code);
        lua_pushinteger(L, result);
        lua_call(L, 3, 0);
    } else if (e.has_task) {
        lua_getglobal(L, "sys_send");
        if (!lua_isfunction(L, -1)) return;
        lua_pushlstring(L, e.task.data(), e.task.size());
        lua_pushinteger(L, code);
        lua_pushinteger(L, result);
        lua_call(L, 3, 0);
    } else {
        lua_getglobal(L, "sys_pub");
        if (!lua_isfunction(L, -1)) return;
        lua_pushstring(L, kCtrlType);
        lua_pushinteger(L, e.ctrl->adapter());
        lua_pushinteger(L, static_cast<lua_Integer>(e.ctrl->channel()));
        lua_pushinteger(L, code);
        lua_pushinteger(L, result);
        lua_call(L, 5, 0);
    }
}

void SocketLinks::release(lua_State* L, std::uint64_t serial) {
    const auto it = entries.find(serial);
    if (it == entries.end()) return;
    if (L != nullptr && it->second.cb_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, it->second.cb_ref);
    by_address.erase(it->second.address);
    entries.erase(it);  // the link closes, the channel goes back
}

// l_get_ctrl: argument 1 as an NWCTRL* or the light userdata a callback got; nullptr once released.
std::uint64_t ctrl_serial(lua_State* L) {
    SocketLinks& m = links(L);
    if (auto* ud = static_cast<CtrlUd*>(luaL_testudata(L, 1, kCtrlType))) return ud->serial;
    void* p = lua_touserdata(L, 1);
    if (p == nullptr) return 0;
    const auto it = m.by_address.find(p);
    return it == m.by_address.end() ? 0 : it->second;
}

std::uint64_t ctrl_serial_of(lua_State* L, int index) {
    auto* ud = static_cast<CtrlUd*>(luaL_testudata(L, index, kCtrlType));
    return ud == nullptr ? 0 : ud->serial;
}

SocketCtrl* get_ctrl(lua_State* L) {
    SocketLinks& m = links(L);
    const auto it = m.entries.find(ctrl_serial(L));
    return it == m.entries.end() ? nullptr : it->second.ctrl.get();
}

int push_two(lua_State* L, int result) {
    lua_pushboolean(L, result < 0 ? 0 : 1);
    lua_pushboolean(L, result == 0 ? 1 : 0);
    return 2;
}

// An IPv4 given as LuatOS's "big-endian int" (lwIP's u32 in network order on a little-endian CPU).
std::string ipv4_of_int(lua_Integer v) {
    const auto u = static_cast<std::uint32_t>(v);
    return std::to_string(u & 0xFF) + "." + std::to_string((u >> 8) & 0xFF) + "." +
           std::to_string((u >> 16) & 0xFF) + "." + std::to_string((u >> 24) & 0xFF);
}

void push_udp_from(lua_State* L, platform_air780ep::Ipv4 from, std::uint16_t port) {
    const char ip[5] = {0, static_cast<char>(from >> 24), static_cast<char>(from >> 16),
                        static_cast<char>(from >> 8), static_cast<char>(from)};
    lua_pushlstring(L, ip, sizeof ip);
    lua_pushinteger(L, port);
}

bool adapter_available(SocketLinks& m, lua_Integer adapter) {
    if (adapter == platform_air780ep::kAdapterEth0) return true;
    return adapter == platform_air780ep::kAdapterLwipGp && m.network.cellular() != nullptr;
}

// A new link on the stack (NWCTRL* userdata) with its channel, its callback or task from argument
// `cb_index`; nullptr (nothing pushed) when no channel is free, after LuatOS's log lines.
SocketCtrl* push_link(lua_State* L, SocketLinks& m, int adapter, int cb_index) {
    sys_task::Logger& log = m.run.device().logger();
    std::string error;
    std::optional<platform_air780ep::Channel> channel = m.network.channels().acquire("socket", error);
    if (!channel) {
        log.error("socket", "socket.create: " + error);
        log.debug("socket", "create fail");
        return nullptr;
    }
    auto* ud = static_cast<CtrlUd*>(lua_newuserdatauv(L, sizeof(CtrlUd), 0));
    const std::uint64_t serial = m.next_serial++;
    ud->serial = serial;
    std::weak_ptr<SocketLinks> weak = m.shared_from_this();
    RunContext& run = m.run;
    auto emit = [weak, serial, &run](NwWait target, int result) {
        run.post([weak, serial, target, result](lua_State* LL) {
            if (auto mm = weak.lock()) mm->deliver(LL, serial, target, result);
        });
    };
    Entry e;
    e.ctrl = std::make_unique<SocketCtrl>(m.network, adapter, std::move(*channel), std::move(emit));
    e.address = ud;
    if (lua_isfunction(L, cb_index)) {
        lua_pushvalue(L, cb_index);
        e.cb_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    } else if (lua_isstring(L, cb_index)) {
        std::size_t len = 0;
        const char* s = lua_tolstring(L, cb_index, &len);
        e.task.assign(s, len);
        e.has_task = true;
    }
    SocketCtrl* ctrl = e.ctrl.get();
    m.by_address[ud] = serial;
    m.entries.emplace(serial, std::move(e));
    luaL_setmetatable(L, kCtrlType);
    return ctrl;
}

// socket.create([adapter], cb | taskName) -> ctrl | nil
int l_create(lua_State* L) {
    SocketLinks& m = links(L);
    platform_air780ep::AdapterTable& adapters = m.run.device().adapters();
    const auto adapter = static_cast<int>(luaL_optinteger(L, 1, adapters.default_id()));  // LuatOS's int
    if (adapter < 0 || adapter >= platform_air780ep::kAdapterCount) {
        lua_pushnil(L);
        return 1;
    }
    sys_task::Logger& log = m.run.device().logger();
    if (!adapter_available(m, adapter)) {
        log.error("socket", "adapter index " + std::to_string(adapter) + " is invalid!");
        log.debug("socket", "create fail");
        lua_pushnil(L);
        return 1;
    }
    if (push_link(L, m, adapter, 2) == nullptr) lua_pushnil(L);
    return 1;
}

// socket.listen(ctrl [, multi_client]) -> ok, connected
int l_listen(lua_State* L) {
    SocketLinks& m = links(L);
    SocketCtrl* c = get_ctrl(L);
    if (c == nullptr) return 0;
    // LuatOS sets its uint8_t max_wait_accept only from an integer (256 is 0); anything else (nil,
    // 1.5) keeps what an earlier listen set.
    const int max =
        lua_isinteger(L, 2) ? static_cast<std::uint8_t>(lua_tointeger(L, 2)) : c->max_wait_accept();
    const int result = c->listen(max);
    push_two(L, result);
    if (result < 0) {
        m.run.device().logger().error("socket", "listen fail " + std::to_string(result) + " adapter " +
                                                    std::to_string(c->adapter()) + " port " +
                                                    std::to_string(c->config().local_port));
    }
    return 2;
}

// socket.accept(ctrl [, cb | taskName]) -> ok, new_ctrl | nil, client ip, client port
int l_accept(lua_State* L) {
    SocketLinks& m = links(L);
    SocketCtrl* c = get_ctrl(L);
    if (c == nullptr) return 0;
    platform_air780ep::Ipv4 address = 0;
    std::uint16_t port = 0;
    if (lua_isfunction(L, 2) || lua_isstring(L, 2)) {
        SocketCtrl* fresh = push_link(L, m, c->adapter(), 2);
        if (fresh == nullptr) {
            lua_pushboolean(L, 0);
            lua_pushnil(L);
            return 2;
        }
        if (!c->accept_into(*fresh, address, port)) {
            m.release(L, ctrl_serial_of(L, -1));
            lua_pop(L, 1);
            lua_pushboolean(L, 0);
            lua_pushnil(L);
            return 2;
        }
        m.run.device().logger().debug("socket", "accept success");
        lua_pushboolean(L, 1);
        lua_pushvalue(L, -2);
        lua_pushstring(L, platform_air780ep::ipv4_to_string(address).c_str());
        lua_pushinteger(L, port);
        return 4;
    }
    const bool ok = c->accept_here(address, port);
    lua_pushboolean(L, ok ? 1 : 0);
    lua_pushnil(L);
    lua_pushstring(L, platform_air780ep::ipv4_to_string(address).c_str());
    lua_pushinteger(L, port);
    return 4;
}

// socket.debug(ctrl, onoff)
int l_debug(lua_State* L) {
    SocketCtrl* c = get_ctrl(L);
    if (c == nullptr) return 0;
    if (lua_isboolean(L, 2)) c->set_debug(lua_toboolean(L, 2) != 0);
    return 0;
}

std::optional<std::string_view> opt_string(lua_State* L, int index) {
    if (!lua_isstring(L, index)) return std::nullopt;
    std::size_t len = 0;
    const char* s = luaL_checklstring(L, index, &len);
    return std::string_view(s, len);
}

// socket.config(ctrl, local_port, is_udp, is_tls, keep_idle, keep_interval, keep_cnt, server_cert,
//               client_cert, client_key, client_password) -> boolean
int l_config(lua_State* L) {
    SocketLinks& m = links(L);
    SocketCtrl* c = get_ctrl(L);
    if (c == nullptr) return 0;
    CtrlConfig config;
    config.local_port = static_cast<std::uint16_t>(luaL_optinteger(L, 2, 0));
    const bool is_udp = lua_isboolean(L, 3) && lua_toboolean(L, 3) != 0;
    const bool is_tls = lua_isboolean(L, 4) && lua_toboolean(L, 4) != 0;
    config.keep_idle = static_cast<std::uint32_t>(luaL_optinteger(L, 5, 0));
    config.keep_interval = static_cast<std::uint32_t>(luaL_optinteger(L, 6, 0));
    config.keep_cnt = static_cast<std::uint32_t>(luaL_optinteger(L, 7, 0));
    platform_air780ep::TlsOptions tls;
    tls.server_cert = opt_string(L, 8);
    tls.client_cert = opt_string(L, 9);
    tls.client_key = opt_string(L, 10);
    tls.client_password = opt_string(L, 11);
    config.is_tcp = !is_udp;
    config.tls = is_tls;
    sys_task::Logger& log = m.run.device().logger();
    if (is_tls) {
        if (is_udp) {
            log.error("socket", "DTLS is not supported by this simulation");
            lua_pushboolean(L, 0);
            return 1;
        }
        // network_init_tls(ctrl, server_cert ? 2 : 0): a CA means the server must verify.
        tls.verify = tls.server_cert ? 2 : 0;
        std::string error;
        std::vector<std::string> warnings;
        // The device's TLS settings (--trust-ca, --tls-keylog) apply as they do to mqtt and http.
        const platform_air780ep::TlsDeviceSettings& device_tls = m.network.tls_settings();
        std::unique_ptr<platform_air780ep::TlsConfig> made =
            tls.server_cert || tls.client_cert
                ? platform_air780ep::TlsConfig::create(tls, device_tls, warnings, error)
                : platform_air780ep::TlsConfig::create_insecure(device_tls, error);
        if (!made) {
            log.error("socket", error.rfind("server_cert", 0) == 0 ? "network_set_server_cert failed"
                                                                   : "network_set_client_cert failed");
            log.error("socket", error);
            lua_pushboolean(L, 0);
            return 1;
        }
        config.tls_config = std::move(made);
    }
    c->set_config(std::move(config));
    lua_pushboolean(L, 1);
    return 1;
}

// socket.linkup(ctrl) -> ok, linked
int l_linkup(lua_State* L) {
    SocketCtrl* c = get_ctrl(L);
    if (c == nullptr) return 0;
    return push_two(L, c->wait_link_up());
}

// socket.connect(ctrl, ip | int, port [, ipv6]) -> ok, connected
int l_connect(lua_State* L) {
    SocketLinks& m = links(L);
    SocketCtrl* c = get_ctrl(L);
    if (c == nullptr) return 0;
    std::string host;
    bool literal = false;
    std::string shown = "(null)";  // LuatOS logs the string argument, NULL for an integer
    if (lua_isinteger(L, 2)) {
        host = ipv4_of_int(lua_tointeger(L, 2));
        literal = true;
    } else {
        std::size_t len = 0;
        const char* s = luaL_checklstring(L, 2, &len);
        host.assign(s, len);
        shown = host;
        literal = platform_air780ep::parse_ipv4(host).has_value();
    }
    const auto port = static_cast<std::uint16_t>(luaL_checkinteger(L, 3));
    m.run.device().logger().debug("socket", "connect to " + shown + "," + std::to_string(port));
    return push_two(L, c->connect(host, port, literal));
}

// socket.discon(ctrl) -> ok, closed
int l_discon(lua_State* L) {
    SocketCtrl* c = get_ctrl(L);
    if (c == nullptr) return 0;
    return push_two(L, c->close_gracefully());
}

// socket.close(ctrl)
int l_close(lua_State* L) {
    SocketCtrl* c = get_ctrl(L);
    if (c == nullptr) return 0;
    c->force_close();
    return 0;
}

// socket.tx(ctrl, data [, ip [, port [, flag]]]) -> ok, full, done
int l_tx(lua_State* L) {
    SocketCtrl* c = get_ctrl(L);
    if (c == nullptr) return 0;
    std::span<const std::uint8_t> data;
    if (lua_isstring(L, 2)) {
        std::size_t len = 0;
        const char* s = luaL_checklstring(L, 2, &len);
        data = {reinterpret_cast<const std::uint8_t*>(s), len};
    } else {
        data = check_zbuff(L, 2).used_bytes();
    }
    std::optional<platform_air780ep::Ipv4> to;
    if (lua_isinteger(L, 3)) {
        to = platform_air780ep::parse_ipv4(ipv4_of_int(lua_tointeger(L, 3)));
    } else if (lua_isstring(L, 3)) {
        to = platform_air780ep::parse_ipv4(lua_tostring(L, 3));
    }
    if (to && *to == 0) to.reset();  // 0.0.0.0 is lwIP's invalid address
    const auto port = static_cast<std::uint16_t>(luaL_optinteger(L, 4, 0));
    luaL_optinteger(L, 5, 0);  // flag: reserved
    std::size_t sent = 0;
    const int result = c->tx(data, to, port, sent);
    lua_pushboolean(L, result < 0 ? 0 : 1);
    lua_pushboolean(L, sent != data.size() ? 1 : 0);
    lua_pushboolean(L, result == 0 ? 1 : 0);
    return 3;
}

// socket.rx(ctrl [, buff [, flag [, limit]]]) -> ok, len [, ip, port]
int l_rx(lua_State* L) {
    SocketLinks& m = links(L);
    SocketCtrl* c = get_ctrl(L);
    if (c == nullptr) return 0;
    const std::optional<std::size_t> pending = c->rx_pending();
    if (!pending) {
        lua_pushboolean(L, 0);
        lua_pushinteger(L, 0);
        return 2;
    }
    std::size_t total = *pending;
    if (total == 0 || !lua_isuserdata(L, 2)) {
        lua_pushboolean(L, 1);
        lua_pushinteger(L, static_cast<lua_Integer>(total));
        return 2;
    }
    Zbuff& z = check_zbuff(L, 2);
    sys_task::Logger& log = m.run.device().logger();
    if (lua_gettop(L) >= 4 && lua_isinteger(L, 4)) {
        const auto limit = static_cast<std::uint32_t>(lua_tointeger(L, 4));
        if (total > limit) {
            log.debug("socket",
                      "待数据数据长度 " + std::to_string(total) + " 限制读取长度 " + std::to_string(limit));
            total = limit;
        }
    }
    if (z.capacity() - z.used() < total && !z.resize(total + z.used())) {
        if (z.capacity() > z.used()) {
            log.warn("socket", "zbuff自动扩容失败, 减少接收到数据长度 " + std::to_string(total) + " -> " +
                                   std::to_string(z.capacity() - z.used()));
            total = z.capacity() - z.used();
        } else {
            log.error("socket", "zbuff自动扩容失败, 且zbuff没有剩余空间,无法读取剩余数据");
            lua_pushboolean(L, 0);
            lua_pushinteger(L, 0);
            return 2;
        }
    }
    platform_air780ep::Ipv4 from = 0;
    std::uint16_t port = 0;
    const std::optional<std::size_t> n = c->rx(z.unused().first(total), from, port);
    if (!n) {
        lua_pushboolean(L, 0);
        lua_pushinteger(L, 0);
        return 2;
    }
    if (*n == 0) {
        lua_pushboolean(L, 1);
        lua_pushinteger(L, 0);
        return 2;
    }
    z.commit(*n);
    lua_pushboolean(L, 1);
    lua_pushinteger(L, static_cast<lua_Integer>(*n));
    if (c->config().is_tcp) {
        lua_pushnil(L);
        lua_pushnil(L);
    } else {
        push_udp_from(L, from, port);
    }
    return 4;
}

// socket.read(ctrl [, len]) -> ok [, data [, ip, port]]
int l_read(lua_State* L) {
    SocketLinks& m = links(L);
    SocketCtrl* c = get_ctrl(L);
    if (c == nullptr) return 0;
    const std::optional<std::size_t> pending = c->rx_pending();
    if (!pending) {
        lua_pushboolean(L, 0);
        return 1;
    }
    std::size_t total = *pending;
    if (total == 0) {
        lua_pushboolean(L, 1);
        lua_pushstring(L, "");
        return 2;
    }
    if (lua_gettop(L) >= 2 && lua_isinteger(L, 2)) {
        const auto limit = static_cast<std::uint32_t>(lua_tointeger(L, 2));
        if (limit > 0 && total > limit) {
            m.run.device().logger().debug("socket", "待数据数据长度 " + std::to_string(total) +
                                                        " 限制读取长度 " + std::to_string(limit));
            total = limit;
        }
    }
    std::string buffer(total, '\0');
    platform_air780ep::Ipv4 from = 0;
    std::uint16_t port = 0;
    const std::optional<std::size_t> n =
        c->rx({reinterpret_cast<std::uint8_t*>(buffer.data()), buffer.size()}, from, port);
    if (!n) {
        lua_pushboolean(L, 0);
        return 1;
    }
    lua_pushboolean(L, 1);
    lua_pushlstring(L, buffer.data(), *n);
    if (*n == 0 || c->config().is_tcp) return 2;
    push_udp_from(L, from, port);
    return 4;
}

// socket.wait(ctrl) -> ok, has_event
int l_wait(lua_State* L) {
    SocketCtrl* c = get_ctrl(L);
    if (c == nullptr) return 0;
    return push_two(L, c->wait_event());
}

// socket.state(ctrl) -> number, text
int l_state(lua_State* L) {
    SocketCtrl* c = get_ctrl(L);
    if (c == nullptr) return 0;
    lua_pushinteger(L, static_cast<lua_Integer>(c->state()));
    lua_pushstring(L, state_text(c->state()));
    return 2;
}

// socket.release(ctrl), and __gc
int l_release(lua_State* L) {
    SocketLinks& m = links(L);
    m.release(L, ctrl_serial(L));
    return 0;
}

// socket.remoteIP(ctrl) -> ip1, ip2, ip3, ip4 (nil where none)
int l_remote_ip(lua_State* L) {
    SocketCtrl* c = get_ctrl(L);
    std::size_t pushed = 0;
    if (c != nullptr) {
        for (const std::string& ip : c->dns_ips()) {
            if (pushed == 4) break;
            lua_pushstring(L, ip.c_str());
            ++pushed;
        }
    }
    for (; pushed < 4; ++pushed)
        lua_pushnil(L);
    return 4;
}

// socket.setDNS([adapter], [index = 1], ip) -> boolean
int l_set_dns(lua_State* L) {
    SocketLinks& m = links(L);
    platform_air780ep::AdapterTable& adapters = m.run.device().adapters();
    // LuatOS's `int adapter_index` and `int dns_index`
    const auto adapter = static_cast<int>(luaL_optinteger(L, 1, adapters.default_id()));
    if (adapter < 0 || adapter >= platform_air780ep::kAdapterCount) {
        lua_pushboolean(L, 0);
        return 1;
    }
    const auto index = static_cast<int>(luaL_optinteger(L, 2, 1));
    std::string ip;
    if (lua_isinteger(L, 3)) {
        ip = ipv4_of_int(lua_tointeger(L, 3));
    } else {
        std::size_t len = 0;
        const char* s = luaL_checklstring(L, 3, &len);
        ip.assign(s, len);
    }
    if (!adapter_available(m, adapter)) {
        m.run.device().logger().warn("socket", "adapter_index is invaild " + std::to_string(adapter));
        lua_pushboolean(L, 0);
        return 1;
    }
    m.dns_servers[{adapter, lua_Integer{index} - 1}] = ip;
    lua_pushboolean(L, 1);
    return 1;
}

// socket.sslLog([level = 1])
int l_ssl_log(lua_State* L) {
    links(L).ssl_log_level = luaL_optinteger(L, 1, 1);
    return 0;
}

// socket.close_all(adapter) -> boolean
int l_close_all(lua_State* L) {
    SocketLinks& m = links(L);
    if (lua_type(L, 1) != LUA_TNUMBER) {
        lua_pushboolean(L, 0);
        return 1;
    }
    const auto id = static_cast<std::uint8_t>(luaL_checkinteger(L, 1));
    if (id >= platform_air780ep::kAdapterCount) {
        lua_pushboolean(L, 0);
        return 1;
    }
    for (auto& [serial, e] : m.entries) {
        if (e.ctrl->adapter() == id && e.ctrl->has_socket()) e.ctrl->close_gracefully();
    }
    lua_pushboolean(L, 1);
    return 1;
}

// socket.rx_cache([n]) -> the receive cache blocks (6..48 may be set)
int l_rx_cache(lua_State* L) {
    SocketLinks& m = links(L);
    if (lua_type(L, 1) == LUA_TNUMBER) {
        const auto n = static_cast<std::uint8_t>(luaL_checkinteger(L, 1));
        if (n >= 6 && n <= 48) m.rx_cache = n;
    }
    lua_pushinteger(L, m.rx_cache);
    return 1;
}

}  // namespace

void install_socket_links(RunContext& run, DeviceNetwork& network) {
    auto module = std::make_shared<SocketLinks>(run, network);
    // Every link closes and gives its channel back when the run ends. The module itself stays until
    // the closer goes, after lua_close: the NWCTRL* __gc that lua_close runs still reaches it.
    run.on_close([module] { module->entries.clear(); });
    lua_State* L = run.state();
    luaL_newmetatable(L, kCtrlType);
    lua_pushlightuserdata(L, module.get());
    lua_pushcclosure(L, l_release, 1);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);

    push_module_table(L, "socket");
    static const luaL_Reg kFunctions[] = {
        {"create", l_create},
        {"debug", l_debug},
        {"config", l_config},
        {"linkup", l_linkup},
        {"connect", l_connect},
        {"discon", l_discon},
        {"close", l_close},
        {"tx", l_tx},
        {"rx", l_rx},
        {"read", l_read},
        {"wait", l_wait},
        {"state", l_state},
        {"release", l_release},
        {"setDNS", l_set_dns},
        {"sslLog", l_ssl_log},
        {"remoteIP", l_remote_ip},
        {"close_all", l_close_all},
        {"rx_cache", l_rx_cache},
        {"listen", l_listen},
        {"accept", l_accept},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module.get());
    lua_pop(L, 1);
}

}  // namespace lua_bindings
