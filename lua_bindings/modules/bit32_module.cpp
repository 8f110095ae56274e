// bit32 and bit: one table under both names, as LuatOS registers it (its lbitlib.c: Lua 5.3's bit32,
// kept by LUA_COMPAT_BITLIB, plus bit/set/clear/isset/isclear of LuatOS-Air; docs/modules/bit.md).
//
// Lua 5.3's functions work on the low 32 bits of integers (luaL_checkinteger: 1.5 raises) and return
// 0..2^32-1:
//   band bor bxor btest (any number of values), bnot, lshift rshift arshift (shifts of 32 or more
//   give 0, or all ones for a negative arshift), lrotate rrotate, extract(n, field [, width=1]),
//   replace(n, v, field [, width=1]) ("field cannot be negative", "width must be positive",
//   "trying to access non-existent bits").
// LuatOS's additions compute `1 << pos` in a 32-bit C int on an ARM core: the shift uses the low byte
// of pos, 32..255 give 0, and bit 31 is the int's sign, which widens into the 64-bit integer
// (bit.bit(31) == -2147483648, bit.set(0, 31) == -2147483648):
//   bit(pos), set(v, pos...), clear(v, pos...), isset(v, pos), isclear(v, pos).
#include <cstdint>

#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

constexpr int kBits = 32;
constexpr lua_Unsigned kAllOnes = 0xFFFFFFFFu;

lua_Unsigned check_unsigned(lua_State* L, int arg) {
    return static_cast<lua_Unsigned>(luaL_checkinteger(L, arg));
}

lua_Unsigned trim(lua_Unsigned x) {
    return x & kAllOnes;
}

// n ones, 1 <= n <= 32
lua_Unsigned mask(int n) {
    return ~((kAllOnes << 1) << (n - 1));
}

void push_unsigned(lua_State* L, lua_Unsigned x) {
    lua_pushinteger(L, static_cast<lua_Integer>(x));
}

lua_Unsigned and_all(lua_State* L) {
    const int n = lua_gettop(L);
    lua_Unsigned r = ~lua_Unsigned{0};
    for (int i = 1; i <= n; ++i)
        r &= check_unsigned(L, i);
    return trim(r);
}

int b_and(lua_State* L) {
    push_unsigned(L, and_all(L));
    return 1;
}

int b_test(lua_State* L) {
    lua_pushboolean(L, and_all(L) != 0 ? 1 : 0);
    return 1;
}

int b_or(lua_State* L) {
    const int n = lua_gettop(L);
    lua_Unsigned r = 0;
    for (int i = 1; i <= n; ++i)
        r |= check_unsigned(L, i);
    push_unsigned(L, trim(r));
    return 1;
}

int b_xor(lua_State* L) {
    const int n = lua_gettop(L);
    lua_Unsigned r = 0;
    for (int i = 1; i <= n; ++i)
        r ^= check_unsigned(L, i);
    push_unsigned(L, trim(r));
    return 1;
}

int b_not(lua_State* L) {
    push_unsigned(L, trim(~check_unsigned(L, 1)));
    return 1;
}

// Shift left by `by` (right when negative); 32 places or more shift everything out.
int shift(lua_State* L, lua_Unsigned r, lua_Integer by) {
    if (by < 0) {
        r = trim(r);
        r = by <= -kBits ? 0 : r >> -by;
    } else {
        r = by >= kBits ? 0 : trim(r << by);
    }
    push_unsigned(L, r);
    return 1;
}

int b_lshift(lua_State* L) {
    const lua_Unsigned r = check_unsigned(L, 1);
    return shift(L, r, luaL_checkinteger(L, 2));
}

int b_rshift(lua_State* L) {
    const lua_Unsigned r = check_unsigned(L, 1);
    const lua_Integer by = luaL_checkinteger(L, 2);
    return shift(L, r, by == LUA_MININTEGER ? LUA_MAXINTEGER : -by);
}

int b_arshift(lua_State* L) {
    lua_Unsigned r = check_unsigned(L, 1);
    const lua_Integer by = luaL_checkinteger(L, 2);
    if (by < 0 || (r & (lua_Unsigned{1} << (kBits - 1))) == 0)
        return shift(L, r, by == LUA_MININTEGER ? LUA_MAXINTEGER : -by);
    // a 'negative' 32-bit number: the sign bit fills from the left
    r = by >= kBits ? kAllOnes : trim((r >> by) | ~(kAllOnes >> by));
    push_unsigned(L, r);
    return 1;
}

// Rotate left by d (mod 32). The count is read before the value, as in Lua's lbitlib.
int rotate(lua_State* L, lua_Integer d) {
    lua_Unsigned r = trim(check_unsigned(L, 1));
    const int i = static_cast<int>(d & (kBits - 1));
    if (i != 0) r = (r << i) | (r >> (kBits - i));
    push_unsigned(L, trim(r));
    return 1;
}

int b_lrot(lua_State* L) {
    return rotate(L, luaL_checkinteger(L, 2));
}

int b_rrot(lua_State* L) {
    return rotate(L, static_cast<lua_Integer>(0 - static_cast<lua_Unsigned>(luaL_checkinteger(L, 2))));
}

// The field and width arguments of extract/replace, checked.
int field_args(lua_State* L, int farg, int& width) {
    const lua_Integer f = luaL_checkinteger(L, farg);
    const lua_Integer w = luaL_optinteger(L, farg + 1, 1);
    luaL_argcheck(L, 0 <= f, farg, "field cannot be negative");
    luaL_argcheck(L, 0 < w, farg + 1, "width must be positive");
    if (f > kBits - w) luaL_error(L, "trying to access non-existent bits");  // f + w > 32, without overflow
    width = static_cast<int>(w);
    return static_cast<int>(f);
}

int b_extract(lua_State* L) {
    const lua_Unsigned r = trim(check_unsigned(L, 1));
    int w = 0;
    const int f = field_args(L, 2, w);
    push_unsigned(L, (r >> f) & mask(w));
    return 1;
}

int b_replace(lua_State* L) {
    lua_Unsigned r = trim(check_unsigned(L, 1));
    const lua_Unsigned v = trim(check_unsigned(L, 2));
    int w = 0;
    const int f = field_args(L, 3, w);
    const lua_Unsigned m = mask(w);
    r = (r & ~(m << f)) | ((v & m) << f);
    push_unsigned(L, r);
    return 1;
}

// ---- LuatOS's additions ---------------------------------------------------------------------------

// `1 << pos` as a C int on the module's ARM core, widened to a Lua integer (see the top).
std::int32_t one_shifted(lua_Unsigned pos) {
    const unsigned by = static_cast<unsigned>(pos & 0xFF);
    return by >= 32 ? 0 : static_cast<std::int32_t>(std::uint32_t{1} << by);
}

lua_Unsigned widened(std::int32_t v) {
    return static_cast<lua_Unsigned>(static_cast<lua_Integer>(v));
}

int b_bit(lua_State* L) {
    lua_pushinteger(L, one_shifted(check_unsigned(L, 1)));
    return 1;
}

int b_set(lua_State* L) {
    lua_Unsigned v = check_unsigned(L, 1);
    const int n = lua_gettop(L);
    for (int i = 2; i <= n; ++i)
        v |= widened(one_shifted(static_cast<unsigned>(luaL_checkinteger(L, i))));
    lua_pushinteger(L, static_cast<lua_Integer>(v));
    return 1;
}

int b_clear(lua_State* L) {
    lua_Unsigned v = check_unsigned(L, 1);
    const int n = lua_gettop(L);
    for (int i = 2; i <= n; ++i)
        v &= widened(~one_shifted(static_cast<unsigned>(luaL_checkinteger(L, i))));
    lua_pushinteger(L, static_cast<lua_Integer>(v));
    return 1;
}

int b_isset(lua_State* L) {
    const lua_Unsigned v = check_unsigned(L, 1);
    const auto pos = static_cast<unsigned>(luaL_checkinteger(L, 2));
    lua_pushboolean(L, (v & widened(one_shifted(pos))) != 0 ? 1 : 0);
    return 1;
}

int b_isclear(lua_State* L) {
    const lua_Unsigned v = check_unsigned(L, 1);
    const auto pos = static_cast<unsigned>(luaL_checkinteger(L, 2));
    lua_pushboolean(L, (v & widened(one_shifted(pos))) != 0 ? 0 : 1);
    return 1;
}

}  // namespace

void install_bit32(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "bit32");
    static const luaL_Reg kFunctions[] = {
        {"arshift", b_arshift}, {"band", b_and},        {"bnot", b_not},        {"bor", b_or},
        {"bxor", b_xor},        {"btest", b_test},      {"extract", b_extract}, {"lrotate", b_lrot},
        {"lshift", b_lshift},   {"replace", b_replace}, {"rrotate", b_rrot},    {"rshift", b_rshift},
        {"bit", b_bit},         {"set", b_set},         {"clear", b_clear},     {"isset", b_isset},
        {"isclear", b_isclear}, {nullptr, nullptr},
    };
    luaL_setfuncs(L, kFunctions, 0);
    lua_setglobal(L, "bit");  // the same table, for LuatOS-Air scripts
}

}  // namespace lua_bindings
