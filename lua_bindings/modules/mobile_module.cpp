// mobile: the cellular identity and signal of the simulated module (IMEI with a valid Luhn digit, a
// SIM's IMSI/ICCID, a good LTE signal) and its network registration.
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

Device& device(lua_State* L) {
    return RunContext::from_upvalue(L).device();
}

void push_string(lua_State* L, const std::string& s) {
    lua_pushlstring(L, s.data(), s.size());
}
// mobile.imei([sim index]) etc.: the index is checked like LuatOS's luaL_optinteger.
int l_imei(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    push_string(L, device(L).identity().imei);
    return 1;
}

int l_imsi(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    push_string(L, device(L).identity().imsi);
    return 1;
}

int l_iccid(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    push_string(L, device(L).identity().iccid);
    return 1;
}

// A steady, good LTE signal: CSQ 24 (-65 dBm).
int l_csq(lua_State* L) {
    lua_pushinteger(L, 24);
    return 1;
}
int l_rssi(lua_State* L) {
    lua_pushinteger(L, -65);
    return 1;
}
int l_rsrp(lua_State* L) {
    lua_pushinteger(L, -85);
    return 1;
}
int l_rsrq(lua_State* L) {
    lua_pushinteger(L, -9);
    return 1;
}
int l_snr(lua_State* L) {
    lua_pushinteger(L, 15);
    return 1;
}

// mobile.simid([id]): the SIM in use. The simulated module has one SIM, in slot 0.
int l_simid(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    lua_pushinteger(L, 0);
    return 1;
}

// Network registration: 1 (registered, home network) once the data link is up, else 2 (searching).
int l_status(lua_State* L) {
    lua_pushinteger(L, device(L).adapters().is_ready(platform_air780ep::kAdapterLwipGp) ? 1 : 2);
    return 1;
}

// mobile.syncTime([on]): whether the network's time at attach sets the clock (on at each boot).
int l_sync_time(lua_State* L) {
    auto& clock = device(L).clock();
    if (lua_isboolean(L, 1)) clock.set_network_sync(lua_toboolean(L, 1) != 0);
    lua_pushboolean(L, clock.network_sync() ? 1 : 0);
    return 1;
}

}  // namespace

void install_mobile(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "mobile");
    static const luaL_Reg kFunctions[] = {
        {"imei", l_imei},     {"imsi", l_imsi},   {"iccid", l_iccid}, {"csq", l_csq},
        {"rssi", l_rssi},     {"rsrp", l_rsrp},   {"rsrq", l_rsrq},   {"snr", l_snr},
        {"status", l_status}, {"simid", l_simid}, {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    static const luaL_Reg kTimeFunctions[] = {{"syncTime", l_sync_time}, {nullptr, nullptr}};
    set_funcs(L, kTimeFunctions, &ctx);
    lua_pop(L, 1);
    ctx.device().clock().set_network_sync(true);  // the firmware's switch starts on at each boot
}

}  // namespace lua_bindings
