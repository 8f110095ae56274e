// mcu: the chip's unique id, its tick counters and mcu.x32.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/module_identity.hpp"

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
// Microseconds since the device booted.
std::uint64_t uptime_us(lua_State* L) {
    const auto elapsed = std::chrono::steady_clock::now() - device(L).loop().start_time();
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
}

int l_ticks2(lua_State* L) {
    const lua_Integer mode = luaL_optinteger(L, 1, 0);
    const std::uint64_t us = uptime_us(L);
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

// The EC718's high-resolution tick: 26 per microsecond (luat_mcu_us_period).
constexpr std::uint64_t kTicksPerUs = 26;

// mcu.tick64([as_bit64]) -> the tick as 8 little-endian bytes (9, a bit64 integer, with true), ticks per us
int l_tick64(lua_State* L) {
    const std::uint64_t tick = uptime_us(L) * kTicksPerUs;
    char bytes[9] = {};
    std::memcpy(bytes, &tick, 8);
    const bool as_bit64 = lua_isboolean(L, 1) && lua_toboolean(L, 1) != 0;
    lua_pushlstring(L, bytes, as_bit64 ? 9 : 8);
    lua_pushinteger(L, static_cast<lua_Integer>(kTicksPerUs));
    return 2;
}

// mcu.dtick64(tick1, tick2 [, check=0]) -> tick1 - tick2 >= check, tick1 - tick2 (strings of up to
// 8 bytes; a 9-byte bit64 value raises "tick string too long")
int l_dtick64(lua_State* L) {
    std::size_t len1 = 0;
    const char* t1 = luaL_checklstring(L, 1, &len1);
    std::size_t len2 = 0;
    const char* t2 = luaL_checklstring(L, 2, &len2);
    const auto check = static_cast<std::int32_t>(luaL_optinteger(L, 3, 0));
    if (len1 > 8 || len2 > 8) return luaL_error(L, "tick string too long");
    std::uint64_t tick1 = 0;  // shorter strings fill the low bytes (LuatOS leaves the rest undefined)
    std::uint64_t tick2 = 0;
    std::memcpy(&tick1, t1, len1);
    std::memcpy(&tick2, t2, len2);
    const auto diff = static_cast<std::int64_t>(tick1 - tick2);
    lua_pushboolean(L, diff >= check ? 1 : 0);
    lua_pushinteger(L, diff);
    return 2;
}

// mcu.x32(n) -> "0x..." : the low 32 bits in lowercase hexadecimal
int l_x32(lua_State* L) {
    const auto value = static_cast<std::uint32_t>(luaL_checkinteger(L, 1));
    char text[16];
    std::snprintf(text, sizeof text, "0x%lx", static_cast<unsigned long>(value));
    lua_pushstring(L, text);
    return 1;
}
// mcu.hardfault([mode = 0]): what a crash does (0 stop, 1 reboot, 2 report then reboot); this
// runtime's "hardfault" is a Lua error, which ends the run as LuatOS's VM exit does.
int l_hardfault(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    return 0;
}

// mcu.setClk(mhz) -> true (the EC718 keeps its clock: luat_mcu_set_clk does nothing and succeeds);
// mcu.getClk() -> 307 (MHz)
int l_set_clk(lua_State* L) {
    luaL_checkinteger(L, 1);
    lua_pushboolean(L, 1);
    return 1;
}
int l_get_clk(lua_State* L) {
    lua_pushinteger(L, 307);
    return 1;
}

// mcu.iomux(type, channel, value): pin multiplexing of a UART or an I2C; nothing to return.
int l_iomux(lua_State* L) {
    const lua_Integer type = luaL_optinteger(L, 1, 0xff);
    const lua_Integer channel = luaL_optinteger(L, 2, 0xff);
    const lua_Integer value = luaL_optinteger(L, 3, 0);
    device(L).logger().debug("mcu", "mcu iomux " + std::to_string(type) + "," + std::to_string(channel) +
                                        "," + std::to_string(value));
    return 0;
}

// mcu.altfun(...): the Air780EP's build has no LUAT_MCU_IOMUX_CTRL.
int l_altfun(lua_State* L) {
    device(L).logger().warn("mcu", "no support mcu.altfun");
    return 0;
}

// mcu.XTALRefOutput(main, 32k) and mcu.setXTAL(main, 32k [, delay]): clock sources; nothing to return.
int l_xtal_ref_output(lua_State* /*L*/) {
    return 0;
}
int l_set_xtal(lua_State* L) {
    luaL_optinteger(L, 3, 1200);
    return 0;
}

// mcu.reg32(addr [, value [, mask]]) -> 0: register access is disabled for safety, as LuatOS now
// has it (one warning per boot).
int l_reg32(lua_State* L) {
    luaL_checkinteger(L, 1);
    if (lua_isinteger(L, 2)) luaL_optinteger(L, 3, 0xffffffff);
    bool& warned = *static_cast<bool*>(lua_touserdata(L, lua_upvalueindex(2)));
    if (!warned) {
        warned = true;
        device(L).logger().warn("mcu", "mcu.reg32 is disabled for security reasons");
    }
    lua_pushinteger(L, 0);
    return 1;
}

int l_muid(lua_State* L) {
    const std::string muid = module_muid(device(L).identity());
    push_string(L, muid);
    return 1;
}

}  // namespace

void install_mcu(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "mcu");
    static const luaL_Reg kFunctions[] = {
        {"unique_id", l_unique_id},
        {"ticks", l_ticks},
        {"ticks2", l_ticks2},
        {"hz", l_hz},
        {"tick64", l_tick64},
        {"dtick64", l_dtick64},
        {"x32", l_x32},
        {"hardfault", l_hardfault},
        {"setClk", l_set_clk},
        {"getClk", l_get_clk},
        {"iomux", l_iomux},
        {"altfun", l_altfun},
        {"XTALRefOutput", l_xtal_ref_output},
        {"setXTAL", l_set_xtal},
        {"muid", l_muid},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    static const luaL_Reg kWithFlag[] = {{"reg32", l_reg32}, {nullptr, nullptr}};
    lua_pushlightuserdata(L, &ctx);
    *static_cast<bool*>(lua_newuserdatauv(L, sizeof(bool), 0)) = false;
    luaL_setfuncs(L, kWithFlag, 2);
    // LUAT_MCU_PERIPHERAL_*
    static const IntConstant kPeripherals[] = {
        {"UART", 0}, {"I2C", 1}, {"SPI", 2}, {"PWM", 3},    {"CAN", 4},      {"GPIO", 5},      {"I2S", 6},
        {"SDIO", 7}, {"LCD", 8}, {"CAM", 9}, {"CAMERA", 9}, {"ONEWIRE", 10}, {"KEYBORAD", 11}, {"ETH", 12},
    };
    set_int_constants(L, kPeripherals);
    lua_pop(L, 1);
}
}  // namespace lua_bindings
