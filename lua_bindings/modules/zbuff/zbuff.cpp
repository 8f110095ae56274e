#include "zbuff.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

namespace lua_bindings {

namespace {

constexpr const char* kHeapKey = "ZBUFF*.heap";  // registry field of the run's ZbuffHeap

// The heap types the Air780EP's luat_heap_opt_malloc serves (luat_mem.h: AUTO, SRAM, PSRAM: its chip,
// the EC718P, has PSRAM); all three draw on the one native budget here (docs/modules/zbuff.md).
bool heap_type_served(int type) {
    return type == 0 || type == 1 || type == 2;
}

}  // namespace

bool Zbuff::allocate(ZbuffHeap& heap, std::uint32_t capacity, int heap_type) {
    heap_ = &heap;
    heap_type_ = heap_type;
    if (!heap_type_served(heap_type) || capacity > heap.limit - heap.in_use) return false;
    void* block = std::calloc(capacity == 0 ? 1 : capacity, 1);
    if (block == nullptr) return false;
    data_ = static_cast<std::uint8_t*>(block);
    capacity_ = capacity;
    used_ = 0;
    heap.in_use += capacity;
    return true;
}

bool Zbuff::resize(std::size_t capacity) {
    const bool fits = heap_ != nullptr && heap_type_served(heap_type_) && capacity <= 0xFFFFFFFFu &&
                      capacity <= capacity_ + (heap_->limit - heap_->in_use);
    void* block = fits ? std::realloc(data_, capacity == 0 ? 1 : capacity) : nullptr;
    if (block == nullptr) {
        // LuatOS prints both sizes with %d.
        log(sys_task::kLogError, "zbuff realloc failed " +
                                     std::to_string(static_cast<std::int32_t>(capacity_)) + " -> " +
                                     std::to_string(static_cast<std::int32_t>(capacity)));
        return false;
    }
    data_ = static_cast<std::uint8_t*>(block);
    if (capacity > capacity_) std::memset(data_ + capacity_, 0, capacity - capacity_);
    heap_->in_use = heap_->in_use - capacity_ + capacity;
    capacity_ = static_cast<std::uint32_t>(capacity);
    if (used_ > capacity_) used_ = capacity_;
    // A frame that no longer fits would draw outside the buffer.
    const std::uint64_t frame_bits = std::uint64_t{frame_.width} * frame_.height * frame_.bit;
    if (frame_bits > std::uint64_t{capacity_} * 8) frame_ = Frame{};
    return true;
}

void Zbuff::log(int level, std::string_view text) const {
    if (heap_ != nullptr && heap_->logger != nullptr) heap_->logger->log(level, "zbuff", text);
}

void Zbuff::release() {
    if (data_ == nullptr) return;
    std::free(data_);
    if (heap_ != nullptr) heap_->in_use -= capacity_;
    data_ = nullptr;
    capacity_ = 0;
    used_ = 0;
    frame_ = Frame{};
}

Zbuff* test_zbuff(lua_State* L, int index) {
    return static_cast<Zbuff*>(luaL_testudata(L, index, kZbuffType));
}

Zbuff& check_zbuff(lua_State* L, int index) {
    return *static_cast<Zbuff*>(luaL_checkudata(L, index, kZbuffType));
}

ZbuffHeap* zbuff_heap(lua_State* L) {
    lua_getfield(L, LUA_REGISTRYINDEX, kHeapKey);
    auto* heap = static_cast<ZbuffHeap*>(lua_touserdata(L, -1));
    lua_pop(L, 1);
    return heap;
}

Zbuff* push_zbuff(lua_State* L, std::size_t capacity) {
    ZbuffHeap* heap = zbuff_heap(L);
    if (heap == nullptr || capacity > 0xFFFFFFFFu) return nullptr;
    auto* z = new (lua_newuserdatauv(L, sizeof(Zbuff), 0)) Zbuff();
    if (!z->allocate(*heap, static_cast<std::uint32_t>(capacity), 1)) {
        lua_pop(L, 1);
        return nullptr;
    }
    luaL_setmetatable(L, kZbuffType);
    return z;
}

// Used by install_zbuff: the heap lives in a userdata anchored in the registry, so it outlives every
// zbuff's __gc, even those run by lua_close (finalizers run before any object is freed).
ZbuffHeap& create_zbuff_heap(lua_State* L, std::size_t limit, sys_task::Logger& logger) {
    auto* heap = new (lua_newuserdatauv(L, sizeof(ZbuffHeap), 0)) ZbuffHeap{limit, 0, &logger};
    lua_setfield(L, LUA_REGISTRYINDEX, kHeapKey);
    return *heap;
}

}  // namespace lua_bindings
