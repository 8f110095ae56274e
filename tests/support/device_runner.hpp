// Test support: scripts run in-process on a Device with its network (install_network), the log lines
// captured without the Luatools prefix. The test's own code can act while the device runs, from the
// device's thread: `on_line` sees every line as it is logged, `setup` gets the Device before run().
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/network_options.hpp"
#include "tests/support/luatos_process.hpp"

namespace tests {

// The two network paths every end-to-end MQTT test runs on.
enum class NetPath { kEth0, kLwip };
const char* to_string(NetPath path);
// "eth0" / "lwip": the --adapter value.
std::string adapter_option(NetPath path);

// Network options for a test broker on 127.0.0.1:port: the guide's broker names (lbsmqtt.airm2m.com,
// broker.emqx.io) and "broker.test" go there; the default adapter is the path's, and the cellular
// link exists only on the lwIP path (lwIP is one per process).
lua_bindings::NetworkOptions network_to(NetPath path, std::uint16_t port);
// The luatos command-line equivalent: --adapter and --host options.
std::vector<std::string> network_args(NetPath path, std::uint16_t port);

struct DeviceOptions {
    std::map<std::string, std::string> files;  // the /luadb/ image (main.lua at least)
    std::chrono::milliseconds run_for{20000};  // a safety net: scripts end with os.exit
    std::uint64_t attach_delay_ms = 20;
    lua_bindings::NetworkOptions network;
    std::string imei = "864291050111210";
    std::function<void(lua_bindings::Device&)> setup;
    std::function<void(lua_bindings::Device&, std::string_view line)> on_line;
};

struct DeviceResult {
    int exit_code = -1;
    Lines lines;
};

DeviceResult run_device(const DeviceOptions& options);
// The same with main.lua only.
DeviceResult run_device(const std::string& main_lua, const DeviceOptions& options);

// Reads every file of a folder (demo_scripts/x/) into an image map.
std::map<std::string, std::string> read_folder(const std::filesystem::path& folder);
// A path in the repository.
std::filesystem::path repo_path(const std::string& relative);
// demo_scripts/<name>.
std::filesystem::path demo_folder(const std::string& name);

}  // namespace tests
