// The `sys` module of LuatOS, in C++: coroutine tasks, the publish/subscribe message queue, timers
// and the sysplus mailboxes (docs/modules/sys.md), on top of the device's EventLoop.
//
// One Scheduler belongs to one Lua state (one run of the scripts). The Lua-visible state (message
// queue, subscribers, timer callbacks, mailboxes) lives in registry tables so that the garbage
// collector sees it; the timers themselves are EventLoop timers. The semantics follow LuatOS's
// sys.lua (SCRIPT_LIB_VER 2.3.2) call by call:
//   - sys.publish only queues; the queue is drained (FIFO, including what is published meanwhile)
//     before each native message, by the EventLoop's before-message hook. Subscribers of a message
//     are taken as a snapshot; function subscribers are called, task subscribers resumed with
//     (id, ...). Unlike LuatOS (which packs messages with `{...}` and unpacks with `#`), nil
//     arguments are kept exactly: sys.publish("X", nil, 5) delivers nil, 5.
//   - sys.run() runs the event loop inside the call. Timer callbacks, function subscribers and
//     native callbacks run in that call's context (the "main context"); an error raised there ends
//     sys.run() and so the main chunk, as on the module.
//   - An error inside a task is logged as `E/user.coroutine.resume <err>\r\n<traceback>`; then, as
//     COROUTINE_ERROR_ROLL_BACK / COROUTINE_ERROR_RESTART say, a 500 ms timer ends the VM with that
//     text (the real `assert` is the timer's callback, as in sys.lua), or the device reboots, or
//     nothing more happens.
//   - Timer ids as LuatOS: sys.wait timers 0..0x1FFFFE, sys.timerStart ids 0x200000..0x7FFFFF, both
//     rotating and skipping ids in use.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sys_task/event_loop.hpp"
#include "sys_task/logger.hpp"
#include "sys_task/lua_cxx.hpp"
#include "sys_task/native_value.hpp"
#include "sys_task/vm_exit.hpp"

namespace sys_task {

class Scheduler {
  public:
    // What the scheduler needs from the device.
    struct Hooks {
        // rtos.reboot() for the task-error path (COROUTINE_ERROR_RESTART). Must unwind (raise).
        std::function<int(lua_State*)> reboot;
    };

    static constexpr std::int64_t kTaskTimerIdMax = 0x1FFFFF;  // sys.wait ids are 0 .. max-1
    static constexpr std::int64_t kMsgTimerIdMax =
        0x7FFFFF;  // sys.timerStart ids are max+1 of the above .. this
    static constexpr std::uint64_t kTaskErrorDelayMs = 500;  // task error -> VM exit

    Scheduler(EventLoop& loop, Logger& logger, VmExit& vm_exit, Hooks hooks);
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // Creates the `sys` table, registers it as package.loaded.sys / .sysplus and as the globals
    // `sys` and `sysplus`, and sets the globals sys_pub, sys_send, sys_wait, sys_cw,
    // COROUTINE_ERROR_ROLL_BACK, COROUTINE_ERROR_RESTART and SCRIPT_LIB_VER. Call once, in a
    // protected call (it allocates).
    void open(lua_State* L);

    // ---- for native code (platform, mqtt, uart...) -------------------------------------------------
    // The state sys.run() (or sys.safeRun()) is running in; nullptr when the loop is not running
    // inside Lua. Native callbacks call Lua through it, in the main context.
    [[nodiscard]] lua_State* running_state() const { return run_state_; }
    // Queue a native message that runs `fn(L)` in the main context. An error raised by `fn` (or by
    // the Lua code it calls) ends sys.run(), as an error in a LuatOS C callback does. Dropped if the
    // scheduler is gone or the loop is not running inside Lua when it is taken.
    void post(std::function<void(lua_State*)> fn);
    // sys.publish(id, args...) from native code, as a native message (LuatOS's `sys_pub` from C).
    void post_publish(std::string id, std::vector<NativeValue> args = {});
    // Call the Lua function registry[fn_ref] with `args` in the main context, as a native message
    // (e.g. a `uart.on` callback). Nothing happens if the reference no longer holds a function.
    void post_call(int fn_ref, std::vector<NativeValue> args = {});
    // sys.publish now, with the message (id first) in the top `n` slots of L (popped). Needs a
    // protected context.
    void publish(lua_State* L, int n);
    // Drain the publish queue now (what sys.run does before each native message).
    void dispatch(lua_State* L);

    // luat_pushcwait's id: one counter for every C API of the run that returns a `.wait()` object
    // (the topic "\x01" + id must never be shared by two of them).
    std::uint64_t next_cwait_id() { return ++cwait_id_; }

    // Counters (for tests and the bench).
    [[nodiscard]] std::uint64_t dispatched_messages() const { return dispatched_; }
    [[nodiscard]] std::uint64_t task_resumes() const { return resumes_; }
    [[nodiscard]] std::size_t queued_messages() const { return queue_.size(); }
    [[nodiscard]] std::size_t active_timers() const { return timers_.size(); }
    // Timers whose saved callback and arguments were compared with a call's (sys.timerStart,
    // timerStop, timerIsActive by function): with the match index, one per timer that matches.
    [[nodiscard]] std::uint64_t timer_match_probes() const { return match_probes_; }

    // ---- used by the Lua functions of sys (sys_lua_*.cpp) --------------------------------------------
    EventLoop& loop() { return loop_; }
    Logger& logger() { return logger_; }
    VmExit& vm_exit() { return vm_exit_; }
    // A line as the Lua `log` module prints it in style 0: `<L>/user.<tag>[ <text>]`, level-filtered.
    void user_log(int level, std::string_view tag, std::string_view text);

    // Resume coroutine `co` with the top `nargs` values of L (popped), through the task-error path
    // (sys.coresume). With `keep_results` the results of coroutine.resume (true, ... / false, err)
    // are left on L and their count returned; otherwise nothing is left and 0 returned.
    int coresume(lua_State* L, lua_State* co, int nargs, bool keep_results);

    // Subscriber sets: `id_idx` / `cb_idx` are stack indices. Table ids are handled by the callers.
    void subscribe(lua_State* L, int id_idx, int cb_idx);
    void unsubscribe(lua_State* L, int id_idx, int cb_idx);

    // sys.timerAdvStart semantics: stop the timer with the same callback and arguments, allocate an
    // id, start. The callback is at `fn_idx`, its `nargs` arguments at `args_idx`.. `repeat`: 0 fires
    // once, -1 forever, N > 0 fires N + 1 times (rtos.timer_start's count). Returns the id, or -1 if
    // the timer could not be started (ms < 1; logged as LuatOS does).
    std::int64_t start_timer(lua_State* L, int fn_idx, double ms, std::int64_t repeat, int args_idx,
                             int nargs);
    // sys.wait's timer: resumes `co_idx` (a coroutine) with no values when it expires. -1: refused.
    std::int64_t start_task_timer(lua_State* L, int co_idx, double ms);
    // Stop by id (any range). Returns whether a timer was running.
    bool stop_timer(lua_State* L, std::int64_t id);
    // Stop the first timer (`all`: every timer) whose callback is rawequal to `fn_idx` and, unless
    // `all`, whose saved arguments equal the `nargs` values at `args_idx` (LuatOS's cmpTable).
    void stop_timers_matching(lua_State* L, int fn_idx, int args_idx, int nargs, bool all);
    // Is a timer with this callback and these arguments running?
    bool timer_active_matching(lua_State* L, int fn_idx, int args_idx, int nargs);
    // Push the callback (function or task) of timer `id`, or nil.
    void push_timer_callback(lua_State* L, std::int64_t id);

    // Registry tables of this scheduler.
    void push_mailboxes(lua_State* L) const { lua_rawgeti(L, LUA_REGISTRYINDEX, mailboxes_ref_); }
    void push_wait_to(lua_State* L) const { lua_rawgeti(L, LUA_REGISTRYINDEX, wait_to_ref_); }

    // sys.run / sys.safeRun.
    int run(lua_State* L);
    int safe_run(lua_State* L);

  private:
    struct Timer {
        EventLoop::TimerId loop_id = 0;
        std::uint64_t serial = 0;  // distinguishes a stopped timer's late expiry from a new one
        std::uint64_t period_ms = 0;
        std::int64_t repeats_left = 0;  // further expiries after this one: 0 one-shot, -1 forever
        std::uint64_t due_ms = 0;
        int nargs = 0;
        bool task = false;            // a sys.wait timer: resumes the task stored as its callback
        std::uint64_t match_key = 0;  // match_key() of its callback and arguments (not for task timers)
    };
    struct QueuedMessage {
        int ref;  // registry-table reference to the id (n == 1) or to a table of the n values
        int n;
    };

    void arm(std::int64_t id, Timer& t);
    void on_timer(std::int64_t id, std::uint64_t serial);
    void erase_timer(lua_State* L, std::int64_t id);
    void report_task_error(lua_State* L, lua_State* co);
    bool args_match(lua_State* L, std::int64_t id, const Timer& t, int args_idx, int nargs);
    // The timers a callback and arguments may match: those with the same match_key().
    std::vector<std::int64_t> match_candidates(std::uint64_t key) const;
    // The first timer (lowest id) whose callback is `fn_idx` and whose arguments equal the call's.
    std::int64_t find_matching(lua_State* L, int fn_idx, int args_idx, int nargs);
    void deliver(lua_State* L, int base, int n);

    EventLoop& loop_;
    Logger& logger_;
    VmExit& vm_exit_;
    Hooks hooks_;
    std::shared_ptr<const bool> alive_ = std::make_shared<const bool>(true);
    lua_State* run_state_ = nullptr;

    std::deque<QueuedMessage> queue_;
    std::map<std::int64_t, Timer> timers_;
    // match_key -> ids of the function timers with that key: sys.timerStart's "same function and
    // arguments" lookup without visiting every timer (issue 11.13).
    std::unordered_multimap<std::uint64_t, std::int64_t> by_match_key_;
    std::uint64_t match_probes_ = 0;
    std::int64_t task_timer_id_ = 0;
    std::int64_t msg_timer_id_ = kTaskTimerIdMax;
    std::uint64_t next_serial_ = 1;

    // registry references
    int queue_ref_ = LUA_NOREF;       // luaL_ref store of queued messages
    int subs_ref_ = LUA_NOREF;        // id -> array of subscribers (functions / threads), insertion order
    int timer_cb_ref_ = LUA_NOREF;    // timer id -> callback (function) or task (thread)
    int timer_args_ref_ = LUA_NOREF;  // timer id -> table of saved arguments
    int mailboxes_ref_ = LUA_NOREF;   // task name -> mailbox table (sysplus)
    int assert_ref_ = LUA_NOREF;      // the base library's assert: the task-error timer's callback
    int wait_to_ref_ = LUA_NOREF;     // sysplus's waitTo timer callback

    std::uint64_t dispatched_ = 0;
    std::uint64_t resumes_ = 0;
    std::uint64_t cwait_id_ = 0;
};

// The Lua functions of the `sys` table (sys_lua_*.cpp). Each gets the Scheduler as upvalue 1.
void register_sys_task_functions(lua_State* L, Scheduler& s);
void register_sys_pubsub_functions(lua_State* L, Scheduler& s);
void register_sys_timer_functions(lua_State* L, Scheduler& s);
void register_sys_mailbox_functions(lua_State* L, Scheduler& s);
void register_sys_cw_functions(lua_State* L, Scheduler& s);
// The Scheduler of a sys Lua function.
Scheduler& scheduler_of(lua_State* L);
// Raise LuatOS's "attempt to yield from outside a coroutine" (with a traceback) unless L is a task.
void check_task(lua_State* L);
// The value at `idx` as rtos.timer_start's luaL_checkinteger takes argument `timer_arg` (2: the
// duration, 3: the repeat count; with `optional`, nil or none is 0). sys.lua hands its `ms` to that
// function, so on the module the error names it: `bad argument #2 to 'timer_start' (number has no
// integer representation)` for 1.5, `(number expected, got nil)` for a missing value.
lua_Integer timer_start_integer(lua_State* L, int idx, int timer_arg, bool optional = false);

}  // namespace sys_task
