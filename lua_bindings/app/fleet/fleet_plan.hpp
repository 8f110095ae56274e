// The plan of a fleet, pure functions with no I/O (docs/fleet.md): which global device indices a
// shard runs, each device's identity and link profile, and which devices a `devices=` selection of
// a fleet control command names. Everything is derived from the index and the seed, so two runs,
// or two shards on two machines, agree without talking to each other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lua_bindings {

// `--shard K/N`: the K-th (0-based, as a Kubernetes completion index) of N disjoint slices.
struct Shard {
    std::size_t index = 0;
    std::size_t count = 1;
};
std::optional<Shard> parse_shard(std::string_view text, std::string& error);
// The global indices [first, last) shard `shard` of a fleet of `devices` runs: contiguous slices
// whose sizes differ by at most one, covering 0..devices-1 exactly once over all shards.
struct IndexRange {
    std::size_t first = 0;
    std::size_t last = 0;
};
IndexRange shard_range(std::size_t devices, Shard shard);

// `--imei-base`: 14 digits (the check digit is computed), or a valid 15-digit IMEI (its first 14).
std::optional<std::uint64_t> parse_imei_base(std::string_view text, std::string& error);

struct DeviceIdentity {
    std::string imei;           // 15 digits: base + index, then the Luhn digit
    std::string unique_id_hex;  // 16 bytes as 32 hex digits, from the IMEI body (unique per device)
};
// Device `index`'s identity; nullopt when base + index no longer fits in 14 digits.
std::optional<DeviceIdentity> device_identity(std::uint64_t imei_base, std::size_t index);

// `--link-mix good=70,cat1=20,poor4g=10`: profile names (LinkSettings::profile_named) and weights.
struct LinkMix {
    std::vector<std::string> profiles;
    std::vector<std::uint64_t> weights;
    [[nodiscard]] bool empty() const { return profiles.empty(); }
};
std::optional<LinkMix> parse_link_mix(std::string_view text, std::string& error);
// The profile of device `index` under `seed`: a seeded draw by weight, the same on every machine.
const std::string& pick_profile(const LinkMix& mix, std::uint64_t seed, std::size_t index);
// A per-device seed for the link's own random numbers (loss, jitter).
std::uint64_t device_link_seed(std::uint64_t seed, std::size_t index);

// `--ramp 200/s` (or `200`): devices started per second, more than 0.
std::optional<double> parse_ramp(std::string_view text, std::string& error);

// A fleet control command's `devices=` argument: global indices and ranges ("0-999", "5",
// "0-9,20-29"), or a fraction of the running devices ("25%", "0.25": the first ones by index).
struct DeviceSelection {
    std::vector<IndexRange> ranges;  // [first, last) of global indices
    std::optional<double> fraction;  // 0 < f <= 1
};
std::optional<DeviceSelection> parse_selection(std::string_view text, std::string& error);
// The members of `candidates` (sorted global indices) that `selection` names.
std::vector<std::size_t> select_devices(const DeviceSelection& selection,
                                        const std::vector<std::size_t>& candidates);

}  // namespace lua_bindings
