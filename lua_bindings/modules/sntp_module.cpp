// socket.sntp / socket.ntptm / socket.sntp_port, as LuatOS's components/network/libsntp/
// luat_lib_sntp.c: Lua glue around platform_air780ep::SntpClient (one per run, as libsntp's
// context is per boot). The outcome is a message whose handler cleans up and publishes NTP_UPDATE
// (with 0: synced by socket.sntp) or NTP_ERROR. docs/modules/sntp.md.
#include <cstring>
#include <memory>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_network.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/network_modules.hpp"

namespace lua_bindings {

namespace {

using platform_air780ep::SntpClient;

struct SntpModule {
    RunContext& run;
    std::unique_ptr<SntpClient> client;

    // The message LuatOS posts at the end of a sync (l_sntp_event_handle): clean up, then tell.
    void post_finished(SntpClient::Result result) {
        run.post([this, result](lua_State*) {
            client->cleanup();
            if (result == SntpClient::Result::kUpdate) {
                run.scheduler().post_publish("NTP_UPDATE", {static_cast<lua_Integer>(0)});
            } else {
                run.scheduler().post_publish("NTP_ERROR");
            }
        });
    }
};

SntpModule& module_of(lua_State* L) {
    return upvalue_object<SntpModule>(L);
}

sys_task::Logger& logger(lua_State* L) {
    return module_of(L).run.device().logger();
}

// socket.sntp([server | {servers}], [adapter]): start a sync; the result comes as NTP_UPDATE or
// NTP_ERROR. A server name must be shorter than 31 bytes; at most three are taken from a table.
int l_sntp(lua_State* L) {
    SntpModule& m = module_of(L);
    auto& servers = m.client->servers();
    std::size_t len = 0;
    if (lua_isstring(L, 1)) {
        const char* name = luaL_checklstring(L, 1, &len);
        if (len >= SntpClient::kServerLenMax - 1) {
            logger(L).error("sntp", std::string("server_addr too long ") + name);
            return 0;
        }
        servers[0].assign(name, len);
    } else if (lua_istable(L, 1)) {
        std::size_t count = lua_rawlen(L, 1);
        if (count > SntpClient::kServerCount) count = SntpClient::kServerCount;
        for (std::size_t i = 1; i <= count; ++i) {
            lua_geti(L, 1, static_cast<lua_Integer>(i));
            const char* name = luaL_checklstring(L, -1, &len);
            if (len < SntpClient::kServerLenMax - 1) {
                servers[i - 1].assign(name, len);
            } else {
                logger(L).error("sntp", std::string("server_addr too long ") + name);
            }
            lua_pop(L, 1);
        }
    }
    if (m.client->running()) {
        logger(L).info("sntp", "sntp is running");
        return 0;
    }
    // An int, as in LuatOS (ntp_get: -1 is the default adapter, anything else out of range fails).
    int adapter = static_cast<int>(luaL_optinteger(L, 2, m.run.device().adapters().default_id()));
    if (adapter == -1) adapter = m.run.device().adapters().default_id();
    if (!m.client->start(adapter)) m.post_finished(SntpClient::Result::kError);
    return 0;
}

// socket.ntptm(): the time as the syncs measured it (seconds and ms since 1970, UTC) and the
// figures behind it; `vaild` (LuatOS's spelling) only once a sync succeeded.
int l_ntptm(lua_State* L) {
    const platform_air780ep::NtpTm tm = module_of(L).client->tm();
    lua_newtable(L);
    const std::pair<const char*, lua_Integer> fields[] = {
        {"ndelay", static_cast<lua_Integer>(tm.ndelay)}, {"ssec", static_cast<lua_Integer>(tm.ssec)},
        {"sms", static_cast<lua_Integer>(tm.sms)},       {"tsec", static_cast<lua_Integer>(tm.tsec)},
        {"tms", static_cast<lua_Integer>(tm.tms)},       {"lsec", static_cast<lua_Integer>(tm.lsec)},
        {"lms", static_cast<lua_Integer>(tm.lms)},
    };
    for (const auto& [name, value] : fields) {
        lua_pushinteger(L, value);
        lua_setfield(L, -2, name);
    }
    if (tm.valid) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "vaild");
    }
    return 1;
}

// socket.sntp_port([port]): the servers' UDP port (123 unless set; 0 leaves it).
int l_sntp_port(lua_State* L) {
    SntpModule& m = module_of(L);
    if (lua_type(L, 1) == LUA_TNUMBER) {
        const auto port = static_cast<std::uint16_t>(luaL_checkinteger(L, 1));
        if (port > 0) m.client->set_port(port);
    }
    lua_pushinteger(L, m.client->port());
    return 1;
}

}  // namespace

void install_sntp(RunContext& run, DeviceNetwork& network) {
    // Owned by the run's closers: gone when the run is (nothing it posted runs after that).
    auto owner = std::make_shared<SntpModule>(SntpModule{run, nullptr});
    SntpModule* module = owner.get();
    Device& device = run.device();
    module->client = std::make_unique<SntpClient>(
        device.loop(), device.logger(), device.clock(), device.adapters(),
        [&network](int adapter, std::string& error) { return network.make_ntp_path(adapter, error); },
        [module](SntpClient::Result result) { module->post_finished(result); });
    run.on_close([owner]() mutable { owner.reset(); });

    lua_State* L = run.state();
    push_module_table(L, "socket");
    static const luaL_Reg kFunctions[] = {
        {"sntp", l_sntp},
        {"ntptm", l_ntptm},
        {"sntp_port", l_sntp_port},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
