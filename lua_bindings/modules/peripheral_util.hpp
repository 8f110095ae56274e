// Helpers shared by the peripheral modules (gpio, i2c, spi, sms, wlan).
#pragma once

#include <cstddef>
#include <string>

#include "lua_bindings/device/run_context.hpp"
#include "sys_task/lua_cxx.hpp"

namespace lua_bindings {

// Whether LuatOS's luat_heap_malloc(n) could succeed: the simulated module's C heap is modelled by
// what is left of the Lua heap budget. Where LuatOS logs "out of memory" for a failed malloc, the
// modules check this first (a negative length is a huge size_t there).
inline bool native_alloc_fits(RunContext& run, lua_Integer n) {
    if (n < 0) return false;
    const LuaHeap& heap = run.heap();
    const std::size_t left = heap.budget() > heap.used() ? heap.budget() - heap.used() : 0;
    return static_cast<std::size_t>(n) <= left;
}

// Calls the global sys_pub (as LuatOS's C code does) with the `nargs` values on top of the stack,
// which are popped. Nothing happens when sys_pub is not a function.
inline void call_sys_pub(lua_State* L, int nargs) {
    lua_getglobal(L, "sys_pub");
    if (!lua_isfunction(L, -1)) {
        lua_pop(L, nargs + 1);
        return;
    }
    lua_insert(L, -(nargs + 1));
    lua_call(L, nargs, 0);
}

}  // namespace lua_bindings
