#include "platform_air780ep/clock_commands.hpp"

#include <string>

namespace platform_air780ep {

namespace {

std::string describe(const NetworkTime& time) {
    const std::int64_t skew = time.skew_seconds();
    return "clock " + std::string(skew < 0 ? "" : "+") + std::to_string(skew) + " s (network time " +
           std::to_string(time.unix_ms() / 1000) + ")";
}

}  // namespace

void add_clock_commands(ControlServer& server, NetworkTime& time) {
    server.add_command("clock", "clock [+SECONDS|-SECONDS|0]: skew the simulated network's NTP time",
                       [&time](std::string_view args) -> std::string {
                           if (args.empty()) return "ok " + describe(time);
                           std::string error;
                           const auto skew = parse_clock_skew(args, error);
                           if (!skew) return "error " + error;
                           time.set_skew_seconds(*skew);
                           return "ok " + describe(time);
                       });
}

}  // namespace platform_air780ep
