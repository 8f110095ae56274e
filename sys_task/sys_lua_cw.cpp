// sys_cw(w, ...) and sys.cwaitMt: the helper LuatOS's asynchronous C APIs use. sys_cw returns
// {w = w, r = {...} or nil} whose `wait` field is a function waiting for message w (or returning r at
// once) and whose `cb` field starts a task calling f with that result.
#include "sys_task/sys_scheduler.hpp"

namespace sys_task {

namespace {

void push_unpacked(lua_State* L, int table_idx, int& count) {
    table_idx = lua_absindex(L, table_idx);
    count = static_cast<int>(luaL_len(L, table_idx));
    luaL_checkstack(L, count, "sys_cw");
    for (int i = 1; i <= count; ++i)
        lua_rawgeti(L, table_idx, i);
}

// upvalues: 1 Scheduler, 2 w, 3 r
int cw_wait_k(lua_State* L, int /*status*/, lua_KContext /*ctx*/) {
    const int n = lua_gettop(L) - 1;  // [1] w, then (id, args...)
    lua_pushthread(L);
    scheduler_of(L).unsubscribe(L, 1, -1);
    lua_pop(L, 1);
    return n > 0 ? n - 1 : 0;
}

int cw_wait(lua_State* L) {
    if (lua_istable(L, lua_upvalueindex(3))) {
        int count = 0;
        push_unpacked(L, lua_upvalueindex(3), count);
        return count;
    }
    check_task(L);
    lua_settop(L, 0);
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushthread(L);
    scheduler_of(L).subscribe(L, 1, 2);
    lua_settop(L, 1);
    return lua_yieldk(L, 0, 0, cw_wait_k);
}

// The body of the task started by `cb`: upvalues 1 Scheduler, 2 w, 3 r, 4 f.
int cw_task_k(lua_State* L, int /*status*/, lua_KContext ctx) {
    if (ctx == 1) return 0;           // f returned
    const int n = lua_gettop(L) - 1;  // [1] w, then (id, args...)
    lua_pushthread(L);
    scheduler_of(L).unsubscribe(L, 1, -1);
    lua_pop(L, 1);
    lua_pushvalue(L, lua_upvalueindex(4));
    lua_insert(L, 2);
    if (n > 0) lua_remove(L, 3);  // drop the message id
    lua_callk(L, n > 0 ? n - 1 : 0, 0, 1, cw_task_k);
    return 0;
}

int cw_task(lua_State* L) {
    lua_settop(L, 0);
    if (lua_istable(L, lua_upvalueindex(3))) {
        lua_pushvalue(L, lua_upvalueindex(4));
        int count = 0;
        push_unpacked(L, lua_upvalueindex(3), count);
        lua_callk(L, count, 0, 1, cw_task_k);
        return 0;
    }
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushthread(L);
    scheduler_of(L).subscribe(L, 1, 2);
    lua_settop(L, 1);
    return lua_yieldk(L, 0, 2, cw_task_k);
}

int cw_cb(lua_State* L) {
    if (!lua_isfunction(L, 1)) return 0;
    const int f = 1;
    lua_getfield(L, lua_upvalueindex(4), "taskInit");  // upvalue 4: the sys table
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushvalue(L, lua_upvalueindex(3));
    lua_pushvalue(L, f);
    lua_pushcclosure(L, cw_task, 4);
    lua_call(L, 1, 0);
    return 0;
}

// cwaitMt.wait(w, r) / cwaitMt.cb(w, r): make the functions. upvalues: 1 Scheduler, 2 sys table.
int cw_make_wait(lua_State* L) {
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, cw_wait, 3);
    return 1;
}

int cw_make_cb(lua_State* L) {
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushcclosure(L, cw_cb, 4);
    return 1;
}

// cwaitMt.__index(t, key): upvalue 2 is cwaitMt.
int cw_index(lua_State* L) {
    if (lua_type(L, 2) != LUA_TSTRING) return 0;
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(2));
    if (!lua_isfunction(L, -1)) return 0;
    lua_getfield(L, 1, "w");
    lua_getfield(L, 1, "r");
    lua_call(L, 2, 1);
    return 1;
}

// sys_cw(w, ...): upvalue 2 is cwaitMt.
int l_cw(lua_State* L) {
    const int n = lua_gettop(L);
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, 1);
    lua_setfield(L, -2, "w");
    if (n > 1) {
        lua_createtable(L, n - 1, 0);
        for (int i = 2; i <= n; ++i) {
            lua_pushvalue(L, i);
            lua_rawseti(L, -2, i - 1);
        }
        lua_setfield(L, -2, "r");
    }
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_setmetatable(L, -2);
    return 1;
}

}  // namespace

void register_sys_cw_functions(lua_State* L, Scheduler& s) {
    const int sys_table = lua_gettop(L);
    // sys.cwaitMt and sys_cw
    lua_createtable(L, 0, 3);
    const int mt = lua_gettop(L);
    lua_pushlightuserdata(L, &s);
    lua_pushvalue(L, sys_table);
    lua_pushcclosure(L, cw_make_wait, 2);
    lua_setfield(L, mt, "wait");
    lua_pushlightuserdata(L, &s);
    lua_pushvalue(L, sys_table);
    lua_pushcclosure(L, cw_make_cb, 2);
    lua_setfield(L, mt, "cb");
    lua_pushlightuserdata(L, &s);
    lua_pushvalue(L, mt);
    lua_pushcclosure(L, cw_index, 2);
    lua_setfield(L, mt, "__index");
    lua_pushvalue(L, mt);
    lua_setfield(L, sys_table, "cwaitMt");
    lua_pushlightuserdata(L, &s);
    lua_pushvalue(L, mt);
    lua_pushcclosure(L, l_cw, 2);
    lua_setfield(L, sys_table, "_cw");
    lua_settop(L, sys_table);
}

}  // namespace sys_task
