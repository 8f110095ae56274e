// hmeta: the module's hardware metadata (model, hardware version, chip, ids): docs/modules/hmeta.md.
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/module_identity.hpp"

namespace lua_bindings {

namespace {

const platform_air780ep::Identity& identity(lua_State* L) {
    return RunContext::from_upvalue(L).device().identity();
}

int l_model(lua_State* L) {
    lua_pushstring(L, kModelName);
    return 1;
}

int l_hwver(lua_State* L) {
    lua_pushstring(L, kHardwareVersion);
    return 1;
}

int l_chip(lua_State* L) {
    lua_pushstring(L, kChipName);
    return 1;
}

// hmeta.devid(): a cellular module's device id is its IMEI.
int l_devid(lua_State* L) {
    const std::string& imei = identity(L).imei;
    lua_pushlstring(L, imei.data(), imei.size());
    return 1;
}

int l_muid(lua_State* L) {
    const std::string muid = module_muid(identity(L));
    lua_pushlstring(L, muid.data(), muid.size());
    return 1;
}

int l_unique_id(lua_State* L) {
    const std::string& id = identity(L).unique_id;
    lua_pushlstring(L, id.data(), id.size());
    return 1;
}

}  // namespace

void install_hmeta(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "hmeta");
    static const luaL_Reg kFunctions[] = {
        {"model", l_model}, {"hwver", l_hwver},         {"chip", l_chip},   {"devid", l_devid},
        {"muid", l_muid},   {"unique_id", l_unique_id}, {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
