#include "pack_format.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <type_traits>

namespace lua_bindings {

namespace {

static_assert(std::endian::native == std::endian::little, "the module and this runtime are little endian");

bool is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}

// A count after a letter. LuatOS accumulates it in a C int, which wraps on the module.
int read_count(const unsigned char*& f) {
    std::uint32_t n = 0;
    while (is_digit(*f))
        n = n * 10 + static_cast<std::uint32_t>(*f++ - '0');
    return static_cast<std::int32_t>(n);
}

// Raises "bad argument #1 to 'f' (bad code `x')".
void bad_code(lua_State* L, int c) {
    char text[] = "bad code `?'";
    text[sizeof(text) - 3] = static_cast<char>(c);
    luaL_argerror(L, 1, text);
}

bool pack_module_only(int c) {
    return c == 'z' || c == 'p' || c == 'P' || c == 'a';
}

template <class T>
void put(PackSink& sink, T value, bool big_endian) {
    std::uint8_t bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    if (big_endian) std::reverse(std::begin(bytes), std::end(bytes));
    sink.add(bytes);
}

void put_bytes(PackSink& sink, const char* s, std::size_t n) {
    sink.add({reinterpret_cast<const std::uint8_t*>(s), n});
}

template <class T>
void put_integer(lua_State* L, PackSink& sink, int arg, bool big_endian) {
    put(sink, static_cast<T>(luaL_checkinteger(L, arg)), big_endian);
}

// A string with its length before it, the length as T (p, P, a).
template <class T>
void put_counted(lua_State* L, PackSink& sink, int arg, bool big_endian) {
    std::size_t len = 0;
    const char* s = luaL_checklstring(L, arg, &len);
    put(sink, static_cast<T>(len), big_endian);
    put_bytes(sink, s, len);
}

// pack.pack's A: `width` bytes of the string (its own length without a count), cut or NUL-padded.
void put_fixed_string(lua_State* L, PackSink& sink, int arg, bool has_count, int count) {
    std::size_t len = 0;
    const char* s = luaL_checklstring(L, arg, &len);
    const std::int64_t width = has_count ? count : static_cast<std::int64_t>(len);
    if (width <= 0) return;
    const auto w = static_cast<std::size_t>(width);
    put_bytes(sink, s, std::min(w, len));
    static constexpr std::uint8_t kZero = 0;
    for (std::size_t i = len; i < w; ++i)
        sink.add({&kZero, 1});
}

}  // namespace

void pack_values(lua_State* L, PackDialect dialect, const char* format, int first_value, PackSink& sink) {
    const bool zbuff = dialect == PackDialect::kZbuff;
    const auto* f = reinterpret_cast<const unsigned char*>(format);
    int arg = first_value;
    bool big_endian = false;
    while (*f != '\0') {
        if (zbuff && sink.full()) break;
        const int c = *f++;
        std::int64_t n = 1;
        bool has_count = false;
        if (is_digit(*f)) {
            n = read_count(f);
            has_count = true;
            if (!zbuff && n == 0 && c == 'A') {  // "A0": takes its (optional) string, writes nothing
                luaL_optlstring(L, arg++, "", nullptr);
                continue;
            }
        }
        if (c == ' ' || c == ',') continue;  // takes no value, whatever its count
        const auto count = static_cast<int>(n);
        while (n-- != 0) {
            if (zbuff && sink.full()) break;
            if (zbuff && pack_module_only(c)) bad_code(L, c);
            switch (c) {
                case '<':
                case '=':
                    big_endian = false;
                    n = 0;
                    break;
                case '>':
                    big_endian = true;
                    n = 0;
                    break;
                case 'A':
                    if (zbuff) {  // the whole string, once per repetition
                        std::size_t len = 0;
                        const char* s = luaL_checklstring(L, arg++, &len);
                        put_bytes(sink, s, len);
                    } else {
                        put_fixed_string(L, sink, arg++, has_count, count);
                        n = 0;
                    }
                    break;
                case 'z': {
                    std::size_t len = 0;
                    const char* s = luaL_checklstring(L, arg++, &len);
                    put_bytes(sink, s, len + 1);  // with the NUL that ends every Lua string
                    break;
                }
                case 'p':
                    put_counted<std::uint8_t>(L, sink, arg++, big_endian);
                    break;
                case 'P':
                    put_counted<std::uint16_t>(L, sink, arg++, big_endian);
                    break;
                case 'a':  // size_t on the module: 4 bytes
                    put_counted<std::uint32_t>(L, sink, arg++, big_endian);
                    break;
                case 'n':
                case 'd':
                    put(sink, static_cast<double>(luaL_checknumber(L, arg++)), big_endian);
                    break;
                case 'f':
                    put(sink, static_cast<float>(luaL_checknumber(L, arg++)), big_endian);
                    break;
                case 'c':
                    put_integer<std::int8_t>(L, sink, arg++, big_endian);
                    break;
                case 'b':
                    put_integer<std::uint8_t>(L, sink, arg++, big_endian);
                    break;
                case 'h':
                    put_integer<std::int16_t>(L, sink, arg++, big_endian);
                    break;
                case 'H':
                    put_integer<std::uint16_t>(L, sink, arg++, big_endian);
                    break;
                case 'i':
                    put_integer<std::int32_t>(L, sink, arg++, big_endian);
                    break;
                case 'I':
                    put_integer<std::uint32_t>(L, sink, arg++, big_endian);
                    break;
                case 'l':
                    put_integer<std::int64_t>(L, sink, arg++, big_endian);
                    break;
                case 'L':
                    put_integer<std::uint64_t>(L, sink, arg++, big_endian);
                    break;
                default:
                    bad_code(L, c);
            }
        }
    }
}

namespace {

// The decoder's view of the data: a position may lie outside it (an init before the string).
struct Reader {
    std::span<const std::uint8_t> data;
    std::int64_t pos;

    [[nodiscard]] bool has(std::int64_t n) const {
        return pos >= 0 && n >= 0 && pos <= static_cast<std::int64_t>(data.size()) &&
               n <= static_cast<std::int64_t>(data.size()) - pos;
    }
    [[nodiscard]] const char* at() const { return reinterpret_cast<const char*>(data.data()) + pos; }
    template <class T>
    T take(bool big_endian) {
        std::uint8_t bytes[sizeof(T)];
        std::memcpy(bytes, data.data() + pos, sizeof(T));
        if (big_endian) std::reverse(std::begin(bytes), std::end(bytes));
        T value;
        std::memcpy(&value, bytes, sizeof(T));
        pos += static_cast<std::int64_t>(sizeof(T));
        return value;
    }
};

// One fixed-size value; false (nothing pushed) when it is not wholly in the data.
template <class T>
bool get_value(lua_State* L, Reader& r, bool big_endian) {
    if (!r.has(sizeof(T))) return false;
    const T v = r.take<T>(big_endian);
    if constexpr (std::is_floating_point_v<T>) {
        lua_pushnumber(L, static_cast<lua_Number>(v));
    } else {
        lua_pushinteger(L, static_cast<lua_Integer>(v));
    }
    return true;
}

// A string with its length before it, the length as T.
template <class T>
bool get_counted(lua_State* L, Reader& r, bool big_endian) {
    if (!r.has(sizeof(T))) return false;
    Reader peek = r;
    const auto len = static_cast<std::int64_t>(peek.take<T>(big_endian));
    if (!peek.has(len)) return false;
    lua_pushlstring(L, peek.at(), static_cast<std::size_t>(len));
    peek.pos += len;
    r = peek;
    return true;
}

// NUL-terminated; without a NUL in the data the string runs to its end (where a Lua string has its
// terminator), and the position goes one past it.
bool get_terminated(lua_State* L, Reader& r) {
    if (!r.has(1)) return false;
    const auto rest = r.data.subspan(static_cast<std::size_t>(r.pos));
    const auto nul = std::find(rest.begin(), rest.end(), std::uint8_t{0});
    const auto len = static_cast<std::size_t>(nul - rest.begin());
    lua_pushlstring(L, r.at(), len);
    r.pos += static_cast<std::int64_t>(len) + 1;
    return true;
}

}  // namespace

Unpacked unpack_values(lua_State* L, PackDialect dialect, const char* format,
                       std::span<const std::uint8_t> data, std::int64_t start) {
    const bool zbuff = dialect == PackDialect::kZbuff;
    const auto* f = reinterpret_cast<const unsigned char*>(format);
    Reader r{data, start};
    int count = 0;
    bool big_endian = false;
    while (*f != '\0') {
        const int c = *f++;
        std::int64_t n = 1;
        if (is_digit(*f)) {
            n = read_count(f);
            if (n == 0 && c == 'A') {  // "A0" is an empty string
                lua_pushliteral(L, "");
                ++count;
            }
        }
        if (c == ' ' || c == ',') continue;
        while (n-- != 0) {
            if (!lua_checkstack(L, count)) luaL_error(L, "too many results to unpack");
            if (zbuff && pack_module_only(c)) bad_code(L, c);
            bool ok = true;
            switch (c) {
                case '<':
                case '=':
                    big_endian = false;
                    n = 0;
                    break;
                case '>':
                    big_endian = true;
                    n = 0;
                    break;
                case 'A': {
                    const std::int64_t len = n + 1;  // the count, or 1
                    ok = r.has(len);
                    if (ok) {
                        lua_pushlstring(L, r.at(), static_cast<std::size_t>(len));
                        r.pos += len;
                    }
                    n = 0;
                    break;
                }
                case 'z':
                    ok = get_terminated(L, r);
                    break;
                case 'p':
                    ok = get_counted<std::uint8_t>(L, r, big_endian);
                    break;
                case 'P':
                    ok = get_counted<std::uint16_t>(L, r, big_endian);
                    break;
                case 'a':
                    ok = get_counted<std::uint32_t>(L, r, big_endian);
                    break;
                case 'n':
                case 'd':
                    ok = get_value<double>(L, r, big_endian);
                    break;
                case 'f':
                    ok = get_value<float>(L, r, big_endian);
                    break;
                case 'c':
                    ok = get_value<std::int8_t>(L, r, big_endian);
                    break;
                case 'b':
                    ok = get_value<std::uint8_t>(L, r, big_endian);
                    break;
                case 'h':
                    ok = get_value<std::int16_t>(L, r, big_endian);
                    break;
                case 'H':
                    ok = get_value<std::uint16_t>(L, r, big_endian);
                    break;
                case 'i':
                    ok = get_value<std::int32_t>(L, r, big_endian);
                    break;
                case 'I':
                    ok = get_value<std::uint32_t>(L, r, big_endian);
                    break;
                case 'l':
                    ok = get_value<std::int64_t>(L, r, big_endian);
                    break;
                case 'L':
                    ok = get_value<std::uint64_t>(L, r, big_endian);
                    break;
                default:
                    bad_code(L, c);
            }
            if (!ok) return {r.pos, count};
            if (c != '<' && c != '>' && c != '=') ++count;
        }
    }
    return {r.pos, count};
}

}  // namespace lua_bindings
