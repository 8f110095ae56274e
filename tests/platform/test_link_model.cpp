#include <catch2/catch.hpp>
#include <cmath>

#include "platform_air780ep/frame_codec.hpp"
#include "platform_air780ep/link_model.hpp"

using namespace platform_air780ep;

namespace {

std::vector<std::uint8_t> ip_frame(std::size_t ip_bytes) {
    std::vector<std::uint8_t> f(kEthHeaderLen + ip_bytes, 0);
    store_be16(f, 12, kEtherTypeIpv4);
    return f;
}

LinkSettings settings(const std::string& spec) {
    std::string error;
    auto s = LinkSettings{}.with(spec, error);
    INFO(error);
    REQUIRE(s);
    return *s;
}

}  // namespace

TEST_CASE("link settings parse from text, on top of a profile") {
    const LinkSettings s = settings("profile=cat1,loss=0.1,delay=300");
    CHECK(s.profile == "cat1+");
    CHECK(s.up.delay_ms == 300);
    CHECK(s.down.delay_ms == 300);
    CHECK(s.up.loss == 0.1);
    CHECK(s.down.loss == 0.1);
    CHECK(s.up.jitter_ms == 15);  // from the profile
    CHECK(s.up.rate_bps == 1'000'000);
    CHECK(s.down.rate_bps == 5'000'000);

    const LinkSettings t = settings("up_rate=512 down_rate=2M jitter=5ms loss=2% queue=64k seed=42");
    CHECK(t.up.rate_bps == 512'000);
    CHECK(t.down.rate_bps == 2'000'000);
    CHECK(t.up.jitter_ms == 5);
    CHECK(t.down.loss == Approx(0.02));
    CHECK(t.up.queue_bytes == 65536);
    CHECK(t.seed == 42);
    CHECK(t.describe() ==
          "profile=ideal+ delay=0/0ms jitter=5/5ms loss=0.02/0.02 rate=512/2000kbit/s queue=65536/65536 "
          "seed=42");
    CHECK(settings("rate=off").up.rate_bps == 0);

    std::string error;
    CHECK_FALSE(LinkSettings{}.with("profile=5g", error));
    CHECK(error == "unknown link profile '5g' (ideal, good, cat1, poor4g)");
    CHECK_FALSE(LinkSettings{}.with("loss=1.5", error));
    CHECK(error == "bad value for link setting loss: '1.5'");
    CHECK_FALSE(LinkSettings{}.with("delay=-3", error));
    CHECK_FALSE(LinkSettings{}.with("rate=fast", error));
    CHECK_FALSE(LinkSettings{}.with("speed=1", error));
    CHECK(error ==
          "unknown link setting 'speed' (profile, delay, jitter, loss, rate, up_*/down_*, queue, seed)");
    CHECK_FALSE(LinkSettings{}.with("delay", error));
    CHECK(error == "link setting 'delay' is not key=value");

    for (const auto& name : LinkSettings::profile_names())
        CHECK(LinkSettings::profile_named(name));
    CHECK(LinkSettings::profile_named("good")->up.loss == 0);
    CHECK(LinkSettings::profile_named("poor4g")->down.loss == 0.03);
}

TEST_CASE("a frame arrives after the one-way delay, in order, jitter included") {
    LinkModel link(settings("delay=100,jitter=40,seed=7"));
    for (std::uint64_t i = 0; i < 50; ++i) {
        auto f = ip_frame(100);
        f[20] = static_cast<std::uint8_t>(i);
        REQUIRE(link.submit(LinkDirection::kUp, f, i * 1000) == LinkFate::kQueued);
    }
    CHECK_FALSE(link.take_due(LinkDirection::kUp, 59'000));  // nothing before delay - jitter
    std::uint64_t now = 0;
    std::uint8_t expected = 0;
    std::uint64_t first_due = 0;
    while (expected < 50) {
        now += 500;
        REQUIRE(now < 400'000);
        while (auto f = link.take_due(LinkDirection::kUp, now)) {
            if (expected == 0) first_due = now;
            CHECK((*f)[20] == expected);  // never reordered
            ++expected;
        }
    }
    CHECK(first_due >= 60'000);
    CHECK(first_due <= 140'500);
    CHECK(now >= 49'000 + 60'000);
    CHECK(now <= 49'000 + 140'500);
    // Link-layer frames are not delayed.
    LinkModel plain(settings("delay=100"));
    std::vector<std::uint8_t> arp(42, 0);
    REQUIRE(plain.submit(LinkDirection::kDown, arp, 5, false) == LinkFate::kQueued);
    CHECK(plain.take_due(LinkDirection::kDown, 5));
}

TEST_CASE("loss follows the rate and the seed reproduces the same fates") {
    auto fates = [](std::uint64_t seed) {
        LinkModel link(settings("loss=0.1,seed=" + std::to_string(seed)));
        std::vector<bool> lost;
        for (int i = 0; i < 10000; ++i) {
            lost.push_back(link.submit(LinkDirection::kDown, ip_frame(60), 0) == LinkFate::kLost);
        }
        return std::make_pair(lost, link.counters(LinkDirection::kDown).lost);
    };
    const auto [a, lost_a] = fates(42);
    const auto [b, lost_b] = fates(42);
    const auto [c, lost_c] = fates(43);
    CHECK(a == b);  // same seed, same frames lost
    CHECK(a != c);
    // Binomial(10000, 0.1): mean 1000, sd 30. Six sd either way.
    CHECK(lost_a >= 820);
    CHECK(lost_a <= 1180);
    CHECK(lost_c >= 820);
    CHECK(lost_c <= 1180);
}

TEST_CASE("a bandwidth limit delivers 32 KiB in the time the rate says") {
    // 512 kbit/s up, no delay: 32 KiB of TCP payload in 1460-byte segments (1500-byte IP packets).
    LinkModel link(settings("up_rate=512"));
    const std::size_t payload = 32 * 1024;
    const std::size_t segments = (payload + 1459) / 1460;
    std::size_t ip_bytes = 0;
    for (std::size_t i = 0; i < segments; ++i) {
        const std::size_t seg = std::min<std::size_t>(1460, payload - i * 1460);
        ip_bytes += seg + 40;
        REQUIRE(link.submit(LinkDirection::kUp, ip_frame(seg + 40), 0) == LinkFate::kQueued);
    }
    std::uint64_t now = 0;
    std::size_t delivered = 0;
    std::uint64_t last = 0;
    while (delivered < segments) {
        now += 100;
        while (link.take_due(LinkDirection::kUp, now)) {
            ++delivered;
            last = now;
        }
        REQUIRE(now < 10'000'000);
    }
    const double expected_us = static_cast<double>(ip_bytes) * 8 * 1e6 / 512'000;  // 525 ms
    CHECK(static_cast<double>(last) == Approx(expected_us).epsilon(0.01));
    // Nothing is lost below the queue limit; the downlink is unaffected.
    CHECK(link.counters(LinkDirection::kUp).queue_full == 0);
    REQUIRE(link.submit(LinkDirection::kDown, ip_frame(1500), now) == LinkFate::kQueued);
    CHECK(link.take_due(LinkDirection::kDown, now));
}

TEST_CASE("the bottleneck queue drops frames beyond its size") {
    LinkModel link(settings("rate=100,queue=10k"));
    int queued = 0;
    int dropped = 0;
    for (int i = 0; i < 20; ++i) {
        const auto fate = link.submit(LinkDirection::kUp, ip_frame(1000), 0);
        if (fate == LinkFate::kQueued) ++queued;
        if (fate == LinkFate::kQueueFull) ++dropped;
    }
    CHECK(queued == 10);  // 10 x 1000 bytes fill the 10240-byte queue
    CHECK(dropped == 10);
    CHECK(link.counters(LinkDirection::kUp).queue_full == 10);
}

TEST_CASE("an outage drops frames both ways and ends by itself") {
    LinkModel link(settings("delay=50"));
    REQUIRE(link.submit(LinkDirection::kUp, ip_frame(100), 0) == LinkFate::kQueued);
    link.set_down(1'000'000);  // until t = 1 s
    CHECK_FALSE(link.is_up());
    CHECK(link.take_state_changes() == std::vector<bool>{false});
    CHECK(link.in_flight(LinkDirection::kUp) == 0);  // the frame in flight is lost
    CHECK(link.submit(LinkDirection::kUp, ip_frame(100), 10) == LinkFate::kDown);
    CHECK(link.submit(LinkDirection::kDown, ip_frame(100), 10) == LinkFate::kDown);
    CHECK(link.counters(LinkDirection::kUp).down == 2);
    CHECK(link.next_event_us() == std::optional<std::uint64_t>(1'000'000));
    link.advance(999'999);
    CHECK_FALSE(link.is_up());
    link.advance(1'000'000);
    CHECK(link.is_up());
    CHECK(link.take_state_changes() == std::vector<bool>{true});
    CHECK(link.submit(LinkDirection::kUp, ip_frame(100), 1'000'000) == LinkFate::kQueued);
    // Down until told otherwise, then up.
    link.set_down();
    link.advance(100'000'000);
    CHECK_FALSE(link.is_up());
    link.set_up();
    CHECK(link.take_state_changes() == std::vector<bool>{false, true});
    CHECK(link.take_state_changes().empty());
}
