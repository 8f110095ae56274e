// The command line of `luatos fleet [options] DIR/ | FILE.lua ...` (docs/fleet.md): the fleet's own
// options, and the device options that apply to every device, kept as arguments for the children.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lua_bindings/app/fleet/fleet_plan.hpp"

namespace lua_bindings {

struct FleetConfig {
    std::size_t devices = 1;                   // in the whole fleet (over every shard)
    Shard shard;                               // which slice of them this process runs
    std::uint64_t imei_base = 86429105000000;  // device k's IMEI: base + k, then the Luhn digit
    double ramp_per_s = 200;                   // devices started per second
    LinkMix link_mix;                          // empty: every device gets the --link given
    std::uint64_t seed = 1;                    // the link mix's draw and the links' own random numbers
    std::string dir;                           // the fleet folder ("": a fresh one under /tmp)
    std::string control;                       // the fleet's control socket ("": none)
    std::string summary;                       // the JSON summary's path ("": none)
    std::vector<std::string> device_args;      // passed to every device (--host, --link, --run-for...)
    std::vector<std::string> scripts;
    bool help = false;
};

// Parse the arguments after `fleet`. False with a message on a usage error (the device options are
// checked by the device's own parser, so a fleet refuses what one device would refuse).
bool parse_fleet_cli(std::span<const std::string> args, FleetConfig& out, std::string& error);

std::string fleet_usage_text();

}  // namespace lua_bindings
