#include "sys_task/busy_guard.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <system_error>

#include "sys_task/vm_exit.hpp"

namespace sys_task {

namespace {

// Registry key of the BusyGuard a hook belongs to (the address of this constant).
constexpr char kGuardKey = 0;

}  // namespace

BusyGuard::BusyGuard(EventLoop& loop, VmExit& vm_exit)
    : loop_(loop), vm_exit_(vm_exit), timer_fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) {
    if (timer_fd_ < 0) throw std::system_error(errno, std::generic_category(), "timerfd_create");
}

BusyGuard::~BusyGuard() {
    if (watcher_.joinable()) {
        {
            std::lock_guard lk(mu_);
            quit_ = true;
        }
        set_timer(1);  // wakes the watcher, which sees quit_
        watcher_.join();
    }
    ::close(timer_fd_);
}

void BusyGuard::set_timer(long ns) {
    itimerspec t{};
    t.it_value.tv_sec = ns / 1'000'000'000;
    t.it_value.tv_nsec = ns % 1'000'000'000;
    ::timerfd_settime(timer_fd_, 0, &t, nullptr);
}

void BusyGuard::start_stuck_timer() {
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    awake_since_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
    progress_at_start_.store(loop_.progress());
    set_timer(kLookNs);
}

void BusyGuard::LoopTurns::prepare(std::vector<pollfd>& /*fds*/, int& /*timeout_ms*/) {
    g_.set_timer(0);  // the loop is about to wait: nothing can be stuck while it does
}

void BusyGuard::LoopTurns::dispatch(std::span<const pollfd> /*fds*/) {
    g_.start_stuck_timer();  // awake: from here on the loop runs callbacks and Lua
}

BusyGuard::Session::Session(BusyGuard& g, lua_State* L) : g_(g) {
    lua_pushlightuserdata(L, &g);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &kGuardKey);
    {
        std::lock_guard lk(g.mu_);
        g.main_ = L;
        g.resuming_.clear();
        g.quit_ = false;
    }
    g.armed_ = false;
    // The loop came round: whatever spun has returned, the hook is no longer wanted.
    g.turn_hook_ = g.loop_.add_before_block([&g] {
        if (g.armed_.load()) g.disarm();
    });
    g.loop_.add_poll_source(&g.turns_);
    g.watcher_ = std::thread([&g] { g.watch(); });
    g.start_stuck_timer();  // the main chunk runs before the loop first polls
}

BusyGuard::Session::~Session() {
    {
        std::lock_guard lk(g_.mu_);
        g_.quit_ = true;
    }
    g_.set_timer(1);  // wakes the watcher, which sees quit_
    g_.watcher_.join();
    g_.set_timer(0);
    g_.loop_.remove_poll_source(&g_.turns_);
    g_.loop_.remove_before_block(g_.turn_hook_);
    std::lock_guard lk(g_.mu_);
    if (g_.main_ != nullptr) lua_sethook(g_.main_, nullptr, 0, 0);
    g_.main_ = nullptr;
    g_.resuming_.clear();
    g_.armed_ = false;
}

BusyGuard::Resuming::Resuming(BusyGuard& g, lua_State* co) : g_(g) {
    std::lock_guard lk(g.mu_);
    g.resuming_.push_back(co);
    // Armed already (a spinning resumer resumes another coroutine): the new one gets the hook too.
    if (g.armed_.load()) lua_sethook(co, &BusyGuard::hook, LUA_MASKCOUNT, kHookCount);
}

BusyGuard::Resuming::~Resuming() {
    std::lock_guard lk(g_.mu_);
    if (!g_.resuming_.empty()) g_.resuming_.pop_back();
}

BusyGuard::CheckId BusyGuard::add_check(std::function<void()> check) {
    const CheckId id = next_check_++;
    checks_.emplace(id, std::move(check));
    return id;
}

void BusyGuard::remove_check(CheckId id) {
    checks_.erase(id);
}

void BusyGuard::watch() {
    std::int64_t awake_since = -1;  // the wake this watcher last looked at
    std::uint64_t seen = 0;         // the loop's progress when it last moved...
    std::int64_t still_since = 0;   // ...and since when it has not
    for (;;) {
        std::uint64_t expirations = 0;
        if (::read(timer_fd_, &expirations, sizeof expirations) < 0 && errno == EINTR) continue;
        std::lock_guard lk(mu_);
        if (quit_) break;
        if (loop_.waiting() || armed_.load()) continue;  // gone idle as the timer ran out, or armed
        const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count();
        if (awake_since_ns_.load() != awake_since) {  // a new wake: count from it
            awake_since = awake_since_ns_.load();
            seen = progress_at_start_.load();
            still_since = awake_since;
        }
        const std::uint64_t now_progress = loop_.progress();
        if (now_progress != seen) {  // busy, but getting through its messages
            seen = now_progress;
            still_since = now;
        } else if (now - still_since >= std::int64_t{kStuckMs} * 1'000'000) {
            arm_locked();
            continue;
        }
        set_timer(kLookNs);
    }
}

void BusyGuard::arm_locked() {
    if (main_ == nullptr) return;
    armed_ = true;
    ++times_armed_;
    lua_sethook(main_, &BusyGuard::hook, LUA_MASKCOUNT, kHookCount);
    for (lua_State* co : resuming_)
        lua_sethook(co, &BusyGuard::hook, LUA_MASKCOUNT, kHookCount);
}

void BusyGuard::disarm() {
    std::lock_guard lk(mu_);
    armed_ = false;
    if (main_ != nullptr) lua_sethook(main_, nullptr, 0, 0);
    // Suspended coroutines that were armed remove their hook at its next run (on_hook).
}

void BusyGuard::hook(lua_State* L, lua_Debug* /*ar*/) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &kGuardKey);
    auto* g = static_cast<BusyGuard*>(lua_touserdata(L, -1));
    lua_pop(L, 1);
    if (g == nullptr) {
        lua_sethook(L, nullptr, 0, 0);
        return;
    }
    g->on_hook(L);
}

void BusyGuard::on_hook(lua_State* L) {
    if (!armed_.load()) {
        std::lock_guard lk(mu_);  // not while the watcher arms
        if (!armed_.load()) {
            lua_sethook(L, nullptr, 0, 0);
            return;
        }
    }
    if (!vm_exit_.pending()) {
        const auto checks = checks_;  // a check may remove checks
        for (const auto& [id, check] : checks)
            check();
    }
    if (vm_exit_.pending()) vm_exit_.rethrow(L);
}

}  // namespace sys_task
