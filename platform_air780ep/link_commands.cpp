#include "platform_air780ep/link_commands.hpp"

#include <charconv>
#include <cmath>

namespace platform_air780ep {

void add_link_commands(ControlServer& server, SlirpLink& link) {
    server.add_command("link", "link KEY=VALUE... (profile delay jitter loss rate up_*/down_* queue seed)",
                       [&link](std::string_view args) -> std::string {
                           if (args.empty()) return "ok " + link.settings().describe();
                           std::string error;
                           auto settings = link.settings().with(args, error);
                           if (!settings) return "error " + error;
                           link.configure(*settings);
                           return "ok " + settings->describe();
                       });
    server.add_command("outage", "outage SECONDS: link down now, up again after SECONDS",
                       [&link](std::string_view args) -> std::string {
                           double seconds = 0;
                           const auto [end, ec] =
                               std::from_chars(args.data(), args.data() + args.size(), seconds);
                           if (args.empty() || ec != std::errc{} || end != args.data() + args.size() ||
                               !std::isfinite(seconds) || seconds <= 0 || seconds > 86400) {
                               return "error outage needs a duration in seconds (0 < s <= 86400), got '" +
                                      std::string(args) + "'";
                           }
                           link.outage(static_cast<std::uint64_t>(std::llround(seconds * 1000)));
                           return "ok link down for " + std::string(args) + " s";
                       });
    server.add_command("down", "down: link down until `up`", [&link](std::string_view) -> std::string {
        link.set_down();
        return "ok link down";
    });
    server.add_command("up", "up: link up now", [&link](std::string_view) -> std::string {
        link.set_up();
        return "ok link up";
    });
    server.add_command("status", "status: link state, settings and counters",
                       [&link](std::string_view) -> std::string { return "ok " + link.status(); });
}

}  // namespace platform_air780ep
