// sys.publish, sys.subscribe, sys.unsubscribe.
#include "sys_task/sys_scheduler.hpp"

namespace sys_task {

namespace {

int l_publish(lua_State* L) {
    scheduler_of(L).publish(L, lua_gettop(L));
    return 0;
}

int l_subscribe(lua_State* L) {
    if (lua_isnoneornil(L, 1)) return luaL_typeerror(L, 1, "message id");
    if (!lua_isfunction(L, 2) && !lua_isthread(L, 2)) return luaL_typeerror(L, 2, "function or thread");
    lua_settop(L, 2);
    scheduler_of(L).subscribe(L, 1, 2);
    return 0;
}

// Tolerant like sys.lua: unknown ids and callbacks are ignored.
int l_unsubscribe(lua_State* L) {
    lua_settop(L, 2);
    scheduler_of(L).unsubscribe(L, 1, 2);
    return 0;
}

}  // namespace

void register_sys_pubsub_functions(lua_State* L, Scheduler& s) {
    static const luaL_Reg kFunctions[] = {
        {"publish", l_publish},
        {"subscribe", l_subscribe},
        {"unsubscribe", l_unsubscribe},
        {nullptr, nullptr},
    };
    lua_pushlightuserdata(L, &s);
    luaL_setfuncs(L, kFunctions, 1);
}

}  // namespace sys_task
