// One run of the scripts: from boot to the Lua VM's exit or an rtos.reboot().
//
// A RunContext owns the Lua state (with its heap budget), the `sys` scheduler and everything Lua
// modules create for that run. Modules are installed into each new run (see LuaModule); what they
// need to release when the run ends is registered with on_close() (called in reverse order before
// the Lua state is closed) and their timers/messages go through add_timer()/post(), which become
// no-ops once the run is over. The event loop, the logger, the identity, the /luadb/ image and the
// adapter table belong to the Device and outlive runs.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lua_bindings/device/lua_heap.hpp"
#include "sys_task/event_loop.hpp"
#include "sys_task/lua_cxx.hpp"
#include "sys_task/sys_scheduler.hpp"

namespace lua_bindings {

class Device;
class RunContext;

// A Lua module of the runtime (log, json, mqtt...). `install` runs in a protected call once the
// standard libraries and `sys` are open; it usually creates a global table with functions that
// carry the RunContext (or its own per-run object) as an upvalue.
struct LuaModule {
    std::string name;
    std::function<void(RunContext&)> install;
};

// How a run ended.
struct RunOutcome {
    enum class Kind { kExit, kReboot };
    Kind kind = Kind::kExit;
    int exit_code = 0;
};

class RunContext {
  public:
    explicit RunContext(Device& device);
    ~RunContext();
    RunContext(const RunContext&) = delete;
    RunContext& operator=(const RunContext&) = delete;

    // Create the Lua state, install the modules, run main.lua (which normally never returns:
    // it ends in sys.run()) and report how the VM ended, with LuatOS's log lines.
    RunOutcome execute(const std::vector<LuaModule>& modules);

    Device& device() { return device_; }
    [[nodiscard]] lua_State* state() const { return L_; }  // the main thread
    sys_task::Scheduler& scheduler() { return scheduler_; }
    LuaHeap& heap() { return heap_; }

    // A native message that runs fn(L) in the main context (see sys_task::Scheduler::post).
    void post(std::function<void(lua_State*)> fn) { scheduler_.post(std::move(fn)); }
    // A one-shot event-loop timer that runs `fn` as a native message, only while this run lasts.
    void add_timer(std::chrono::milliseconds delay, std::function<void()> fn);
    // Called when the run ends, in reverse order of registration, before the Lua state is closed.
    // Must not call Lua.
    void on_close(std::function<void()> fn) { closers_.push_back(std::move(fn)); }
    // Called with the message of an error that ends the Lua VM, after LuatOS's lines for it (as
    // luat_main.c's report() hands it to errDump's system record). Must not call Lua.
    void on_vm_error(std::function<void(const std::string& message)> fn) {
        vm_error_hooks_.push_back(std::move(fn));
    }

    // The RunContext given to a C function as light-userdata upvalue `upvalue`.
    static RunContext& from_upvalue(lua_State* L, int upvalue = 1);

  private:
    static int boot(lua_State* L);
    void print_boot_heap_lines();
    void watch_adapters();
    RunOutcome vm_exited(int status);

    Device& device_;
    LuaHeap heap_;
    sys_task::Scheduler scheduler_;
    lua_State* L_ = nullptr;
    const std::vector<LuaModule>* modules_ = nullptr;
    std::vector<std::function<void()>> closers_;
    std::vector<std::function<void(const std::string&)>> vm_error_hooks_;
    std::vector<sys_task::EventLoop::TimerId> timers_;
    std::shared_ptr<const bool> alive_ = std::make_shared<const bool>(true);
};

}  // namespace lua_bindings
