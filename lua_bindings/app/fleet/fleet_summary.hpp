// The fleet's figures: the status line printed each second and the summary at the end, as text and
// as JSON (docs/fleet.md, "Summary").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lua_bindings/app/fleet/fleet_device.hpp"
#include "lua_bindings/app/fleet/fleet_plan.hpp"

namespace lua_bindings {

struct FleetTotals {
    std::size_t devices = 0;
    std::size_t started = 0;
    std::size_t attached = 0;   // running, an adapter up
    std::size_t connected = 0;  // running, an MQTT client connected
    std::size_t ended = 0;
    std::size_t clean = 0;
    std::size_t crashed = 0;
    std::size_t never_connected = 0;  // no CONNACK (of the devices started)
    std::uint64_t uplinks = 0;
    std::uint64_t downlinks = 0;
    std::uint64_t reconnects = 0;
    std::optional<std::int64_t> connect_p50, connect_p99, connect_max;  // ms, over the devices that connected
};

FleetTotals fleet_totals(const std::vector<FleetDevice>& devices);
// Nearest-rank percentile (0 < p <= 100) of `values` (any order); nullopt when empty.
std::optional<std::int64_t> percentile(std::vector<std::int64_t> values, double p);

// "[ 12s] started 50/50 attached 50 mqtt 48 up 16.0/s down 0.0/s reconnects 2 errors 1"
// (rates over the last `interval_s`, from the totals then and now).
std::string status_line(double elapsed_s, const FleetTotals& now, const FleetTotals& before,
                        double interval_s);

std::string summary_text(const FleetTotals& t, const std::vector<FleetDevice>& devices, double elapsed_s);
std::string summary_json(const FleetTotals& t, const std::vector<FleetDevice>& devices, double elapsed_s,
                         Shard shard, const std::string& dir);

}  // namespace lua_bindings
