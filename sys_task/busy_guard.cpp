#include "sys_task/busy_guard.hpp"

#include <chrono>

#include "sys_task/vm_exit.hpp"

namespace sys_task {

namespace {

// Registry key of the BusyGuard a hook belongs to (the address of this constant).
constexpr char kGuardKey = 0;

}  // namespace

BusyGuard::~BusyGuard() {
    if (watcher_.joinable()) {
        {
            std::lock_guard lk(mu_);
            quit_ = true;
        }
        cv_.notify_all();
        watcher_.join();
    }
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
    g.watcher_ = std::thread([&g] { g.watch(); });
}

BusyGuard::Session::~Session() {
    {
        std::lock_guard lk(g_.mu_);
        g_.quit_ = true;
    }
    g_.cv_.notify_all();
    g_.watcher_.join();
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
    std::unique_lock lk(mu_);
    std::uint64_t seen = loop_.progress();
    auto since = std::chrono::steady_clock::now();
    while (!quit_) {
        cv_.wait_for(lk, std::chrono::milliseconds(kStuckMs / 4));
        if (quit_) break;
        const std::uint64_t now_progress = loop_.progress();
        const auto now = std::chrono::steady_clock::now();
        if (now_progress != seen || loop_.waiting()) {
            seen = now_progress;
            since = now;
            continue;
        }
        if (armed_.load() || now - since < std::chrono::milliseconds(kStuckMs)) continue;
        arm_locked();
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
