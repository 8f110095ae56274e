// The Lua heap budget: past it Lua gets "not enough memory", never a crash.
#include <catch2/catch.hpp>

#include "lua_bindings/device/lua_heap.hpp"
#include "script_runner.hpp"

using tests::run_script;
using tests::ScriptOptions;
using Lines = std::vector<std::string>;

TEST_CASE("the allocator counts bytes and refuses growth past the budget, never a shrink") {
    lua_bindings::LuaHeap heap(1000);
    void* a = lua_bindings::LuaHeap::alloc(&heap, nullptr, 5 /* a type tag, not a size */, 600);
    REQUIRE(a != nullptr);
    CHECK(heap.used() == 600);
    CHECK(lua_bindings::LuaHeap::alloc(&heap, nullptr, 0, 500) == nullptr);
    CHECK(heap.refusals() == 1);
    CHECK(lua_bindings::LuaHeap::alloc(&heap, a, 600, 1001) == nullptr);
    void* b = lua_bindings::LuaHeap::alloc(&heap, a, 600, 100);
    REQUIRE(b != nullptr);
    CHECK(heap.used() == 100);
    CHECK(heap.max_used() == 600);
    CHECK(lua_bindings::LuaHeap::alloc(&heap, b, 100, 0) == nullptr);
    CHECK(heap.used() == 0);
}

TEST_CASE("a script past its heap budget gets a catchable 'not enough memory' and keeps running") {
    auto r = run_script(R"LUA(
        local t = {}
        local ok, err = pcall(function()
            for i = 1, 1e9 do t[i] = ("x"):rep(64) .. i end
        end)
        local filled = #t
        t = nil
        collectgarbage()
        local total, used, max = rtos.meminfo()
        log.info("t", ok, err, filled > 1000, max <= total, used < total / 2)
        sys.taskInit(function() sys.wait(5) log.info("t", "still running") os.exit(0) end)
        sys.run()
    )LUA",
                        ScriptOptions{.heap = 512 * 1024});
    CHECK(r.exit_code == 0);
    CHECK(r.lines == Lines{"I/user.t false not enough memory true true true", "I/user.t still running"});
}

TEST_CASE("running out of memory outside a pcall ends the VM with LuatOS's lines") {
    auto r = run_script(R"LUA(
        local t = {}
        sys.taskInit(function()
            for i = 1, 1e9 do t[i] = ("y"):rep(64) .. i end
        end)
        sys.run()
    )LUA",
                        ScriptOptions{.heap = 256 * 1024});
    CHECK(r.exit_code == 1);
    REQUIRE(r.lines.size() == 4);
    CHECK(r.lines[0].starts_with("E/user.coroutine.resume not enough memory"));
    CHECK(r.lines[1] == "E/main Luat: ");
    CHECK(r.lines[2].starts_with("E/main not enough memory"));
    CHECK(r.lines[3] == "E/main Lua VM exit!! reboot in 1000ms");
}

TEST_CASE("a budget too small for the libraries ends the VM cleanly") {
    auto r = run_script("log.info('t', 'never')", ScriptOptions{.heap = 8 * 1024});
    CHECK(r.exit_code == 1);
    CHECK(r.lines.back() == "E/main Lua VM exit!! reboot in 1000ms");
}
