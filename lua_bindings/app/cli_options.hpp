// The command line of `luatos`, in one table: `luatos [options] DIR/ | FILE.lua ...`.
//
// Each option is one OptionSpec (name, argument, help, and the function applying it to CliConfig;
// the parser is sys_task/command_line.hpp, shared with the bench programs); add new options to
// cli_options().
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/network_options.hpp"
#include "sys_task/command_line.hpp"

namespace lua_bindings {

struct CliConfig {
    DeviceConfig device;
    NetworkOptions network;
    std::optional<std::string> imei;
    std::optional<std::string> unique_id;  // binary, parsed from --unique-id HEX
    std::optional<std::chrono::milliseconds> run_for;
    std::vector<std::string> scripts;  // folders and files forming /luadb/
    bool help = false;
};

using OptionSpec = sys_task::CommandOption<CliConfig>;

std::vector<OptionSpec> cli_options();

// --channels: at most this many socket channels (each may hold a socket and its buffers, and wait for
// a DNS answer: lwIP's DNS_MAX_REQUESTS is 255).
inline constexpr std::size_t kMaxChannels = 255;

// Parse the arguments after the program name. Returns false with a message on a usage error.
bool parse_cli(std::span<const std::string> args, CliConfig& out, std::string& error);

std::string usage_text();

// The values of options. On a bad one `error` says what was expected: "a duration like 500ms, 10s or
// 2m, not 'soon'" (an option's message is "--run-for needs " + that).
// "500ms", "10s", "2m", "1h", or a bare number of seconds ("1.5").
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string& error);
// "4194296", "512k", "4M" (k/K = 1024, m/M = 1048576), more than 0.
std::optional<std::size_t> parse_size(std::string_view text, std::string& error);
// "+8", "-5", "+5:30", "0", "UTC+8": minutes east of UTC.
std::optional<int> parse_tz(std::string_view text, std::string& error);

}  // namespace lua_bindings
