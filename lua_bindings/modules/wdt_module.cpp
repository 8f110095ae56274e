// wdt: the EC718's hardware watchdog. The firmware starts it at boot and its idle task kicks it, so
// it bites only when the system never goes idle for the whole timeout (a script that hogs the CPU);
// wdt.feed kicks it from Lua, wdt.init/setTimeout change the timeout, wdt.close stops it. A bite
// resets the module: the run ends and the next boot's pm.lastReson() says 8 (docs/modules/wdt.md),
// also while a script spins and the loop never comes round (sys_task/busy_guard.hpp).
#include <cstdint>
#include <memory>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

// The timeout the firmware starts the watchdog with (the official wdt demo: a hogged CPU resets the
// module "after about 20 s"); luat_wdt_init accepts 20..60 s.
constexpr std::uint64_t kDefaultTimeoutMs = 20000;

// Per run: the watchdog restarts with the module.
struct Watchdog {
    RunContext* ctx = nullptr;
    bool running = true;
    std::uint64_t timeout_ms = kDefaultTimeoutMs;
    std::uint64_t last_kick_ms = 0;
    sys_task::EventLoop::HookId hook = 0;

    [[nodiscard]] bool overdue(std::uint64_t now) const { return running && now - last_kick_ms > timeout_ms; }
    void bite(std::uint64_t now) {
        Device& dev = ctx->device();
        dev.power().ending = PowerState::Cause::kWatchdog;
        dev.logger().error("wdt", "watchdog timeout: not fed for " + std::to_string(now - last_kick_ms) +
                                      " ms (timeout " + std::to_string(timeout_ms) + " ms), reset");
    }
};

Watchdog& dog(lua_State* L) {
    return upvalue_object<Watchdog>(L);
}

// Kick the dog now; if it had already run out, it bit first: the module resets.
int kick(lua_State* L) {
    Watchdog& w = dog(L);
    Device& dev = w.ctx->device();
    const std::uint64_t now = dev.loop().now_ms();
    if (w.overdue(now)) {
        w.bite(now);
        return dev.vm_exit().raise(L, sys_task::VmExit::Kind::kReboot, 0);
    }
    w.last_kick_ms = now;
    return 0;
}

// luat_wdt_init: a timeout over 1000 is milliseconds, else seconds; 20..60 s.
int set_timeout(lua_State* L) {
    lua_Integer t = luaL_optinteger(L, 1, 10);
    if (t > 1000) t /= 1000;
    if (t < 20 || t > 60) {
        lua_pushboolean(L, 0);
        return 1;
    }
    kick(L);
    Watchdog& w = dog(L);
    w.timeout_ms = static_cast<std::uint64_t>(t) * 1000;
    w.running = true;
    lua_pushboolean(L, 1);
    return 1;
}

int l_init(lua_State* L) {
    return set_timeout(L);
}

int l_set_timeout(lua_State* L) {
    return set_timeout(L);
}

int l_feed(lua_State* L) {
    kick(L);
    lua_pushboolean(L, 1);
    return 1;
}

int l_close(lua_State* L) {
    kick(L);
    dog(L).running = false;
    lua_pushboolean(L, 1);
    return 1;
}

}  // namespace

void install_wdt(RunContext& ctx) {
    lua_State* L = ctx.state();
    auto w = std::make_shared<Watchdog>();
    w->ctx = &ctx;
    Device& dev = ctx.device();
    w->last_kick_ms = dev.loop().now_ms();
    // The idle task's kick: whenever the loop is about to wait, the system was idle.
    w->hook = dev.loop().add_before_block([d = w.get(), &dev] {
        const std::uint64_t now = dev.loop().now_ms();
        if (dev.vm_exit().pending()) return;
        if (d->overdue(now)) {
            d->bite(now);
            dev.vm_exit().request(sys_task::VmExit::Kind::kReboot, 0);
            dev.loop().post([] {});  // from a before-block hook: do not wait in this iteration
            return;
        }
        d->last_kick_ms = now;
    });
    // A script that spins never lets the loop come round to the idle kick above; the dog still bites
    // (the busy-script guard runs this check while the loop is stuck).
    const auto check = dev.vm_exit().busy().add_check([d = w.get(), &dev] {
        const std::uint64_t now = dev.loop().now_ms();
        if (dev.vm_exit().pending() || !d->overdue(now)) return;
        d->bite(now);
        dev.vm_exit().request(sys_task::VmExit::Kind::kReboot, 0);
    });
    ctx.on_close([w, &dev, check] {
        dev.loop().remove_before_block(w->hook);
        dev.vm_exit().busy().remove_check(check);
    });
    push_module_table(L, "wdt");
    static const luaL_Reg kFunctions[] = {
        {"init", l_init},   {"setTimeout", l_set_timeout}, {"feed", l_feed}, {"close", l_close},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, w.get());
    lua_pop(L, 1);
}

}  // namespace lua_bindings
