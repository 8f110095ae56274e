// json.decode's parser, token by token as lua_cjson.c's (json_next_token, json_process_value): the
// same tokens, the same number rules (strtod, then strtoll for a text without '.'), the same error
// texts and positions. The text ends at its first NUL, as cjson's does.
#include <cstdlib>
#include <cstring>
#include <string>

#include <strings.h>

#include "lua_bindings/modules/json/json_codec.hpp"

namespace lua_bindings {

namespace {

constexpr int kMaxDepth = 1000;

enum class Tok {
    kObjBegin,
    kObjEnd,
    kArrBegin,
    kArrEnd,
    kString,
    kNumber,
    kInteger,
    kBoolean,
    kNull,
    kColon,
    kComma,
    kEnd,
    kWhitespace,
    kError,
    kUnknown
};

const char* token_name(Tok t) {
    static const char* const kNames[] = {"T_OBJ_BEGIN",  "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END",
                                         "T_STRING",     "T_NUMBER",  "T_INTEGER",   "T_BOOLEAN",
                                         "T_NULL",       "T_COLON",   "T_COMMA",     "T_END",
                                         "T_WHITESPACE", "T_ERROR",   "T_UNKNOWN"};
    return kNames[static_cast<int>(t)];
}

Tok char_token(char c) {
    switch (c) {
        case '{':
            return Tok::kObjBegin;
        case '}':
            return Tok::kObjEnd;
        case '[':
            return Tok::kArrBegin;
        case ']':
            return Tok::kArrEnd;
        case ',':
            return Tok::kComma;
        case ':':
            return Tok::kColon;
        case '\0':
            return Tok::kEnd;
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            return Tok::kWhitespace;
        default:
            break;
    }
    if (std::strchr("fiInNt\"+-", c) != nullptr || (c >= '0' && c <= '9')) return Tok::kUnknown;
    return Tok::kError;
}

char escaped_char(char c) {
    switch (c) {
        case '"':
            return '"';
        case '\\':
            return '\\';
        case '/':
            return '/';
        case 'b':
            return '\b';
        case 't':
            return '\t';
        case 'n':
            return '\n';
        case 'f':
            return '\f';
        case 'r':
            return '\r';
        case 'u':
            return 'u';
        default:
            return 0;
    }
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Four hex digits at p (stops at the NUL: a missing digit is an error), or -1.
int hex4(const char* p) {
    int v = 0;
    for (int i = 0; i < 4; ++i) {
        const int d = hex_digit(p[i]);
        if (d < 0) return -1;
        v = (v << 4) | d;
    }
    return v;
}

void put_utf8(std::string& s, int cp) {
    const auto u = static_cast<unsigned>(cp);
    if (u <= 0x7F) {
        s += static_cast<char>(u);
    } else if (u <= 0x7FF) {
        s += static_cast<char>(0xC0 | (u >> 6));
        s += static_cast<char>(0x80 | (u & 0x3F));
    } else if (u <= 0xFFFF) {
        s += static_cast<char>(0xE0 | (u >> 12));
        s += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (u & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (u >> 18));
        s += static_cast<char>(0x80 | ((u >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (u & 0x3F));
    }
}

struct Token {
    Tok type = Tok::kEnd;
    std::size_t index = 0;
    const char* error = nullptr;  // kError: what was found
    double number = 0;
    lua_Integer integer = 0;
    bool boolean = false;
};

struct Parser {
    lua_State* L;
    const char* data;
    const char* p;
    std::string& error;
    std::string str;  // the last string token
    int depth = 0;

    void set_error(Token& t, const char* what) {
        t.type = Tok::kError;
        t.index = static_cast<std::size_t>(p - data);
        t.error = what;
    }

    bool fail(const char* expected, const Token& t) {
        error = std::string("Expected ") + expected + " but found " +
                (t.type == Tok::kError ? t.error : token_name(t.type)) + " at character " +
                std::to_string(t.index + 1);
        return false;
    }

    // A \uXXXX escape (and its low surrogate) at p: appended to str, p moved past it.
    bool unicode_escape() {
        int cp = hex4(p + 2);
        if (cp < 0) return false;
        int len = 6;
        if ((cp & 0xF800) == 0xD800) {
            if ((cp & 0x400) != 0) return false;  // a low surrogate first
            if (p[6] != '\\' || p[7] != 'u') return false;
            const int low = hex4(p + 8);
            if (low < 0 || (low & 0xFC00) != 0xDC00) return false;
            cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
            len = 12;
        }
        put_utf8(str, cp);
        p += len;
        return true;
    }

    void string_token(Token& t) {
        ++p;  // '"'
        str.clear();
        while (*p != '"') {
            if (*p == '\0') return set_error(t, "unexpected end of string");
            char c = *p;
            if (c == '\\') {
                c = escaped_char(p[1]);
                if (c == 'u') {
                    if (unicode_escape()) continue;
                    return set_error(t, "invalid unicode escape code");
                }
                if (c == 0) return set_error(t, "invalid escape code");
                ++p;
            }
            str += c;
            ++p;
        }
        ++p;
        t.type = Tok::kString;
    }

    // "+1", leading zeros, hex, inf and nan are not JSON numbers.
    bool invalid_number() const {
        const char* q = p;
        if (*q == '-') ++q;
        if (*q == '0') {
            const char next = q[1];
            return (next | 0x20) == 'x' || (next >= '0' && next <= '9');
        }
        if (*q <= '9') return false;
        return strncasecmp(q, "inf", 3) == 0 || strncasecmp(q, "nan", 3) == 0;
    }

    void number_token(Token& t) {
        char* end = nullptr;
        t.type = Tok::kNumber;
        t.number = std::strtod(p, &end);
        if (end == p) return set_error(t, "invalid number");
        const std::size_t len = static_cast<std::size_t>(end - p);
        if (len == 1 && *p == '0') {
            t.type = Tok::kInteger;
            t.integer = 0;
        } else if (std::memchr(p, '.', len) == nullptr) {
            // cjson then reads the text again with strtoll and continues where that stopped
            const long long v = std::strtoll(p, &end, 0);
            if (v != 0) {
                t.type = Tok::kInteger;
                t.integer = static_cast<lua_Integer>(v);
            }
        }
        p = end;
    }

    void next(Token& t) {
        Tok type = char_token(*p);
        while (type == Tok::kWhitespace) {
            ++p;
            type = char_token(*p);
        }
        t.type = type;
        t.index = static_cast<std::size_t>(p - data);
        if (type == Tok::kError) return set_error(t, "invalid token");
        if (type == Tok::kEnd) return;
        if (type != Tok::kUnknown) {
            ++p;
            return;
        }
        const char c = *p;
        if (c == '"') return string_token(t);
        if (c == '-' || (c >= '0' && c <= '9')) {
            if (invalid_number()) return set_error(t, "invalid number");
            return number_token(t);
        }
        if (std::strncmp(p, "true", 4) == 0) {
            t.type = Tok::kBoolean;
            t.boolean = true;
            p += 4;
        } else if (std::strncmp(p, "false", 5) == 0) {
            t.type = Tok::kBoolean;
            t.boolean = false;
            p += 5;
        } else if (std::strncmp(p, "null", 4) == 0) {
            t.type = Tok::kNull;
            p += 4;
        } else {
            set_error(t, "invalid token");
        }
    }

    bool descend(int slots) {
        ++depth;
        if (depth <= kMaxDepth && lua_checkstack(L, slots) != 0) return true;
        error = "Found too many nested data structures (" + std::to_string(depth) + ") at character " +
                std::to_string(p - data);
        return false;
    }

    bool object() {
        if (!descend(3)) return false;
        lua_newtable(L);
        Token t;
        next(t);
        if (t.type == Tok::kObjEnd) {
            --depth;
            return true;
        }
        for (;;) {
            if (t.type != Tok::kString) return fail("object key string", t);
            lua_pushlstring(L, str.data(), str.size());
            next(t);
            if (t.type != Tok::kColon) return fail("colon", t);
            next(t);
            if (!value(t)) return false;
            lua_rawset(L, -3);
            next(t);
            if (t.type == Tok::kObjEnd) {
                --depth;
                return true;
            }
            if (t.type != Tok::kComma) return fail("comma or object end", t);
            next(t);
        }
    }

    bool array() {
        if (!descend(2)) return false;
        lua_newtable(L);
        Token t;
        next(t);
        if (t.type == Tok::kArrEnd) {
            --depth;
            return true;
        }
        for (lua_Integer i = 1;; ++i) {
            if (!value(t)) return false;
            lua_rawseti(L, -2, i);
            next(t);
            if (t.type == Tok::kArrEnd) {
                --depth;
                return true;
            }
            if (t.type != Tok::kComma) return fail("comma or array end", t);
            next(t);
        }
    }

    bool value(const Token& t) {
        switch (t.type) {
            case Tok::kString:
                lua_pushlstring(L, str.data(), str.size());
                return true;
            case Tok::kNumber:
                lua_pushnumber(L, t.number);
                return true;
            case Tok::kInteger:
                lua_pushinteger(L, t.integer);
                return true;
            case Tok::kBoolean:
                lua_pushboolean(L, t.boolean ? 1 : 0);
                return true;
            case Tok::kObjBegin:
                return object();
            case Tok::kArrBegin:
                return array();
            case Tok::kNull:
                lua_pushlightuserdata(L, nullptr);  // json.null
                return true;
            default:
                return fail("value", t);
        }
    }
};

}  // namespace

bool decode_json(lua_State* L, std::string_view text, std::string& error) {
    if (text.size() >= 2 && (text[0] == '\0' || text[1] == '\0')) {
        error = "JSON parser does not support UTF-16 or UTF-32";
        return false;
    }
    const int top = lua_gettop(L);
    Parser parser{L, text.data(), text.data(), error, {}, 0};
    Token t;
    parser.next(t);
    bool ok = parser.value(t);
    if (ok) {
        parser.next(t);
        if (t.type != Tok::kEnd) ok = parser.fail("the end", t);
    }
    if (!ok) lua_settop(L, top);
    return ok;
}

}  // namespace lua_bindings
