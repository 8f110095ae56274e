#include <cerrno>
#include <cstdlib>
#include <string>

#include "lua_bindings/modules/json/json_codec.hpp"

namespace lua_bindings {

namespace {

constexpr int kMaxDepth = 1000;

struct Decoder {
    lua_State* L;
    std::string_view text;
    std::size_t pos = 0;
    std::string& error;

    // cjson-style "Expected <what> but found <found> at character <n>" (1-based).
    bool expected(const char* what, std::size_t at, const std::string& found) {
        error = std::string("Expected ") + what + " but found " + found + " at character " +
                std::to_string(at + 1);
        return false;
    }

    // What cjson would call the token at `at`.
    std::string token_name(std::size_t at) const {
        if (at >= text.size()) return "T_END";
        switch (text[at]) {
            case '{':
                return "T_OBJ_BEGIN";
            case '}':
                return "T_OBJ_END";
            case '[':
                return "T_ARR_BEGIN";
            case ']':
                return "T_ARR_END";
            case ':':
                return "T_COLON";
            case ',':
                return "T_COMMA";
            case '"':
                return "T_STRING";
            default:
                break;
        }
        const char c = text[at];
        if (c == '-' || (c >= '0' && c <= '9')) return "T_NUMBER";
        if (text.substr(at).starts_with("true") || text.substr(at).starts_with("false")) return "T_BOOLEAN";
        if (text.substr(at).starts_with("null")) return "T_NULL";
        return "invalid token";
    }

    void skip_ws() {
        while (pos < text.size() &&
               (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) {
            ++pos;
        }
    }

    bool value(int depth) {
        skip_ws();
        if (pos >= text.size()) return expected("value", pos, "T_END");
        const char c = text[pos];
        if (c == '{') return object(depth + 1);
        if (c == '[') return array(depth + 1);
        if (c == '"') return string();
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        if (text.substr(pos).starts_with("true")) {
            lua_pushboolean(L, 1);
            pos += 4;
            return true;
        }
        if (text.substr(pos).starts_with("false")) {
            lua_pushboolean(L, 0);
            pos += 5;
            return true;
        }
        if (text.substr(pos).starts_with("null")) {
            lua_pushlightuserdata(L, nullptr);  // json.null
            pos += 4;
            return true;
        }
        return expected("value", pos, token_name(pos));
    }

    bool enter(int depth) {
        if (depth > kMaxDepth || lua_checkstack(L, 4) == 0) {
            error = "Found too many nested data structures (" + std::to_string(depth) + ") at character " +
                    std::to_string(pos + 1);
            return false;
        }
        return true;
    }

    bool object(int depth) {
        if (!enter(depth)) return false;
        ++pos;  // '{'
        lua_newtable(L);
        skip_ws();
        if (pos < text.size() && text[pos] == '}') {
            ++pos;
            return true;
        }
        for (;;) {
            skip_ws();
            if (pos >= text.size() || text[pos] != '"')
                return fail_pop(expected("object key string", pos, token_name(pos)));
            if (!string()) return fail_pop(false);
            skip_ws();
            if (pos >= text.size() || text[pos] != ':')
                return fail_pop(expected("colon", pos, token_name(pos)), 2);
            ++pos;
            if (!value(depth)) return fail_pop(false, 2);
            lua_rawset(L, -3);
            skip_ws();
            if (pos < text.size() && text[pos] == ',') {
                ++pos;
                continue;
            }
            if (pos < text.size() && text[pos] == '}') {
                ++pos;
                return true;
            }
            return fail_pop(expected("comma or object end", pos, token_name(pos)));
        }
    }

    bool array(int depth) {
        if (!enter(depth)) return false;
        ++pos;  // '['
        lua_newtable(L);
        skip_ws();
        if (pos < text.size() && text[pos] == ']') {
            ++pos;
            return true;
        }
        for (lua_Integer i = 1;; ++i) {
            if (!value(depth)) return fail_pop(false);
            lua_rawseti(L, -2, i);
            skip_ws();
            if (pos < text.size() && text[pos] == ',') {
                ++pos;
                continue;
            }
            if (pos < text.size() && text[pos] == ']') {
                ++pos;
                return true;
            }
            return fail_pop(expected("comma or array end", pos, token_name(pos)));
        }
    }

    bool fail_pop(bool result, int n = 1) {
        lua_pop(L, n);
        return result;
    }

    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    bool hex4(std::size_t at, unsigned& out) const {
        if (at + 4 > text.size()) return false;
        out = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            const int h = hex(text[at + i]);
            if (h < 0) return false;
            out = out * 16 + static_cast<unsigned>(h);
        }
        return true;
    }

    static void put_utf8(std::string& s, unsigned cp) {
        if (cp < 0x80) {
            s += static_cast<char>(cp);
        } else if (cp < 0x800) {
            s += static_cast<char>(0xC0 | (cp >> 6));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            s += static_cast<char>(0xE0 | (cp >> 12));
            s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            s += static_cast<char>(0xF0 | (cp >> 18));
            s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    bool string() {
        const std::size_t start = pos;
        ++pos;  // '"'
        std::string s;
        while (pos < text.size() && text[pos] != '"') {
            const char c = text[pos];
            if (c != '\\') {
                s += c;
                ++pos;
                continue;
            }
            if (pos + 1 >= text.size()) break;
            const char e = text[pos + 1];
            pos += 2;
            switch (e) {
                case '"':
                    s += '"';
                    break;
                case '\\':
                    s += '\\';
                    break;
                case '/':
                    s += '/';
                    break;
                case 'b':
                    s += '\b';
                    break;
                case 'f':
                    s += '\f';
                    break;
                case 'n':
                    s += '\n';
                    break;
                case 'r':
                    s += '\r';
                    break;
                case 't':
                    s += '\t';
                    break;
                case 'u': {
                    unsigned cp = 0;
                    if (!hex4(pos, cp)) return expected("value", start, "invalid unicode escape code");
                    pos += 4;
                    if (cp >= 0xD800 && cp <= 0xDBFF) {  // a surrogate pair
                        unsigned low = 0;
                        if (pos + 1 < text.size() && text[pos] == '\\' && text[pos + 1] == 'u' &&
                            hex4(pos + 2, low) && low >= 0xDC00 && low <= 0xDFFF) {
                            pos += 6;
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        } else {
                            return expected("value", start, "invalid unicode escape code");
                        }
                    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        return expected("value", start, "invalid unicode escape code");
                    }
                    put_utf8(s, cp);
                    break;
                }
                default:
                    return expected("value", start, "invalid escape code");
            }
        }
        if (pos >= text.size()) return expected("value", start, "unexpected end of string");
        ++pos;  // closing '"'
        lua_pushlstring(L, s.data(), s.size());
        return true;
    }

    // -?digits(.digits)? ; exponents are refused, as LuatOS's json.decode does.
    bool number() {
        const std::size_t start = pos;
        std::size_t p = pos;
        if (p < text.size() && text[p] == '-') ++p;
        const std::size_t int_start = p;
        while (p < text.size() && text[p] >= '0' && text[p] <= '9')
            ++p;
        bool is_float = false;
        bool ok = p > int_start;
        if (ok && p < text.size() && text[p] == '.') {
            ++p;
            const std::size_t frac = p;
            while (p < text.size() && text[p] >= '0' && text[p] <= '9')
                ++p;
            ok = p > frac;
            is_float = true;
        }
        if (ok && p < text.size()) {
            const char c = text[p];
            ok = !(c == 'e' || c == 'E' || c == '.' || c == 'x' || c == 'X' || (c >= 'a' && c <= 'z') ||
                   (c >= 'A' && c <= 'Z'));
        }
        if (!ok) return expected("value", start, "invalid number");
        const std::string literal(text.substr(start, p - start));
        pos = p;
        if (!is_float) {
            errno = 0;
            char* end = nullptr;
            const long long v = std::strtoll(literal.c_str(), &end, 10);
            if (errno != ERANGE) {
                lua_pushinteger(L, static_cast<lua_Integer>(v));
                return true;
            }
        }
        lua_pushnumber(L, std::strtod(literal.c_str(), nullptr));
        return true;
    }
};

}  // namespace

bool decode_json(lua_State* L, std::string_view text, std::string& error) {
    Decoder d{L, text, 0, error};
    const int top = lua_gettop(L);
    if (!d.value(0)) {
        lua_settop(L, top);
        return false;
    }
    d.skip_ws();
    if (d.pos < text.size()) {
        d.expected("the end", d.pos, d.token_name(d.pos));
        lua_settop(L, top);
        return false;
    }
    return true;
}

}  // namespace lua_bindings
