// The EventLoop extensions the network platform relies on: removable before-block hooks, and poll
// sources removed (destroyed) during a dispatch round not being dispatched.
#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "sys_task/event_loop.hpp"

using sys_task::EventLoop;

TEST_CASE("before-block hooks run in order and can be removed, even by themselves") {
    EventLoop loop;
    std::vector<int> trace;
    EventLoop::HookId self_id = 0;
    const auto a = loop.add_before_block([&] { trace.push_back(1); });
    self_id = loop.add_before_block([&] {
        trace.push_back(2);
        loop.remove_before_block(self_id);
    });
    loop.add_before_block([&] { trace.push_back(3); });
    loop.run_once(0);
    loop.run_once(0);
    loop.remove_before_block(a);
    loop.run_once(0);
    CHECK(trace == std::vector<int>{1, 2, 3, 1, 3, 3});
}

namespace {

struct Source : sys_task::PollSource {
    std::function<void()> on_dispatch;
    int dispatched = 0;
    void prepare(std::vector<pollfd>&, int& timeout) override { timeout = 0; }
    void dispatch(std::span<const pollfd>) override {
        ++dispatched;
        if (on_dispatch) on_dispatch();
    }
};

}  // namespace

TEST_CASE("a poll source removed by an earlier dispatch is not dispatched") {
    EventLoop loop;
    Source first;
    auto second = std::make_unique<Source>();
    loop.add_poll_source(&first);
    loop.add_poll_source(second.get());
    first.on_dispatch = [&] {
        loop.remove_poll_source(second.get());
        second.reset();  // destroyed: must not be touched in this round
    };
    loop.run_once(0);
    CHECK(first.dispatched == 1);
    CHECK(second == nullptr);
    loop.remove_poll_source(&first);
}
