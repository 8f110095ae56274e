// sys timers: sys.timerStart & co. (ids 0x200000..0x7FFFFF) and the task timers of sys.wait
// (0..0x1FFFFE), as EventLoop timers whose callbacks / tasks / saved arguments live in registry tables.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <functional>
#include <string_view>

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

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    return h;
}

// A hash of a callback and its arguments under which values that sys.lua finds equal (the callback
// rawequal, then cmpTable's `==` element by element) hash alike. `==` on two numbers compares their
// values (1 == 1.0); strings by content; tables and full userdata may have an __eq that makes two
// objects equal, so they add only their type and args_match decides among them.
std::uint64_t match_key(lua_State* L, int fn_idx, int args_idx, int nargs) {
    std::uint64_t h = mix(0, reinterpret_cast<std::uintptr_t>(lua_topointer(L, fn_idx)));
    h = mix(h, static_cast<std::uint64_t>(nargs));
    for (int i = 0; i < nargs; ++i) {
        const int idx = args_idx + i;
        const int type = lua_type(L, idx);
        std::uint64_t v = 0;
        switch (type) {
            case LUA_TNUMBER:
                if (lua_isinteger(L, idx) != 0) {
                    v = static_cast<std::uint64_t>(lua_tointeger(L, idx));
                } else {
                    const double d = lua_tonumber(L, idx);
                    if (std::floor(d) == d && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
                        v = static_cast<std::uint64_t>(static_cast<std::int64_t>(d));
                    } else {
                        v = std::bit_cast<std::uint64_t>(d);
                    }
                }
                break;
            case LUA_TSTRING: {
                std::size_t len = 0;
                const char* p = lua_tolstring(L, idx, &len);
                v = std::hash<std::string_view>{}(std::string_view(p, len));
                break;
            }
            case LUA_TBOOLEAN:
                v = static_cast<std::uint64_t>(lua_toboolean(L, idx));
                break;
            case LUA_TNIL:
            case LUA_TTABLE:
            case LUA_TUSERDATA:
                break;
            default:  // functions, threads, light userdata: equal only to themselves
                v = reinterpret_cast<std::uintptr_t>(lua_topointer(L, idx));
                break;
        }
        h = mix(mix(h, static_cast<std::uint64_t>(type)), v);
    }
    return h;
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
    const std::int64_t same = find_matching(L, fn_idx, args_idx, nargs);
    if (same >= 0) erase_timer(L, same);
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
    t.match_key = match_key(L, fn_idx, args_idx, nargs);
    arm(id, t);
    timers_.emplace(id, t);
    by_match_key_.emplace(t.match_key, id);
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
    if (!it->second.task) {
        auto [first, last] = by_match_key_.equal_range(it->second.match_key);
        for (auto k = first; k != last; ++k) {
            if (k->second == id) {
                by_match_key_.erase(k);
                break;
            }
        }
    }
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

std::vector<std::int64_t> Scheduler::match_candidates(std::uint64_t key) const {
    std::vector<std::int64_t> ids;
    auto [first, last] = by_match_key_.equal_range(key);
    for (auto k = first; k != last; ++k)
        ids.push_back(k->second);
    std::sort(ids.begin(), ids.end());  // the lowest id first, as the scan over all timers found it
    return ids;
}

std::int64_t Scheduler::find_matching(lua_State* L, int fn_idx, int args_idx, int nargs) {
    fn_idx = lua_absindex(L, fn_idx);
    if (nargs > 0) args_idx = lua_absindex(L, args_idx);
    const std::vector<std::int64_t> ids = match_candidates(match_key(L, fn_idx, args_idx, nargs));
    if (ids.empty()) return -1;
    luaL_checkstack(L, 3, "sys.timerStop");
    push_ref(L, timer_cb_ref_);
    const int cbs = lua_gettop(L);
    std::int64_t found = -1;
    for (const std::int64_t id : ids) {
        ++match_probes_;
        lua_rawgeti(L, cbs, id);
        const bool same_fn = lua_rawequal(L, -1, fn_idx) != 0;
        lua_pop(L, 1);
        if (same_fn && args_match(L, id, timers_.at(id), args_idx, nargs)) {
            found = id;
            break;
        }
    }
    lua_pop(L, 1);
    return found;
}

void Scheduler::stop_timers_matching(lua_State* L, int fn_idx, int args_idx, int nargs, bool all) {
    fn_idx = lua_absindex(L, fn_idx);
    if (!all) {
        const std::int64_t id = find_matching(L, fn_idx, args_idx, nargs);
        if (id >= 0) erase_timer(L, id);
        return;
    }
    // sys.timerStopAll(fn): every timer of the function, whatever its arguments (a scan, as sys.lua's).
    std::vector<std::int64_t> doomed;
    luaL_checkstack(L, 3, "sys.timerStopAll");
    push_ref(L, timer_cb_ref_);
    const int cbs = lua_gettop(L);
    for (const auto& [id, t] : timers_) {
        if (t.task) continue;
        lua_rawgeti(L, cbs, id);
        if (lua_rawequal(L, -1, fn_idx) != 0) doomed.push_back(id);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    for (const std::int64_t id : doomed)
        erase_timer(L, id);
}

bool Scheduler::timer_active_matching(lua_State* L, int fn_idx, int args_idx, int nargs) {
    return find_matching(L, fn_idx, args_idx, nargs) >= 0;
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
