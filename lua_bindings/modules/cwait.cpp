// luat_pushcwait and its two companions, as LuatOS's luat_base's C helpers call sys_cw / sys_pub.
#include "lua_bindings/modules/cwait.hpp"

namespace lua_bindings {

std::string cwait_topic(std::uint64_t id) {
    std::string topic(1, '\x01');
    for (int i = 0; i < 8; ++i)
        topic += static_cast<char>((id >> (8 * i)) & 0xFF);
    return topic;
}

std::uint64_t pushcwait(lua_State* L, sys_task::Scheduler& scheduler, sys_task::Logger& log) {
    if (lua_getglobal(L, "sys_cw") != LUA_TFUNCTION) {
        lua_pop(L, 1);
        log.error("main", "sys lib not found!");
        lua_pushnil(L);
        return 0;
    }
    const std::uint64_t id = scheduler.next_cwait_id();
    const std::string topic = cwait_topic(id);
    lua_pushlstring(L, topic.data(), topic.size());
    lua_call(L, 1, 1);
    return id;
}

void pushcwait_error(lua_State* L, sys_task::Logger& log, int nargs) {
    if (lua_getglobal(L, "sys_cw") != LUA_TFUNCTION) {
        lua_pop(L, 1 + nargs);
        log.error("main", "sys lib not found!");
        lua_pushnil(L);
        return;
    }
    lua_pushnil(L);
    lua_rotate(L, -nargs - 2, 2);
    lua_call(L, nargs + 1, 1);
}

void cbcwait(lua_State* L, std::uint64_t id, int nargs) {
    if (lua_getglobal(L, "sys_pub") != LUA_TFUNCTION) {
        lua_pop(L, 1 + nargs);
        return;
    }
    const std::string topic = cwait_topic(id);
    lua_pushlstring(L, topic.data(), topic.size());
    lua_rotate(L, -nargs - 2, 2);
    lua_call(L, nargs + 1, 0);
}

}  // namespace lua_bindings
