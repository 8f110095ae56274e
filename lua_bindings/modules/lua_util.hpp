// Small helpers for writing Lua modules in C++.
#pragma once

#include <cstddef>

#include "sys_task/lua_cxx.hpp"

namespace lua_bindings {

// The object a module's C functions carry as a light-userdata upvalue (set_funcs below).
template <class T>
T& upvalue_object(lua_State* L, int upvalue = 1) {
    return *static_cast<T*>(lua_touserdata(L, lua_upvalueindex(upvalue)));
}

// luaL_setfuncs into the table on top of the stack, every function getting `object` as upvalue 1.
inline void set_funcs(lua_State* L, const luaL_Reg* functions, void* object) {
    lua_pushlightuserdata(L, object);
    luaL_setfuncs(L, functions, 1);
}

// Push the global table `name`, creating it (and package.loaded[name]) if needed. LuatOS modules
// are globals and can also be require()d.
inline void push_module_table(lua_State* L, const char* name) {
    lua_getglobal(L, name);
    if (lua_istable(L, -1)) return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setglobal(L, name);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
}

// Set integer constants in the table on top of the stack.
struct IntConstant {
    const char* name;
    lua_Integer value;
};
template <std::size_t N>
void set_int_constants(lua_State* L, const IntConstant (&constants)[N]) {
    for (const auto& c : constants) {
        lua_pushinteger(L, c.value);
        lua_setfield(L, -2, c.name);
    }
}

}  // namespace lua_bindings
