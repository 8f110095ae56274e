// sys.taskInit, sys.wait, sys.waitUntil / waitUntilExt / waitUntilMsg, sys.coresume, sys.check_task,
// sys.run, sys.safeRun.
//
// The waiting functions yield from C (lua_yieldk) and finish in a continuation: the stack below the
// resume values is normalised before yielding so the continuation knows where they start, and the
// continuation context carries the task timer id (+1; 0 = no timer).
#include <cstdint>

#include "sys_task/sys_scheduler.hpp"

namespace sys_task {

namespace {

void check_message_id(lua_State* L, int arg) {
    if (lua_isnoneornil(L, arg)) luaL_typeerror(L, arg, "message id");
}

// Stop the task timer `id` if it still belongs to the running task (resumed early by a message).
void stop_own_task_timer(lua_State* L, std::int64_t id) {
    Scheduler& s = scheduler_of(L);
    s.push_timer_callback(L, id);
    lua_pushthread(L);
    const bool own = lua_rawequal(L, -1, -2) != 0;
    lua_pop(L, 2);
    if (own) s.stop_timer(L, id);
}

// ---- sys.taskInit(fn, ...) -------------------------------------------------------------------------

int l_task_init(lua_State* L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    const int n = lua_gettop(L);
    lua_State* co = lua_newthread(L);  // at n + 1
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 1);
    luaL_checkstack(L, n, "sys.taskInit");
    for (int i = 2; i <= n; ++i)
        lua_pushvalue(L, i);
    scheduler_of(L).coresume(L, co, n - 1, false);
    lua_settop(L, n + 1);
    return 1;
}

// ---- sys.wait(ms) ----------------------------------------------------------------------------------

int wait_k(lua_State* L, int /*status*/, lua_KContext ctx) {
    const int n = lua_gettop(L);  // the stack was emptied before yielding: only resume values
    if (n != 0) stop_own_task_timer(L, static_cast<std::int64_t>(ctx));
    return n;
}

int l_wait(lua_State* L) {
    check_task(L);
    const lua_Integer ms = timer_start_integer(L, 1, 2);
    lua_settop(L, 0);
    lua_pushthread(L);
    const std::int64_t id = scheduler_of(L).start_task_timer(L, 1, static_cast<double>(ms));
    lua_settop(L, 0);
    if (id < 0) return 0;  // timer refused (ms < 1): returns at once
    return lua_yieldk(L, 0, static_cast<lua_KContext>(id), wait_k);
}

// ---- sys.waitUntil(id, ms) / sys.waitUntilExt(id, ms) -----------------------------------------------

enum WaitResult : int { kResultUntil = 0, kResultExt = 1 };

// Stack at the continuation: [1] id, [2] ms, [3..] resume values (a message: id, args...).
int finish_wait_until(lua_State* L, lua_KContext ctx, WaitResult kind) {
    const int n = lua_gettop(L) - 2;
    if (ctx != 0 && n > 0) stop_own_task_timer(L, static_cast<std::int64_t>(ctx) - 1);
    lua_pushthread(L);
    scheduler_of(L).unsubscribe(L, 1, -1);
    lua_pop(L, 1);
    const bool got_message = n > 0 && !lua_isnil(L, 3);
    if (!got_message) {
        lua_pushboolean(L, 0);
        return 1;
    }
    if (kind == kResultUntil) {  // true, args...
        lua_pushboolean(L, 1);
        lua_replace(L, 3);
    }
    return n;  // waitUntilExt: id, args...
}

int wait_until_k(lua_State* L, int /*status*/, lua_KContext ctx) {
    return finish_wait_until(L, ctx, kResultUntil);
}
int wait_until_ext_k(lua_State* L, int /*status*/, lua_KContext ctx) {
    return finish_wait_until(L, ctx, kResultExt);
}

int start_wait_until(lua_State* L, lua_KFunction k) {
    check_task(L);
    check_message_id(L, 1);
    // sys.lua: `ms and {sys.wait(ms)}`: false waits without a timeout too.
    const bool has_timeout = lua_toboolean(L, 2) != 0;
    const lua_Integer ms = has_timeout ? timer_start_integer(L, 2, 2) : 0;
    lua_settop(L, 2);
    Scheduler& s = scheduler_of(L);
    lua_pushthread(L);
    s.subscribe(L, 1, 3);
    lua_KContext ctx = 0;
    if (has_timeout) {
        const std::int64_t id = s.start_task_timer(L, 3, static_cast<double>(ms));
        if (id < 0) {  // sys.wait returned at once: nothing received
            lua_settop(L, 2);
            return k(L, LUA_OK, 0);
        }
        ctx = static_cast<lua_KContext>(id) + 1;
    }
    lua_settop(L, 2);
    return lua_yieldk(L, 0, ctx, k);
}

int l_wait_until(lua_State* L) {
    return start_wait_until(L, wait_until_k);
}
int l_wait_until_ext(lua_State* L) {
    return start_wait_until(L, wait_until_ext_k);
}

// ---- sys.waitUntilMsg(id) --------------------------------------------------------------------------

// [1] id, [2..] resume values (id, args...): returns the args.
int wait_until_msg_k(lua_State* L, int /*status*/, lua_KContext /*ctx*/) {
    const int n = lua_gettop(L) - 1;
    lua_pushthread(L);
    scheduler_of(L).unsubscribe(L, 1, -1);
    lua_pop(L, 1);
    return n > 0 ? n - 1 : 0;
}

int l_wait_until_msg(lua_State* L) {
    check_task(L);
    check_message_id(L, 1);
    lua_settop(L, 1);
    lua_pushthread(L);
    scheduler_of(L).subscribe(L, 1, 2);
    lua_settop(L, 1);
    return lua_yieldk(L, 0, 0, wait_until_msg_k);
}

// ---- misc ------------------------------------------------------------------------------------------

int l_coresume(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTHREAD);
    lua_State* co = lua_tothread(L, 1);
    return scheduler_of(L).coresume(L, co, lua_gettop(L) - 1, true);
}

int l_check_task(lua_State* L) {
    check_task(L);
    lua_pushthread(L);
    return 1;
}

int l_run(lua_State* L) {
    return scheduler_of(L).run(L);
}
int l_safe_run(lua_State* L) {
    return scheduler_of(L).safe_run(L);
}

}  // namespace

void register_sys_task_functions(lua_State* L, Scheduler& s) {
    static const luaL_Reg kFunctions[] = {
        {"taskInit", l_task_init},
        {"wait", l_wait},
        {"waitUntil", l_wait_until},
        {"waitUntilExt", l_wait_until_ext},
        {"waitUntilMsg", l_wait_until_msg},
        {"coresume", l_coresume},
        {"check_task", l_check_task},
        {"run", l_run},
        {"safeRun", l_safe_run},
        {nullptr, nullptr},
    };
    lua_pushlightuserdata(L, &s);
    luaL_setfuncs(L, kFunctions, 1);
}

}  // namespace sys_task
