// socket (the adapter part; the socket channels are added by the network module): socket.dft,
// socket.adapter, socket.localIP and the adapter id constants of LuatOS at HEAD.
#include <cstdint>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

platform_air780ep::AdapterTable& adapters(lua_State* L) {
    return RunContext::from_upvalue(L).device().adapters();
}

// socket.dft([id]) -> default adapter, last registered adapter. As luat_lib_socket.c: only a number
// is looked at (a string, even "17", or a table changes nothing and raises nothing), it must be an
// integer, and it is cut to a uint8_t (273 is 17).
int l_dft(lua_State* L) {
    platform_air780ep::AdapterTable& t = adapters(L);
    if (lua_type(L, 1) == LUA_TNUMBER) t.set_default(static_cast<std::uint8_t>(luaL_checkinteger(L, 1)));
    lua_pushinteger(L, t.default_id());
    lua_pushinteger(L, t.last_registered());
    return 2;
}

// socket.adapter([id]) -> ready, id. Without a valid id: the first ready adapter, else false and
// the last adapter index (as luat_lib_socket.c).
int l_adapter(lua_State* L) {
    platform_air780ep::AdapterTable& t = adapters(L);
    const auto id = static_cast<int>(luaL_optinteger(L, 1, -1));  // LuatOS's int
    if (id > 0 && id < platform_air780ep::kAdapterCount) {
        lua_pushboolean(L, t.is_ready(static_cast<int>(id)) ? 1 : 0);
        lua_pushinteger(L, id);
        return 2;
    }
    if (const auto ready = t.first_ready()) {
        lua_pushboolean(L, 1);
        lua_pushinteger(L, *ready);
        return 2;
    }
    lua_pushboolean(L, 0);
    lua_pushinteger(L, platform_air780ep::kAdapterCount - 1);
    return 2;
}

// socket.localIP([adapter = socket.dft()]) -> ip, netmask, gateway, ipv6 (nil); nothing if the adapter
// is not up. The default is network_register_get_default(), the adapter socket.dft() gives.
int l_local_ip(lua_State* L) {
    platform_air780ep::AdapterTable& t = adapters(L);
    const auto id = static_cast<int>(luaL_optinteger(L, 1, t.default_id()));  // LuatOS's int
    if (id < 0 || id >= platform_air780ep::kAdapterCount) return 0;
    const platform_air780ep::AdapterInfo* a = t.find(static_cast<int>(id));
    if (a == nullptr || !a->up) return 0;
    lua_pushstring(L, a->ip.c_str());
    lua_pushstring(L, a->netmask.c_str());
    lua_pushstring(L, a->gateway.c_str());
    lua_pushnil(L);
    return 4;
}

}  // namespace

void install_socket(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "socket");
    static const luaL_Reg kFunctions[] = {
        {"dft", l_dft},
        {"adapter", l_adapter},
        {"localIP", l_local_ip},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    static const IntConstant kAdapters[] = {
        {"LWIP_GP", platform_air780ep::kAdapterLwipGp},
        {"LWIP_STA", platform_air780ep::kAdapterLwipSta},
        {"LWIP_AP", platform_air780ep::kAdapterLwipAp},
        {"LWIP_ETH", platform_air780ep::kAdapterLwipEth},
        {"LWIP_SPI", platform_air780ep::kAdapterLwipSpi},
        {"LWIP_USER0", platform_air780ep::kAdapterLwipUser0},
        {"LWIP_USER1", platform_air780ep::kAdapterLwipUser0 + 1},
        {"LWIP_USER2", platform_air780ep::kAdapterLwipUser0 + 2},
        {"LWIP_USER3", platform_air780ep::kAdapterLwipUser0 + 3},
        {"LWIP_USER4", platform_air780ep::kAdapterLwipUser0 + 4},
        {"LWIP_USER5", platform_air780ep::kAdapterLwipUser0 + 5},
        {"LWIP_USER6", platform_air780ep::kAdapterLwipUser0 + 6},
        {"LWIP_USER7", platform_air780ep::kAdapterLwipUser0 + 7},
        {"LWIP_GP_GW", platform_air780ep::kAdapterLwipGpGw},
        {"LWIP_USB", platform_air780ep::kAdapterLwipUsb},
        {"ETH0", platform_air780ep::kAdapterEth0},
        // The result events (EV_NW_RESULT_BASE + wait target, & 0x0fffffff), luat_network_adapter.h.
        {"LINK", 0x02000010},
        {"ON_LINE", 0x02000011},
        {"TX_OK", 0x02000012},
        {"CLOSED", 0x02000013},
        {"EVENT", 0x02000014},
    };
    set_int_constants(L, kAdapters);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
