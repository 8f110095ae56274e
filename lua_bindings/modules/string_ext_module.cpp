// LuatOS's string extensions (lstrlib_exts.c): toHex / fromHex (also as methods: s:toHex()),
// split, startsWith, endsWith, trim.
#include <string>
#include <string_view>

#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";

// string.toHex(s [, separator]) -> uppercase hex (separator after every byte), #s * 2
int l_to_hex(lua_State* L) {
    size_t len = 0;
    const char* s = luaL_checklstring(L, 1, &len);
    size_t sep_len = 0;
    const char* sep = luaL_optlstring(L, 2, "", &sep_len);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < len; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        luaL_addchar(&b, kHexDigits[c >> 4]);
        luaL_addchar(&b, kHexDigits[c & 0xF]);
        luaL_addlstring(&b, sep, sep_len);
    }
    luaL_pushresult(&b);
    lua_pushinteger(L, static_cast<lua_Integer>(len * 2));
    return 2;
}

int hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// string.fromHex(hex): pairs of hex digits; any other character is skipped and drops a half pair.
int l_from_hex(lua_State* L) {
    size_t len = 0;
    const char* s = luaL_checklstring(L, 1, &len);
    std::string out;
    out.reserve(len / 2);
    int high = -1;
    for (size_t i = 0; i < len; ++i) {
        const int v = hex_value(static_cast<unsigned char>(s[i]));
        if (v < 0) {
            high = -1;
        } else if (high < 0) {
            high = v;
        } else {
            out += static_cast<char>(high * 16 + v);
            high = -1;
        }
    }
    lua_pushlstring(L, out.data(), out.size());
    return 1;
}

// string.split(s [, delimiter = "," [, keepEmpty = false]]) -> table of pieces (plain delimiter)
int l_split(lua_State* L) {
    size_t len = 0;
    const char* s = luaL_checklstring(L, 1, &len);
    size_t dlen = 0;
    const char* d = luaL_optlstring(L, 2, ",", &dlen);
    const bool keep_empty = lua_toboolean(L, 3) != 0;
    lua_newtable(L);
    if (len == 0) return 1;
    const std::string_view text(s, len);
    const std::string_view delim(d, dlen);
    lua_Integer n = 0;
    auto add = [&](std::string_view piece) {
        if (piece.empty() && !keep_empty) return;
        lua_pushlstring(L, piece.data(), piece.size());
        lua_rawseti(L, -2, ++n);
    };
    if (delim.empty()) {
        add(text);
        return 1;
    }
    std::size_t start = 0;
    for (;;) {
        const std::size_t at = text.find(delim, start);
        if (at == std::string_view::npos) {
            add(text.substr(start));
            break;
        }
        add(text.substr(start, at - start));
        start = at + delim.size();
    }
    return 1;
}

int l_starts_with(lua_State* L) {
    size_t len = 0;
    size_t plen = 0;
    const char* s = luaL_checklstring(L, 1, &len);
    const char* p = luaL_checklstring(L, 2, &plen);
    lua_pushboolean(L, std::string_view(s, len).starts_with(std::string_view(p, plen)) ? 1 : 0);
    return 1;
}

int l_ends_with(lua_State* L) {
    size_t len = 0;
    size_t plen = 0;
    const char* s = luaL_checklstring(L, 1, &len);
    const char* p = luaL_checklstring(L, 2, &plen);
    lua_pushboolean(L, std::string_view(s, len).ends_with(std::string_view(p, plen)) ? 1 : 0);
    return 1;
}

// string.trim(s [, ltrim = true [, rtrim = true]]): drops leading/trailing whitespace.
int l_trim(lua_State* L) {
    size_t len = 0;
    const char* s = luaL_checklstring(L, 1, &len);
    const bool left = lua_isnoneornil(L, 2) || lua_toboolean(L, 2) != 0;
    const bool right = lua_isnoneornil(L, 3) || lua_toboolean(L, 3) != 0;
    std::string_view v(s, len);
    constexpr std::string_view kSpace = " \t\r\n\v\f";
    if (left) {
        const auto first = v.find_first_not_of(kSpace);
        v.remove_prefix(first == std::string_view::npos ? v.size() : first);
    }
    if (right) {
        const auto last = v.find_last_not_of(kSpace);
        v = last == std::string_view::npos ? std::string_view{} : v.substr(0, last + 1);
    }
    lua_pushlstring(L, v.data(), v.size());
    return 1;
}

}  // namespace

void install_string_ext(RunContext& ctx) {
    lua_State* L = ctx.state();
    lua_getglobal(L, "string");
    static const luaL_Reg kFunctions[] = {
        {"toHex", l_to_hex},       {"fromHex", l_from_hex}, {"split", l_split}, {"startsWith", l_starts_with},
        {"endsWith", l_ends_with}, {"trim", l_trim},        {nullptr, nullptr},
    };
    luaL_setfuncs(L, kFunctions, 0);  // the string metatable's __index is this table: s:toHex() works
    lua_pop(L, 1);
}

}  // namespace lua_bindings
