// luatos: run a folder of Air780EP LuatOS scripts on this machine (see usage_text()).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lua_bindings/app/cli_options.hpp"
#include "lua_bindings/app/fleet/fleet_main.hpp"
#include "lua_bindings/app/status_reporter.hpp"
#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_network.hpp"
#include "platform_air780ep/host_file.hpp"
#include "platform_air780ep/identity.hpp"
#include "platform_air780ep/luadb_image.hpp"

namespace {

// Process-wide signal plumbing (signals belong to the process, not to a device): SIGINT and SIGTERM
// write their number to this pipe, which the device's event loop watches, so Ctrl-C ends the run
// through the normal path (log complete, temporary data folder removed). The handler then restores
// the default action: a second signal kills at once, e.g. a script stuck in a Lua loop.
int signal_pipe[2] = {-1, -1};

void on_stop_signal(int sig) {
    const auto byte = static_cast<unsigned char>(sig);
    [[maybe_unused]] const ssize_t n = ::write(signal_pipe[1], &byte, 1);
    ::signal(sig, SIG_DFL);
}

// A signal written to the pipe ends the run (called by the loop, or by the busy-script guard when a
// script spins and the loop never comes round).
void take_stop_signal(lua_bindings::Device& device) {
    unsigned char sig = 0;
    if (::read(signal_pipe[0], &sig, 1) != 1) return;
    device.logger().warn("main", std::string("stopped by ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
    device.vm_exit().request(sys_task::VmExit::Kind::kExit, 128 + sig);
}

void stop_on_signals(lua_bindings::Device& device) {
    if (::pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return;
    device.loop().watch_fd(signal_pipe[0], POLLIN, [&device](short) { take_stop_signal(device); });
    device.vm_exit().busy().add_check([&device] { take_stop_signal(device); });
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

int usage_error(const std::string& message) {
    std::fprintf(stderr, "luatos: %s\nTry 'luatos --help' for more information.\n", message.c_str());
    return 2;
}

// What names this device when no --unique-id is given: this machine and where its scripts are.
std::string identity_seed(const std::vector<std::string>& scripts) {
    std::string error;  // no machine id: the host name instead
    std::string seed = platform_air780ep::read_host_file("/etc/machine-id", error).value_or("");
    seed.resize(std::min(seed.size(), seed.find('\n')));
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

    std::vector<std::string> args(argv + 1, argv + argc);
    // `luatos fleet ...`: many devices, one process each (docs/fleet.md).
    if (!args.empty() && args[0] == "fleet") return lua_bindings::fleet_main({args.begin() + 1, args.end()});
    lua_bindings::CliConfig cfg;
    std::string error;
    bool status_ok = true;
    const std::optional<int> status_fd = lua_bindings::take_status_fd(args, status_ok, error);
    if (!status_ok) return usage_error(error);
    if (!lua_bindings::parse_cli(args, cfg, error)) return usage_error(error);
    if (cfg.help) {
        std::fputs(lua_bindings::usage_text().c_str(), stdout);
        return 0;
    }
    if (cfg.scripts.empty()) return usage_error("no scripts given (a folder with main.lua, or .lua files)");

    auto image = platform_air780ep::LuadbImage::load(cfg.scripts, error);
    if (!image) return usage_error(error);
    if (!image->has_main()) return usage_error("no main.lua among the scripts given; it is the entry point");

    auto identity =
        platform_air780ep::make_identity(identity_seed(cfg.scripts), cfg.unique_id, cfg.imei, error);
    if (!identity) return usage_error(error);

    lua_bindings::Device device(cfg.device, std::move(*identity), std::move(*image));
    if (lua_bindings::install_network(device, std::move(cfg.network), error) == nullptr) {
        std::fprintf(stderr, "luatos: %s\n", error.c_str());
        return 1;
    }
    stop_on_signals(device);
    std::optional<lua_bindings::StatusReporter> status;
    if (status_fd) status.emplace(device, *status_fd);
    const int code = device.run(cfg.run_for);
    if (status) status->finish(code);
    return code;
}
