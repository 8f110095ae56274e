#include "sys_scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace sys_task {

namespace {

int new_registry_table(lua_State* L) {
    lua_newtable(L);
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

void push_ref(lua_State* L, int ref) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
}

// Coroutine status, as lcorolib's auxstatus computes it.
enum class CoStatus { kRunning, kSuspended, kNormal, kDead };

CoStatus co_status(lua_State* L, lua_State* co) {
    if (L == co) return CoStatus::kRunning;
    switch (lua_status(co)) {
        case LUA_YIELD:
            return CoStatus::kSuspended;
        case LUA_OK: {
            lua_Debug ar;
            if (lua_getstack(co, 0, &ar) != 0) return CoStatus::kNormal;
            if (lua_gettop(co) == 0) return CoStatus::kDead;
            return CoStatus::kSuspended;  // not started yet
        }
        default:
            return CoStatus::kDead;
    }
}

int traceback_of(lua_State* L) {
    luaL_traceback(L, lua_tothread(L, 1), nullptr, 0);
    return 1;
}

// Restores Scheduler::run_state_ however sys.run() ends (it always ends by a Lua error).
class RunStateScope {
  public:
    RunStateScope(lua_State*& slot, lua_State* L) : slot_(slot), saved_(slot) { slot_ = L; }
    ~RunStateScope() { slot_ = saved_; }
    RunStateScope(const RunStateScope&) = delete;
    RunStateScope& operator=(const RunStateScope&) = delete;

  private:
    lua_State*& slot_;
    lua_State* saved_;
};

}  // namespace

Scheduler& scheduler_of(lua_State* L) {
    return *static_cast<Scheduler*>(lua_touserdata(L, lua_upvalueindex(1)));
}

void check_task(lua_State* L) {
    const bool is_main = lua_pushthread(L) == 1;
    lua_pop(L, 1);
    if (!is_main) return;
    luaL_traceback(L, L, "attempt to yield from outside a coroutine", 1);
    lua_error(L);
}

Scheduler::Scheduler(EventLoop& loop, Logger& logger, VmExit& vm_exit, Hooks hooks)
    : loop_(loop), logger_(logger), vm_exit_(vm_exit), hooks_(std::move(hooks)) {
    loop_.set_before_message([this] {
        if (run_state_ != nullptr) dispatch(run_state_);
    });
}

Scheduler::~Scheduler() {
    loop_.set_before_message(nullptr);
    for (const auto& [id, t] : timers_)
        loop_.cancel_timer(t.loop_id);
}

void Scheduler::open(lua_State* L) {
    queue_ref_ = new_registry_table(L);
    subs_ref_ = new_registry_table(L);
    timer_cb_ref_ = new_registry_table(L);
    timer_args_ref_ = new_registry_table(L);
    mailboxes_ref_ = new_registry_table(L);
    lua_getglobal(L, "assert");
    assert_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);

    lua_newtable(L);
    register_sys_task_functions(L, *this);
    register_sys_pubsub_functions(L, *this);
    register_sys_timer_functions(L, *this);
    register_sys_mailbox_functions(L, *this);  // also creates the waitTo callback (below)
    register_sys_cw_functions(L, *this);
    lua_getfield(L, -1, "_waitTo");
    wait_to_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushnil(L);
    lua_setfield(L, -2, "_waitTo");

    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "sys");
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "sysplus");
    lua_pop(L, 1);

    lua_pushvalue(L, -1);
    lua_setglobal(L, "sys");
    lua_pushvalue(L, -1);
    lua_setglobal(L, "sysplus");
    lua_getfield(L, -1, "publish");
    lua_setglobal(L, "sys_pub");
    lua_getfield(L, -1, "sendMsg");
    lua_setglobal(L, "sys_send");
    lua_getfield(L, -1, "waitMsg");
    lua_setglobal(L, "sys_wait");
    lua_getfield(L, -1, "_cw");
    lua_setglobal(L, "sys_cw");
    lua_pushnil(L);
    lua_setfield(L, -2, "_cw");
    lua_pop(L, 1);

    lua_pushboolean(L, 1);
    lua_setglobal(L, "COROUTINE_ERROR_ROLL_BACK");
    lua_pushboolean(L, 1);
    lua_setglobal(L, "COROUTINE_ERROR_RESTART");
    lua_pushliteral(L, "2.3.2");
    lua_setglobal(L, "SCRIPT_LIB_VER");
}

void Scheduler::user_log(int level, std::string_view tag, std::string_view text) {
    if (!logger_.enabled(level)) return;
    std::string line;
    line.reserve(tag.size() + text.size() + 8);
    line += Logger::level_letter(level);
    line += "/user.";
    line += tag;
    if (!text.empty()) {
        line += ' ';
        line += text;
    }
    logger_.line(line);
}

// ---- message queue ---------------------------------------------------------------------------------

void Scheduler::publish(lua_State* L, int n) {
    const int base = lua_gettop(L) - n + 1;
    // A message without an id (or a NaN id) can have no subscriber: LuatOS queues and drops it.
    if (n == 0 || lua_isnil(L, base) ||
        (lua_type(L, base) == LUA_TNUMBER && std::isnan(lua_tonumber(L, base)))) {
        lua_settop(L, base - 1);
        return;
    }
    lua_checkstack(L, 3);
    push_ref(L, queue_ref_);
    if (n == 1) {
        lua_pushvalue(L, base);
    } else {
        lua_createtable(L, n, 0);
        for (int i = 0; i < n; ++i) {
            lua_pushvalue(L, base + i);
            lua_rawseti(L, -2, i + 1);
        }
    }
    const int ref = luaL_ref(L, -2);
    lua_settop(L, base - 1);
    queue_.push_back(QueuedMessage{ref, n});
}

void Scheduler::dispatch(lua_State* L) {
    while (!queue_.empty()) {
        const QueuedMessage m = queue_.front();
        queue_.pop_front();
        const int base = lua_gettop(L);
        luaL_checkstack(L, m.n + 3, "sys.dispatch");
        push_ref(L, queue_ref_);
        lua_rawgeti(L, -1, m.ref);
        luaL_unref(L, -2, m.ref);
        lua_remove(L, -2);
        if (m.n > 1) {
            const int packed = lua_gettop(L);
            for (int i = 1; i <= m.n; ++i)
                lua_rawgeti(L, packed, i);
            lua_remove(L, packed);
        }
        ++dispatched_;
        deliver(L, base, m.n);
        lua_settop(L, base);
    }
}

// The message is at base+1 .. base+n (id first). Subscribers are snapshotted on the stack first.
void Scheduler::deliver(lua_State* L, int base, int n) {
    push_ref(L, subs_ref_);
    lua_pushvalue(L, base + 1);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    if (!lua_istable(L, -1)) return;
    const int list = lua_gettop(L);
    const int count = static_cast<int>(lua_rawlen(L, list));
    luaL_checkstack(L, count + n + 2, "sys.dispatch");
    for (int i = 1; i <= count; ++i)
        lua_rawgeti(L, list, i);
    for (int i = 1; i <= count; ++i) {
        const int cb = list + i;
        if (lua_isfunction(L, cb)) {
            lua_pushvalue(L, cb);
            for (int j = 2; j <= n; ++j)
                lua_pushvalue(L, base + j);
            lua_call(L, n - 1, 0);
        } else if (lua_isthread(L, cb)) {
            lua_State* co = lua_tothread(L, cb);
            for (int j = 1; j <= n; ++j)
                lua_pushvalue(L, base + j);
            coresume(L, co, n, false);
        }
    }
}

namespace {

// The 1-based position of the value at `value_idx` in the array at `list_idx` (raw equality), or 0.
lua_Integer position_in_list(lua_State* L, int list_idx, int value_idx) {
    const auto count = static_cast<lua_Integer>(lua_rawlen(L, list_idx));
    for (lua_Integer i = 1; i <= count; ++i) {
        lua_rawgeti(L, list_idx, i);
        const bool same = lua_rawequal(L, -1, value_idx) != 0;
        lua_pop(L, 1);
        if (same) return i;
    }
    return 0;
}

}  // namespace

void Scheduler::subscribe(lua_State* L, int id_idx, int cb_idx) {
    id_idx = lua_absindex(L, id_idx);
    cb_idx = lua_absindex(L, cb_idx);
    luaL_checkstack(L, 4, "sys.subscribe");
    if (lua_istable(L, id_idx)) {  // every value of the table is an id
        lua_pushnil(L);
        while (lua_next(L, id_idx) != 0) {
            subscribe(L, -1, cb_idx);
            lua_pop(L, 1);
        }
        return;
    }
    push_ref(L, subs_ref_);
    const int subs = lua_gettop(L);
    lua_pushvalue(L, id_idx);
    lua_rawget(L, subs);
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        lua_createtable(L, 1, 0);
        lua_pushvalue(L, id_idx);
        lua_pushvalue(L, -2);
        lua_rawset(L, subs);
    }
    const int list = lua_gettop(L);
    if (position_in_list(L, list, cb_idx) == 0) {  // set semantics: the same callback once
        lua_pushvalue(L, cb_idx);
        lua_rawseti(L, list, static_cast<lua_Integer>(lua_rawlen(L, list)) + 1);
    }
    lua_settop(L, subs - 1);
}

void Scheduler::unsubscribe(lua_State* L, int id_idx, int cb_idx) {
    id_idx = lua_absindex(L, id_idx);
    cb_idx = lua_absindex(L, cb_idx);
    luaL_checkstack(L, 4, "sys.unsubscribe");
    if (lua_istable(L, id_idx)) {
        lua_pushnil(L);
        while (lua_next(L, id_idx) != 0) {
            unsubscribe(L, -1, cb_idx);
            lua_pop(L, 1);
        }
        return;
    }
    if (lua_isnil(L, id_idx)) return;
    push_ref(L, subs_ref_);
    const int subs = lua_gettop(L);
    lua_pushvalue(L, id_idx);
    lua_rawget(L, subs);
    if (!lua_istable(L, -1)) {
        lua_settop(L, subs - 1);
        return;
    }
    const int list = lua_gettop(L);
    const auto count = static_cast<lua_Integer>(lua_rawlen(L, list));
    if (const lua_Integer i = position_in_list(L, list, cb_idx); i != 0) {
        for (lua_Integer j = i; j < count; ++j) {
            lua_rawgeti(L, list, j + 1);
            lua_rawseti(L, list, j);
        }
        lua_pushnil(L);
        lua_rawseti(L, list, count);
        if (count == 1) {  // no subscriber left: forget the id
            lua_pushvalue(L, id_idx);
            lua_pushnil(L);
            lua_rawset(L, subs);
        }
    }
    lua_settop(L, subs - 1);
}

void Scheduler::post(std::function<void(lua_State*)> fn) {
    std::weak_ptr<const bool> alive = alive_;
    loop_.post([this, alive, fn = std::move(fn)] {
        if (alive.expired() || run_state_ == nullptr) return;
        lua_State* L = run_state_;
        const int top = lua_gettop(L);
        fn(L);
        lua_settop(L, top);
    });
}

void Scheduler::post_publish(std::string id, std::vector<NativeValue> args) {
    post([this, id = std::move(id), args = std::move(args)](lua_State* L) {
        luaL_checkstack(L, static_cast<int>(args.size()) + 2, "sys_pub");
        lua_pushlstring(L, id.data(), id.size());
        for (const auto& a : args)
            push_native(L, a);
        publish(L, static_cast<int>(args.size()) + 1);
    });
}

void Scheduler::post_call(int fn_ref, std::vector<NativeValue> args) {
    post([fn_ref, args = std::move(args)](lua_State* L) {
        luaL_checkstack(L, static_cast<int>(args.size()) + 2, "native callback");
        lua_rawgeti(L, LUA_REGISTRYINDEX, fn_ref);
        if (!lua_isfunction(L, -1)) return;
        for (const auto& a : args)
            push_native(L, a);
        lua_call(L, static_cast<int>(args.size()), 0);
    });
}

// ---- tasks -----------------------------------------------------------------------------------------

int Scheduler::coresume(lua_State* L, lua_State* co, int nargs, bool keep_results) {
    ++resumes_;
    const CoStatus st = co_status(L, co);
    const char* refusal = nullptr;
    if (st == CoStatus::kDead) {
        refusal = "cannot resume dead coroutine";
    } else if (st != CoStatus::kSuspended) {
        refusal = "cannot resume non-suspended coroutine";
    } else if (lua_checkstack(co, nargs + 1) == 0) {
        refusal = "too many arguments to resume";
    }
    if (refusal == nullptr) {
        lua_xmove(L, co, nargs);
        int nres = 0;
        int status = LUA_OK;
        {
            BusyGuard::Resuming resuming(vm_exit_.busy(), co);
            status = lua_resume(co, L, nargs, &nres);
        }
        if (status == LUA_OK || status == LUA_YIELD) {
            if (!keep_results) {
                lua_pop(co, nres);
                return 0;
            }
            luaL_checkstack(L, nres + 1, "sys.coresume");
            lua_pushboolean(L, 1);
            lua_xmove(co, L, nres);
            return nres + 1;
        }
        lua_xmove(co, L, 1);  // the error object
        if (vm_exit_.pending()) return vm_exit_.rethrow(L);
    } else {
        lua_pop(L, nargs);
        lua_pushstring(L, refusal);
    }
    report_task_error(L, co);
    if (!keep_results) {
        lua_pop(L, 1);
        return 0;
    }
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
}

// The error object is on top of L (left there). sys.lua's coresume wrapper, in C++.
void Scheduler::report_task_error(lua_State* L, lua_State* co) {
    luaL_checkstack(L, 6, "sys.coresume");
    std::string text;
    {
        size_t len = 0;
        const char* msg = luaL_tolstring(L, -1, &len);
        text.assign(msg, len);
        lua_pop(L, 1);
    }
    // debug.traceback(co), protected: after an out-of-memory error there may be no room for it.
    lua_pushcfunction(L, traceback_of);
    lua_checkstack(co, 1);
    lua_pushthread(co);
    lua_xmove(co, L, 1);
    if (lua_pcall(L, 1, 1, 0) == LUA_OK) {
        size_t tb_len = 0;
        const char* tb = lua_tolstring(L, -1, &tb_len);
        if (tb_len > 0) {
            text += "\r\n";
            text.append(tb, tb_len);
        }
    }
    lua_pop(L, 1);
    user_log(kLogError, "coroutine.resume", text);

    lua_getglobal(L, "COROUTINE_ERROR_ROLL_BACK");
    const bool roll_back = lua_toboolean(L, -1) != 0;
    lua_pop(L, 1);
    if (roll_back) {
        // sys.timerStart(assert, 500, false, traceBack): the VM ends from the main loop.
        const int fn = lua_gettop(L) + 1;
        push_ref(L, assert_ref_);
        lua_pushboolean(L, 0);
        lua_pushlstring(L, text.data(), text.size());
        start_timer(L, fn, static_cast<double>(kTaskErrorDelayMs), 0, fn + 1, 2);
        lua_settop(L, fn - 1);
        return;
    }
    lua_getglobal(L, "COROUTINE_ERROR_RESTART");
    const bool restart = lua_toboolean(L, -1) != 0;
    lua_pop(L, 1);
    if (restart && hooks_.reboot) hooks_.reboot(L);
}

// ---- the main loop ---------------------------------------------------------------------------------

int Scheduler::run(lua_State* L) {
    lua_getglobal(L, "SYSP");
    const bool sysp = lua_toboolean(L, -1) != 0;
    lua_pop(L, 1);
    if (sysp) return 0;  // sys.lua: with _G.SYSP set, sys.run() does nothing
    RunStateScope scope(run_state_, L);
    while (!loop_.stopped()) {
        dispatch(L);
        if (loop_.stopped()) break;
        loop_.run_once(-1);
    }
    if (!vm_exit_.pending()) vm_exit_.request(VmExit::Kind::kExit, 0);
    return vm_exit_.rethrow(L);
}

int Scheduler::safe_run(lua_State* L) {
    RunStateScope scope(run_state_, L);
    dispatch(L);
    if (!loop_.stopped()) loop_.run_once(-1);
    if (loop_.stopped()) {
        if (!vm_exit_.pending()) vm_exit_.request(VmExit::Kind::kExit, 0);
        return vm_exit_.rethrow(L);
    }
    return 0;
}

}  // namespace sys_task
