#include "bench/peers/measure.hpp"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <string>

namespace bench {

std::uint64_t mono_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

namespace {

double to_seconds(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

long status_field_kb(const char* name) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string prefix = std::string(name) + ":";
    while (std::getline(in, line)) {
        if (line.rfind(prefix, 0) == 0) return std::stol(line.substr(prefix.size()));
    }
    return -1;
}

}  // namespace

CpuTimes self_cpu() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return {to_seconds(ru.ru_utime), to_seconds(ru.ru_stime)};
}

long peak_rss_kb() {
    // Not getrusage's ru_maxrss: Linux folds the pre-exec memory of the parent that forked us (a Python
    // harness, a shell) into it. VmHWM is this program's own address space only.
    return status_field_kb("VmHWM");
}

long current_rss_kb() {
    return status_field_kb("VmRSS");
}

Percentiles percentiles(std::vector<double> samples) {
    Percentiles p;
    p.n = samples.size();
    if (samples.empty()) return p;
    std::sort(samples.begin(), samples.end());
    const auto rank = [&](double pct) {
        const auto k = static_cast<std::size_t>(std::ceil(pct / 100.0 * static_cast<double>(samples.size())));
        return samples[std::clamp<std::size_t>(k, 1, samples.size()) - 1];
    };
    p.min = samples.front();
    p.max = samples.back();
    p.p50 = rank(50);
    p.p90 = rank(90);
    p.p99 = rank(99);
    p.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
    return p;
}

JsonLine to_json(const Percentiles& p) {
    JsonLine j;
    j.add("n", static_cast<std::uint64_t>(p.n))
        .add("min", p.min)
        .add("p50", p.p50)
        .add("p90", p.p90)
        .add("p99", p.p99)
        .add("max", p.max)
        .add("mean", p.mean);
    return j;
}

void add_process_figures(JsonLine& out, std::uint64_t messages) {
    const CpuTimes cpu = self_cpu();
    out.add("cpu_user_s", cpu.user_s).add("cpu_sys_s", cpu.sys_s);
    if (messages > 0)
        out.add("cpu_per_100k_s", (cpu.user_s + cpu.sys_s) / static_cast<double>(messages) * 100000.0);
    out.add("peak_rss_kb", static_cast<std::int64_t>(peak_rss_kb()));
}

}  // namespace bench
