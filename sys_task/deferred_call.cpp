#include "sys_task/deferred_call.hpp"

namespace sys_task {

DeferredCall::DeferredCall(sys_task::EventLoop& loop, std::function<void()> action)
    : loop_(loop), action_(std::move(action)) {
    loop_.add_poll_source(this);
}

DeferredCall::~DeferredCall() {
    loop_.remove_poll_source(this);
}

void DeferredCall::prepare(std::vector<pollfd>&, int& timeout_ms) {
    if (armed_) timeout_ms = 0;
}

void DeferredCall::dispatch(std::span<const pollfd>) {
    if (!armed_) return;
    armed_ = false;
    action_();  // last statement: `this` may be gone afterwards
}

}  // namespace sys_task
