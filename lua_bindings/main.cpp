// luatos: run a folder of Air780EP LuatOS scripts on this machine (see usage_text()).
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lua_bindings/cli_options.hpp"
#include "lua_bindings/device.hpp"
#include "platform_air780ep/identity.hpp"
#include "platform_air780ep/luadb_image.hpp"

namespace {

int usage_error(const std::string& message) {
    std::fprintf(stderr, "luatos: %s\nTry 'luatos --help' for more information.\n", message.c_str());
    return 2;
}

// What names this device when no --unique-id is given: this machine and where its scripts are.
std::string identity_seed(const std::vector<std::string>& scripts) {
    std::string seed;
    std::ifstream machine_id("/etc/machine-id");
    std::getline(machine_id, seed);
    if (seed.empty()) {
        char host[256] = {};
        ::gethostname(host, sizeof host - 1);
        seed = host;
    }
    for (const auto& s : scripts) {
        std::error_code ec;
        const auto canonical = std::filesystem::weakly_canonical(s, ec);
        seed += "|" + (ec ? s : canonical.string());
    }
    return seed;
}

}  // namespace

int main(int argc, char** argv) {
    // A closed stdout (e.g. `luatos dir/ | head`) must not kill the device; writes just fail.
    ::signal(SIGPIPE, SIG_IGN);

    const std::vector<std::string> args(argv + 1, argv + argc);
    luat::lua::CliConfig cfg;
    std::string error;
    if (!luat::lua::parse_cli(args, cfg, error)) return usage_error(error);
    if (cfg.help) {
        std::fputs(luat::lua::usage_text().c_str(), stdout);
        return 0;
    }
    if (cfg.scripts.empty()) return usage_error("no scripts given (a folder with main.lua, or .lua files)");

    auto image = luat::platform::LuadbImage::load(cfg.scripts, error);
    if (!image) return usage_error(error);
    if (!image->has_main()) return usage_error("no main.lua among the scripts given; it is the entry point");

    auto identity = luat::platform::make_identity(identity_seed(cfg.scripts), cfg.unique_id, cfg.imei, error);
    if (!identity) return usage_error(error);

    luat::lua::Device device(cfg.device, std::move(*identity), std::move(*image));
    return device.run(cfg.run_for);
}
