// The busy-script guard: a run must end even while Lua code never returns to the event loop
// (`while true do end` in a task or a timer callback), when --run-for passes, at the first
// SIGINT/SIGTERM, or when the module's watchdog would bite.
//
// Those ends are noticed by the event loop, which a spinning script never lets come round. A watcher
// thread sleeps on a timer (a timerfd) that the loop thread sets each time the loop wakes from poll
// and clears just before it polls again, so an idle device, whose turns are short, costs the watcher
// no wake-up at all (a fleet runs thousands of them). While the loop stays busy the watcher looks at
// its progress counter every kStuckMs / 4; when it has not moved for kStuckMs, the watcher sets a Lua
// count hook on the states that may be running: the
// main state and the chain of coroutines being resumed (tasks, coroutine.resume). The hook runs the
// registered checks in the Lua thread (the same checks the loop would have run: is --run-for over,
// has a stop signal arrived, has the watchdog run out); when one of them requests the VM's end, the
// hook raises it as os.exit would. The hook removes itself once the loop comes round again, so a
// script that does not spin runs without a hook. lua_sethook from another thread is the mechanism
// lua.c uses from its SIGINT handler.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "sys_task/event_loop.hpp"
#include "sys_task/lua_cxx.hpp"

namespace sys_task {

class VmExit;

class BusyGuard {
  public:
    using CheckId = std::uint64_t;
    static constexpr int kStuckMs = 200;        // no loop progress for this long: arm the hook
    static constexpr int kHookCount = 1000000;  // VM instructions between two runs of the checks

    BusyGuard(EventLoop& loop, VmExit& vm_exit);
    ~BusyGuard();
    BusyGuard(const BusyGuard&) = delete;
    BusyGuard& operator=(const BusyGuard&) = delete;

    // While a Session lives, `L` (a main state) is watched. One at a time; destroy it before lua_close.
    class Session {
      public:
        Session(BusyGuard& g, lua_State* L);
        ~Session();
        Session(const Session&) = delete;
        Session& operator=(const Session&) = delete;

      private:
        BusyGuard& g_;
    };

    // A coroutine being resumed from the Lua thread (RAII, around lua_resume).
    class Resuming {
      public:
        Resuming(BusyGuard& g, lua_State* co);
        ~Resuming();
        Resuming(const Resuming&) = delete;
        Resuming& operator=(const Resuming&) = delete;

      private:
        BusyGuard& g_;
    };

    // A check run in the Lua thread by the hook; it requests the VM's end (VmExit::request) if due.
    CheckId add_check(std::function<void()> check);
    void remove_check(CheckId id);

    // Times the hook was armed (tests).
    [[nodiscard]] std::uint64_t times_armed() const { return times_armed_.load(); }

  private:
    // The loop thread's side of the timer: set it at each wake from poll, clear it before each poll.
    class LoopTurns final : public PollSource {
      public:
        explicit LoopTurns(BusyGuard& g) : g_(g) {}
        void prepare(std::vector<pollfd>& fds, int& timeout_ms) override;
        void dispatch(std::span<const pollfd> fds) override;

      private:
        BusyGuard& g_;
    };

    static void hook(lua_State* L, lua_Debug* ar);
    void set_timer(long ns);   // 0: cleared
    void start_stuck_timer();  // from now, with the loop's progress as it is now
    void watch();
    void arm_locked();
    void disarm();
    void on_hook(lua_State* L);

    EventLoop& loop_;
    VmExit& vm_exit_;
    std::map<CheckId, std::function<void()>> checks_;  // Lua thread only
    CheckId next_check_ = 1;
    EventLoop::HookId turn_hook_ = 0;

    LoopTurns turns_{*this};
    int timer_fd_ = -1;
    static constexpr long kLookNs = long{kStuckMs} * 1'000'000 / 4;  // the watcher's look while busy
    std::atomic<std::uint64_t> progress_at_start_{0};                // the loop's progress at its wake
    std::atomic<std::int64_t> awake_since_ns_{0};                    // the wake's steady-clock time

    std::mutex mu_;  // guards what follows, shared with the watcher thread
    lua_State* main_ = nullptr;
    std::vector<lua_State*> resuming_;
    bool quit_ = false;
    std::thread watcher_;
    std::atomic<bool> armed_{false};
    std::atomic<std::uint64_t> times_armed_{0};
};

}  // namespace sys_task
