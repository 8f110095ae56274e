// json: json.encode(value [, format]) -> text | nil, message; json.decode(text) -> value, 1 |
// nil, false, message; json.null. Rules: json_codec.hpp.
#include <string>

#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/json/json_codec.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

// json.encode(value [, format]): nil -> "" (but no argument at all encodes the missing value:
// "null"); a string (or number) format must be cjson's, else nil, "invalid float format"; a format
// of another type is ignored.
int l_encode(lua_State* L) {
    if (lua_isnil(L, 1)) {
        lua_pushliteral(L, "");
        return 1;
    }
    JsonNumberFormat fmt;
    if (lua_isstring(L, 2) != 0) {
        size_t len = 0;
        const char* spec = luaL_checklstring(L, 2, &len);
        if (!parse_json_number_format(std::string_view(spec, len), fmt)) {
            lua_pushnil(L);
            lua_pushliteral(L, "invalid float format");
            return 2;
        }
    }
    lua_settop(L, 1);  // none -> nil, as lua_pushvalue(L, 1) gives cjson's encoder
    std::string out;
    std::string error;
    if (!encode_json(L, 1, fmt, out, error)) {
        luaL_pushfail(L);
        lua_pushlstring(L, error.data(), error.size());
        return 2;
    }
    lua_pushlstring(L, out.data(), out.size());
    return 1;
}

// The decoder proper, called in protected mode as cjson's json_decode is: its argument errors name
// no function ("bad argument #1 to '?' (expected 1 argument)").
int decode_protected(lua_State* L) {
    luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
    size_t len = 0;
    const char* text = luaL_checklstring(L, 1, &len);
    std::string error;
    if (!decode_json(L, std::string_view(text, len), error)) return luaL_error(L, "%s", error.c_str());
    return 1;
}

// json.decode(text) -> value, 1 | nil, false, message
int l_decode(lua_State* L) {
    const int top = lua_gettop(L);
    lua_pushcfunction(L, decode_protected);
    lua_insert(L, 1);
    if (lua_pcall(L, top, 1, 0) != LUA_OK) {
        lua_pushnil(L);
        lua_pushboolean(L, 0);
        lua_rotate(L, -3, -1);  // nil, false, message
        return 3;
    }
    lua_pushinteger(L, 1);
    return 2;
}

}  // namespace

void install_json(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "json");
    static const luaL_Reg kFunctions[] = {
        {"encode", l_encode},
        {"decode", l_decode},
        {nullptr, nullptr},
    };
    luaL_setfuncs(L, kFunctions, 0);
    lua_pushlightuserdata(L, nullptr);
    lua_setfield(L, -2, "null");
    lua_pop(L, 1);
}

}  // namespace lua_bindings
