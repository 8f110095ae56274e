#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <vector>

#include "lua_bindings/modules/json/json_codec.hpp"

namespace lua_bindings {

namespace {

constexpr int kMaxDepth = 1000;
constexpr int kSparseRatio = 2;  // cjson's defaults: an array may be at most half holes...
constexpr int kSparseSafe = 10;  // ...unless its largest index is at most 10

struct Encoder {
    lua_State* L;
    JsonNumberFormat fmt;
    std::string& out;
    std::string& error;

    bool fail(int idx, const char* reason) {
        error = std::string("Cannot serialise ") + luaL_typename(L, idx) + ": " + reason;
        return false;
    }

    void append_number_text(double v) {
        // lua_cjson.c: a float within DBL_EPSILON of 0 (the 64-bit VM's test) is written "0".
        if (v <= DBL_EPSILON && v >= -DBL_EPSILON) {
            out += '0';
            return;
        }
        out += format_json_float(v, fmt);
    }

    bool number(int idx) {
        if (lua_isinteger(L, idx)) {
            char buf[32];
            const int n =
                std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(lua_tointeger(L, idx)));
            out.append(buf, static_cast<std::size_t>(n));
            return true;
        }
        const double v = lua_tonumber(L, idx);
        if (std::isnan(v) || std::isinf(v)) return fail(idx, "must not be NaN or Inf");
        append_number_text(v);
        return true;
    }

    void string(int idx) {
        size_t len = 0;
        const char* s = lua_tolstring(L, idx, &len);
        out.reserve(out.size() + len + 2);
        out += '"';
        for (size_t i = 0; i < len; ++i) {
            const auto c = static_cast<unsigned char>(s[i]);
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                default:
                    if (c < 0x20 || c == 0x7F) {
                        char buf[8];
                        std::snprintf(buf, sizeof buf, "\\u%04x", c);
                        out += buf;
                    } else {
                        out += static_cast<char>(c);
                    }
            }
        }
        out += '"';
    }

    // >= 0: the table at idx is an array of that length; -1: an object. -2: error (excessively sparse).
    // As lua_cjson.c: every key a number k >= 1 with floor(k) == k (its `int` largest index saturates).
    lua_Integer array_length(int idx) {
        double max = 0;
        lua_Integer items = 0;
        lua_pushnil(L);
        while (lua_next(L, idx) != 0) {
            lua_pop(L, 1);
            if (lua_type(L, -1) == LUA_TNUMBER) {
                const double k = lua_tonumber(L, -1);
                if (std::floor(k) == k && k >= 1) {
                    max = std::max(max, std::min(k, static_cast<double>(INT_MAX)));
                    ++items;
                    continue;
                }
            }
            lua_pop(L, 1);
            return -1;
        }
        const auto largest = static_cast<lua_Integer>(max);
        if (largest > items * kSparseRatio && largest > kSparseSafe) return -2;
        return largest;
    }

    bool value(int idx, int depth) {
        idx = lua_absindex(L, idx);
        switch (lua_type(L, idx)) {
            case LUA_TSTRING:
                string(idx);
                return true;
            case LUA_TNUMBER:
                return number(idx);
            case LUA_TBOOLEAN:
                out += lua_toboolean(L, idx) != 0 ? "true" : "false";
                return true;
            case LUA_TNIL:
                out += "null";
                return true;
            case LUA_TLIGHTUSERDATA:
                if (lua_touserdata(L, idx) == nullptr) {  // json.null
                    out += "null";
                    return true;
                }
                return fail(idx, "type not supported");
            case LUA_TTABLE:
                return table(idx, depth + 1);
            default:
                return fail(idx, "type not supported");
        }
    }

    bool table(int idx, int depth) {
        if (depth > kMaxDepth || lua_checkstack(L, 4) == 0) {
            error = "Cannot serialise, excessive nesting (" + std::to_string(depth) + ")";
            return false;
        }
        const lua_Integer len = array_length(idx);
        if (len == -2) return fail(idx, "excessively sparse array");
        if (len > 0) {
            out += '[';
            for (lua_Integer i = 1; i <= len; ++i) {
                if (i > 1) out += ',';
                lua_rawgeti(L, idx, i);
                const bool ok = value(-1, depth);
                lua_pop(L, 1);
                if (!ok) return false;
            }
            out += ']';
            return true;
        }
        return object(idx, depth);
    }

    bool object(int idx, int depth) {
        // Collect the keys in a table (so they stay referenced), then sort their positions.
        lua_newtable(L);
        const int keys = lua_gettop(L);
        int count = 0;
        lua_pushnil(L);
        while (lua_next(L, idx) != 0) {
            lua_pop(L, 1);
            const int kt = lua_type(L, -1);
            if (kt != LUA_TNUMBER && kt != LUA_TSTRING) {
                const bool r = fail(-1, "table key must be a number or string");
                lua_settop(L, keys - 1);
                return r;
            }
            lua_pushvalue(L, -1);
            lua_rawseti(L, keys, ++count);
        }
        std::vector<int> order(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i)
            order[static_cast<std::size_t>(i)] = i + 1;
        std::sort(order.begin(), order.end(), [&](int a, int b) { return key_less(keys, a, b); });
        out += '{';
        bool first = true;
        for (const int k : order) {
            if (!first) out += ',';
            first = false;
            lua_rawgeti(L, keys, k);
            if (lua_type(L, -1) == LUA_TNUMBER) {
                out += '"';
                number(-1);
                out += '"';
            } else {
                string(lua_gettop(L));
            }
            out += ':';
            lua_rawget(L, idx);
            const bool ok = value(-1, depth);
            lua_pop(L, 1);
            if (!ok) {
                lua_settop(L, keys - 1);
                return false;
            }
        }
        out += '}';
        lua_settop(L, keys - 1);
        return true;
    }

    // Numbers (by value) before strings (bytewise).
    bool key_less(int keys, int a, int b) {
        lua_rawgeti(L, keys, a);
        lua_rawgeti(L, keys, b);
        const bool a_num = lua_type(L, -2) == LUA_TNUMBER;
        const bool b_num = lua_type(L, -1) == LUA_TNUMBER;
        bool less = false;
        if (a_num != b_num) {
            less = a_num;
        } else if (a_num) {
            less = lua_tonumber(L, -2) < lua_tonumber(L, -1);
        } else {
            size_t la = 0;
            size_t lb = 0;
            const char* sa = lua_tolstring(L, -2, &la);
            const char* sb = lua_tolstring(L, -1, &lb);
            less = std::string_view(sa, la) < std::string_view(sb, lb);
        }
        lua_pop(L, 2);
        return less;
    }
};

}  // namespace

bool parse_json_number_format(std::string_view spec, JsonNumberFormat& out) {
    // lua_cjson.c's whitelist: "<1-3 digits>f|g" or "%.<1-3 digits>f|g", nothing else.
    std::size_t pos = 0;
    if (!spec.empty() && spec[0] == '%') {
        if (spec.size() < 2 || spec[1] != '.') return false;
        pos = 2;
    }
    if (spec.size() < pos + 2 || spec.size() > pos + 4) return false;
    const char conv = spec.back();
    if (conv != 'f' && conv != 'g') return false;
    int precision = 0;
    for (const char c : spec.substr(pos, spec.size() - pos - 1)) {
        if (c < '0' || c > '9') return false;
        precision = precision * 10 + (c - '0');
    }
    out.conversion = conv;
    out.precision = precision;
    return true;
}

bool encode_json(lua_State* L, int idx, const JsonNumberFormat& fmt, std::string& out, std::string& error) {
    Encoder e{L, fmt, out, error};
    const int top = lua_gettop(L);
    const bool ok = e.value(idx, 0);
    lua_settop(L, top);
    return ok;
}

}  // namespace lua_bindings
