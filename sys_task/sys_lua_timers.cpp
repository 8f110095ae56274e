// sys.timerStart, timerLoopStart, timerAdvStart, timerStop, timerStopAll, timerIsActive.
//
// Saved arguments are compared as sys.lua's cmpTable does (count, then `==` element by element);
// trailing nils are not counted, as `#{...}` would not count them.
#include <cmath>
#include <cstdint>

#include "sys_task/sys_scheduler.hpp"

namespace sys_task {

namespace {

// Number of arguments from `first` to the top, without trailing nils.
int count_args(lua_State* L, int first) {
    int n = lua_gettop(L) - first + 1;
    while (n > 0 && lua_isnil(L, first + n - 1))
        --n;
    return n > 0 ? n : 0;
}

// sys.timerAdvStart: the timer with the same callback and arguments is stopped first, then
// rtos.timer_start checks the duration (#2) and the repeat count (#3), as in sys.lua.
int start(lua_State* L, int repeat_idx, std::int64_t repeat, int first_arg) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    Scheduler& s = scheduler_of(L);
    const int nargs = count_args(L, first_arg);
    s.stop_timers_matching(L, 1, first_arg, nargs, false);
    const lua_Integer ms = timer_start_integer(L, 2, 2);
    if (repeat_idx != 0) repeat = timer_start_integer(L, repeat_idx, 3, true);
    const std::int64_t id = s.start_timer(L, 1, static_cast<double>(ms), repeat, first_arg, nargs);
    if (id < 0) return 0;
    lua_pushinteger(L, id);
    return 1;
}

int l_timer_start(lua_State* L) {
    return start(L, 0, 0, 3);
}
int l_timer_loop_start(lua_State* L) {
    return start(L, 0, -1, 3);
}
int l_timer_adv_start(lua_State* L) {
    return start(L, 3, 0, 4);
}

// A number that names a timer id, or nothing.
bool timer_id_arg(lua_State* L, int idx, std::int64_t& id) {
    if (lua_type(L, idx) != LUA_TNUMBER) return false;
    const double v = lua_tonumber(L, idx);
    if (std::floor(v) != v || v < -9.0e18 || v > 9.0e18) return false;
    id = static_cast<std::int64_t>(v);
    return true;
}

int l_timer_stop(lua_State* L) {
    Scheduler& s = scheduler_of(L);
    std::int64_t id = 0;
    if (timer_id_arg(L, 1, id)) {
        s.stop_timer(L, id);
    } else if (lua_isfunction(L, 1)) {
        s.stop_timers_matching(L, 1, 2, count_args(L, 2), false);
    }
    return 0;  // anything else (e.g. a nil id never set) is ignored, as in sys.lua
}

int l_timer_stop_all(lua_State* L) {
    if (lua_isfunction(L, 1)) scheduler_of(L).stop_timers_matching(L, 1, 2, 0, true);
    return 0;
}

int l_timer_is_active(lua_State* L) {
    Scheduler& s = scheduler_of(L);
    std::int64_t id = 0;
    if (timer_id_arg(L, 1, id)) {  // the stored callback (truthy) or nil
        s.push_timer_callback(L, id);
        return 1;
    }
    if (lua_type(L, 1) == LUA_TNUMBER) {
        lua_pushnil(L);
        return 1;
    }
    if (lua_isfunction(L, 1) && s.timer_active_matching(L, 1, 2, count_args(L, 2))) {
        lua_pushboolean(L, 1);
        return 1;
    }
    return 0;  // sys.lua falls off the end: no value
}

}  // namespace

lua_Integer timer_start_integer(lua_State* L, int idx, int timer_arg, bool optional) {
    if (optional && lua_isnoneornil(L, idx)) return 0;
    int is_integer = 0;
    const lua_Integer v = lua_tointegerx(L, idx, &is_integer);
    if (is_integer != 0) return v;
    if (lua_isnumber(L, idx) != 0)
        return luaL_error(L, "bad argument #%d to 'timer_start' (number has no integer representation)",
                          timer_arg);
    // sys.lua passes its parameter on, so a missing one is a nil there.
    const char* type = lua_isnone(L, idx) ? "nil" : luaL_typename(L, idx);
    if (luaL_getmetafield(L, idx, "__name") == LUA_TSTRING) type = lua_tostring(L, -1);
    return luaL_error(L, "bad argument #%d to 'timer_start' (number expected, got %s)", timer_arg, type);
}

void register_sys_timer_functions(lua_State* L, Scheduler& s) {
    static const luaL_Reg kFunctions[] = {
        {"timerStart", l_timer_start},
        {"timerLoopStart", l_timer_loop_start},
        {"timerAdvStart", l_timer_adv_start},
        {"timerStop", l_timer_stop},
        {"timerStopAll", l_timer_stop_all},
        {"timerIsActive", l_timer_is_active},
        {nullptr, nullptr},
    };
    lua_pushlightuserdata(L, &s);
    luaL_setfuncs(L, kFunctions, 1);
}

}  // namespace sys_task
