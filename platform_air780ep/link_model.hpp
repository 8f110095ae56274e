// The simulated cellular link between the module's lwIP and the network (slirp): per direction a
// bottleneck (serialisation at the configured rate, a tail-drop queue), one-way delay with jitter,
// random loss, and the link's up/down state (outages). Pure: time is passed in (microseconds on
// any monotonic clock) and randomness comes from a seeded generator, so a test drives it frame by
// frame and gets the same fates for the same seed.
//
// Frames are delivered in the order they were sent (jitter never reorders them: a cellular bearer
// delivers in order, and reordering would only add spurious TCP retransmissions). Only IP frames
// are impaired; link-layer frames (ARP, an artefact of our Ethernet framing that a cellular bearer
// does not have) pass at once, unless the link is down.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "platform_air780ep/link_settings.hpp"

namespace platform_air780ep {

enum class LinkDirection { kUp, kDown };  // up: module -> network

enum class LinkFate { kQueued, kLost, kDown, kQueueFull };

struct LinkCounters {
    std::uint64_t frames = 0;  // offered
    std::uint64_t delivered = 0;
    std::uint64_t lost = 0;        // random loss
    std::uint64_t down = 0;        // dropped while the link was down (or in flight when it went down)
    std::uint64_t queue_full = 0;  // tail drop at the bottleneck
    std::uint64_t bytes_delivered = 0;
};

class LinkModel {
  public:
    explicit LinkModel(const LinkSettings& settings = {});

    // New figures apply to frames offered from now on; frames in flight keep their schedule.
    // A different seed restarts the random sequence.
    void configure(const LinkSettings& settings);
    [[nodiscard]] const LinkSettings& settings() const { return settings_; }

    // Offer a frame at `now_us`. `impaired` = false for link-layer frames (no loss/delay/rate).
    LinkFate submit(LinkDirection dir, std::vector<std::uint8_t> frame, std::uint64_t now_us,
                    bool impaired = true);
    // The next frame due at or before `now_us` in that direction, in order.
    std::optional<std::vector<std::uint8_t>> take_due(LinkDirection dir, std::uint64_t now_us);

    // Up/down. Going down loses every frame in flight; `until_us` ends the outage by itself
    // (when advance() reaches it). Each change is recorded for take_state_changes().
    void set_down(std::optional<std::uint64_t> until_us = std::nullopt);
    void set_up();
    [[nodiscard]] bool is_up() const { return up_; }
    [[nodiscard]] std::optional<std::uint64_t> outage_end_us() const { return outage_end_us_; }
    // Ends an outage whose time has come.
    void advance(std::uint64_t now_us);
    // Up/down transitions since the last call (true = up), oldest first.
    std::vector<bool> take_state_changes();
    [[nodiscard]] bool has_state_changes() const { return !changes_.empty(); }

    // The earliest time something happens: a frame falls due or an outage ends.
    [[nodiscard]] std::optional<std::uint64_t> next_event_us() const;
    [[nodiscard]] const LinkCounters& counters(LinkDirection dir) const;
    [[nodiscard]] std::size_t in_flight(LinkDirection dir) const;

  private:
    struct Pending {
        std::uint64_t due_us;
        std::vector<std::uint8_t> frame;
    };
    struct Pipe {
        std::deque<Pending> frames;
        std::uint64_t busy_until_us = 0;  // the bottleneck is serialising until then
        std::uint64_t last_due_us = 0;
        LinkCounters counters;
    };

    Pipe& pipe(LinkDirection dir) { return dir == LinkDirection::kUp ? up_pipe_ : down_pipe_; }
    const Pipe& pipe(LinkDirection dir) const { return dir == LinkDirection::kUp ? up_pipe_ : down_pipe_; }
    void drop_in_flight(Pipe& p);

    LinkSettings settings_;
    std::mt19937_64 rng_;
    Pipe up_pipe_;
    Pipe down_pipe_;
    bool up_ = true;
    std::optional<std::uint64_t> outage_end_us_;
    std::vector<bool> changes_;
};

}  // namespace platform_air780ep
