// mcu: the chip's unique id and its tick counters.
#include <chrono>
#include <cstdint>
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
int l_unique_id(lua_State* L) {
    push_string(L, device(L).identity().unique_id);
    return 1;
}

int l_ticks(lua_State* L) {
    lua_pushinteger(L, static_cast<lua_Integer>(device(L).loop().now_ms()));
    return 1;
}

// mcu.ticks2([mode=0]): the 64-bit uptime split in two integers so that 32-bit firmware can carry
// it: mode 0 microseconds as (us / 10^6, us % 10^6), mode 1 milliseconds and mode 2 seconds split
// the same way at 10^6. Any other mode returns nothing, as LuatOS does.
int l_ticks2(lua_State* L) {
    const lua_Integer mode = luaL_optinteger(L, 1, 0);
    const auto elapsed = std::chrono::steady_clock::now() - device(L).loop().start_time();
    const auto us =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
    std::uint64_t value = 0;
    switch (mode) {
        case 0:
            value = us;
            break;
        case 1:
            value = us / 1000;
            break;
        case 2:
            value = us / 1000000;
            break;
        default:
            return 0;
    }
    lua_pushinteger(L, static_cast<lua_Integer>(value / 1000000));
    lua_pushinteger(L, static_cast<lua_Integer>(value % 1000000));
    return 2;
}

int l_hz(lua_State* L) {
    lua_pushinteger(L, 1000);  // mcu.ticks() counts milliseconds
    return 1;
}
}  // namespace

void install_mcu(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "mcu");
    static const luaL_Reg kFunctions[] = {
        {"unique_id", l_unique_id}, {"ticks", l_ticks}, {"ticks2", l_ticks2}, {"hz", l_hz},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    lua_pop(L, 1);
}
}  // namespace lua_bindings
