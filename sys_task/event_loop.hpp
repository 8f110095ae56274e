// The one event loop of a device: timers, file descriptors and the native message queue.
//
// It plays the part of LuatOS's rtos message bus. Everything that reaches Lua (timer expiries, MQTT
// events, UART data, IP_READY...) is a *native message* posted to one FIFO; before each native message
// the `before_message` hook runs (the `sys` module drains its publish queue there, as sys.safeRun does).
// File descriptor callbacks and poll sources are internal plumbing (sockets, slirp, pseudo-terminals);
// they run between native messages and post native messages when something becomes visible to Lua.
//
// Single-threaded, no busy wait: when nothing is due the loop blocks in poll() until the next timer.
#pragma once

#include <poll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <vector>

namespace sys_task {

using Callback = std::function<void()>;

// Something that contributes file descriptors to every poll() and handles what they report
// (libslirp works this way: slirp_pollfds_fill / slirp_pollfds_poll).
class PollSource {
  public:
    virtual ~PollSource() = default;
    // Append the descriptors to watch; lower `timeout_ms` (never raise it) if a deadline is sooner.
    virtual void prepare(std::vector<pollfd>& fds, int& timeout_ms) = 0;
    // `fds` is exactly the slice this source appended in prepare(), with revents filled in.
    virtual void dispatch(std::span<const pollfd> fds) = 0;
};

class EventLoop {
  public:
    using TimerId = std::uint64_t;  // never 0
    using WatchId = std::uint64_t;  // never 0
    using HookId = std::uint64_t;   // never 0

    EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // Milliseconds since this loop was created: the device's uptime clock.
    [[nodiscard]] std::uint64_t now_ms() const;
    [[nodiscard]] std::chrono::steady_clock::time_point start_time() const { return start_; }

    // One-shot timer. When it expires, `cb` is queued as a native message (timers that expire in the
    // same iteration are queued in deadline order, ties in creation order).
    TimerId add_timer(std::uint64_t delay_ms, Callback cb);
    // The timer's callback will not run: a pending timer is removed, and so is one that is due and
    // queued as a message but has not run (its owner may be gone by then). Returns false if the
    // callback already ran (or is running) or the timer never existed.
    bool cancel_timer(TimerId id);
    [[nodiscard]] bool timer_pending(TimerId id) const;
    // Milliseconds until the earliest timer is due (0 if overdue), nullopt when there is none.
    [[nodiscard]] std::optional<std::uint64_t> ms_until_next_timer() const;

    // Watch a descriptor; `cb(revents)` runs directly (not as a native message) when poll reports it.
    WatchId watch_fd(int fd, short events, std::function<void(short)> cb);
    void set_fd_events(WatchId id, short events);
    void unwatch_fd(WatchId id);

    // A source removed (or destroyed after removal) while the loop dispatches is not dispatched again.
    void add_poll_source(PollSource* source);
    void remove_poll_source(PollSource* source);

    // Queue a native message (FIFO). Safe to call from any callback, including a running message.
    void post(Callback msg);

    // Who posts a repeatable message, and what about: equal keys promise equal messages.
    struct RunKey {
        const void* owner = nullptr;
        std::uint64_t value = 0;
        bool operator==(const RunKey&) const = default;
    };
    // post() for a message that may come many times in a row (a publish storm's "sent" events): when
    // the last message queued was posted with the same key, it is queued to run once more and `msg`
    // is dropped. Every post is still its own native message, run in FIFO order with the
    // before-message hook before it; a run of them takes one slot of memory instead of one each.
    void post_repeatable(RunKey key, Callback msg);
    // Slots the queued native messages take (a run of repeatable ones takes one).
    [[nodiscard]] std::size_t queued_slots() const { return messages_.size(); }

    // Runs before each native message (the `sys` publish-queue drain).
    void set_before_message(Callback hook) { before_message_ = std::move(hook); }
    // Runs once per iteration just before the loop may block (transports flush batched writes here).
    // Hooks run in the order they were added; one added by a hook first runs in the next iteration.
    HookId add_before_block(Callback hook);
    // Objects that die before the loop remove their hook (a hook may remove itself while it runs).
    void remove_before_block(HookId id);

    // Run until stop() is called; returns the code given to stop().
    int run();
    // One iteration: wait at most `max_wait_ms` (-1: until something is due), handle what is ready.
    void run_once(int max_wait_ms);
    void stop(int code);
    [[nodiscard]] bool stopped() const { return stopped_; }
    // For a watcher on another thread (BusyGuard): a counter that moves with every poll and every
    // native message, and whether the loop is waiting in poll now.
    [[nodiscard]] std::uint64_t progress() const { return progress_.load(std::memory_order_relaxed); }
    [[nodiscard]] bool waiting() const { return waiting_.load(std::memory_order_relaxed); }
    void reset_stop() { stopped_ = false; }

    // Runs every queued native message (and the ones they queue) without polling.
    void drain_messages();

  private:
    struct Timer {
        std::uint64_t deadline_ms;
        TimerId id;
        bool operator<(const Timer& o) const {
            return deadline_ms != o.deadline_ms ? deadline_ms < o.deadline_ms : id < o.id;
        }
    };
    struct Watch {
        int fd;
        short events;
        std::function<void(short)> cb;
    };

    struct Source {
        std::uint64_t serial;  // tells a re-registered source at the same address from the old one
        PollSource* source;
    };

    int next_timeout_ms(int max_wait_ms) const;
    void collect_expired_timers();
    void run_before_block_hooks();
    [[nodiscard]] bool source_registered(std::uint64_t serial) const;

    std::chrono::steady_clock::time_point start_;
    TimerId next_timer_id_ = 1;
    WatchId next_watch_id_ = 1;
    std::map<Timer, Callback> timers_;              // ordered by deadline
    std::map<TimerId, std::uint64_t> deadline_of_;  // id -> deadline, for cancel
    std::map<WatchId, Watch> watches_;
    std::vector<Source> sources_;
    std::uint64_t next_source_serial_ = 1;
    struct Message {
        Callback run;
        RunKey key;               // owner == nullptr: not repeatable
        std::size_t repeats = 0;  // runs still due after the next one
        TimerId timer = 0;        // the timer it comes from (0: posted)
    };
    std::deque<Message> messages_;
    Callback before_message_;
    std::map<HookId, Callback> before_block_;  // ordered by id = order of addition
    HookId next_hook_id_ = 1;
    HookId running_hook_ = 0;
    bool running_hook_removed_ = false;
    std::vector<pollfd> pollfds_;
    bool stopped_ = false;
    int exit_code_ = 0;
    std::atomic<std::uint64_t> progress_{0};
    std::atomic<bool> waiting_{false};
};

}  // namespace sys_task
