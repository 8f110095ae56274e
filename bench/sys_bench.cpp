// sys_bench: throughput of the `sys` scheduler and the idle cost of a waiting script.
//
//   publish+dispatch  messages published by a task (one argument each) and delivered to a function
//                     subscriber, per second (batches of 10000, each followed by one task switch)
//   task switches     two tasks ping-ponging through sys.publish / sys.waitUntil (no timers), per second
//   idle CPU          CPU time / wall time of a script whose only task loops on sys.wait(1000)
//
// Figures come from the scripts' own clock (mcu.ticks(), ms) and getrusage; run on an idle machine.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "lua_bindings/device/device.hpp"
#include "platform_air780ep/identity.hpp"

namespace {

struct Result {
    int exit_code = 0;
    std::vector<std::string> lines;
};

Result run(const std::string& main_lua, std::chrono::milliseconds run_for) {
    platform_air780ep::LuadbImage image;
    image.add("main.lua", main_lua);
    lua_bindings::DeviceConfig cfg;
    cfg.log_to_stdout = false;
    cfg.boot_banner = false;
    std::string error;
    auto identity = platform_air780ep::make_identity("bench", std::nullopt, std::nullopt, error);
    lua_bindings::Device device(cfg, *identity, std::move(image));
    Result r;
    device.logger().add_sink([&](std::string_view l) { r.lines.emplace_back(l); });
    r.exit_code = device.run(run_for);
    return r;
}

// "I/user.bench <name> <count> <ms>" -> count per second
double per_second(const Result& r, const std::string& name, long long& count, long long& ms) {
    for (const auto& l : r.lines) {
        std::istringstream in(l);
        std::string tag;
        std::string n;
        if (in >> tag >> n >> count >> ms && tag == "I/user.bench" && n == name) {
            return ms > 0 ? static_cast<double>(count) * 1000.0 / static_cast<double>(ms) : 0.0;
        }
    }
    return 0.0;
}

double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main() {
    long long count = 0;
    long long ms = 0;

    const auto pub = run(R"LUA(
        local N, BATCH = 2000000, 10000
        local received = 0
        sys.subscribe("M", function(i) received = received + 1 end)
        sys.taskInit(function()
            local t0 = mcu.ticks()
            for round = 1, N / BATCH do
                for i = 1, BATCH do sys.publish("M", i) end
                sys.publish("ROUND")
                sys.waitUntil("ROUND")
            end
            log.info("bench", "publish", received, mcu.ticks() - t0)
            os.exit(0)
        end)
        sys.run()
    )LUA",
                         std::chrono::minutes(5));
    const double pub_rate = per_second(pub, "publish", count, ms);
    std::printf("publish+dispatch: %.0f messages/s (%lld messages in %lld ms)\n", pub_rate, count, ms);

    const auto sw = run(R"LUA(
        local N = 500000
        sys.taskInit(function()
            while true do sys.waitUntil("PING") sys.publish("PONG") end
        end)
        sys.taskInit(function()
            local t0 = mcu.ticks()
            for i = 1, N do
                sys.publish("PING")
                sys.waitUntil("PONG")
            end
            log.info("bench", "switch", 2 * N, mcu.ticks() - t0)
            os.exit(0)
        end)
        sys.run()
    )LUA",
                        std::chrono::minutes(5));
    const double switch_rate = per_second(sw, "switch", count, ms);
    std::printf("task switches:    %.0f switches/s (%lld resumes in %lld ms, no sys.wait)\n", switch_rate,
                count, ms);

    const auto idle_for = std::chrono::seconds(3);
    const double cpu0 = cpu_seconds();
    const auto wall0 = std::chrono::steady_clock::now();
    run("sys.taskInit(function() while true do sys.wait(1000) end end) sys.run()", idle_for);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    const double cpu = cpu_seconds() - cpu0;
    std::printf("idle CPU:         %.3f%% (%.1f ms CPU over %.2f s of a script that only waits)\n",
                100.0 * cpu / wall, cpu * 1000.0, wall);
    return pub_rate > 0 && switch_rate > 0 ? 0 : 1;
}
