// zbuff: LuatOS's byte buffer (luat_lib_zbuff.c, docs/modules/zbuff.md), on the Zbuff of zbuff.hpp.
//
//   zbuff.create(length | {width, height, bit} [, fill [, heap type]]) -> buff | nothing | nil, "memory not
//   enough" buff:write / read / clear / seek / pack / unpack / read|writeI8..U64, F32, F64 (at the cursor)
//   buff:toStr / len / query / set / isEqual / toBase64 / copy / del / used / resize|reSize / get / free
//   buff:setFrameBuffer / pixel / drawLine / drawRect / drawCircle (zbuff_frame.cpp)
//   buff[i] / buff[i] = v / #buff;  zbuff.SEEK_SET/CUR/END, zbuff.HEAP_AUTO/SRAM/PSRAM
//
// Every function converts its arguments to the C types LuatOS's has (int, uint32_t, size_t of a 32-bit
// module), so out-of-range numbers wrap and clamp as they do there. Where LuatOS would read or
// write outside the buffer, the range is clamped to the buffer instead.
#include <mbedtls/base64.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <string>
#include <type_traits>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/process_memory.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_args.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/pack/pack_format.hpp"
#include "lua_bindings/modules/zbuff/zbuff.hpp"
#include "lua_bindings/modules/zbuff/zbuff_frame.hpp"

namespace lua_bindings {

namespace {

constexpr int kSeekSet = 0;
constexpr int kSeekCur = 1;
constexpr int kSeekEnd = 2;
constexpr int kHeapAuto = 0;
constexpr int kHeapSram = 1;
constexpr int kHeapPsram = 2;
// The Air780EP's chip (EC718P) has PSRAM (LUAT_USE_PSRAM), so LuatOS's default heap type is PSRAM.
constexpr int kDefaultHeap = kHeapPsram;
constexpr std::uint64_t kMaxFrameBits = std::uint64_t{128} * 1024 * 1024 * 8;
constexpr std::uint32_t kLargeCreate = 64 * 1024;  // from here create() runs a full GC first

// C's int and the module's size_t, from a Lua integer.
std::int32_t c_int(lua_Integer v) {
    return static_cast<std::int32_t>(v);
}
std::uint32_t c_size(lua_Integer v) {
    return static_cast<std::uint32_t>(v);
}
// %d of a value LuatOS logs.
std::string d(std::uint64_t v) {
    return std::to_string(static_cast<std::int32_t>(v));
}

// memmove / memset that accept the null data of a freed buffer when there is nothing to do.
void copy_bytes(void* to, const void* from, std::size_t n) {
    if (n != 0) std::memmove(to, from, n);
}
void fill_bytes(void* to, int byte, std::size_t n) {
    if (n != 0) std::memset(to, byte, n);
}

Zbuff& self(lua_State* L) {
    return check_zbuff(L, 1);
}

// The bytes from the cursor to the capacity.
std::size_t room(const Zbuff& z) {
    return z.capacity() > z.used() ? z.capacity() - z.used() : 0;
}

void full_gc(lua_State* L) {
    lua_gc(L, LUA_GCCOLLECT, 0);
    lua_gc(L, LUA_GCCOLLECT, 0);
}

// ---- creation -------------------------------------------------------------------------------------

// zbuff.create(length | {width, height, bit} [, fill [, heap type]])
int l_create(lua_State* L) {
    ZbuffHeap* heap = zbuff_heap(L);
    sys_task::Logger& log = *heap->logger;
    std::uint32_t len = 0;
    Zbuff::Frame frame;
    const bool framed = lua_istable(L, 1);
    if (framed) {
        lua_rawgeti(L, 1, 3);
        lua_rawgeti(L, 1, 2);
        lua_rawgeti(L, 1, 1);
        frame.width = c_size(luaL_checkinteger(L, -1));
        frame.height = c_size(luaL_checkinteger(L, -2));
        frame.bit = static_cast<std::uint8_t>(luaL_checkinteger(L, -3));
        lua_pop(L, 3);
        const std::uint8_t b = frame.bit;
        if (b != 1 && b != 4 && b != 8 && b != 16 && b != 24 && b != 32) return 0;
        const std::uint64_t bits = std::uint64_t{frame.width} * frame.height * b;
        if (frame.width == 0 || frame.height == 0 || bits > kMaxFrameBits) {
            log.warn("zbuff", "invalid framebuffer size, create refused");
            return 0;
        }
        len = static_cast<std::uint32_t>((bits - 1) / 8 + 1);
    } else {
        const lua_Integer n = luaL_checkinteger(L, 1);
        if (n < 0) {
            log.warn("zbuff", "invalid zbuff length, create refused");
            return 0;
        }
        len = c_size(n);
    }
    if (len == 0) return 0;
    if (len >= kLargeCreate) {
        log.info("zbuff", "create large size: " + d(len / 1024) + " kbyte, trigger force GC");
        full_gc(L);
    }
    auto* z = new (lua_newuserdatauv(L, sizeof(Zbuff), 0)) Zbuff();
    const int type = lua_isinteger(L, 3) ? c_int(lua_tointeger(L, 3)) : kDefaultHeap;
    if (!z->allocate(*heap, len, type)) {
        log.info("zbuff", "create size: " + d(len) + " byte but memory not enough, trigger GC");
        full_gc(L);
        if (!z->allocate(*heap, len, type)) {
            log.warn("zbuff", "create size: " + d(len) + " byte but memory not enough!!!");
            lua_pushnil(L);
            lua_pushliteral(L, "memory not enough");
            return 2;
        }
    }
    if (framed) {
        z->frame() = frame;
        if (lua_isinteger(L, 2)) {
            const auto color = static_cast<std::uint32_t>(lua_tointeger(L, 2));
            for (std::uint32_t i = 0; i < frame.width * frame.height; ++i)
                set_pixel(*z, i, color);
        }
    } else if (lua_isinteger(L, 2)) {
        std::memset(z->data().data(), static_cast<std::uint8_t>(lua_tointeger(L, 2)), len);
    } else if (lua_isstring(L, 2)) {  // a number is a string here too, as in LuatOS
        std::size_t n = 0;
        const char* s = lua_tolstring(L, 2, &n);
        n = std::min<std::size_t>(n, len);
        std::memcpy(z->data().data(), s, n);
        z->set_used(n);
    }
    luaL_setmetatable(L, kZbuffType);
    return 1;
}

// ---- at the cursor ----------------------------------------------------------------------------------

// buff:write(string) | buff:write(byte, byte, ...) -> bytes written
int l_write(lua_State* L) {
    if (lua_isinteger(L, 2)) {
        Zbuff& z = self(L);
        int n = 0;
        while (lua_isinteger(L, 2 + n) && z.used() < z.capacity()) {
            z.data()[z.used()] = static_cast<std::uint8_t>(c_int(luaL_checkinteger(L, 2 + n)));
            z.commit(1);
            ++n;
        }
        lua_pushinteger(L, n);
        return 1;
    }
    std::size_t len = 0;
    const char* s = luaL_checklstring(L, 2, &len);
    Zbuff& z = self(L);
    len = std::min(len, room(z));
    copy_bytes(z.unused().data(), s, len);
    z.commit(len);
    lua_pushinteger(L, static_cast<lua_Integer>(len));
    return 1;
}

// buff:read([n=1]) -> string (at most what is left after the cursor; a negative n reads all of it)
int l_read(lua_State* L) {
    Zbuff& z = self(L);
    std::int32_t n = c_int(luaL_optinteger(L, 2, 1));
    // LuatOS compares the int with a size_t: a negative count is a huge one.
    if (static_cast<std::uint32_t>(n) > room(z)) n = static_cast<std::int32_t>(room(z));
    if (n <= 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    lua_pushlstring(L, reinterpret_cast<const char*>(z.unused().data()), static_cast<std::size_t>(n));
    z.commit(static_cast<std::size_t>(n));
    return 1;
}

// buff:clear([byte=0]): every byte, the cursor stays
int l_clear(lua_State* L) {
    Zbuff& z = self(L);
    const std::int32_t v = c_int(luaL_optinteger(L, 2, 0));
    fill_bytes(z.data().data(), static_cast<std::uint8_t>(v), z.capacity());
    return 0;
}

// buff:seek(offset [, whence=zbuff.SEEK_SET]) -> cursor | nothing for an unknown whence
int l_seek(lua_State* L) {
    Zbuff& z = self(L);
    std::int64_t offset = c_int(luaL_checkinteger(L, 2));
    const std::int32_t whence = c_int(luaL_optinteger(L, 3, kSeekSet));
    switch (whence) {
        case kSeekSet:
            break;
        case kSeekCur:
            offset = c_int(static_cast<lua_Integer>(z.used()) + offset);
            break;
        case kSeekEnd:
            offset = c_int(static_cast<lua_Integer>(z.capacity()) + offset);
            break;
        default:
            return 0;
    }
    offset = std::clamp<std::int64_t>(offset, 0, static_cast<std::int64_t>(z.capacity()));
    z.set_used(static_cast<std::size_t>(offset));
    lua_pushinteger(L, static_cast<lua_Integer>(z.used()));
    return 1;
}

class ZbuffSink : public PackSink {
  public:
    explicit ZbuffSink(Zbuff& z) : z_(z) {}
    [[nodiscard]] bool full() const override { return room(z_) == 0; }
    void add(std::span<const std::uint8_t> bytes) override {
        const std::size_t n = std::min(bytes.size(), room(z_));
        copy_bytes(z_.unused().data(), bytes.data(), n);
        z_.commit(n);
        written += n;
    }
    std::size_t written = 0;

  private:
    Zbuff& z_;
};

// buff:pack(format, ...) -> bytes written (as many as fit)
int l_pack(lua_State* L) {
    Zbuff& z = self(L);
    const char* format = luaL_checkstring(L, 2);
    ZbuffSink sink(z);
    pack_values(L, PackDialect::kZbuff, format, 3, sink);
    lua_pushinteger(L, static_cast<lua_Integer>(sink.written));
    return 1;
}

// buff:unpack(format) -> bytes read, values... (from the cursor, which moves past them)
int l_unpack(lua_State* L) {
    Zbuff& z = self(L);
    const char* format = luaL_checkstring(L, 2);
    lua_pushnil(L);  // the count's slot, before the values
    const Unpacked r = unpack_values(L, PackDialect::kZbuff, format, z.unused(), 0);
    z.commit(static_cast<std::size_t>(r.end));
    lua_pushinteger(L, static_cast<lua_Integer>(r.end));
    lua_replace(L, -r.count - 2);
    return r.count + 1;
}

// buff:readI8() ... readF64() -> value | nothing when fewer bytes are left
template <class T>
int read_typed(lua_State* L) {
    Zbuff& z = self(L);
    if (room(z) < sizeof(T)) return 0;
    T v;
    std::memcpy(&v, z.unused().data(), sizeof(T));
    if constexpr (std::is_floating_point_v<T>) {
        lua_pushnumber(L, static_cast<lua_Number>(v));
    } else {
        lua_pushinteger(L, static_cast<lua_Integer>(v));
    }
    z.commit(sizeof(T));
    return 1;
}

// buff:writeI8(v) ... writeF64(v) -> bytes written (0, without looking at v, when it does not fit)
template <class T>
int write_typed(lua_State* L) {
    Zbuff& z = self(L);
    if (room(z) < sizeof(T)) {
        lua_pushinteger(L, 0);
        return 1;
    }
    T v;
    if constexpr (std::is_floating_point_v<T>) {
        v = static_cast<T>(luaL_checknumber(L, 2));
    } else {
        v = static_cast<T>(luaL_checkinteger(L, 2));
    }
    std::memcpy(z.unused().data(), &v, sizeof(T));
    z.commit(sizeof(T));
    lua_pushinteger(L, sizeof(T));
    return 1;
}

// ---- anywhere in the buffer -----------------------------------------------------------------------

// buff:toStr([offset=0 [, length=capacity]]) -> string (a negative offset reads from the end: nothing)
int l_to_str(lua_State* L) {
    Zbuff& z = self(L);
    const auto capacity = static_cast<std::int64_t>(z.capacity());
    std::int64_t start = c_int(luaL_optinteger(L, 2, 0));
    if (static_cast<std::uint32_t>(start) > capacity) start = capacity;  // a negative int is huge
    std::int64_t len = c_int(luaL_optinteger(L, 3, capacity));
    if (len < 0) {
        z.log(sys_task::kLogWarn, "zbuff:toStr length cannot be negative");
        lua_pushliteral(L, "");
        return 1;
    }
    if (start + len > capacity) len = capacity - start;
    lua_pushlstring(L, reinterpret_cast<const char*>(z.data().data() + start), static_cast<std::size_t>(len));
    return 1;
}

// buff:len() / #buff -> capacity
int l_len(lua_State* L) {
    lua_pushinteger(L, static_cast<lua_Integer>(self(L).capacity()));
    return 1;
}

// buff:free() / __gc: the bytes go, the buffer stays usable with capacity 0
int l_free(lua_State* L) {
    self(L).release();
    return 0;
}

// buff:resize(n) / reSize(n): a non-integer n does nothing; the frame is dropped
int l_resize(lua_State* L) {
    Zbuff& z = self(L);
    if (lua_isinteger(L, 2)) {
        const std::uint32_t n = c_size(luaL_checkinteger(L, 2));
        if (z.resize(n)) z.frame() = Zbuff::Frame{};
    }
    return 0;
}

// buff:copy(start, string | zbuff [, from [, len]] | byte, byte...) -> bytes written: like memcpy to
// `start` (nil: used; negative: from used backwards), growing the buffer when needed; used only grows.
int l_copy(lua_State* L) {
    Zbuff& z = self(L);
    std::int64_t at = c_int(luaL_optinteger(L, 2, static_cast<lua_Integer>(z.used())));
    if (at < 0) {
        at = c_int(at + static_cast<std::int64_t>(z.used()));
        if (at < 0) {
            lua_pushinteger(L, 0);
            return 1;
        }
    }
    auto grow_to = [&](std::uint64_t capacity) {
        return capacity <= 0xFFFFFFFFu && z.resize(static_cast<std::size_t>(capacity));
    };
    auto raise_used = [&](std::int64_t end) {
        if (end > static_cast<std::int64_t>(z.used())) z.set_used(static_cast<std::size_t>(end));
    };
    if (lua_isinteger(L, 3)) {
        int n = 0;
        while (lua_isinteger(L, 3 + n)) {
            if (at >= static_cast<std::int64_t>(z.capacity())) {
                // LuatOS doubles the position (writing at 0 into a 0-byte buffer keeps it 0 bytes
                // there); one byte at least here, so the byte always lands inside the buffer.
                const std::uint64_t target =
                    std::max<std::uint64_t>(static_cast<std::uint64_t>(at) * 2, at + 1);
                if (!grow_to(target)) {
                    lua_pushinteger(L, n);
                    return 1;
                }
            }
            z.data()[static_cast<std::size_t>(at)] =
                static_cast<std::uint8_t>(c_int(luaL_checkinteger(L, 3 + n)));
            ++at;
            ++n;
        }
        raise_used(at);
        lua_pushinteger(L, n);
        return 1;
    }
    if (lua_isstring(L, 3)) {
        std::size_t len = 0;
        const char* s = lua_tolstring(L, 3, &len);
        if (len + static_cast<std::uint64_t>(at) > z.capacity() &&
            !grow_to(std::uint64_t{z.capacity()} + len + static_cast<std::uint64_t>(at))) {
            lua_pushinteger(L, 0);
            return 1;
        }
        copy_bytes(z.data().data() + at, s, len);
        raise_used(at + static_cast<std::int64_t>(len));
        lua_pushinteger(L, static_cast<lua_Integer>(len));
        return 1;
    }
    if (lua_isuserdata(L, 3)) {
        Zbuff& src = check_zbuff(L, 3);
        const lua_Integer from = luaL_optinteger(L, 4, 0);
        const lua_Integer len = luaL_optinteger(L, 5, static_cast<lua_Integer>(src.used()));
        if (from < 0 || static_cast<std::uint64_t>(from) > src.capacity() || len < 0 ||
            static_cast<std::uint64_t>(len) > src.capacity() - static_cast<std::uint64_t>(from)) {
            z.log(sys_task::kLogWarn, "copy range out of source buff, copy refused");
            lua_pushinteger(L, 0);
            return 1;
        }
        if (static_cast<std::uint64_t>(len) + static_cast<std::uint64_t>(at) > z.capacity() &&
            !grow_to(std::uint64_t{z.capacity()} + static_cast<std::uint64_t>(len) +
                     static_cast<std::uint64_t>(at))) {
            lua_pushinteger(L, 0);
            return 1;
        }
        // a move: the source may be this buffer
        copy_bytes(z.data().data() + at, src.data().data() + from, static_cast<std::size_t>(len));
        raise_used(at + len);
        lua_pushinteger(L, len);
        return 1;
    }
    lua_pushinteger(L, 0);
    return 1;
}

// buff:used([n]) -> used (n sets it, clamped to the capacity; a negative n is huge)
int l_used(lua_State* L) {
    Zbuff& z = self(L);
    if (lua_isinteger(L, 2)) z.set_used(c_size(lua_tointeger(L, 2)));
    lua_pushinteger(L, static_cast<lua_Integer>(z.used()));
    return 1;
}

// buff:del([offset=0 [, length=used]]): cuts bytes out of [0, used); a negative offset counts from used
int l_del(lua_State* L) {
    Zbuff& z = self(L);
    const auto used = static_cast<std::int64_t>(z.used());
    std::int64_t start = c_int(luaL_optinteger(L, 2, 0));
    if (start < 0) {
        start = c_int(start + used);
        if (start < 0) return 0;
    }
    if (start >= used) return 0;
    lua_Integer len = luaL_optinteger(L, 3, used);
    if (len < 0) {
        z.log(sys_task::kLogWarn, "invalid del length, del refused");
        return 0;
    }
    if (static_cast<std::uint64_t>(start) + static_cast<std::uint64_t>(len) >
        static_cast<std::uint64_t>(used))
        len = used - start;
    if (len == 0) return 0;
    std::uint8_t* p = z.data().data();
    std::memmove(p + start, p + start + len, static_cast<std::size_t>(used - start - len));
    z.set_used(static_cast<std::size_t>(used - len));
    return 0;
}

std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
std::uint32_t le32(const std::uint8_t* p) {
    return p[0] | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[3]} << 24);
}

// buff:query([offset=0 [, length=used [, bigendian [, signed [, float]]]]]) -> string | number | nil:
// bytes of [0, used); 1, 2, 4 or 8 of them become a number when `bigendian` is a boolean.
int l_query(lua_State* L) {
    Zbuff& z = self(L);
    const auto used = static_cast<std::int64_t>(z.used());
    std::int64_t start = c_int(luaL_optinteger(L, 2, 0));
    if (start < 0) {
        start = c_int(start + used);
        if (start < 0) {
            lua_pushnil(L);
            return 1;
        }
    }
    start = std::min(start, used);
    lua_Integer len = luaL_optinteger(L, 3, used);
    if (len < 0 || static_cast<std::uint64_t>(start) + static_cast<std::uint64_t>(len) >
                       static_cast<std::uint64_t>(used))
        len = used - start;
    if (len == 0) {
        lua_pushnil(L);
        return 1;
    }
    const std::uint8_t* p = z.data().data() + start;
    if (lua_isboolean(L, 4) && len <= 8) {
        const bool big = lua_toboolean(L, 4) != 0;
        const bool is_signed = lua_isboolean(L, 5) && lua_toboolean(L, 5) != 0;
        const bool is_float = lua_isboolean(L, 6) && lua_toboolean(L, 6) != 0;
        switch (len) {
            case 1:
                lua_pushinteger(L,
                                is_signed ? lua_Integer{static_cast<std::int8_t>(p[0])} : lua_Integer{p[0]});
                return 1;
            case 2: {
                const auto u = static_cast<std::uint16_t>(big ? (p[0] << 8) | p[1] : (p[1] << 8) | p[0]);
                lua_pushinteger(L, is_signed ? lua_Integer{static_cast<std::int16_t>(u)} : lua_Integer{u});
                return 1;
            }
            case 4:
                if (is_float) {  // native (little endian) whatever `bigendian` says
                    float f;
                    std::memcpy(&f, p, 4);
                    lua_pushnumber(L, static_cast<lua_Number>(f));
                } else {  // always signed
                    lua_pushinteger(L, static_cast<std::int32_t>(big ? be32(p) : le32(p)));
                }
                return 1;
            case 8:
                if (is_float) {
                    double v;
                    std::memcpy(&v, p, 8);
                    lua_pushnumber(L, v);
                } else {
                    const std::uint64_t u = big ? (std::uint64_t{be32(p)} << 32) | be32(p + 4)
                                                : (std::uint64_t{le32(p + 4)} << 32) | le32(p);
                    lua_pushinteger(L, static_cast<lua_Integer>(u));
                }
                return 1;
            default:
                break;
        }
    }
    lua_pushlstring(L, reinterpret_cast<const char*>(p), static_cast<std::size_t>(len));
    return 1;
}

// buff:set([start=0 [, byte=0 [, len=capacity]]]): memset, the length cut at the end
int l_set(lua_State* L) {
    Zbuff& z = self(L);
    const std::int32_t value = c_int(luaL_optinteger(L, 3, 0));
    const lua_Integer start = luaL_optinteger(L, 2, 0);
    lua_Integer len = luaL_optinteger(L, 4, static_cast<lua_Integer>(z.capacity()));
    if (start < 0 || static_cast<std::uint64_t>(start) >= z.capacity() || len < 0) {
        z.log(sys_task::kLogWarn, "set range out of buff, set refused");
        return 0;
    }
    if (static_cast<std::uint64_t>(len) + static_cast<std::uint64_t>(start) > z.capacity())
        len = static_cast<lua_Integer>(z.capacity()) - start;
    std::memset(z.data().data() + start, value & 0xff, static_cast<std::size_t>(len));
    return 0;
}

// buff:isEqual([start=0,] buff2 [, start2=0 [, len=1]]) -> equal, first differing offset (0 if equal) | false
int l_is_equal(lua_State* L) {
    Zbuff& a = self(L);
    const lua_Integer off1 = luaL_optinteger(L, 2, 0);
    Zbuff& b = check_zbuff(L, 3);
    const lua_Integer off2 = luaL_optinteger(L, 4, 0);
    const lua_Integer len = luaL_optinteger(L, 5, 1);
    if (off1 < 0 || static_cast<std::uint64_t>(off1) > a.capacity() || off2 < 0 ||
        static_cast<std::uint64_t>(off2) > b.capacity() || len < 0 ||
        static_cast<std::uint64_t>(len) > a.capacity() - static_cast<std::uint64_t>(off1) ||
        static_cast<std::uint64_t>(len) > b.capacity() - static_cast<std::uint64_t>(off2)) {
        a.log(sys_task::kLogWarn, "isEqual range out of buff");
        lua_pushboolean(L, 0);
        return 1;
    }
    const std::uint8_t* p = a.data().data() + off1;
    const std::uint8_t* q = b.data().data() + off2;
    for (lua_Integer i = 0; i < len; ++i) {
        if (p[i] != q[i]) {
            lua_pushboolean(L, 0);
            lua_pushinteger(L, i);
            return 2;
        }
    }
    lua_pushboolean(L, 1);
    lua_pushinteger(L, 0);
    return 2;
}

// buff:toBase64(dst) -> length written into dst (its used), 0 when dst is too small (it needs one
// byte more than the text, for a NUL)
int l_to_base64(lua_State* L) {
    Zbuff& src = check_zbuff(L, 1);
    Zbuff& dst = check_zbuff(L, 2);
    std::size_t olen = 0;
    const int ret = src.used() == 0 ? 0
                                    : mbedtls_base64_encode(dst.data().data(), dst.capacity(), &olen,
                                                            src.used_bytes().data(), src.used());
    if (ret != 0) {
        src.log(sys_task::kLogError, "zbuff toBase64 failed -1");  // LuatOS's encoder's only failure code
        lua_pushinteger(L, 0);
        return 1;
    }
    dst.set_used(olen);
    lua_pushinteger(L, static_cast<lua_Integer>(olen));
    return 1;
}

// buff:get(i) / buff[i] -> byte | nothing past the end. The metatable is looked at first (LuatOS's
// buff:get("__name") is "ZBUFF*"); the index is a C int, so 2^32 + 1 is 1 and negatives are past the end.
int l_get(lua_State* L) {
    luaL_getmetatable(L, kZbuffType);
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    if (!lua_isnil(L, -1)) return 1;
    Zbuff& z = self(L);
    const std::int32_t i = c_int(luaL_checkinteger(L, 2));
    if (static_cast<std::uint32_t>(i) >= z.capacity()) return 0;
    lua_pushinteger(L, z.data()[static_cast<std::uint32_t>(i)]);
    return 1;
}

// buff[i] = v: integer keys only (others are ignored), past the end refused with a warning. A value
// that is not an integer raises with Lua 5.3's name for the metamethod ('__newindex'), as on the module.
int l_newindex(lua_State* L) {
    if (!lua_isinteger(L, 2)) return 0;
    Zbuff& z = self(L);
    const std::int32_t i = c_int(lua_tointeger(L, 2));
    const std::int32_t v = c_int(luatos_check_integer(L, 3)) % 256;
    if (static_cast<std::uint32_t>(i) >= z.capacity()) {
        z.log(sys_task::kLogWarn, "zbuff index out of range, write refused");
        return 0;
    }
    z.data()[static_cast<std::uint32_t>(i)] = static_cast<std::uint8_t>(v);
    return 0;
}

// The methods, found by name by __index (LuatOS's lib_zbuff, in its order).
const luaL_Reg kMethods[] = {
    {"write", l_write},
    {"read", l_read},
    {"clear", l_clear},
    {"seek", l_seek},
    {"pack", l_pack},
    {"unpack", l_unpack},
    {"get", l_get},
    {"readI8", read_typed<std::int8_t>},
    {"readI16", read_typed<std::int16_t>},
    {"readI32", read_typed<std::int32_t>},
    {"readI64", read_typed<std::int64_t>},
    {"readU8", read_typed<std::uint8_t>},
    {"readU16", read_typed<std::uint16_t>},
    {"readU32", read_typed<std::uint32_t>},
    {"readU64", read_typed<std::uint64_t>},
    {"readF32", read_typed<float>},
    {"readF64", read_typed<double>},
    {"writeI8", write_typed<std::int8_t>},
    {"writeI16", write_typed<std::int16_t>},
    {"writeI32", write_typed<std::int32_t>},
    {"writeI64", write_typed<std::int64_t>},
    {"writeU8", write_typed<std::uint8_t>},
    {"writeU16", write_typed<std::uint16_t>},
    {"writeU32", write_typed<std::uint32_t>},
    {"writeU64", write_typed<std::uint64_t>},
    {"writeF32", write_typed<float>},
    {"writeF64", write_typed<double>},
    {"toStr", l_to_str},
    {"len", l_len},
    {"setFrameBuffer", zbuff_set_frame_buffer},
    {"pixel", zbuff_pixel},
    {"drawLine", zbuff_draw_line},
    {"drawRect", zbuff_draw_rect},
    {"drawCircle", zbuff_draw_circle},
    {"free", l_free},
    {"copy", l_copy},
    {"set", l_set},
    {"query", l_query},
    {"del", l_del},
    {"resize", l_resize},
    {"reSize", l_resize},
    {"used", l_used},
    {"isEqual", l_is_equal},
    {"toBase64", l_to_base64},
    {nullptr, nullptr},
};

// __index: an integer is a byte, a string (or a number that is not an integer) a method name.
int l_index(lua_State* L) {
    if (lua_isinteger(L, 2)) return l_get(L);
    if (lua_isstring(L, 2)) {
        const char* name = lua_tostring(L, 2);
        for (const luaL_Reg* m = kMethods; m->name != nullptr; ++m) {
            if (std::strcmp(name, m->name) == 0) {
                lua_pushcfunction(L, m->func);
                return 1;
            }
        }
    }
    return 0;
}

}  // namespace

void install_zbuff(RunContext& ctx) {
    lua_State* L = ctx.state();
    create_zbuff_heap(L, kSimulatedSysRam, ctx.device().logger());

    luaL_newmetatable(L, kZbuffType);
    static const luaL_Reg kMeta[] = {
        {"__len", l_len},           {"__gc", l_free},   {"__index", l_index},
        {"__newindex", l_newindex}, {nullptr, nullptr},
    };
    luaL_setfuncs(L, kMeta, 0);
    lua_pop(L, 1);

    push_module_table(L, "zbuff");
    static const luaL_Reg kFunctions[] = {
        {"create", l_create},
        {nullptr, nullptr},
    };
    luaL_setfuncs(L, kFunctions, 0);
    static const IntConstant kConstants[] = {
        {"SEEK_SET", kSeekSet},   {"SEEK_CUR", kSeekCur},   {"SEEK_END", kSeekEnd},
        {"HEAP_AUTO", kHeapAuto}, {"HEAP_SRAM", kHeapSram}, {"HEAP_PSRAM", kHeapPsram},
    };
    set_int_constants(L, kConstants);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
