#include "vm_exit.hpp"

namespace sys_task {

namespace {

// The marker is the address of this constant: unique in the process, never dereferenced.
constexpr char kExitMarker = 0;

VmExit& self(lua_State* L) {
    return *static_cast<VmExit*>(lua_touserdata(L, lua_upvalueindex(1)));
}

// Shared end of pcall/xpcall, as lbaselib's finishpcall, plus the re-raise of a pending request.
int finish_pcall(lua_State* L, int status, lua_KContext extra) {
    if (status != LUA_OK && status != LUA_YIELD) {
        if (self(L).pending()) return self(L).rethrow(L);
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - static_cast<int>(extra);
}

int guarded_pcall(lua_State* L) {
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    const int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finish_pcall);
    return finish_pcall(L, status, 0);
}

int guarded_xpcall(lua_State* L) {
    const int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    const int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
    return finish_pcall(L, status, 2);
}

// coroutine.resume(co, ...) through the original function (upvalue 2); a caught error while a
// request is pending is raised again in the resumer.
int guarded_resume(lua_State* L) {
    const int n = lua_gettop(L);
    lua_State* co = lua_tothread(L, 1);
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_insert(L, 1);
    if (co != nullptr) {
        BusyGuard::Resuming resuming(self(L).busy(), co);
        lua_call(L, n, LUA_MULTRET);
    } else {
        lua_call(L, n, LUA_MULTRET);
    }
    if (self(L).pending() && lua_toboolean(L, 1) == 0) return self(L).rethrow(L);
    return lua_gettop(L);
}

}  // namespace

void VmExit::request(Kind kind, int code) {
    if (kind_ == Kind::kNone) {
        kind_ = kind;
        code_ = code;
    }
    loop_.stop(code_);
}

int VmExit::raise(lua_State* L, Kind kind, int code) {
    request(kind, code);
    return rethrow(L);
}

int VmExit::rethrow(lua_State* L) {
    lua_pushlightuserdata(L, const_cast<char*>(&kExitMarker));
    return lua_error(L);
}

bool VmExit::is_marker(lua_State* L, int idx) {
    return lua_islightuserdata(L, idx) && lua_touserdata(L, idx) == &kExitMarker;
}

void VmExit::install_guards(lua_State* L) {
    lua_pushlightuserdata(L, this);
    lua_pushcclosure(L, guarded_pcall, 1);
    lua_setglobal(L, "pcall");
    lua_pushlightuserdata(L, this);
    lua_pushcclosure(L, guarded_xpcall, 1);
    lua_setglobal(L, "xpcall");

    lua_getglobal(L, "coroutine");
    if (lua_istable(L, -1)) {
        lua_pushlightuserdata(L, this);
        lua_getfield(L, -2, "resume");
        lua_pushcclosure(L, guarded_resume, 2);
        lua_setfield(L, -2, "resume");
    }
    lua_pop(L, 1);
}

}  // namespace sys_task
