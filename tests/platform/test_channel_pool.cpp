#include <catch2/catch.hpp>
#include <vector>

#include "platform_air780ep/channel_pool.hpp"

using namespace platform_air780ep;

TEST_CASE("8 channels, then refusal with a message, then release makes room") {
    ChannelPool pool;
    CHECK(pool.capacity() == 8);
    std::vector<Channel> held;
    std::string error;
    for (int i = 0; i < 8; ++i) {
        auto c = pool.acquire(i < 6 ? "mqtt" : "tcp", error);
        REQUIRE(c);
        CHECK(c->index() == static_cast<std::size_t>(i));
        held.push_back(std::move(*c));
    }
    CHECK(pool.in_use() == 8);
    CHECK(pool.available() == 0);
    CHECK_FALSE(pool.acquire("mqtt", error));
    CHECK(error == "no free socket channel for mqtt: all 8 in use (mqtt,mqtt,mqtt,mqtt,mqtt,mqtt,tcp,tcp)");

    held.erase(held.begin() + 2);  // the handle gives its channel back
    CHECK(pool.in_use() == 7);
    CHECK(pool.describe() == "mqtt,mqtt,-,mqtt,mqtt,mqtt,tcp,tcp");
    auto again = pool.acquire("udp", error);
    REQUIRE(again);
    CHECK(again->index() == 2);
    CHECK(pool.describe() == "mqtt,mqtt,udp,mqtt,mqtt,mqtt,tcp,tcp");

    // Moving a handle moves the ownership; release() is idempotent.
    Channel moved = std::move(*again);
    CHECK_FALSE(again->held());
    CHECK(moved.held());
    moved.release();
    moved.release();
    CHECK(pool.in_use() == 7);
    held.clear();
    CHECK(pool.in_use() == 0);
}
