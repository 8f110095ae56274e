#include "lua_bindings/modules/lua_args.hpp"

#include <cstring>

namespace lua_bindings {

namespace {

// luaL_typeerror's name for the argument: its metatable's __name, "light userdata", or the type.
const char* argument_type_name(lua_State* L, int arg) {
    if (luaL_getmetafield(L, arg, "__name") == LUA_TSTRING) return lua_tostring(L, -1);
    if (lua_type(L, arg) == LUA_TLIGHTUSERDATA) return "light userdata";
    return luaL_typename(L, arg);
}

int type_error(lua_State* L, int arg, const char* expected) {
    return luatos_arg_error(L, arg,
                            lua_pushfstring(L, "%s expected, got %s", expected, argument_type_name(L, arg)));
}

}  // namespace

int luatos_arg_error(lua_State* L, int arg, const char* extramsg) {
    lua_Debug ar;
    if (lua_getstack(L, 0, &ar) != 0 && lua_getinfo(L, "n", &ar) != 0 && ar.namewhat != nullptr &&
        ar.name != nullptr && std::strcmp(ar.namewhat, "metamethod") == 0 &&
        std::strncmp(ar.name, "__", 2) != 0) {  // a finaliser is already "__gc"
        return luaL_error(L, "bad argument #%d to '__%s' (%s)", arg, ar.name, extramsg);
    }
    return luaL_argerror(L, arg, extramsg);
}

lua_Integer luatos_check_integer(lua_State* L, int arg) {
    int is_integer = 0;
    const lua_Integer v = lua_tointegerx(L, arg, &is_integer);
    if (is_integer != 0) return v;
    if (lua_isnumber(L, arg) != 0) luatos_arg_error(L, arg, "number has no integer representation");
    type_error(L, arg, "number");
    return 0;
}

const char* luatos_check_lstring(lua_State* L, int arg, std::size_t* len) {
    const char* s = lua_tolstring(L, arg, len);
    if (s == nullptr) type_error(L, arg, "string");
    return s;
}

}  // namespace lua_bindings
