// LuatOS's string extensions (lstrlib_exts.c, docs/modules/string.md): toHex / fromHex, split,
// toValue, urlEncode, toBase64 / fromBase64, toBase32 / fromBase32, startsWith, endsWith, trim.
// They are fields of the string table, which is the strings' __index: s:toHex() works too.
#include <cstring>
#include <string>
#include <string_view>

#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/codec/base32.hpp"
#include "lua_bindings/modules/codec/base64.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";

std::string_view check_view(lua_State* L, int arg) {
    size_t len = 0;
    const char* s = luaL_checklstring(L, arg, &len);
    return {s, len};
}

void push_view(lua_State* L, std::string_view v) {
    lua_pushlstring(L, v.data(), v.size());
}

// string.toHex(s [, separator]) -> uppercase hex (separator after every byte), #s * 2
int l_to_hex(lua_State* L) {
    const std::string_view s = check_view(L, 1);
    size_t sep_len = 0;
    const char* sep = luaL_optlstring(L, 2, "", &sep_len);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        luaL_addchar(&b, kHexDigits[c >> 4]);
        luaL_addchar(&b, kHexDigits[c & 0xF]);
        luaL_addlstring(&b, sep, sep_len);
    }
    luaL_pushresult(&b);
    lua_pushinteger(L, static_cast<lua_Integer>(s.size() * 2));
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
    const std::string_view s = check_view(L, 1);
    std::string out;
    out.reserve(s.size() / 2);
    int high = -1;
    for (const char ch : s) {
        const int v = hex_value(static_cast<unsigned char>(ch));
        if (v < 0) {
            high = -1;
        } else if (high < 0) {
            high = v;
        } else {
            out += static_cast<char>(high * 16 + v);
            high = -1;
        }
    }
    push_view(L, out);
    return 1;
}

// string.split(s [, delimiter = "," [, keepEmpty]]): a plain (not pattern) delimiter; an empty one
// means ","; keepEmpty must be the boolean true to keep empty pieces, as LuatOS checks it.
int l_split(lua_State* L) {
    const std::string_view text = check_view(L, 1);
    if (text.empty()) {
        lua_newtable(L);
        return 1;
    }
    size_t dlen = 0;
    const char* d = luaL_optlstring(L, 2, ",", &dlen);
    const std::string_view delim = dlen == 0 ? std::string_view(",") : std::string_view(d, dlen);
    const bool keep_empty = lua_isboolean(L, 3) && lua_toboolean(L, 3) != 0;
    lua_newtable(L);
    lua_Integer n = 0;
    auto add = [&](std::string_view piece) {
        push_view(L, piece);
        lua_rawseti(L, -2, ++n);
    };
    // LuatOS walks the string once: a piece ends at each delimiter; the text after the last one is a
    // piece when it is not empty, and an empty last piece is kept only with keepEmpty.
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text.substr(i, delim.size()) == delim) {
            if (start != i || keep_empty) add(text.substr(start, i - start));
            i += delim.size() - 1;
            start = i + 1;
            if (i == text.size() - 1 && keep_empty) {
                add({});
                break;
            }
        } else if (i == text.size() - 1) {
            add(text.substr(start));
        }
    }
    return 1;
}

// string.toValue(s) -> one byte per character: '0'..'9' give 0..9, anything above '9' gives
// (c + 9) & 0x0F (so 'a'/'A' give 10); the module's char is unsigned, so bytes >= 0x80 count as above.
int l_to_value(lua_State* L) {
    const std::string_view s = check_view(L, 1);
    std::string out(s.size(), '\0');
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        out[i] = static_cast<char>((c > '9' ? c + 9 : c) & 0x0F);
    }
    push_view(L, out);
    lua_pushinteger(L, static_cast<lua_Integer>(s.size()));
    return 2;
}

bool is_alnum_ascii(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// string.urlEncode(s [, mode [, space, keep]]): mode 0 (default, PHP): ' ' -> '+', keeps ".-*_";
// mode 1 (RFC 3986): ' ' -> "%20", keeps ".-_"; mode -1: space 0 -> '+' else "%20", keeps `keep`.
// Every other byte becomes %XX (uppercase). Any other mode is mode 0.
int l_url_encode(lua_State* L) {
    const int argc = lua_gettop(L);
    const std::string_view s = check_view(L, 1);
    lua_Integer mode = argc == 1 ? 0 : luaL_checkinteger(L, 2);
    lua_Integer space = 0;
    std::string_view keep = ".-*_";
    if (mode == -1) {
        space = luaL_checkinteger(L, 3);
        keep = check_view(L, 4);
    } else if (mode == 1) {
        space = 1;
        keep = ".-_";
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_alnum_ascii(c) || keep.find(ch) != std::string_view::npos) {
            luaL_addchar(&b, ch);
        } else if (c == ' ' && space == 0) {
            luaL_addchar(&b, '+');
        } else {
            luaL_addchar(&b, '%');
            luaL_addchar(&b, kHexDigits[c >> 4]);
            luaL_addchar(&b, kHexDigits[c & 0x0F]);
        }
    }
    luaL_pushresult(&b);
    return 1;
}

// string.toBase64(s) (crypto.base64_encode is the same function)
int l_string_to_base64(lua_State* L) {
    push_view(L, base64_encode(check_view(L, 1)));
    return 1;
}

// string.fromBase64(s) (crypto.base64_decode is the same): "" for input that is not base64.
int l_string_from_base64(lua_State* L) {
    const auto decoded = base64_decode(check_view(L, 1));
    push_view(L, decoded ? *decoded : std::string());
    return 1;
}

// string.toBase32(s): RFC 4648 alphabet, no '=' padding.
int l_to_base32(lua_State* L) {
    push_view(L, base32_encode(check_view(L, 1)));
    return 1;
}

// string.fromBase32(s): "" for input that is not base32 (or decodes to nothing).
int l_from_base32(lua_State* L) {
    const auto decoded = base32_decode(check_view(L, 1));
    push_view(L, decoded ? *decoded : std::string());
    return 1;
}

int l_starts_with(lua_State* L) {
    const std::string_view s = check_view(L, 1);
    const std::string_view p = check_view(L, 2);
    lua_pushboolean(L, s.starts_with(p) ? 1 : 0);
    return 1;
}

int l_ends_with(lua_State* L) {
    const std::string_view s = check_view(L, 1);
    const std::string_view p = check_view(L, 2);
    lua_pushboolean(L, s.ends_with(p) ? 1 : 0);
    return 1;
}

// string.trim(s [, ltrim = true [, rtrim = true]]): drops leading/trailing ' ', '\t', '\n', '\r'
// (not '\v' or '\f'); only a boolean changes the defaults.
int l_trim(lua_State* L) {
    std::string_view v = check_view(L, 1);
    const bool left = lua_isboolean(L, 2) ? lua_toboolean(L, 2) != 0 : true;
    const bool right = lua_isboolean(L, 3) ? lua_toboolean(L, 3) != 0 : true;
    constexpr std::string_view kSpace = " \t\n\r";
    if (left) {
        const auto first = v.find_first_not_of(kSpace);
        v.remove_prefix(first == std::string_view::npos ? v.size() : first);
    }
    if (right) {
        const auto last = v.find_last_not_of(kSpace);
        v = last == std::string_view::npos ? std::string_view{} : v.substr(0, last + 1);
    }
    push_view(L, v);
    return 1;
}

}  // namespace

void install_string_ext(RunContext& ctx) {
    lua_State* L = ctx.state();
    lua_getglobal(L, "string");
    static const luaL_Reg kFunctions[] = {
        {"toHex", l_to_hex},
        {"fromHex", l_from_hex},
        {"split", l_split},
        {"toValue", l_to_value},
        {"urlEncode", l_url_encode},
        {"fromBase64", l_string_from_base64},
        {"toBase64", l_string_to_base64},
        {"fromBase32", l_from_base32},
        {"toBase32", l_to_base32},
        {"startsWith", l_starts_with},
        {"endsWith", l_ends_with},
        {"trim", l_trim},
        {nullptr, nullptr},
    };
    luaL_setfuncs(L, kFunctions, 0);  // the string metatable's __index is this table: s:toHex() works
    lua_pop(L, 1);
}

}  // namespace lua_bindings
