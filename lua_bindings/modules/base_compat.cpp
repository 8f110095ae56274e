// The Lua 5.1/5.2 names LuatOS's Lua 5.3 keeps (lua/include/luaconf.h defines LUA_COMPAT_5_1 and
// LUA_COMPAT_5_2) and its loadlib.c adds, which Lua 5.4's sources no longer implement:
//   unpack (= table.unpack, ltablib.c), loadstring (= load, lbaselib.c), table.maxn, ipairs
//   honouring __ipairs (LUA_COMPAT_IPAIRS), module(name, ...) with package.seeall (LUA_COMPAT_MODULE,
//   "for LuatOS-Air"), and LuatOS's own unload(name) (package.loaded[name] = nil, then a full
//   collection). docs/lua.md, "Compatibility options".
#include <cstring>

#include "lua_bindings/modules/base_compat.hpp"

namespace lua_bindings {

namespace {

// table.maxn(t): the largest positive numeric key (0 if none), as a float, as Lua 5.2/5.3.
int l_maxn(lua_State* L) {
    lua_Number max = 0;
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TNUMBER) {
            const lua_Number v = lua_tonumber(L, -1);
            if (v > max) max = v;
        }
    }
    lua_pushnumber(L, max);
    return 1;
}

int ipairs_step(lua_State* L) {
    const lua_Integer i = luaL_checkinteger(L, 2) + 1;
    lua_pushinteger(L, i);
    return lua_geti(L, 1, i) == LUA_TNIL ? 1 : 2;
}

// ipairs(t): t's __ipairs metamethod when it has one (its three results), else the usual iteration.
int l_ipairs(lua_State* L) {
    if (luaL_getmetafield(L, 1, "__ipairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 3);
        return 3;
    }
    luaL_checkany(L, 1);
    lua_pushcfunction(L, ipairs_step);
    lua_pushvalue(L, 1);
    lua_pushinteger(L, 0);
    return 3;
}

// The table at the dotted `name` under the table at the top (created as needed) replaces that table;
// nullptr, or the part of the name where a non-table value is in the way (Lua 5.3's luaL_findtable).
const char* find_table(lua_State* L, const char* name) {
    const char* e = nullptr;
    do {
        e = std::strchr(name, '.');
        if (e == nullptr) e = name + std::strlen(name);
        lua_pushlstring(L, name, static_cast<std::size_t>(e - name));
        if (lua_rawget(L, -2) == LUA_TNIL) {
            lua_pop(L, 1);
            lua_createtable(L, 0, 1);
            lua_pushlstring(L, name, static_cast<std::size_t>(e - name));
            lua_pushvalue(L, -2);
            lua_settable(L, -4);
        } else if (!lua_istable(L, -1)) {
            lua_pop(L, 2);
            return name;
        }
        lua_remove(L, -2);
        name = e + 1;
    } while (*e == '.');
    return nullptr;
}

// package.loaded[name], or a new table at the dotted global `name` (Lua 5.3's luaL_pushmodule).
void push_module(lua_State* L, const char* name) {
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_getfield(L, -1, name) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_pushglobaltable(L);
        if (find_table(L, name) != nullptr) luaL_error(L, "name conflict for module '%s'", name);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, name);
    }
    lua_remove(L, -2);  // LOADED
}

// module(name [, option...]): the module's table becomes the calling function's _ENV; _M, _NAME,
// _PACKAGE set once; each option (package.seeall) is called with the table.
int l_module(lua_State* L) {
    const char* name = luaL_checkstring(L, 1);
    const int last = lua_gettop(L);
    push_module(L, name);
    if (lua_getfield(L, -1, "_NAME") != LUA_TNIL) {
        lua_pop(L, 1);
    } else {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_setfield(L, -2, "_M");
        lua_pushstring(L, name);
        lua_setfield(L, -2, "_NAME");
        const char* dot = std::strrchr(name, '.');
        dot = dot == nullptr ? name : dot + 1;
        lua_pushlstring(L, name, static_cast<std::size_t>(dot - name));
        lua_setfield(L, -2, "_PACKAGE");
    }
    lua_Debug ar;
    if (lua_getstack(L, 1, &ar) == 0 || lua_getinfo(L, "f", &ar) == 0 || lua_iscfunction(L, -1)) {
        return luaL_error(L, "'module' not called from a Lua function");
    }
    lua_pushvalue(L, -2);
    lua_setupvalue(L, -2, 1);  // the caller's _ENV
    lua_pop(L, 1);
    for (int i = 2; i <= last; ++i) {
        if (!lua_isfunction(L, i)) continue;
        lua_pushvalue(L, i);
        lua_pushvalue(L, -2);
        lua_call(L, 1, 0);
    }
    return 1;
}

// package.seeall(module): the module's metatable gets __index = _G.
int l_seeall(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    if (lua_getmetatable(L, 1) == 0) {
        lua_createtable(L, 0, 1);
        lua_pushvalue(L, -1);
        lua_setmetatable(L, 1);
    }
    lua_pushglobaltable(L);
    lua_setfield(L, -2, "__index");
    return 0;
}

// unload(name): forget a required module and collect (LuatOS's loadlib.c).
int l_unload(lua_State* L) {
    const char* name = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushnil(L);
    lua_setfield(L, -2, name);
    lua_settop(L, 0);
    lua_gc(L, LUA_GCCOLLECT, 0);
    return 0;
}

}  // namespace

void install_lua_compat(lua_State* L) {
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "unpack");
    lua_setglobal(L, "unpack");
    lua_pushcfunction(L, l_maxn);
    lua_setfield(L, -2, "maxn");
    lua_pop(L, 1);
    lua_getglobal(L, "load");
    lua_setglobal(L, "loadstring");
    lua_pushcfunction(L, l_ipairs);
    lua_setglobal(L, "ipairs");
    lua_pushcfunction(L, l_module);
    lua_setglobal(L, "module");
    lua_pushcfunction(L, l_unload);
    lua_setglobal(L, "unload");
    lua_getglobal(L, "package");
    lua_pushcfunction(L, l_seeall);
    lua_setfield(L, -2, "seeall");
    lua_pop(L, 1);
}

}  // namespace lua_bindings
