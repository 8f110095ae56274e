// json: json.encode(value [, format]) -> text | nil, message; json.decode(text) -> value, 1 |
// nil, false, message; json.null. Rules: json_codec.hpp.
#include <string>

#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/json/json_codec.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

int l_encode(lua_State* L) {
    if (lua_isnoneornil(L, 1)) {  // LuatOS: json.encode(nil) == ""
        lua_pushliteral(L, "");
        return 1;
    }
    JsonNumberFormat fmt;
    if (!lua_isnoneornil(L, 2)) {
        size_t len = 0;
        const char* spec = luaL_checklstring(L, 2, &len);
        JsonNumberFormat parsed;
        if (parse_json_number_format(std::string_view(spec, len), parsed)) fmt = parsed;
    }
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

int l_decode(lua_State* L) {
    size_t len = 0;
    const char* text = luaL_checklstring(L, 1, &len);
    std::string error;
    if (!decode_json(L, std::string_view(text, len), error)) {
        luaL_pushfail(L);
        lua_pushboolean(L, 0);
        lua_pushlstring(L, error.data(), error.size());
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
