// The sysplus part of sys: named task mailboxes (taskInitEx, waitMsg, sendMsg, cleanMsg, taskDel,
// taskCB).
//
// A mailbox is a Lua table {q = {...}, h = head, t = tail, to = timed out, cb = cbFun} stored by task
// name in a registry table. waitMsg follows sys.lua: first drain the queue (non-matching messages
// go to cbFun, or are dropped), then subscribe to the task name and wait, one message per wake-up,
// with a sys.timerStart(waitTo, ms, taskName) timeout. One deliberate difference: a matching message
// that arrives in the same wake-up as the timeout is returned, not dropped.
#include <string>

#include "sys_task/sys_scheduler.hpp"

namespace sys_task {

namespace {

// LuatOS's own message ("only tasks started by sys.taskInitEx can use waitMsg"), kept as it prints it.
constexpr const char* kNotATaskEx = "sys.taskInitEx启动的task才能使用waitMsg";

// Push mailboxes[name] (nil if there is none).
void push_mailbox(lua_State* L, int name_idx) {
    name_idx = lua_absindex(L, name_idx);
    scheduler_of(L).push_mailboxes(L);
    if (lua_isnil(L, name_idx)) {
        lua_pop(L, 1);
        lua_pushnil(L);
        return;
    }
    lua_pushvalue(L, name_idx);
    lua_rawget(L, -2);
    lua_remove(L, -2);
}

lua_Integer int_field(lua_State* L, int mb, const char* key) {
    lua_getfield(L, mb, key);
    const lua_Integer v = lua_tointeger(L, -1);
    lua_pop(L, 1);
    return v;
}

void set_int_field(lua_State* L, int mb, const char* key, lua_Integer v) {
    lua_pushinteger(L, v);
    lua_setfield(L, mb, key);
}

bool timed_out(lua_State* L, int mb) {
    lua_getfield(L, mb, "to");
    const bool v = lua_toboolean(L, -1) != 0;
    lua_pop(L, 1);
    return v;
}

void set_timed_out(lua_State* L, int mb, bool v) {
    lua_pushboolean(L, v ? 1 : 0);
    lua_setfield(L, mb, "to");
}

void reset_queue(lua_State* L, int mb) {
    lua_newtable(L);
    lua_setfield(L, mb, "q");
    set_int_field(L, mb, "h", 1);
    set_int_field(L, mb, "t", 0);
}

// Pop the oldest message onto the stack; false (nothing pushed) when the queue is empty.
bool pop_message(lua_State* L, int mb) {
    mb = lua_absindex(L, mb);
    const lua_Integer head = int_field(L, mb, "h");
    const lua_Integer tail = int_field(L, mb, "t");
    if (head > tail) return false;
    lua_getfield(L, mb, "q");
    lua_rawgeti(L, -1, head);
    lua_pushnil(L);
    lua_rawseti(L, -3, head);
    lua_remove(L, -2);
    set_int_field(L, mb, "h", head + 1);
    return true;
}

void push_message(lua_State* L, int mb, int msg_idx) {
    mb = lua_absindex(L, mb);
    msg_idx = lua_absindex(L, msg_idx);
    const lua_Integer tail = int_field(L, mb, "t") + 1;
    lua_getfield(L, mb, "q");
    lua_pushvalue(L, msg_idx);
    lua_rawseti(L, -2, tail);
    lua_pop(L, 1);
    set_int_field(L, mb, "t", tail);
}

bool push_callback(lua_State* L, int mb) {
    lua_getfield(L, mb, "cb");
    if (lua_isfunction(L, -1)) return true;
    lua_pop(L, 1);
    return false;
}

// Does message (a table at msg_idx) have msg[1] == target?
bool is_target(lua_State* L, int msg_idx, int target_idx) {
    if (!lua_istable(L, msg_idx)) return false;
    lua_rawgeti(L, msg_idx, 1);
    const bool same = lua_compare(L, -1, target_idx, LUA_OPEQ) != 0;
    lua_pop(L, 1);
    return same;
}

// ---- taskInitEx / taskDel / sendMsg / cleanMsg / taskCB --------------------------------------------

int l_task_init_ex(lua_State* L) {
    if (lua_isnoneornil(L, 2)) {
        luaL_traceback(L, L, nullptr, 1);
        std::string text = "taskName is nil ";
        text += lua_tostring(L, -1);
        lua_pop(L, 1);
        scheduler_of(L).user_log(kLogError, "sys", text);
        return 0;
    }
    luaL_checktype(L, 1, LUA_TFUNCTION);
    const int n = lua_gettop(L);
    if (n < 3) lua_settop(L, 3);
    scheduler_of(L).push_mailboxes(L);
    lua_pushvalue(L, 2);
    lua_createtable(L, 0, 5);
    const int mb = lua_gettop(L);
    reset_queue(L, mb);
    set_timed_out(L, mb, false);
    lua_pushvalue(L, 3);
    lua_setfield(L, mb, "cb");
    lua_rawset(L, -3);
    lua_pop(L, 1);
    // sys.taskInit(fun, ...) with the arguments after cbFun.
    lua_getfield(L, lua_upvalueindex(2), "taskInit");
    lua_pushvalue(L, 1);
    for (int i = 4; i <= n; ++i)
        lua_pushvalue(L, i);
    lua_call(L, n > 3 ? n - 2 : 1, 1);
    return 1;
}

int l_task_del(lua_State* L) {
    if (lua_isnoneornil(L, 1)) return 0;
    scheduler_of(L).push_mailboxes(L);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    lua_rawset(L, -3);
    return 0;
}

int l_send_msg(lua_State* L) {
    lua_settop(L, 5);
    push_mailbox(L, 1);
    if (!lua_istable(L, 6)) {
        lua_pushboolean(L, 0);
        return 1;
    }
    lua_createtable(L, 4, 0);
    for (int i = 1; i <= 4; ++i) {
        lua_pushvalue(L, 1 + i);
        lua_rawseti(L, -2, i);
    }
    push_message(L, 6, 7);
    lua_pushvalue(L, 1);
    scheduler_of(L).publish(L, 1);  // wakes the task if it waits in waitMsg
    lua_pushboolean(L, 1);
    return 1;
}

int l_clean_msg(lua_State* L) {
    push_mailbox(L, 1);
    const bool exists = lua_istable(L, -1);
    if (exists) reset_queue(L, lua_gettop(L));
    lua_pushboolean(L, exists ? 1 : 0);
    return 1;
}

int l_task_cb(lua_State* L) {
    lua_settop(L, 2);
    push_mailbox(L, 1);
    if (lua_istable(L, 3) && push_callback(L, 3)) {
        lua_pushvalue(L, 2);
        lua_call(L, 1, 0);
        return 0;
    }
    const char* name = lua_tostring(L, 1);
    scheduler_of(L).user_log(kLogError, name != nullptr ? name : "(null)", "no cb fun");
    return 0;
}

// The waitMsg timeout callback: mark the mailbox and wake its task.
int l_wait_to(lua_State* L) {
    lua_settop(L, 1);
    push_mailbox(L, 1);
    if (!lua_istable(L, 2)) return 0;  // the mailbox was deleted meanwhile
    set_timed_out(L, 2, true);
    lua_pushvalue(L, 1);
    scheduler_of(L).publish(L, 1);
    return 0;
}

// ---- waitMsg(taskName, target, ms) -----------------------------------------------------------------
// Stack while waiting: [1] taskName [2] target [3] ms [4] mailbox.

enum WaitMsgStep : lua_KContext { kWoken = 1, kAfterDrainCallback = 2, kAfterWaitCallback = 3 };

int wait_msg_k(lua_State* L, int status, lua_KContext ctx);

// sys.timerStop(waitTo, taskName)
void stop_wait_timer(lua_State* L) {
    Scheduler& s = scheduler_of(L);
    const int top = lua_gettop(L);
    s.push_wait_to(L);
    lua_pushvalue(L, 1);
    s.stop_timers_matching(L, top + 1, top + 2, 1, false);
    lua_settop(L, top);
}

int finish_wait_msg(lua_State* L, int msg_idx) {
    set_timed_out(L, 4, false);
    stop_wait_timer(L);
    lua_pushthread(L);
    scheduler_of(L).unsubscribe(L, 1, -1);
    lua_pop(L, 1);
    if (msg_idx == 0) {
        lua_pushnil(L);  // timeout
    } else {
        lua_pushvalue(L, msg_idx);
    }
    return 1;
}

int yield_for_message(lua_State* L) {
    lua_settop(L, 4);
    return lua_yieldk(L, 0, kWoken, wait_msg_k);
}

// One wake-up of the waiting loop.
int on_woken(lua_State* L) {
    lua_settop(L, 4);
    if (pop_message(L, 4)) {
        if (lua_isnil(L, 2) || is_target(L, 5, 2)) return finish_wait_msg(L, 5);
        if (push_callback(L, 4)) {
            lua_pushvalue(L, 5);
            lua_callk(L, 1, 0, kAfterWaitCallback, wait_msg_k);
        }
        return yield_for_message(L);
    }
    if (timed_out(L, 4)) return finish_wait_msg(L, 0);
    return yield_for_message(L);
}

// Drain what is already queued, then subscribe and wait.
int drain_then_wait(lua_State* L) {
    lua_settop(L, 4);
    while (pop_message(L, 4)) {
        if (lua_isnil(L, 2) || is_target(L, 5, 2)) return 1;
        if (push_callback(L, 4)) {
            lua_pushvalue(L, 5);
            lua_callk(L, 1, 0, kAfterDrainCallback, wait_msg_k);
        }
        lua_settop(L, 4);
    }
    check_task(L);
    // sys.lua: `if ms and ms ~= 0 then sys.timerStart(waitTo, ms, taskName)`: ms reaches
    // rtos.timer_start only when the task has to wait (a string such as "0" is not 0 there).
    const bool zero = lua_type(L, 3) == LUA_TNUMBER && lua_tonumber(L, 3) == 0;
    const bool timed = lua_toboolean(L, 3) != 0 && !zero;
    const lua_Integer ms = timed ? timer_start_integer(L, 3, 2) : 0;
    Scheduler& s = scheduler_of(L);
    lua_pushthread(L);
    s.subscribe(L, 1, 5);
    lua_settop(L, 4);
    stop_wait_timer(L);
    if (timed) {
        s.push_wait_to(L);
        lua_pushvalue(L, 1);
        s.start_timer(L, 5, static_cast<double>(ms), 0, 6, 1);
        lua_settop(L, 4);
    }
    set_timed_out(L, 4, false);
    return yield_for_message(L);
}

int wait_msg_k(lua_State* L, int /*status*/, lua_KContext ctx) {
    switch (ctx) {
        case kAfterDrainCallback:
            return drain_then_wait(L);
        case kAfterWaitCallback:
            return yield_for_message(L);
        default:
            return on_woken(L);
    }
}

int l_wait_msg(lua_State* L) {
    lua_settop(L, 3);
    push_mailbox(L, 1);
    if (!lua_istable(L, 4)) {
        scheduler_of(L).user_log(kLogError, "sys", kNotATaskEx);
        lua_pushboolean(L, 0);
        return 1;
    }
    return drain_then_wait(L);
}

}  // namespace

void register_sys_mailbox_functions(lua_State* L, Scheduler& s) {
    const int sys_table = lua_gettop(L);
    static const luaL_Reg kFunctions[] = {
        {"sendMsg", l_send_msg}, {"waitMsg", l_wait_msg}, {"cleanMsg", l_clean_msg}, {"taskDel", l_task_del},
        {"taskCB", l_task_cb},   {"_waitTo", l_wait_to},  {nullptr, nullptr},
    };
    lua_pushlightuserdata(L, &s);
    luaL_setfuncs(L, kFunctions, 1);

    // taskInitEx calls the sys table's taskInit (upvalue 2).
    lua_pushlightuserdata(L, &s);
    lua_pushvalue(L, sys_table);
    lua_pushcclosure(L, l_task_init_ex, 2);
    lua_setfield(L, sys_table, "taskInitEx");

    lua_settop(L, sys_table);
}

}  // namespace sys_task
