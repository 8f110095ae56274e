// Ending the Lua VM on purpose: os.exit(code), rtos.reboot(), `--run-for`.
//
// The scripts run inside one protected call (the main chunk calls sys.run(), which runs the event
// loop), so ending the run means unwinding that call. A request is recorded here first (the first
// request wins), the event loop is stopped, and a Lua error carrying a marker value unwinds the
// stack. The recorded request, not the error value, is what counts: the guarded pcall/xpcall/
// coroutine.resume installed by install_guards() re-raise any error caught while a request is
// pending, so a script's own pcall cannot swallow an os.exit(), and neither can a task's coroutine.
#pragma once

#include "sys_task/busy_guard.hpp"
#include "sys_task/event_loop.hpp"
#include "sys_task/lua_cxx.hpp"

namespace sys_task {

class VmExit {
  public:
    enum class Kind { kNone, kExit, kReboot };

    explicit VmExit(EventLoop& loop) : loop_(loop), busy_(loop, *this) {}
    VmExit(const VmExit&) = delete;
    VmExit& operator=(const VmExit&) = delete;

    // Record a request from C++ (e.g. the --run-for timer) and stop the loop; sys.run() then unwinds.
    void request(Kind kind, int code);
    // Record a request made from Lua and unwind now. Never returns.
    int raise(lua_State* L, Kind kind, int code);
    // Unwind again for the pending request (after catching an error). Never returns.
    int rethrow(lua_State* L);

    [[nodiscard]] bool pending() const { return kind_ != Kind::kNone; }
    [[nodiscard]] Kind kind() const { return kind_; }
    [[nodiscard]] int code() const { return code_; }
    void clear() { kind_ = Kind::kNone, code_ = 0; }

    // Is the value at `idx` the marker this unwinding uses?
    static bool is_marker(lua_State* L, int idx);

    // Replace pcall, xpcall and coroutine.resume with versions that never swallow a pending request.
    void install_guards(lua_State* L);

    // Ends a run whose Lua code never returns to the loop (busy_guard.hpp).
    BusyGuard& busy() { return busy_; }

  private:
    EventLoop& loop_;
    Kind kind_ = Kind::kNone;
    int code_ = 0;
    BusyGuard busy_;
};

}  // namespace sys_task
