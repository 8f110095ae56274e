// The lpack format language that pack.pack / pack.unpack and zbuff:pack / zbuff:unpack share
// (docs/modules/pack.md, "The format language").
//
// A format is a string of letters, each optionally followed by a decimal count:
//   < > =        little endian, big endian, native (little) from here on
//   b c          uint8 / int8          h H   int16 / uint16     i I   int32 / uint32
//   l L          int64 / uint64        f     float (4 bytes)    d n   double (8 bytes: a Lua number)
//   A            string: pack writes it, unpack reads `count` bytes (one without a count)
//   z p P a      (pack module only) NUL-terminated; with a uint8 / uint16 / uint32 length before it
//   space ,      nothing
// A count repeats the letter, each repetition taking the next value; pack.pack's `A<count>` writes
// that many bytes of one string instead (cut or padded with NULs). Any other letter raises
// "bad code `x'" (argument #1) when it is reached.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "sys_task/lua_cxx.hpp"

namespace lua_bindings {

// Which of LuatOS's two copies of the language: luat_lib_pack.c or luat_lib_zbuff.c.
enum class PackDialect {
    kPackModule,  // pack.pack / pack.unpack: z p P a; A<count> is a fixed width
    kZbuff,       // zbuff:pack / zbuff:unpack: no z p P a; A<count> repeats; stops when the buffer is full
};

// Where pack_values writes.
class PackSink {
  public:
    virtual ~PackSink() = default;
    // No room left (a zbuff at its capacity); packing stops before the next item.
    [[nodiscard]] virtual bool full() const = 0;
    // Takes what fits of `bytes`.
    virtual void add(std::span<const std::uint8_t> bytes) = 0;
};

// Packs the Lua values from stack index `first_value` on by `format` into `sink`, raising LuatOS's
// argument errors (a wrong or missing value, a bad code).
void pack_values(lua_State* L, PackDialect dialect, const char* format, int first_value, PackSink& sink);

struct Unpacked {
    std::int64_t end = 0;  // offset after the last item decoded
    int count = 0;         // values pushed
};

// Decodes `data` from offset `start` by `format`, pushing each value; stops at the first item that is
// not wholly inside the data (or starts before it).
Unpacked unpack_values(lua_State* L, PackDialect dialect, const char* format,
                       std::span<const std::uint8_t> data, std::int64_t start);

}  // namespace lua_bindings
