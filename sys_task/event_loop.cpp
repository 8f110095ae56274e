#include "event_loop.hpp"

#include <algorithm>
#include <cerrno>
#include <limits>

namespace sys_task {

EventLoop::EventLoop() : start_(std::chrono::steady_clock::now()) {}

std::uint64_t EventLoop::now_ms() const {
    auto elapsed = std::chrono::steady_clock::now() - start_;
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
}

EventLoop::TimerId EventLoop::add_timer(std::uint64_t delay_ms, Callback cb) {
    const TimerId id = next_timer_id_++;
    const std::uint64_t deadline = now_ms() + delay_ms;
    timers_.emplace(Timer{deadline, id}, std::move(cb));
    deadline_of_.emplace(id, deadline);
    return id;
}

bool EventLoop::cancel_timer(TimerId id) {
    auto it = deadline_of_.find(id);
    if (it == deadline_of_.end()) {
        if (id == 0) return false;  // 0 marks the posted messages
        // Due already: its message may still be waiting in the queue.
        auto queued = std::find_if(messages_.begin(), messages_.end(),
                                   [id](const Message& m) { return m.timer == id; });
        if (queued == messages_.end()) return false;
        messages_.erase(queued);
        return true;
    }
    timers_.erase(Timer{it->second, id});
    deadline_of_.erase(it);
    return true;
}

bool EventLoop::timer_pending(TimerId id) const {
    return deadline_of_.contains(id);
}

EventLoop::WatchId EventLoop::watch_fd(int fd, short events, std::function<void(short)> cb) {
    const WatchId id = next_watch_id_++;
    watches_.emplace(id, Watch{fd, events, std::move(cb)});
    return id;
}

void EventLoop::set_fd_events(WatchId id, short events) {
    if (auto it = watches_.find(id); it != watches_.end()) it->second.events = events;
}

void EventLoop::unwatch_fd(WatchId id) {
    watches_.erase(id);
}

void EventLoop::add_poll_source(PollSource* source) {
    sources_.push_back(Source{next_source_serial_++, source});
}

void EventLoop::remove_poll_source(PollSource* source) {
    std::erase_if(sources_, [source](const Source& s) { return s.source == source; });
}

bool EventLoop::source_registered(std::uint64_t serial) const {
    return std::any_of(sources_.begin(), sources_.end(),
                       [serial](const Source& s) { return s.serial == serial; });
}

EventLoop::HookId EventLoop::add_before_block(Callback hook) {
    const HookId id = next_hook_id_++;
    before_block_.emplace(id, std::move(hook));
    return id;
}

void EventLoop::remove_before_block(HookId id) {
    if (id != 0 && id == running_hook_) {
        running_hook_removed_ = true;  // erased once it returns: it is still executing
        return;
    }
    before_block_.erase(id);
}

void EventLoop::run_before_block_hooks() {
    // Hooks added meanwhile have higher ids than `last` and wait for the next iteration.
    const HookId last = next_hook_id_ - 1;
    for (auto it = before_block_.begin(); it != before_block_.end() && it->first <= last;) {
        const HookId id = it->first;
        running_hook_ = id;
        running_hook_removed_ = false;
        it->second();
        running_hook_ = 0;
        if (running_hook_removed_) before_block_.erase(id);
        it = before_block_.upper_bound(id);
    }
}

void EventLoop::post(Callback msg) {
    messages_.push_back(Message{std::move(msg), RunKey{}, 0});
}

void EventLoop::post_repeatable(RunKey key, Callback msg) {
    if (key.owner != nullptr && !messages_.empty() && messages_.back().key == key) {
        ++messages_.back().repeats;
        return;
    }
    messages_.push_back(Message{std::move(msg), key, 0});
}

int EventLoop::run() {
    while (!stopped_)
        run_once(-1);
    return exit_code_;
}

void EventLoop::stop(int code) {
    if (!stopped_) exit_code_ = code;
    stopped_ = true;
}

std::optional<std::uint64_t> EventLoop::ms_until_next_timer() const {
    if (timers_.empty()) return std::nullopt;
    const std::uint64_t now = now_ms();
    const std::uint64_t deadline = timers_.begin()->first.deadline_ms;
    return deadline > now ? deadline - now : 0;
}

int EventLoop::next_timeout_ms(int max_wait_ms) const {
    if (!messages_.empty()) return 0;
    long long wait = max_wait_ms < 0 ? std::numeric_limits<int>::max() : max_wait_ms;
    if (!timers_.empty()) {
        const std::uint64_t now = now_ms();
        const std::uint64_t deadline = timers_.begin()->first.deadline_ms;
        const long long until = deadline > now ? static_cast<long long>(deadline - now) : 0;
        wait = std::min(wait, until);
    }
    return static_cast<int>(wait);
}

void EventLoop::collect_expired_timers() {
    const std::uint64_t now = now_ms();
    while (!timers_.empty() && timers_.begin()->first.deadline_ms <= now) {
        auto node = timers_.extract(timers_.begin());
        deadline_of_.erase(node.key().id);
        messages_.push_back(Message{std::move(node.mapped()), RunKey{}, 0, node.key().id});
    }
}

void EventLoop::run_once(int max_wait_ms) {
    run_before_block_hooks();

    int timeout = next_timeout_ms(max_wait_ms);
    pollfds_.clear();
    std::vector<WatchId> watch_ids;
    watch_ids.reserve(watches_.size());
    for (const auto& [id, w] : watches_) {
        pollfds_.push_back(pollfd{w.fd, w.events, 0});
        watch_ids.push_back(id);
    }
    std::vector<std::size_t> source_start;
    source_start.reserve(sources_.size() + 1);
    for (const Source& s : sources_) {
        source_start.push_back(pollfds_.size());
        s.source->prepare(pollfds_, timeout);
    }
    source_start.push_back(pollfds_.size());
    if (!messages_.empty()) timeout = 0;

    waiting_.store(true, std::memory_order_relaxed);
    int n = ::poll(pollfds_.data(), static_cast<nfds_t>(pollfds_.size()), timeout);
    waiting_.store(false, std::memory_order_relaxed);
    progress_.fetch_add(1, std::memory_order_relaxed);
    if (n < 0 && errno != EINTR) n = 0;

    // Descriptor callbacks first: they feed the network stack, which may post native messages.
    const auto sources = sources_;  // a dispatch may remove (and destroy) a source
    for (std::size_t i = 0; i < sources.size(); ++i) {
        if (!source_registered(sources[i].serial)) continue;
        const std::size_t begin = source_start[i];
        const std::size_t end = source_start[i + 1];
        sources[i].source->dispatch(std::span<const pollfd>(pollfds_.data() + begin, end - begin));
    }
    for (std::size_t i = 0; i < watch_ids.size(); ++i) {
        const short revents = pollfds_[i].revents;
        if (revents == 0) continue;
        auto it = watches_.find(watch_ids[i]);
        if (it == watches_.end()) continue;  // unwatched by an earlier callback
        auto cb = it->second.cb;             // a callback may unwatch itself
        cb(revents);
    }

    collect_expired_timers();
    drain_messages();
}

void EventLoop::drain_messages() {
    // As sys.safeRun: drain the publish queue, take one native message, repeat; the queue is also
    // drained after the last message so that nothing published stays queued while the loop blocks.
    while (!stopped_) {
        if (before_message_) before_message_();
        if (messages_.empty() || stopped_) break;
        progress_.fetch_add(1, std::memory_order_relaxed);
        Message& front = messages_.front();
        if (front.repeats > 0) {
            // Stays at the head for its next run; a copy runs (a nested drain may pop the original).
            --front.repeats;
            Callback msg = front.run;
            msg();
            continue;
        }
        Callback msg = std::move(front.run);
        messages_.pop_front();
        msg();
    }
}

}  // namespace sys_task
