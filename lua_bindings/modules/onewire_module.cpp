// onewire: LuatOS's 1-Wire library (components/onewire/binding/luat_lib_onewire.c) over the EC718
// port's 1-Wire controller (luat_onewire_ec7xx.c in openLuat/luatos-soc-2024), with no device on the
// bus. docs/modules/onewire.md.
//
// Before onewire.init every transfer fails (-ERROR_PERMISSION_DENIED). After it, a reset finds no
// presence pulse, so whatever asks for an ACK fails; without one a write succeeds and a read sees the
// idle bus, held high by its pull-up: 1 bits, 0xFF bytes.
#include <memory>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/peripheral_util.hpp"

namespace lua_bindings {

namespace {

constexpr const char* kZbuffType = "ZBUFF*";

// prv_ow: the controller's state.
struct OnewireModule {
    explicit OnewireModule(RunContext& r) : run(r) {}
    RunContext& run;
    bool initialised = false;
    bool debug = false;

    // The result of a transfer (luat_onewire_reset / write_byte / read_byte): 0 or a negative error.
    [[nodiscard]] int transfer(bool need_reset, bool need_ack) const {
        if (!initialised) return -2;            // -ERROR_PERMISSION_DENIED
        if (need_reset && need_ack) return -1;  // no presence pulse: -ERROR_NO_SUCH_ID
        return 0;
    }
};

OnewireModule& module_of(lua_State* L) {
    return upvalue_object<OnewireModule>(L);
}

// onewire.init(id)
int l_init(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    module_of(L).initialised = true;
    return 0;
}

// onewire.timing(id, is_tick, clk_div, tRSTL, tRSTH, tPDHIGH, tPDLOW, tSLOT, tStart, tLOW1, tRDV, tREC)
int l_timing(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    for (int i = 4; i <= 12; ++i) {
        static constexpr lua_Integer kDefaults[] = {500, 500, 15, 240, 65, 1, 15, 15, 2};
        luaL_optinteger(L, i, kDefaults[i - 4]);
    }
    if (lua_toboolean(L, 2)) luaL_optinteger(L, 3, 25);
    return 0;  // the timing has no effect on a bus without devices
}

// onewire.reset(id, need_ack) -> boolean
int l_reset(lua_State* L) {
    const OnewireModule& m = module_of(L);
    luaL_optinteger(L, 1, 0);
    const bool need_ack = lua_toboolean(L, 2) != 0;
    int result = -2;
    if (m.initialised) result = need_ack ? -1 : 0;
    lua_pushboolean(L, result == 0 ? 1 : 0);
    return 1;
}

// onewire.bit(id, send1bit) -> the bit sent, or the bit read
int l_bit(lua_State* L) {
    const OnewireModule& m = module_of(L);
    luaL_optinteger(L, 1, 0);
    lua_Integer v = luaL_optinteger(L, 2, -1);
    if (v != 0 && v != 1) v = m.initialised ? 1 : 0;  // an idle bus reads 1; no controller reads 0
    lua_pushinteger(L, v);
    return 1;
}

// onewire.tx(id, data, is_msb, need_reset, need_ack) -> boolean
int l_tx(lua_State* L) {
    const OnewireModule& m = module_of(L);
    luaL_optinteger(L, 1, 0);
    const bool need_reset = lua_toboolean(L, 4) != 0;
    const bool need_ack = lua_toboolean(L, 5) != 0;
    if (lua_isinteger(L, 2)) {
        luaL_checkinteger(L, 2);
    } else if (lua_isuserdata(L, 2)) {
        luaL_checkudata(L, 2, kZbuffType);
    } else if (!lua_isstring(L, 2)) {
        lua_pushboolean(L, 0);
        return 1;
    }
    lua_pushboolean(L, m.transfer(need_reset, need_ack) == 0 ? 1 : 0);
    return 1;
}

// onewire.rx(id, len, cmd, buff, is_msb, need_reset, need_ack) -> ok, data | nil
int l_rx(lua_State* L) {
    OnewireModule& m = module_of(L);
    luaL_optinteger(L, 1, 0);
    const lua_Integer len = luaL_checkinteger(L, 2);
    const bool need_reset = lua_toboolean(L, 6) != 0;
    const bool need_ack = lua_toboolean(L, 7) != 0;
    if (lua_isuserdata(L, 4)) luaL_checkudata(L, 4, kZbuffType);
    if (lua_isinteger(L, 3)) luaL_checkinteger(L, 3);
    if (m.transfer(need_reset, need_ack) != 0) {
        lua_pushboolean(L, 0);
        lua_pushnil(L);
        return 2;
    }
    if (!native_alloc_fits(m.run, len)) return luaL_error(L, "not enough memory");
    lua_pushboolean(L, 1);
    const std::string data(static_cast<std::size_t>(len), static_cast<char>(0xFF));
    lua_pushlstring(L, data.data(), data.size());
    return 2;
}

// onewire.debug(id, onoff)
int l_debug(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    module_of(L).debug = lua_toboolean(L, 2) != 0;
    return 0;
}

// onewire.deinit(id)
int l_deinit(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    module_of(L).initialised = false;
    return 0;
}

}  // namespace

void install_onewire(RunContext& run) {
    auto module = std::make_shared<OnewireModule>(run);
    run.on_close([module]() mutable { module.reset(); });
    lua_State* L = run.state();
    push_module_table(L, "onewire");
    static const luaL_Reg kFunctions[] = {
        {"init", l_init}, {"timing", l_timing}, {"reset", l_reset},   {"bit", l_bit},     {"tx", l_tx},
        {"rx", l_rx},     {"debug", l_debug},   {"deinit", l_deinit}, {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module.get());
    lua_pop(L, 1);
}

}  // namespace lua_bindings
