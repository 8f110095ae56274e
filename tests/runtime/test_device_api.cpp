// The Device API that later modules (mqtt, uart, socket channels) build on: modules installed into
// every run, native callbacks and publishes in the main context, per-run teardown on reboot/exit,
// the network kept across runs.
#include <catch2/catch.hpp>

#include "lua_bindings/device/device_network.hpp"
#include "script_runner.hpp"

using lua_bindings::Device;
using lua_bindings::RunContext;
using tests::run_script;
using tests::ScriptOptions;
using Lines = std::vector<std::string>;

namespace {

// on_native(fn): 10 ms later native code calls fn(1, "two") and publishes NATIVE(3.5).
void install_native(RunContext& ctx) {
    lua_State* L = ctx.state();
    lua_pushlightuserdata(L, &ctx);
    lua_pushcclosure(
        L,
        [](lua_State* S) -> int {
            RunContext& c = RunContext::from_upvalue(S);
            luaL_checktype(S, 1, LUA_TFUNCTION);
            lua_pushvalue(S, 1);
            const int ref = luaL_ref(S, LUA_REGISTRYINDEX);
            c.add_timer(std::chrono::milliseconds(10), [&c, ref] {
                c.scheduler().post_call(ref, {lua_Integer{1}, std::string("two")});
                c.scheduler().post_publish("NATIVE", {3.5});
            });
            return 0;
        },
        1);
    lua_setglobal(L, "on_native");
}

}  // namespace

TEST_CASE("native code calls Lua functions and publishes in the main context, in order") {
    auto r = run_script(R"LUA(
        on_native(function(a, b) log.info("t", "callback", a, b, coroutine.isyieldable()) end)
        sys.subscribe("NATIVE", function(x) log.info("t", "published", x) os.exit(0) end)
        sys.run()
    )LUA",
                        ScriptOptions{.setup = [](Device& d) {
                            d.add_module({"native", install_native});
                        }});
    CHECK(r.exit_code == 0);
    CHECK(r.lines == Lines{"I/user.t callback 1 two false", "I/user.t published 3.5000000000000"});
}

TEST_CASE("modules are installed into every run and torn down at its end, reboots included") {
    int installs = 0;
    int closes = 0;
    int timer_fired = 0;
    auto r =
        run_script(R"LUA(
        local n = tonumber(io.readFile("/n") or "0") + 1
        io.writeFile("/n", tostring(n))
        log.info("t", "boot", n, counter_module)
        if n == 2 then
            sys.timerStart(os.exit, 30, 0)
            sys.run()
        end
        rtos.reboot()
    )LUA",
                   ScriptOptions{.setup = [&](Device& d) {
                       d.add_module({"counter", [&](RunContext& ctx) {
                                         ++installs;
                                         lua_pushinteger(ctx.state(), installs);
                                         lua_setglobal(ctx.state(), "counter_module");
                                         ctx.on_close([&] { ++closes; });
                                         // a run-scoped timer that must not fire after its run
                                         ctx.add_timer(std::chrono::milliseconds(1), [&] { ++timer_fired; });
                                     }});
                   }});
    CHECK(r.exit_code == 0);
    CHECK(r.boots == 2);
    CHECK(installs == 2);
    CHECK(closes == 2);
    CHECK(timer_fired == 1);  // the second run's own timer; the first run's was dropped with it
    CHECK(r.lines == Lines{"I/user.t boot 1 1", "I/user.t boot 2 2"});
}

TEST_CASE("the device's network outlives runs, and one that cannot be set up leaves the device without") {
    platform_air780ep::LuadbImage image;
    image.add("main.lua", "note_network() os.exit(0)");
    lua_bindings::DeviceConfig cfg;
    cfg.log_to_stdout = false;
    Device device(cfg, tests::test_identity(), std::move(image));
    CHECK(device.network() == nullptr);

    lua_bindings::NetworkOptions refused;
    refused.cellular = false;
    refused.control_path = "/nonexistent-folder/device.ctl";
    std::string error;
    CHECK(lua_bindings::install_network(device, refused, error) == nullptr);
    CHECK(error.starts_with("cannot listen on the control socket /nonexistent-folder/device.ctl: "));
    CHECK(device.network() == nullptr);

    lua_bindings::NetworkOptions options;
    options.cellular = false;
    lua_bindings::DeviceNetwork* network = lua_bindings::install_network(device, options, error);
    REQUIRE(network != nullptr);
    CHECK(device.network() == network);
    std::vector<lua_bindings::DeviceNetwork*> seen;
    device.add_module({"note", [&seen](RunContext& ctx) {
                           lua_pushlightuserdata(ctx.state(), &seen);
                           lua_pushlightuserdata(ctx.state(), ctx.device().network());
                           lua_pushcclosure(
                               ctx.state(),
                               [](lua_State* S) -> int {
                                   auto* v = static_cast<std::vector<lua_bindings::DeviceNetwork*>*>(
                                       lua_touserdata(S, lua_upvalueindex(1)));
                                   v->push_back(static_cast<lua_bindings::DeviceNetwork*>(
                                       lua_touserdata(S, lua_upvalueindex(2))));
                                   return 0;
                               },
                               2);
                           lua_setglobal(ctx.state(), "note_network");
                       }});
    CHECK(device.run() == 0);
    CHECK(device.run() == 0);
    CHECK(seen == std::vector<lua_bindings::DeviceNetwork*>{network, network});
}

TEST_CASE("run-end drains: the loop runs on after each run while work is under way, within the budget") {
    // At the end of both runs (the reboot and the exit): a drain whose work finishes 30 ms after the
    // run has ended (a loop timer), and one that never finishes. The wait is bounded by the largest
    // budget of the drains under way (100 ms), not by the stuck one's own (60 ms).
    struct Work {
        bool under_way = false;
        int drained = 0;
        std::vector<std::uint64_t> gave_up_after;
    };
    Work finishing;
    Work stuck;
    std::vector<std::uint64_t> run_ended_at;
    std::vector<std::uint64_t> drained_at;
    auto r = run_script(
        R"LUA(
        if io.exists("/again") then os.exit(0) end
        io.writeFile("/again", "1")
        rtos.reboot()
    )LUA",
        ScriptOptions{.setup = [&](Device& d) {
            d.add_module({"work", [&](RunContext& ctx) {
                              ctx.on_close([&] {
                                  run_ended_at.push_back(d.loop().now_ms());
                                  finishing.under_way = true;
                                  stuck.under_way = true;
                                  // outside the run: a device timer, as the network's own
                                  d.loop().add_timer(30, [&] {
                                      finishing.under_way = false;
                                      ++finishing.drained;
                                      drained_at.push_back(d.loop().now_ms());
                                  });
                              });
                          }});
            d.add_run_end_drain({[&] { return finishing.under_way; }, [] { return 100; },
                                 [&](std::uint64_t ms) { finishing.gave_up_after.push_back(ms); }});
            d.add_run_end_drain({[&] { return stuck.under_way; }, [] { return 60; },
                                 [&](std::uint64_t ms) { stuck.gave_up_after.push_back(ms); }});
        }});
    CHECK(r.exit_code == 0);
    CHECK(r.boots == 2);
    CHECK(finishing.drained == 2);
    CHECK(finishing.gave_up_after.empty());
    REQUIRE(run_ended_at.size() == 2);
    REQUIRE(drained_at.size() == 2);
    for (std::size_t i = 0; i < 2; ++i)
        CHECK(drained_at[i] >= run_ended_at[i] + 30);
    REQUIRE(stuck.gave_up_after.size() == 2);
    for (const std::uint64_t ms : stuck.gave_up_after) {
        CHECK(ms >= 100);
        CHECK(ms < 600);
    }
}

TEST_CASE("run-end drains: nothing under way, no wait") {
    int asked = 0;
    auto r = run_script("os.exit(0)", ScriptOptions{.setup = [&](Device& d) {
                            d.add_run_end_drain({[&] {
                                                     ++asked;
                                                     return false;
                                                 },
                                                 [] { return 1000; },
                                                 {}});
                        }});
    CHECK(r.exit_code == 0);
    CHECK(asked == 1);
}
