#include "lua_heap.hpp"

#include <cstdlib>

namespace lua_bindings {

void* LuaHeap::alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) noexcept {
    return static_cast<LuaHeap*>(ud)->reallocate(ptr, osize, nsize);
}

void* LuaHeap::reallocate(void* ptr, std::size_t osize, std::size_t nsize) noexcept {
    // For a new block Lua passes the object's type in `osize`, not a size.
    const std::size_t old_size = ptr == nullptr ? 0 : osize;
    if (nsize == 0) {
        std::free(ptr);
        used_ -= old_size;
        return nullptr;
    }
    // Growth past the budget is refused; shrinking never fails (Lua relies on that).
    if (nsize > old_size && nsize - old_size > budget_ - used_) {
        ++refusals_;
        return nullptr;
    }
    void* block = std::realloc(ptr, nsize);
    if (block == nullptr) return nullptr;
    used_ = used_ - old_size + nsize;
    if (used_ > max_used_) max_used_ = used_;
    return block;
}

}  // namespace lua_bindings
