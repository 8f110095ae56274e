#include "run_context.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/process_memory.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

// LuatOS prints this delay; the PC simulator then "reboots" by exiting (we exit without the wait).
constexpr const char* kVmExitLine = "E/main Lua VM exit!! reboot in 1000ms";

int on_panic(lua_State* L) {
    // Only reachable if Lua is called outside a protected call, which this runtime never does.
    const char* msg = lua_tostring(L, -1);
    std::fprintf(stderr, "E/main PANIC: unprotected error in call to Lua API (%s)\n",
                 msg != nullptr ? msg : "?");
    return 0;
}

sys_task::Scheduler::Hooks scheduler_hooks(Device& device) {
    sys_task::Scheduler::Hooks hooks;
    hooks.reboot = [&device](lua_State* L) {
        return device.vm_exit().raise(L, sys_task::VmExit::Kind::kReboot, 0);
    };
    return hooks;
}

}  // namespace

RunContext::RunContext(Device& device)
    : device_(device),
      heap_(device.config().heap_budget),
      scheduler_(device.loop(), device.logger(), device.vm_exit(), scheduler_hooks(device)) {}

RunContext::~RunContext() {
    for (auto it = closers_.rbegin(); it != closers_.rend(); ++it)
        (*it)();
    for (const auto id : timers_)
        device_.loop().cancel_timer(id);
    if (L_ != nullptr) lua_close(L_);
}

RunContext& RunContext::from_upvalue(lua_State* L, int upvalue) {
    return upvalue_object<RunContext>(L, upvalue);
}

void RunContext::add_timer(std::chrono::milliseconds delay, std::function<void()> fn) {
    std::weak_ptr<const bool> alive = alive_;
    const auto ms = static_cast<std::uint64_t>(delay.count() > 0 ? delay.count() : 0);
    timers_.push_back(device_.loop().add_timer(ms, [alive, fn = std::move(fn)] {
        if (!alive.expired()) fn();
    }));
}

void RunContext::print_boot_heap_lines() {
    if (!device_.config().boot_banner) return;
    char line[128];
    std::snprintf(line, sizeof line, "loadlibs luavm %zu %zu %zu", heap_.budget(), heap_.used(),
                  heap_.max_used());
    device_.logger().debug("main", line);
    const ProcessMemory sys_mem = process_memory();
    std::snprintf(line, sizeof line, "loadlibs sys   %zu %zu %zu", sys_mem.total, sys_mem.used,
                  sys_mem.max_used);
    device_.logger().debug("main", line);
}

// IP_READY(ip, adapter) / IP_LOSE(adapter) for every change of the attaching adapter, and the
// simulated attach. A silent extra adapter (host sockets) comes up at the same attach, unannounced
// (docs/network.md, "The adapters").
void RunContext::watch_adapters() {
    platform_air780ep::AdapterTable& adapters = device_.adapters();
    const auto listener = adapters.add_listener([this](const platform_air780ep::AdapterInfo& a) {
        if (!a.attaches) return;
        if (a.up) {
            scheduler_.post_publish("IP_READY", {a.ip, static_cast<lua_Integer>(a.id)});
        } else {
            scheduler_.post_publish("IP_LOSE", {static_cast<lua_Integer>(a.id)});
        }
    });
    on_close([&adapters, listener] { adapters.remove_listener(listener); });
    const auto delay = std::chrono::milliseconds(device_.config().attach_delay_ms);
    for (const int id : adapters.ids()) {
        const platform_air780ep::AdapterInfo* a = adapters.find(id);
        if (a == nullptr || !a->auto_attach) continue;
        add_timer(delay, [&adapters, id] { adapters.set_up(id, true); });
    }
}

int RunContext::boot(lua_State* L) {
    RunContext& self = from_upvalue(L);
    luaL_openlibs(L);
    lua_gc(L, LUA_GCCOLLECT);
    self.print_boot_heap_lines();
    self.device_.vm_exit().install_guards(L);
    self.scheduler_.open(L);
    for (const LuaModule& m : *self.modules_)
        m.install(self);
    self.watch_adapters();

    const std::string* main_lua = self.device_.image().find("main.lua");
    if (main_lua == nullptr) return luaL_error(L, "module '%s' not found", "main");
    std::string_view code = *main_lua;
    if (code.starts_with("\xEF\xBB\xBF")) code.remove_prefix(3);  // a UTF-8 BOM, as luaL_loadfile skips
    if (luaL_loadbuffer(L, code.data(), code.size(), "main.lua") != LUA_OK) return lua_error(L);
    lua_call(L, 0, 0);
    return 0;
}

RunOutcome RunContext::execute(const std::vector<LuaModule>& modules) {
    modules_ = &modules;
    L_ = lua_newstate(&LuaHeap::alloc, &heap_);
    if (L_ == nullptr) {
        device_.logger().line("E/main lua: cannot create state: not enough memory");
        device_.logger().line(kVmExitLine);
        return RunOutcome{RunOutcome::Kind::kExit, 1};
    }
    lua_atpanic(L_, on_panic);
    const sys_task::BusyGuard::Session busy(device_.vm_exit().busy(), L_);
    lua_pushlightuserdata(L_, this);
    lua_pushcclosure(L_, boot, 1);
    const int status = lua_pcall(L_, 0, 0, 0);
    return vm_exited(status);
}

RunOutcome RunContext::vm_exited(int status) {
    sys_task::VmExit& vm_exit = device_.vm_exit();
    sys_task::Logger& log = device_.logger();
    if (vm_exit.pending()) {
        lua_settop(L_, 0);
        if (vm_exit.kind() == sys_task::VmExit::Kind::kReboot)
            return RunOutcome{RunOutcome::Kind::kReboot, 0};
        return RunOutcome{RunOutcome::Kind::kExit, vm_exit.code()};
    }
    int code = 0;
    if (status != LUA_OK) {
        // luat_main.c's report(): "Luat: " then the message, then the VM exit line. These lines are
        // shown whatever log.setLevel said: they explain why the device stopped.
        std::string msg;
        const bool text = lua_type(L_, -1) == LUA_TSTRING || lua_type(L_, -1) == LUA_TNUMBER;
        if (text) {
            msg = lua_tostring(L_, -1);
        } else {
            msg = std::string("(error object is a ") + luaL_typename(L_, -1) + " value)";
        }
        log.line("E/main Luat: ");
        log.line("E/main " + msg);
        if (text) {
            for (const auto& hook : vm_error_hooks_)
                hook(msg);
        }
        code = 1;
    }
    lua_settop(L_, 0);
    log.line(kVmExitLine);
    return RunOutcome{RunOutcome::Kind::kExit, code};
}

}  // namespace lua_bindings
