#include "lua_bindings/app/fleet/fleet_options.hpp"

#include <charconv>
#include <string_view>

#include "lua_bindings/app/cli_options.hpp"
#include "sys_task/command_line.hpp"

namespace lua_bindings {

namespace {

using FleetOption = sys_task::CommandOption<FleetConfig>;

template <class T>
std::optional<T> parse_number(std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// A device option every device gets as given.
FleetOption pass_through(std::string_view name, std::string_view arg, std::string_view help) {
    return {name, arg, help, [name](FleetConfig& c, std::string_view v, std::string&) {
                c.device_args.emplace_back(name);
                c.device_args.emplace_back(v);
                return true;
            }};
}

std::vector<FleetOption> fleet_options() {
    return {
        {"--devices", "N", "devices in the whole fleet (over every shard); default 1",
         [](FleetConfig& c, std::string_view v, std::string& error) {
             const auto n = parse_number<std::size_t>(v);
             if (!n || *n == 0 || *n > 1000000) {
                 error = "--devices needs a count from 1 to 1000000, not '" + std::string(v) + "'";
                 return false;
             }
             c.devices = *n;
             return true;
         }},
        {"--shard", "K/N", "run the K-th (0-based) of N disjoint slices of the devices; default 0/1",
         [](FleetConfig& c, std::string_view v, std::string& error) {
             auto s = parse_shard(v, error);
             if (s) c.shard = *s;
             return s.has_value();
         }},
        {"--imei-base", "DIGITS",
         "device k's IMEI is this 14-digit number + k and its Luhn digit; default 86429105000000",
         [](FleetConfig& c, std::string_view v, std::string& error) {
             auto b = parse_imei_base(v, error);
             if (b) c.imei_base = *b;
             return b.has_value();
         }},
        {"--ramp", "RATE", "devices started per second (200/s); default 200/s",
         [](FleetConfig& c, std::string_view v, std::string& error) {
             auto r = parse_ramp(v, error);
             if (r) c.ramp_per_s = *r;
             return r.has_value();
         }},
        {"--link-mix", "MIX", "link profiles by weight, e.g. good=70,cat1=20,poor4g=10 (drawn with --seed)",
         [](FleetConfig& c, std::string_view v, std::string& error) {
             auto m = parse_link_mix(v, error);
             if (m) c.link_mix = std::move(*m);
             return m.has_value();
         }},
        {"--seed", "N", "the seed of the link mix and of the links' random numbers; default 1",
         [](FleetConfig& c, std::string_view v, std::string& error) {
             const auto n = parse_number<std::uint64_t>(v);
             if (!n) error = "--seed needs a number, not '" + std::string(v) + "'";
             if (n) c.seed = *n;
             return n.has_value();
         }},
        {"--dir", "PATH", "the fleet folder (devices.csv, one folder per device); default a new one in /tmp",
         [](FleetConfig& c, std::string_view v, std::string&) {
             c.dir = std::string(v);
             return true;
         }},
        {"--control", "PATH",
         "the fleet's control socket: `outage 30 devices=0-999`, `link loss=0.1 devices=10%`, `status`",
         [](FleetConfig& c, std::string_view v, std::string&) {
             c.control = std::string(v);
             return true;
         }},
        {"--summary", "FILE", "also write the summary as JSON to FILE",
         [](FleetConfig& c, std::string_view v, std::string&) {
             c.summary = std::string(v);
             return true;
         }},
        pass_through("--host", "NAME=ADDR[:PORT]", "as luatos --host, for every device (repeatable)"),
        pass_through("--link", "SPEC", "as luatos --link, for every device (after the mix's profile)"),
        pass_through("--adapter", "lwip|eth0", "as luatos --adapter"),
        pass_through("--attach-delay", "MS", "as luatos --attach-delay"),
        pass_through("--run-for", "DURATION", "as luatos --run-for: each device ends after it"),
        pass_through("--heap", "BYTES", "as luatos --heap"),
        pass_through("--tz", "OFFSET", "as luatos --tz"),
        pass_through("--channels", "N", "as luatos --channels"),
        {"--help", "", "show this help",
         [](FleetConfig& c, std::string_view, std::string&) {
             c.help = true;
             return true;
         },
         "-h"},
    };
}

}  // namespace

bool parse_fleet_cli(std::span<const std::string> args, FleetConfig& out, std::string& error) {
    const std::vector<std::string_view> views(args.begin(), args.end());
    if (!sys_task::parse_command_line<FleetConfig>(views, fleet_options(), out, &out.scripts, error))
        return false;
    if (out.help) return true;
    // What one device would refuse, the fleet refuses before starting any.
    std::vector<std::string> device = out.device_args;
    device.insert(device.end(), out.scripts.begin(), out.scripts.end());
    CliConfig probe;
    return parse_cli(device, probe, error);
}

std::string fleet_usage_text() {
    std::string s =
        "usage: luatos fleet [options] DIR/ | FILE.lua ...\n"
        "\n"
        "Run many simulated Air780EP modules from one script folder, one luatos process each: device k\n"
        "gets its own IMEI and unique id, data folder, log file and control socket under the fleet folder,\n"
        "starts at the ramp, and reports to this supervisor, which prints one status line a second and a\n"
        "summary at the end.\n"
        "\n"
        "options:\n";
    s += sys_task::command_line_help(fleet_options(), 26);
    s += "\n"
         "exit status: 1 when a device's script died (or it was killed); otherwise 128 + the signal that\n"
         "stopped the fleet (SIGINT, SIGTERM: the devices are stopped first), or 0; 2 for a usage error.\n";
    return s;
}

}  // namespace lua_bindings
