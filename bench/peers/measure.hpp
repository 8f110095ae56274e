// What the peers and the counter measure about themselves: a monotonic clock, CPU time and memory of
// this process (getrusage, /proc/self/status), and percentiles of a set of samples.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bench/peers/json_line.hpp"

namespace bench {

// Nanoseconds on CLOCK_MONOTONIC.
std::uint64_t mono_ns();

inline double seconds_between(std::uint64_t from_ns, std::uint64_t to_ns) {
    return static_cast<double>(to_ns - from_ns) / 1e9;
}

struct CpuTimes {
    double user_s = 0;
    double sys_s = 0;
};
CpuTimes self_cpu();

// Peak resident set (VmHWM) and the resident set now (VmRSS) of this program, in KiB.
long peak_rss_kb();
long current_rss_kb();

// Nearest-rank percentiles: the p-th percentile is the smallest sample with at least p% of the samples
// at or below it (the Lua bench scripts use the same rule).
struct Percentiles {
    std::size_t n = 0;
    double min = 0;
    double p50 = 0;
    double p90 = 0;
    double p99 = 0;
    double max = 0;
    double mean = 0;
};
Percentiles percentiles(std::vector<double> samples);
JsonLine to_json(const Percentiles& p);

// "cpu_user_s", "cpu_sys_s", "peak_rss_kb" of this process, and "cpu_per_100k_s" when `messages` > 0.
void add_process_figures(JsonLine& out, std::uint64_t messages);

}  // namespace bench
