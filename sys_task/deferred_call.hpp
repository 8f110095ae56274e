// A call that must not run inside the function that wants it: a stream's listener callbacks
// (TransportListener promises never to call back from inside a call its owner made) are armed
// here and run from the event loop's next dispatch, as internal plumbing (not a native message).
#pragma once

#include <functional>

#include "sys_task/event_loop.hpp"

namespace sys_task {

class DeferredCall final : public PollSource {
  public:
    DeferredCall(sys_task::EventLoop& loop, std::function<void()> action);
    ~DeferredCall() override;
    DeferredCall(const DeferredCall&) = delete;
    DeferredCall& operator=(const DeferredCall&) = delete;

    // Run the action once from the loop's next iteration (arming twice still runs it once).
    void arm() { armed_ = true; }
    void disarm() { armed_ = false; }
    [[nodiscard]] bool armed() const { return armed_; }

    void prepare(std::vector<pollfd>& fds, int& timeout_ms) override;
    // The action may destroy the DeferredCall's owner (and so this object).
    void dispatch(std::span<const pollfd> fds) override;

  private:
    sys_task::EventLoop& loop_;
    std::function<void()> action_;
    bool armed_ = false;
};

}  // namespace sys_task
