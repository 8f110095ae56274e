// bit64: 64-bit arithmetic on 9-byte strings (luat_lib_bit64.c, docs/modules/bit64.md), made for
// 32-bit firmware and kept on the 64-bit one.
//
// A value is 8 little-endian bytes and a 9th that says what they are: 0 an int64, anything else a
// double. Arithmetic with a double on either side is done in doubles.
//   bit64.to32(v) -> integer | float          bit64.to64(n) -> v
//   bit64.plus / minus / multi / pide(a, b [, unsigned [, float_to_int]]) -> v  (b: v, integer or float)
//   bit64.shift(v, n [, left]) -> v           bit64.show(v [, base=10 [, unsigned]]) -> string
//   bit64.strtoll(s [, base=10]) -> v
// Integer overflow wraps and division by zero gives what the module's ARM runtime gives
// (0, or the largest value of the dividend's sign), where C leaves both undefined.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "lua_bindings/modules/bit64/luat_printf_float.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

constexpr std::size_t kValueSize = 9;
constexpr char kFloatFlag = 0x01;

struct Value64 {
    bool is_float = false;
    std::int64_t i = 0;
    double d = 0;
};

// The 9 bytes of `s`; bytes past its end read as zero (LuatOS reads whatever memory follows a
// shorter string).
Value64 decode(const char* s, std::size_t len) {
    std::uint8_t b[kValueSize] = {};
    std::memcpy(b, s, std::min(len, kValueSize));
    Value64 v;
    v.is_float = b[8] != 0;
    if (v.is_float) {
        std::memcpy(&v.d, b, 8);
    } else {
        std::memcpy(&v.i, b, 8);
    }
    return v;
}

void push_bytes(lua_State* L, const void* eight, bool is_float) {
    char out[kValueSize] = {};
    std::memcpy(out, eight, 8);
    if (is_float) out[8] = kFloatFlag;
    lua_pushlstring(L, out, kValueSize);
}
void push_int(lua_State* L, std::int64_t v) {
    push_bytes(L, &v, false);
}
void push_float(lua_State* L, double v) {
    push_bytes(L, &v, true);
}
void push_zero(lua_State* L) {
    push_int(L, 0);
}

// A double to int64 as C's cast, saturating where C leaves it undefined (NaN: 0).
std::int64_t to_int64(double d) {
    if (std::isnan(d)) return 0;
    if (d >= 9223372036854775808.0) return std::numeric_limits<std::int64_t>::max();
    if (d < -9223372036854775808.0) return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(d);
}

// bit64.to32(v) -> the value as a Lua integer or float
int l_to32(lua_State* L) {
    std::size_t len = 0;
    const char* s = luaL_checklstring(L, 1, &len);
    const Value64 v = decode(s, len);
    if (v.is_float) {
        lua_pushnumber(L, v.d);
    } else {
        lua_pushinteger(L, v.i);
    }
    return 1;
}

// bit64.to64(n) -> v: an integer as int64, any other number (or numeric string) as a double, the
// rest as 9 zero bytes
int l_to64(lua_State* L) {
    if (lua_isinteger(L, 1)) {
        push_int(L, lua_tointeger(L, 1));
    } else if (lua_isnumber(L, 1)) {
        push_float(L, lua_tonumber(L, 1));
    } else {
        push_zero(L);
    }
    return 1;
}

// bit64.show(v [, base [, unsigned]]) -> decimal ("%lld", "%llu", LuatOS's "%f" for a double) or
// "0x%llx" (of a double: its IEEE bits) | nil for a string that is not 9 bytes
int l_show(lua_State* L) {
    std::size_t len = 0;
    const char* s = luaL_checklstring(L, 1, &len);
    if (len != kValueSize) {
        lua_pushnil(L);
        return 1;
    }
    const Value64 v = decode(s, len);
    const auto base = static_cast<std::uint8_t>(luaL_optinteger(L, 2, 10));
    const bool as_unsigned = lua_isboolean(L, 3) && lua_toboolean(L, 3) != 0;
    std::string out;
    if (base != 16) {
        if (v.is_float) {
            out = luat_printf_f(v.d);
        } else if (as_unsigned) {
            out = std::to_string(static_cast<std::uint64_t>(v.i));
        } else {
            out = std::to_string(v.i);
        }
    } else {
        std::uint64_t bits = 0;
        std::memcpy(&bits, s, 8);
        char hex[24];
        std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(bits));
        out = hex;
    }
    lua_pushlstring(L, out.data(), out.size());
    return 1;
}

enum class Op { kPlus, kMinus, kMulti, kDivide };

double apply(Op op, double a, double b) {
    switch (op) {
        case Op::kPlus:
            return a + b;
        case Op::kMinus:
            return a - b;
        case Op::kMulti:
            return a * b;
        case Op::kDivide:
            return a / b;
    }
    return 0;
}

std::uint64_t apply_unsigned(Op op, std::uint64_t a, std::uint64_t b) {
    switch (op) {
        case Op::kPlus:
            return a + b;
        case Op::kMinus:
            return a - b;
        case Op::kMulti:
            return a * b;
        case Op::kDivide:
            if (b == 0) return a == 0 ? 0 : std::numeric_limits<std::uint64_t>::max();
            return a / b;
    }
    return 0;
}

std::int64_t apply_signed(Op op, std::int64_t a, std::int64_t b) {
    if (op != Op::kDivide) {  // two's complement wraparound
        return static_cast<std::int64_t>(
            apply_unsigned(op, static_cast<std::uint64_t>(a), static_cast<std::uint64_t>(b)));
    }
    if (b == 0) {
        if (a == 0) return 0;
        return a > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
    }
    if (a == std::numeric_limits<std::int64_t>::min() && b == -1) return a;
    return a / b;
}

// bit64.plus/minus/multi/pide(a, b [, unsigned [, float_to_int]])
int calculate(lua_State* L, Op op) {
    std::size_t len = 0;
    const char* s = luaL_checklstring(L, 1, &len);
    if (len != kValueSize) {
        push_zero(L);
        return 1;
    }
    const Value64 a = decode(s, len);
    Value64 b;
    if (lua_isinteger(L, 2)) {
        b.i = lua_tointeger(L, 2);
    } else if (lua_isnumber(L, 2)) {
        b.is_float = true;
        b.d = lua_tonumber(L, 2);
    } else {
        const char* t = luaL_checklstring(L, 2, &len);
        if (len != kValueSize) {
            push_zero(L);
            return 1;
        }
        b = decode(t, len);
    }
    const bool as_unsigned = lua_isboolean(L, 3) && lua_toboolean(L, 3) != 0;
    const bool float_to_int = lua_isboolean(L, 4) && lua_toboolean(L, 4) != 0;
    if (!a.is_float && !b.is_float) {
        if (as_unsigned) {
            push_int(L, static_cast<std::int64_t>(apply_unsigned(op, static_cast<std::uint64_t>(a.i),
                                                                 static_cast<std::uint64_t>(b.i))));
        } else {
            push_int(L, apply_signed(op, a.i, b.i));
        }
        return 1;
    }
    const double x = a.is_float ? a.d : static_cast<double>(a.i);
    const double y = b.is_float ? b.d : static_cast<double>(b.i);
    const double r = apply(op, x, y);
    if (float_to_int) {
        push_int(L, to_int64(r));
    } else {
        push_float(L, r);
    }
    return 1;
}

int l_plus(lua_State* L) {
    return calculate(L, Op::kPlus);
}
int l_minus(lua_State* L) {
    return calculate(L, Op::kMinus);
}
int l_multi(lua_State* L) {
    return calculate(L, Op::kMulti);
}
int l_pide(lua_State* L) {
    return calculate(L, Op::kDivide);
}

// bit64.shift(v, n [, left]) -> v: the 8 bytes shifted as one uint64 (a double's bits too), the 9th
// kept; n of 64 or more shifts everything out. v itself when n is 0 or not an integer, or v is not 9 bytes.
int l_shift(lua_State* L) {
    std::size_t len = 0;
    const char* s = luaL_checklstring(L, 1, &len);
    if (len != kValueSize || !lua_isinteger(L, 2)) {
        lua_pushlstring(L, s, len);
        return 1;
    }
    const auto by = static_cast<std::uint32_t>(lua_tointeger(L, 2));
    if (by == 0) {
        lua_pushlstring(L, s, len);
        return 1;
    }
    const bool left = lua_isboolean(L, 3) && lua_toboolean(L, 3) != 0;
    std::uint64_t u = 0;
    std::memcpy(&u, s, 8);
    if (by >= 64) {
        u = 0;
    } else {
        u = left ? u << by : u >> by;
    }
    char out[kValueSize];
    std::memcpy(out, &u, 8);
    out[8] = s[8];
    lua_pushlstring(L, out, kValueSize);
    return 1;
}

// bit64.strtoll(s [, base=10]) -> v (C's strtoll: what does not parse is 0) | nothing for ""
int l_strtoll(lua_State* L) {
    std::size_t len = 0;
    const char* s = luaL_checklstring(L, 1, &len);
    const auto base = static_cast<int>(luaL_optinteger(L, 2, 10));
    if (len == 0) return 0;
    char* end = nullptr;
    const std::int64_t v = (base == 1 || base < 0 || base > 36) ? 0 : std::strtoll(s, &end, base);
    push_int(L, v);
    return 1;
}

}  // namespace

void install_bit64(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "bit64");
    static const luaL_Reg kFunctions[] = {
        {"to32", l_to32}, {"to64", l_to64},   {"plus", l_plus}, {"minus", l_minus},     {"multi", l_multi},
        {"pide", l_pide}, {"shift", l_shift}, {"show", l_show}, {"strtoll", l_strtoll}, {nullptr, nullptr},
    };
    luaL_setfuncs(L, kFunctions, 0);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
