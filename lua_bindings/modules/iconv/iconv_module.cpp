// iconv (luat_lib_iconv.c of LuatOS; docs/modules/iconv.md): iconv.open(to, from) / iconv.new give
// a converter between GB2312, UCS-2 (ucs2 little endian, ucs2be) and UTF-8 through UCS-2, and
// cd:iconv(s) (or iconv.iconv(cd, s)) converts, "" when the converter fails.
#include <string>

#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/iconv/charsets.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

constexpr const char* kType = "iconv_t";  // LuatOS's metatable name

struct Converter {
    Charset to;
    Charset from;
};

// iconv.open(tocode, fromcode) -> converter, or nothing for a pair the module does not have.
int l_open(lua_State* L) {
    const char* to = luaL_checkstring(L, 1);
    const char* from = luaL_checkstring(L, 2);
    const auto t = charset_named(to);
    const auto f = charset_named(from);
    if (!t || !f || !conversion_exists(*t, *f)) return 0;
    auto* c = static_cast<Converter*>(lua_newuserdatauv(L, sizeof(Converter), 0));
    *c = Converter{*t, *f};
    luaL_setmetatable(L, kType);
    return 1;
}

// cd:iconv(s) -> the converted string, "" if the conversion fails.
int l_iconv(lua_State* L) {
    const auto* c = static_cast<const Converter*>(luaL_checkudata(L, 1, kType));
    size_t len = 0;
    const char* s = luaL_checklstring(L, 2, &len);
    const auto out = convert_charset(c->to, c->from, std::string_view(s, len));
    if (!out) {
        lua_pushliteral(L, "");
        return 1;
    }
    lua_pushlstring(L, out->data(), out->size());
    return 1;
}

}  // namespace

void install_iconv(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "iconv");
    static const luaL_Reg kFunctions[] = {
        {"open", l_open},
        {"new", l_open},
        {"iconv", l_iconv},
        {nullptr, nullptr},
    };
    luaL_setfuncs(L, kFunctions, 0);
    static const IntConstant kConstants[] = {
        {"ERROR_NO_MEMORY", 1},
        {"ERROR_INVALID", 2},
        {"ERROR_INCOMPLETE", 3},
        {"ERROR_UNKNOWN", 4},
    };
    set_int_constants(L, kConstants);
    // Converters find the module's functions as methods (cd:iconv(s)), as on the module.
    luaL_newmetatable(L, kType);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 2);
}

}  // namespace lua_bindings
