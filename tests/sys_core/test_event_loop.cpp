#include <unistd.h>

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "sys_task/event_loop.hpp"

using sys_task::EventLoop;

TEST_CASE("timers fire in deadline order, ties in creation order") {
    EventLoop loop;
    std::vector<int> order;
    loop.add_timer(20, [&] { order.push_back(3); });
    loop.add_timer(5, [&] { order.push_back(1); });
    loop.add_timer(5, [&] { order.push_back(2); });
    loop.add_timer(30, [&] { loop.stop(7); });
    CHECK(loop.run() == 7);
    CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("a cancelled timer never fires") {
    EventLoop loop;
    bool fired = false;
    auto id = loop.add_timer(5, [&] { fired = true; });
    CHECK(loop.timer_pending(id));
    CHECK(loop.cancel_timer(id));
    CHECK_FALSE(loop.timer_pending(id));
    CHECK_FALSE(loop.cancel_timer(id));
    loop.add_timer(15, [&] { loop.stop(0); });
    loop.run();
    CHECK_FALSE(fired);
}

TEST_CASE("a timer cancelled once it is due, before its queued message ran, never fires") {
    EventLoop loop;
    bool second_fired = false;
    EventLoop::TimerId second = 0;
    bool cancelled = false;
    // Both are due in the same iteration: the first's message runs first and cancels the second,
    // whose message is already queued behind it (its owner may be gone by now).
    loop.add_timer(0, [&] { cancelled = loop.cancel_timer(second); });
    second = loop.add_timer(0, [&] { second_fired = true; });
    loop.add_timer(10, [&] { loop.stop(0); });
    loop.run();
    CHECK(cancelled);
    CHECK_FALSE(second_fired);
    CHECK_FALSE(loop.cancel_timer(second));
}

TEST_CASE("the before-message hook runs before each native message and after the last") {
    EventLoop loop;
    std::vector<std::string> trace;
    int pending_publishes = 0;
    loop.set_before_message([&] {
        trace.push_back("drain" + std::to_string(pending_publishes));
        pending_publishes = 0;
    });
    loop.post([&] {
        trace.push_back("m1");
        pending_publishes = 1;
    });
    loop.post([&] { trace.push_back("m2"); });
    loop.drain_messages();
    CHECK(trace == std::vector<std::string>{"drain0", "m1", "drain1", "m2", "drain0"});
}

TEST_CASE("messages posted by a message run in the same drain, FIFO") {
    EventLoop loop;
    std::vector<int> order;
    loop.post([&] {
        order.push_back(1);
        loop.post([&] { order.push_back(3); });
    });
    loop.post([&] { order.push_back(2); });
    loop.drain_messages();
    CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("repeatable messages: each post runs once, in FIFO order, with the hook before each") {
    EventLoop loop;
    std::vector<std::string> trace;
    loop.set_before_message([&] { trace.push_back("-"); });
    const int owner = 0;
    const EventLoop::RunKey a{&owner, 1};
    const EventLoop::RunKey b{&owner, 2};
    auto post = [&](EventLoop::RunKey key, std::string name) {
        loop.post_repeatable(key, [&trace, name] { trace.push_back(name); });
    };
    post(a, "a");
    post(a, "a");
    post(a, "a");
    CHECK(loop.queued_slots() == 1);
    post(b, "b");  // another key ends the run
    CHECK(loop.queued_slots() == 2);
    loop.post([&] {
        trace.push_back("m");
        post(a, "a");  // joins the run of "a" at the tail: runs after the two queued after "m"
        CHECK(loop.queued_slots() == 1);
    });
    post(a, "a");
    post(a, "a");
    CHECK(loop.queued_slots() == 4);
    loop.drain_messages();
    CHECK(trace == std::vector<std::string>{"-", "a", "-", "a", "-", "a", "-", "b", "-", "m", "-", "a", "-",
                                            "a", "-", "a", "-"});
    CHECK(loop.queued_slots() == 0);
}

TEST_CASE("a repeatable message posted while its run is at the head joins the run, in order") {
    EventLoop loop;
    std::vector<int> order;
    const int owner = 0;
    int n = 0;
    std::function<void()> msg;
    msg = [&] {
        order.push_back(++n);
        if (n < 5) loop.post_repeatable({&owner, 7}, msg);  // nothing else queued: one slot all along
        CHECK(loop.queued_slots() <= 1);
    };
    loop.post_repeatable({&owner, 7}, msg);
    loop.post_repeatable({&owner, 7}, msg);
    loop.drain_messages();
    CHECK(order == std::vector<int>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("a readable descriptor wakes the loop and its callback runs") {
    EventLoop loop;
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::string got;
    auto id = loop.watch_fd(fds[0], POLLIN, [&](short) {
        char buf[16];
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n > 0) got.assign(buf, static_cast<std::size_t>(n));
        loop.stop(0);
    });
    loop.add_timer(5, [&] { REQUIRE(::write(fds[1], "hi", 2) == 2); });
    loop.add_timer(2000, [&] { loop.stop(1); });
    CHECK(loop.run() == 0);
    CHECK(got == "hi");
    loop.unwatch_fd(id);
    ::close(fds[0]);
    ::close(fds[1]);
}

TEST_CASE("an idle loop blocks until its timer instead of spinning") {
    EventLoop loop;
    int iterations = 0;
    loop.add_before_block([&] { ++iterations; });
    loop.add_timer(50, [&] { loop.stop(0); });
    loop.run();
    CHECK(iterations <= 3);
    CHECK(loop.now_ms() >= 50);
}
