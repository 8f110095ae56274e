// LuatOS value formatting, applied inside the Lua library itself.
//
// LuatOS prints floats in the shape of C's "%#.14g" (14 significant digits, trailing zeros kept:
// 1.5 -> "1.5000000000000") and pointers as uppercase hex without "0x" ("table: 55D0A1B2C3D0").
// Lua converts numbers to text inside the VM (tostring, print, `..`, string.format("%s"),
// table.concat...), so overriding `tostring` is not enough: the conversion has to change where Lua
// makes it. Debian's Lua is built with _FORTIFY_SOURCE, so both conversions are calls to glibc's
// `__snprintf_chk` from lobject.c:
//   - tostringbuff():          __snprintf_chk(buf, 44, 1, -1, "%.14g", n)   (LUA_NUMBER_FMT, MAXNUMBER2STR)
//   - luaO_pushvfstring('%p'): __snprintf_chk(buf, 32, 1, -1, "%p", p)      (lua_pointer2str)
// Every executable that links Lua links it with -Wl,--wrap=__snprintf_chk (the `luatos_lua` CMake
// target), which sends those calls here. Exactly these two calls are changed; every other call
// (string.format's own "%.14g" uses another size, integers use "%lld") is passed through unchanged
// to glibc's checking implementation.
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

extern "C" int __vsnprintf_chk(char* s, std::size_t maxlen, int flag, std::size_t slen, const char* format,
                               va_list ap);
extern "C" int __wrap___snprintf_chk(char* s, std::size_t maxlen, int flag, std::size_t slen,
                                     const char* format, ...);

namespace {

constexpr std::size_t kLuaNumberBufferSize = 44;   // MAXNUMBER2STR in lobject.c
constexpr std::size_t kLuaPointerBufferSize = 32;  // 3 * sizeof(void*) + 8 in luaO_pushvfstring

}  // namespace

extern "C" int __wrap___snprintf_chk(char* s, std::size_t maxlen, int flag, std::size_t slen,
                                     const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    int written;
    if (maxlen == kLuaNumberBufferSize && std::strcmp(format, "%.14g") == 0) {
        const double n = va_arg(ap, double);
        // With '#' a decimal point is always present, so Lua does not append ".0" afterwards.
        written = std::snprintf(s, maxlen, "%#.14g", n);
    } else if (maxlen == kLuaPointerBufferSize && std::strcmp(format, "%p") == 0) {
        const void* p = va_arg(ap, const void*);
        written = std::snprintf(s, maxlen, "%llX",
                                static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(p)));
    } else {
        written = __vsnprintf_chk(s, maxlen, flag, slen, format, ap);
    }
    va_end(ap);
    return written;
}
