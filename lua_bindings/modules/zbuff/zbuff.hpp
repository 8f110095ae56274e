// zbuff seen from C++: LuatOS's byte-buffer userdata ("ZBUFF*", docs/modules/zbuff.md) for the modules
// that take one where LuatOS's do (uart.write/read/tx/rx, mqtt publish, file:write/fill, and next
// socket tx/rx and http).
//
// A zbuff has a capacity (LuatOS's `len`: the bytes it holds) and a count `used`, which is also its
// cursor: LuatOS keeps both in one field, so buff:seek() moves what buff:used() says and
// buff:write() appends at it. LuatOS's functions read different parts of a zbuff, so a caller picks
// what its LuatOS counterpart reads:
//   used_bytes()   [0, used)          mqtt publish, socket.tx, file:write, uart.tx's default
//   unused()       [used, capacity)   uart.write sends these, uart.read fills them
//   data()         [0, capacity)      the whole allocation
// and grows the buffer with resize() (socket.rx and uart.rx do) before filling unused() and commit().
//
//   Zbuff* z = test_zbuff(L, 2);          // nullptr if argument 2 is not a zbuff (luaL_testudata)
//   Zbuff& z = check_zbuff(L, 2);         // raises "bad argument #2 to 'f' (ZBUFF* expected, got X)"
//   Zbuff* z = push_zbuff(L, capacity);   // a new zeroed zbuff on the stack; nullptr (nothing pushed)
//                                         // when the native heap has no room
//
// The bytes live in the simulated module's native heap, not in the Lua heap (as luat_heap_opt_malloc
// on the module): all zbuffs of a run together can hold at most kSimulatedSysRam bytes; past that,
// creating or growing one fails as it does on a module that is out of memory. Sizes are 32-bit as on
// the module. A zbuff freed by buff:free() (or collected) is an empty buffer: capacity 0, used 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "sys_task/logger.hpp"
#include "sys_task/lua_cxx.hpp"

namespace lua_bindings {

inline constexpr const char* kZbuffType = "ZBUFF*";

// The native memory that one run's zbuffs share (one per Lua state, kept in its registry).
struct ZbuffHeap {
    std::size_t limit = 0;   // bytes all zbuffs may hold together
    std::size_t in_use = 0;  // bytes they hold now
    sys_task::Logger* logger = nullptr;
};

class Zbuff {
  public:
    // The drawing geometry of buff:setFrameBuffer() / zbuff.create({w, h, bit}); width 0 = none.
    struct Frame {
        std::uint32_t width = 0;
        std::uint32_t height = 0;
        std::uint8_t bit = 0;  // bits per pixel: 1, 4, 8, 16, 24 or 32 draw; others draw nothing
    };

    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    [[nodiscard]] std::size_t used() const { return used_; }
    // Sets used (the cursor), clamped to the capacity.
    void set_used(std::size_t n) { used_ = static_cast<std::uint32_t>(n < capacity_ ? n : capacity_); }
    // used += n, clamped to the capacity (after filling unused()).
    void commit(std::size_t n) { set_used(used_ + n); }

    [[nodiscard]] std::span<std::uint8_t> data() { return {data_, capacity_}; }
    [[nodiscard]] std::span<const std::uint8_t> data() const { return {data_, capacity_}; }
    [[nodiscard]] std::span<const std::uint8_t> used_bytes() const { return {data_, used_}; }
    [[nodiscard]] std::span<std::uint8_t> unused() { return data().subspan(used_); }

    // LuatOS's __zbuff_resize: the capacity becomes `capacity` (kept bytes stay, new ones are zero),
    // used is clamped to it. false, with LuatOS's "E/zbuff zbuff realloc failed A -> B", when the
    // native heap has no room; the buffer is then unchanged.
    bool resize(std::size_t capacity);

    [[nodiscard]] Frame& frame() { return frame_; }
    [[nodiscard]] const Frame& frame() const { return frame_; }
    [[nodiscard]] int heap_type() const { return heap_type_; }
    // The zbuff module's log lines ("W/zbuff ..."); nothing if the heap has no logger.
    void log(int level, std::string_view text) const;

    // Gives the bytes back (buff:free(), __gc): the buffer is empty from then on.
    void release();

    // For the zbuff module: a buffer of `capacity` bytes from `heap`; false when it has no room.
    bool allocate(ZbuffHeap& heap, std::uint32_t capacity, int heap_type);

  private:
    ZbuffHeap* heap_ = nullptr;
    std::uint8_t* data_ = nullptr;  // at least one byte while allocated, as LuatOS's realloc(p, 0 ? 1)
    std::uint32_t capacity_ = 0;
    std::uint32_t used_ = 0;
    Frame frame_;
    int heap_type_ = 0;
};

// Argument `index` as a zbuff, or nullptr.
Zbuff* test_zbuff(lua_State* L, int index);
// Argument `index` as a zbuff; a Lua argument error otherwise.
Zbuff& check_zbuff(lua_State* L, int index);
// A new zeroed zbuff of `capacity` bytes pushed on the stack (the zbuff module must be installed);
// nullptr and nothing pushed when the native heap has no room.
Zbuff* push_zbuff(lua_State* L, std::size_t capacity);

// The zbuff module's shared memory for the Lua state (created by install_zbuff with
// create_zbuff_heap, which anchors it in the registry so that it outlives every zbuff's __gc).
ZbuffHeap* zbuff_heap(lua_State* L);
ZbuffHeap& create_zbuff_heap(lua_State* L, std::size_t limit, sys_task::Logger& logger);

}  // namespace lua_bindings
