// sys_bench: throughput of the `sys` scheduler and the idle cost of a waiting script.
//
//   publish+dispatch  messages published by a task (one argument each) and delivered to a function
//                     subscriber, per second (batches of 10000, each followed by one task switch)
//   task switches     two tasks ping-ponging through sys.publish / sys.waitUntil (no timers), per second
//   idle CPU          CPU time / wall time of a script whose only task loops on sys.wait(1000)
//   one wait          CPU time and loop turns of one sys.wait(200) (tests/runtime "an idle script blocks")
//   bounded run       how long Device::run(150 ms) takes for a script that waits forever
//   task error        from a task's error to the end of the VM (LuatOS: 500 ms), and how many of the
//                     other task's 100 ms waits ended meanwhile (of 5 if no wake-up were late)
//   timers            100k sys timers of one function (distinct arguments, 64 MiB heap): starts fresh,
//                     after churn, replacing, timerIsActive (`sys_bench timers` prints only these)
//
// Figures come from the scripts' own clock (mcu.ticks(), ms), steady_clock and getrusage; run on an
// idle machine. The last three are what tests/runtime once asserted with wall-clock bounds.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
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

Result run(const std::string& main_lua, std::chrono::milliseconds run_for,
           const std::function<void(lua_bindings::Device&)>& setup = {},
           std::size_t heap = lua_bindings::LuaHeap::kDefaultBudget) {
    platform_air780ep::LuadbImage image;
    image.add("main.lua", main_lua);
    lua_bindings::DeviceConfig cfg;
    cfg.log_to_stdout = false;
    cfg.boot_banner = false;
    cfg.attach_delay_ms = 10;
    cfg.heap_budget = heap;
    std::string error;
    auto identity = platform_air780ep::make_identity("bench", std::nullopt, std::nullopt, error);
    lua_bindings::Device device(cfg, *identity, std::move(image));
    Result r;
    device.logger().add_sink([&](std::string_view l) { r.lines.emplace_back(l); });
    if (setup) setup(device);
    r.exit_code = device.run(run_for);
    return r;
}

double ms_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
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

// 100k timers of one function with distinct arguments (--heap 64M): sys.timerStart fresh, a churn of
// stops and restarts (timerLoopStart too), starts that replace a running timer, timerIsActive.
int timer_figures() {
    const auto r = run(R"LUA(
        local N = 100000
        local function cb() end
        local t0 = mcu.ticks()
        for i = 1, N do sys.timerStart(cb, 3600000, i) end
        local fresh = mcu.ticks() - t0
        t0 = mcu.ticks()
        for round = 1, 3 do
            for i = 1, N, 2 do sys.timerStop(cb, i) end
            for i = 1, N, 2 do sys.timerLoopStart(cb, 3600000, i + round * N) end
            for i = 1, N, 2 do sys.timerStop(cb, i + round * N) end
            for i = 1, N, 2 do sys.timerStart(cb, 3600000, i) end
        end
        local churn = mcu.ticks() - t0
        t0 = mcu.ticks()
        for i = 1, N do sys.timerStart(cb, 3600000, i) end
        local replace = mcu.ticks() - t0
        t0 = mcu.ticks()
        local active = 0
        for i = 1, N do if sys.timerIsActive(cb, i) then active = active + 1 end end
        local lookups = mcu.ticks() - t0
        log.info("bench", "timers", N, fresh, churn, replace, lookups, active, math.floor(collectgarbage("count")))
        os.exit(0)
    )LUA",
                       std::chrono::minutes(10), {}, std::size_t{64} << 20);
    long long n = 0, fresh = 0, churn = 0, replace = 0, lookups = 0, active = 0, kb = 0;
    for (const auto& l : r.lines) {
        std::istringstream in(l);
        std::string level, word;
        if (in >> level >> word && level == "I/user.bench" && word == "timers")
            in >> n >> fresh >> churn >> replace >> lookups >> active >> kb;
    }
    if (n == 0) {
        std::printf("timers: the script failed (exit %d)\n", r.exit_code);
        return 1;
    }
    std::printf("timers, %lld of one function (distinct arguments), --heap 64M, Lua heap %lld KiB:\n", n, kb);
    std::printf("  %lld timerStart fresh:                      %lld ms\n", n, fresh);
    std::printf("  churn, %lld stops/starts (half loop timers):  %lld ms\n", 6 * n, churn);
    std::printf("  %lld timerStart replacing a running timer:  %lld ms\n", n, replace);
    std::printf("  %lld timerIsActive (%lld active):           %lld ms\n", n, active, lookups);
    return 0;
}

int main(int argc, char** argv) {
    // `sys_bench timers`: only the timer figures.
    if (argc > 1 && std::string(argv[1]) == "timers") return timer_figures();
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

    // One sys.wait(200): the CPU it costs and the loop's turns meanwhile (medians of 5).
    std::vector<double> wait_cpu_ms;
    std::vector<double> wait_turns;
    for (int i = 0; i < 5; ++i) {
        std::size_t turns = 0;
        std::size_t turns_at_wait = 0;
        double cpu_at_wait = 0;
        run(R"LUA(
            sys.taskInit(function()
                sys.wait(20)
                log.info("bench", "waiting")
                sys.wait(200)
                log.info("bench", "woke")
                os.exit(0)
            end)
            sys.run()
        )LUA",
            std::chrono::seconds(10), [&](lua_bindings::Device& device) {
                device.loop().add_before_block([&] { ++turns; });
                device.logger().add_sink([&](std::string_view line) {
                    if (line == "I/user.bench waiting") {
                        turns_at_wait = turns;
                        cpu_at_wait = cpu_seconds();
                    } else if (line == "I/user.bench woke") {
                        wait_turns.push_back(static_cast<double>(turns - turns_at_wait));
                        wait_cpu_ms.push_back((cpu_seconds() - cpu_at_wait) * 1000.0);
                    }
                });
            });
    }
    std::printf("one sys.wait(200): %.2f ms CPU, %.0f loop turn(s) (medians of 5)\n", median(wait_cpu_ms),
                median(wait_turns));

    // A bounded run of 150 ms of a script that waits forever: how long run() takes.
    std::vector<double> bounded_ms;
    for (int i = 0; i < 5; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        run("sys.taskInit(function() while true do sys.wait(1000) end end) sys.run()",
            std::chrono::milliseconds(150));
        bounded_ms.push_back(ms_since(t0));
    }
    std::printf("bounded run:      %.1f ms for --run-for 150 ms (median of 5; max %.1f)\n",
                median(bounded_ms), *std::max_element(bounded_ms.begin(), bounded_ms.end()));

    // A task error: the VM ends 500 ms later (LuatOS), the other task running meanwhile.
    std::vector<double> error_end_ms;
    std::vector<double> alive_lines;
    for (int i = 0; i < 5; ++i) {
        std::chrono::steady_clock::time_point error_at{};
        const auto r = run(R"LUA(
            sys.taskInit(function() sys.wait(5) error("boom") end)
            sys.taskInit(function() while true do sys.wait(100) log.info("bench", "alive") end end)
            sys.run()
        )LUA",
                           std::chrono::seconds(10), [&](lua_bindings::Device& device) {
                               device.logger().add_sink([&](std::string_view line) {
                                   if (line.starts_with("E/user.coroutine.resume")) {
                                       error_at = std::chrono::steady_clock::now();
                                   }
                               });
                           });
        error_end_ms.push_back(ms_since(error_at));
        alive_lines.push_back(static_cast<double>(
            std::count(r.lines.begin(), r.lines.end(), std::string("I/user.bench alive"))));
    }
    std::printf(
        "task error:       the VM ended %.1f ms after it (LuatOS: 500), %.0f of 5 waits of the other "
        "task ended meanwhile (medians of 5; fewest %.0f)\n",
        median(error_end_ms), median(alive_lines), *std::min_element(alive_lines.begin(), alive_lines.end()));
    const int timers = timer_figures();
    return pub_rate > 0 && switch_rate > 0 && timers == 0 ? 0 : 1;
}
