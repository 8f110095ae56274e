// sys timers: sys.timerStart & co. (ids 0x200000..0x7FFFFF) and the task timers of sys.wait
// (0..0x1FFFFE), as EventLoop timers whose callbacks / tasks / saved arguments live in registry tables.
#include <algorithm>
#include <cmath>

#include "sys_task/sys_scheduler.hpp"

namespace sys_task {

namespace {

void push_ref(lua_State* L, int ref) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
}

// A timer duration in whole milliseconds (LuatOS timers take integers; fractions are dropped).
std::uint64_t whole_ms(double ms) {
    constexpr double kMax = 9007199254740992.0;  // 2^53: far beyond any timer (LuatOS's max is ~35 h)
    return static_cast<std::uint64_t>(std::floor(std::min(ms, kMax)));
}

}  // namespace

// ---- timers ----------------------------------------------------------------------------------------

void Scheduler::arm(std::int64_t id, Timer& t) {
    const std::uint64_t now = loop_.now_ms();
    const std::uint64_t delay = t.due_ms > now ? t.due_ms - now : 0;
    std::weak_ptr<const bool> alive = alive_;
    const std::uint64_t serial = t.serial;
    t.loop_id = loop_.add_timer(delay, [this, alive, id, serial] {
        if (!alive.expired()) on_timer(id, serial);
    });
}

std::int64_t Scheduler::start_timer(lua_State* L, int fn_idx, double ms, std::int64_t repeat, int args_idx,
                                    int nargs) {
    fn_idx = lua_absindex(L, fn_idx);
    if (nargs > 0) args_idx = lua_absindex(L, args_idx);
    // sys.timerAdvStart first stops the timer with the same function and arguments.
    stop_timers_matching(L, fn_idx, args_idx, nargs, false);
    do {
        if (msg_timer_id_ >= kMsgTimerIdMax) msg_timer_id_ = kTaskTimerIdMax;
        ++msg_timer_id_;
    } while (timers_.contains(msg_timer_id_));
    const std::int64_t id = msg_timer_id_;
    if (!(ms >= 1)) {
        user_log(kLogError, "rtos.timer_start", "create fail!!!");
        return -1;
    }
    luaL_checkstack(L, 4, "sys.timerStart");
    push_ref(L, timer_cb_ref_);
    lua_pushvalue(L, fn_idx);
    lua_rawseti(L, -2, id);
    lua_pop(L, 1);
    if (nargs > 0) {
        push_ref(L, timer_args_ref_);
        lua_createtable(L, nargs, 0);
        for (int i = 0; i < nargs; ++i) {
            lua_pushvalue(L, args_idx + i);
            lua_rawseti(L, -2, i + 1);
        }
        lua_rawseti(L, -2, id);
        lua_pop(L, 1);
    }
    const std::uint64_t period = whole_ms(ms);
    Timer t;
    t.serial = next_serial_++;
    t.period_ms = period;
    t.repeats_left = repeat;
    t.due_ms = loop_.now_ms() + period;
    t.nargs = nargs;
    arm(id, t);
    timers_.emplace(id, t);
    return id;
}

std::int64_t Scheduler::start_task_timer(lua_State* L, int co_idx, double ms) {
    co_idx = lua_absindex(L, co_idx);
    do {
        if (task_timer_id_ >= kTaskTimerIdMax - 1) {
            task_timer_id_ = 0;
        } else {
            ++task_timer_id_;
        }
    } while (timers_.contains(task_timer_id_));
    const std::int64_t id = task_timer_id_;
    if (!(ms >= 1)) {
        user_log(kLogDebug, "rtos.timer_start error", {});
        return -1;
    }
    push_ref(L, timer_cb_ref_);
    lua_pushvalue(L, co_idx);
    lua_rawseti(L, -2, id);
    lua_pop(L, 1);
    Timer t;
    t.serial = next_serial_++;
    t.due_ms = loop_.now_ms() + whole_ms(ms);
    t.task = true;
    arm(id, t);
    timers_.emplace(id, t);
    return id;
}

void Scheduler::erase_timer(lua_State* L, std::int64_t id) {
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    loop_.cancel_timer(it->second.loop_id);
    const bool had_args = it->second.nargs > 0;
    timers_.erase(it);
    luaL_checkstack(L, 2, "sys.timerStop");
    push_ref(L, timer_cb_ref_);
    lua_pushnil(L);
    lua_rawseti(L, -2, id);
    lua_pop(L, 1);
    if (had_args) {
        push_ref(L, timer_args_ref_);
        lua_pushnil(L);
        lua_rawseti(L, -2, id);
        lua_pop(L, 1);
    }
}

bool Scheduler::stop_timer(lua_State* L, std::int64_t id) {
    if (!timers_.contains(id)) return false;
    erase_timer(L, id);
    return true;
}

bool Scheduler::args_match(lua_State* L, std::int64_t id, const Timer& t, int args_idx, int nargs) {
    if (t.nargs != nargs) return false;
    if (nargs == 0) return true;
    luaL_checkstack(L, 3, "sys.timerStop");
    push_ref(L, timer_args_ref_);
    lua_rawgeti(L, -1, id);
    const int saved = lua_gettop(L);
    bool same = true;
    for (int i = 0; i < nargs && same; ++i) {
        lua_rawgeti(L, saved, i + 1);
        same = lua_compare(L, -1, args_idx + i, LUA_OPEQ) != 0;
        lua_pop(L, 1);
    }
    lua_pop(L, 2);
    return same;
}

void Scheduler::stop_timers_matching(lua_State* L, int fn_idx, int args_idx, int nargs, bool all) {
    fn_idx = lua_absindex(L, fn_idx);
    if (nargs > 0) args_idx = lua_absindex(L, args_idx);
    std::vector<std::int64_t> doomed;
    luaL_checkstack(L, 3, "sys.timerStop");
    push_ref(L, timer_cb_ref_);
    const int cbs = lua_gettop(L);
    for (const auto& [id, t] : timers_) {
        lua_rawgeti(L, cbs, id);
        const bool same_fn = lua_rawequal(L, -1, fn_idx) != 0;
        lua_pop(L, 1);
        if (!same_fn) continue;
        if (all || args_match(L, id, t, args_idx, nargs)) {
            doomed.push_back(id);
            if (!all) break;
        }
    }
    lua_pop(L, 1);
    for (const std::int64_t id : doomed)
        erase_timer(L, id);
}

bool Scheduler::timer_active_matching(lua_State* L, int fn_idx, int args_idx, int nargs) {
    fn_idx = lua_absindex(L, fn_idx);
    if (nargs > 0) args_idx = lua_absindex(L, args_idx);
    luaL_checkstack(L, 3, "sys.timerIsActive");
    push_ref(L, timer_cb_ref_);
    const int cbs = lua_gettop(L);
    bool found = false;
    for (const auto& [id, t] : timers_) {
        lua_rawgeti(L, cbs, id);
        const bool same_fn = lua_rawequal(L, -1, fn_idx) != 0;
        lua_pop(L, 1);
        if (same_fn && args_match(L, id, t, args_idx, nargs)) {
            found = true;
            break;
        }
    }
    lua_pop(L, 1);
    return found;
}

void Scheduler::push_timer_callback(lua_State* L, std::int64_t id) {
    push_ref(L, timer_cb_ref_);
    lua_rawgeti(L, -1, id);
    lua_remove(L, -2);
}

void Scheduler::on_timer(std::int64_t id, std::uint64_t serial) {
    auto it = timers_.find(id);
    if (it == timers_.end() || it->second.serial != serial) return;  // stopped meanwhile
    lua_State* L = run_state_;
    if (L == nullptr) return;
    const int top = lua_gettop(L);
    luaL_checkstack(L, it->second.nargs + 4, "sys timer");
    push_timer_callback(L, id);
    if (it->second.task) {
        // sys.wait expired: resume the task with no values.
        erase_timer(L, id);
        if (lua_isthread(L, -1)) coresume(L, lua_tothread(L, -1), 0, false);
        lua_settop(L, top);
        return;
    }
    const int nargs = it->second.nargs;
    if (nargs > 0) {
        push_ref(L, timer_args_ref_);
        lua_rawgeti(L, -1, id);
        lua_remove(L, -2);
        const int packed = lua_gettop(L);
        for (int i = 1; i <= nargs; ++i)
            lua_rawgeti(L, packed, i);
        lua_remove(L, packed);
    }
    Timer& t = it->second;
    if (t.repeats_left != 0) {
        if (t.repeats_left > 0) --t.repeats_left;
        const std::uint64_t now = loop_.now_ms();
        t.due_ms += t.period_ms;
        if (t.due_ms <= now) t.due_ms = now + t.period_ms;  // fell behind: no burst of catch-up calls
        t.serial = next_serial_++;
        arm(id, t);
    } else {
        erase_timer(L, id);
    }
    lua_call(L, nargs, 0);
    lua_settop(L, top);
}

}  // namespace sys_task
