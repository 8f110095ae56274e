// rtos: bsp / version / firmware / buildDate, meminfo (Lua heap or the process), reboot, nop.
#include <cstring>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/process_memory.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

constexpr const char* kBsp = "EC718P";     // the Air780EP's chip, what rtos.bsp() says on the module
constexpr const char* kVersion = "V2035";  // the LuatOS release this runtime follows

int l_bsp(lua_State* L) {
    lua_pushstring(L, kBsp);
    return 1;
}

int l_version(lua_State* L) {
    lua_pushstring(L, kVersion);
    return 1;
}

int l_firmware(lua_State* L) {
    lua_pushfstring(L, "LuatOS-SoC_%s_%s", kVersion, kBsp);
    return 1;
}

int l_build_date(lua_State* L) {
    lua_pushstring(L, __DATE__);
    return 1;
}

// rtos.meminfo([type = "lua"]) -> total, used, max used
int l_meminfo(lua_State* L) {
    const char* type = luaL_optstring(L, 1, "lua");
    std::size_t total = 0;
    std::size_t used = 0;
    std::size_t max_used = 0;
    if (std::strcmp(type, "sys") == 0) {
        const ProcessMemory m = process_memory();
        total = m.total;
        used = m.used;
        max_used = m.max_used;
    } else {
        const LuaHeap& heap = RunContext::from_upvalue(L).heap();
        total = heap.budget();
        used = heap.used();
        max_used = heap.max_used();
    }
    lua_pushinteger(L, static_cast<lua_Integer>(total));
    lua_pushinteger(L, static_cast<lua_Integer>(used));
    lua_pushinteger(L, static_cast<lua_Integer>(max_used));
    return 3;
}

int l_reboot(lua_State* L) {
    return RunContext::from_upvalue(L).device().vm_exit().raise(L, sys_task::VmExit::Kind::kReboot, 0);
}

int l_nop(lua_State* /*L*/) {
    return 0;
}

}  // namespace

void install_rtos(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "rtos");
    static const luaL_Reg kFunctions[] = {
        {"bsp", l_bsp},         {"version", l_version}, {"firmware", l_firmware}, {"buildDate", l_build_date},
        {"meminfo", l_meminfo}, {"reboot", l_reboot},   {"nop", l_nop},           {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    lua_pushinteger(L, -1);
    lua_setfield(L, -2, "INF_TIMEOUT");
    lua_pop(L, 1);
}

}  // namespace lua_bindings
