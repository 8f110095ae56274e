#include "tests/support/device_runner.hpp"

#include <stdexcept>

#include "lua_bindings/device/device_network.hpp"
#include "platform_air780ep/identity.hpp"

namespace tests {

#ifndef LUATOS_SOURCE_DIR
#error "LUATOS_SOURCE_DIR must name the repository"
#endif

const char* to_string(NetPath path) {
    return path == NetPath::kEth0 ? "ETH0" : "LWIP_GP";
}

std::string adapter_option(NetPath path) {
    return path == NetPath::kEth0 ? "eth0" : "lwip";
}

namespace {

const char* const kBrokerNames[] = {"lbsmqtt.airm2m.com", "broker.emqx.io", "broker.test"};

}  // namespace

lua_bindings::NetworkOptions network_to(NetPath path, std::uint16_t port) {
    lua_bindings::NetworkOptions n;
    for (const char* name : kBrokerNames)
        n.hosts.add(name, platform_air780ep::HostTarget{"127.0.0.1", port});
    n.default_adapter =
        path == NetPath::kEth0 ? platform_air780ep::kAdapterEth0 : platform_air780ep::kAdapterLwipGp;
    n.cellular = path == NetPath::kLwip;
    return n;
}

std::vector<std::string> network_args(NetPath path, std::uint16_t port) {
    std::vector<std::string> args{"--adapter", adapter_option(path)};
    for (const char* name : kBrokerNames) {
        args.emplace_back("--host");
        args.push_back(std::string(name) + "=127.0.0.1:" + std::to_string(port));
    }
    return args;
}

DeviceResult run_device(const DeviceOptions& options) {
    platform_air780ep::LuadbImage image;
    for (const auto& [name, content] : options.files)
        image.add(name, content);
    lua_bindings::DeviceConfig cfg;
    cfg.log_to_stdout = false;
    cfg.boot_banner = false;
    cfg.attach_delay_ms = options.attach_delay_ms;
    std::string error;
    auto identity = platform_air780ep::make_identity(
        "e2e-test", std::string("\x12\x34\x56\x78\x9A\xBC\xDE\xF0", 8), options.imei, error);
    if (!identity) throw std::runtime_error("bad test identity: " + error);
    lua_bindings::Device device(cfg, std::move(*identity), std::move(image));
    DeviceResult result;
    device.logger().add_sink([&](std::string_view line) {
        result.lines.emplace_back(line);
        if (options.on_line) options.on_line(device, line);
    });
    if (lua_bindings::install_network(device, options.network, error) == nullptr)
        throw std::runtime_error("the test device's network: " + error);
    if (options.setup) options.setup(device);
    result.exit_code = device.run(options.run_for);
    return result;
}

DeviceResult run_device(const std::string& main_lua, const DeviceOptions& options) {
    DeviceOptions o = options;
    o.files["main.lua"] = main_lua;
    return run_device(o);
}

std::map<std::string, std::string> read_folder(const std::filesystem::path& folder) {
    std::map<std::string, std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        if (entry.is_regular_file()) files[entry.path().filename().string()] = read_file(entry.path());
    }
    return files;
}

std::filesystem::path repo_path(const std::string& relative) {
    return std::filesystem::path(LUATOS_SOURCE_DIR) / relative;
}

std::filesystem::path demo_folder(const std::string& name) {
    return repo_path("demo_scripts/" + name);
}

}  // namespace tests
