// The Lua heap of one device: a lua_Alloc that counts bytes and holds the heap to a budget.
//
// An allocation that would take the heap past the budget fails; Lua then runs an emergency full
// collection and retries, and if that does not free enough it raises "not enough memory" (a Lua
// error the script can catch), never a crash. rtos.meminfo() reports total / used / max used.
#pragma once

#include <cstddef>

namespace lua_bindings {

class LuaHeap {
  public:
    // The LuatOS PC simulator's Lua VM heap ("loadlibs luavm 4194296 ...").
    static constexpr std::size_t kDefaultBudget = 4194296;

    explicit LuaHeap(std::size_t budget = kDefaultBudget) : budget_(budget) {}
    LuaHeap(const LuaHeap&) = delete;
    LuaHeap& operator=(const LuaHeap&) = delete;

    // The lua_Alloc function; `ud` is the LuaHeap.
    static void* alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) noexcept;

    [[nodiscard]] std::size_t budget() const { return budget_; }
    [[nodiscard]] std::size_t used() const { return used_; }
    [[nodiscard]] std::size_t max_used() const { return max_used_; }
    // How many allocations were refused because of the budget.
    [[nodiscard]] std::size_t refusals() const { return refusals_; }

  private:
    void* reallocate(void* ptr, std::size_t osize, std::size_t nsize) noexcept;

    std::size_t budget_;
    std::size_t used_ = 0;
    std::size_t max_used_ = 0;
    std::size_t refusals_ = 0;
};

}  // namespace lua_bindings
