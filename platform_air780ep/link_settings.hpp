// The figures of the simulated cellular link, per direction, and the named profiles.
//
// Text form (command line `--link`, config files, the control socket's `link` command): a list of
// key=value separated by commas or spaces, applied in order on top of the current settings:
//   profile=NAME   start from a named profile (ideal, good, cat1, poor4g)
//   delay=MS       one-way delay, both directions (up_delay= / down_delay= for one)
//   jitter=MS      delay variation, both directions (up_jitter= / down_jitter=)
//   loss=P         frame loss probability, both directions: 0.1 or 10% (up_loss= / down_loss=)
//   rate=R         bandwidth, both directions (up_rate= / down_rate=): kbit/s, or with a suffix
//                  k / M (kbit/s, Mbit/s); 0 or "off" = unlimited
//   queue=BYTES    bottleneck queue per direction (suffix k = KiB); frames beyond it are dropped
//   seed=N         seed of the loss/jitter randomness (same seed, same frame fates)
// Example: `profile=cat1,loss=0.1,delay=300`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace platform_air780ep {

struct DirectionSettings {
    double delay_ms = 0;         // one way, mean
    double jitter_ms = 0;        // each frame's delay is uniform in [delay - jitter, delay + jitter] (>= 0)
    double loss = 0;             // probability that a frame is lost, 0..1
    std::uint64_t rate_bps = 0;  // bits per second on the air interface; 0 = unlimited
    std::size_t queue_bytes = 256 * 1024;  // bytes waiting for the air interface before tail drop

    bool operator==(const DirectionSettings&) const = default;
};

struct LinkSettings {
    std::string profile = "ideal";
    DirectionSettings up;    // module -> network
    DirectionSettings down;  // network -> module
    std::uint64_t seed = 1;

    bool operator==(const LinkSettings&) const = default;

    // A named profile; nullopt if unknown.
    static std::optional<LinkSettings> profile_named(std::string_view name);
    static std::vector<std::string> profile_names();

    // Parse a spec (see above) on top of a copy of *this. On error returns nullopt and sets `error`.
    [[nodiscard]] std::optional<LinkSettings> with(std::string_view spec, std::string& error) const;
    // One line: "profile=cat1 delay=40/40ms jitter=10/10ms loss=0.002/0.002 rate=2000/5000kbit/s ..."
    [[nodiscard]] std::string describe() const;
};

}  // namespace platform_air780ep
