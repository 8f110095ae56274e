#include "lua_bindings/app/fleet/fleet_main.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "lua_bindings/app/fleet/fleet_options.hpp"
#include "lua_bindings/app/fleet/fleet_supervisor.hpp"

namespace lua_bindings {

int fleet_main(std::span<const std::string> args) {
    FleetConfig cfg;
    std::string error;
    const auto usage_error = [](const std::string& message) {
        std::fprintf(stderr, "luatos fleet: %s\nTry 'luatos fleet --help' for more information.\n",
                     message.c_str());
        return 2;
    };
    if (!parse_fleet_cli(args, cfg, error)) return usage_error(error);
    if (cfg.help) {
        std::fputs(fleet_usage_text().c_str(), stdout);
        return 0;
    }
    if (cfg.scripts.empty()) return usage_error("no scripts given (a folder with main.lua, or .lua files)");
    // Every device runs this very executable, and finds its scripts whatever its working folder.
    std::error_code ec;
    const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    if (ec) return usage_error("cannot find this executable: " + ec.message());
    for (std::string& s : cfg.scripts) {
        const std::string absolute = std::filesystem::absolute(s, ec).string();
        s = (s.ends_with('/') && !absolute.ends_with('/')) ? absolute + "/" : absolute;
    }
    auto supervisor = FleetSupervisor::create(std::move(cfg), self, error);
    if (!supervisor) {
        std::fprintf(stderr, "luatos fleet: %s\n", error.c_str());
        return 1;
    }
    return supervisor->run();
}

}  // namespace lua_bindings
