#include "lua_bindings/app/fleet/fleet_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lua_bindings {

namespace {

std::string fmt(const char* format, auto... args) {
    char buf[256];
    const int n = std::snprintf(buf, sizeof buf, format, args...);
    return std::string(buf, static_cast<std::size_t>(std::clamp(n, 0, static_cast<int>(sizeof buf) - 1)));
}

std::string ms_or_null(const std::optional<std::int64_t>& v) {
    return v ? std::to_string(*v) : "null";
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            out += fmt("\\u%04x", static_cast<unsigned>(c));
            continue;
        }
        out += c;
    }
    return out + "\"";
}

}  // namespace

void FleetDevice::apply_status(std::string_view line) {
    const bool final_line = line.starts_with("x ");
    if (!final_line && !line.starts_with("s ")) return;
    line.remove_prefix(2);
    while (!line.empty()) {
        const auto sp = line.find(' ');
        const std::string_view field = line.substr(0, sp);
        line = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
        const auto eq = field.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view key = field.substr(0, eq);
        long long v = 0;
        if (std::sscanf(std::string(field.substr(eq + 1)).c_str(), "%lld", &v) != 1) continue;
        const auto u = static_cast<std::uint64_t>(std::max(v, 0LL));
        if (key == "a")
            attached = v != 0;
        else if (key == "m")
            mqtt = u;
        else if (key == "up")
            uplinks = u;
        else if (key == "dn")
            downlinks = u;
        else if (key == "cn")
            connacks = u;
        else if (key == "ct")
            connect_ms = v;
        else if (key == "boot")
            boots = static_cast<int>(v);
    }
}

std::optional<std::int64_t> percentile(std::vector<std::int64_t> values, double p) {
    if (values.empty()) return std::nullopt;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

FleetTotals fleet_totals(const std::vector<FleetDevice>& devices) {
    FleetTotals t;
    std::vector<std::int64_t> connect;
    t.devices = devices.size();
    for (const FleetDevice& d : devices) {
        if (d.started) ++t.started;
        if (d.running() && d.attached) ++t.attached;
        if (d.running() && d.mqtt > 0) ++t.connected;
        if (d.ended) ++t.ended;
        if (d.ended && d.crashed()) ++t.crashed;
        if (d.ended && !d.crashed()) ++t.clean;
        if (d.started && d.connect_ms < 0) ++t.never_connected;
        if (d.connect_ms >= 0) connect.push_back(d.connect_ms);
        t.uplinks += d.uplinks;
        t.downlinks += d.downlinks;
        t.reconnects += d.reconnects();
    }
    t.connect_p50 = percentile(connect, 50);
    t.connect_p99 = percentile(connect, 99);
    t.connect_max = percentile(connect, 100);
    return t;
}

std::string status_line(double elapsed_s, const FleetTotals& now, const FleetTotals& before,
                        double interval_s) {
    const double span = interval_s > 0 ? interval_s : 1;
    return fmt(
        "[%4.0fs] started %zu/%zu attached %zu mqtt %zu up %.1f/s down %.1f/s reconnects %llu errors %zu",
        elapsed_s, now.started, now.devices, now.attached, now.connected,
        static_cast<double>(now.uplinks - std::min(now.uplinks, before.uplinks)) / span,
        static_cast<double>(now.downlinks - std::min(now.downlinks, before.downlinks)) / span,
        static_cast<unsigned long long>(now.reconnects), now.crashed);
}

std::string summary_text(const FleetTotals& t, const std::vector<FleetDevice>& devices, double elapsed_s) {
    std::string s = fmt("fleet: %zu devices in %.1f s: %zu clean, %zu crashed, %zu never connected\n",
                        t.devices, elapsed_s, t.clean, t.crashed, t.never_connected);
    s += fmt("messages: %llu up, %llu down; reconnects: %llu\n", static_cast<unsigned long long>(t.uplinks),
             static_cast<unsigned long long>(t.downlinks), static_cast<unsigned long long>(t.reconnects));
    if (t.connect_p50) {
        s += fmt("connect time (uptime at the first CONNACK): p50 %lld ms, p99 %lld ms, max %lld ms\n",
                 static_cast<long long>(*t.connect_p50), static_cast<long long>(*t.connect_p99),
                 static_cast<long long>(*t.connect_max));
    } else {
        s += "connect time: no device connected\n";
    }
    for (const FleetDevice& d : devices) {
        if (!d.crashed()) continue;
        s += "crashed: device " + std::to_string(d.index) + " (IMEI " + d.imei + ") " +
             (d.spawn_error.empty() ? "exit status " + std::to_string(d.exit_code) : d.spawn_error) +
             ", log " + d.dir + "/luatos.log\n";
    }
    return s;
}

std::string summary_json(const FleetTotals& t, const std::vector<FleetDevice>& devices, double elapsed_s,
                         Shard shard, const std::string& dir) {
    std::string crashed, never;
    for (const FleetDevice& d : devices) {
        if (d.crashed()) {
            crashed += std::string(crashed.empty() ? "" : ",") + "{\"index\":" + std::to_string(d.index) +
                       ",\"imei\":" + json_string(d.imei) + ",\"exit_code\":" + std::to_string(d.exit_code) +
                       ",\"log\":" + json_string(d.dir + "/luatos.log") + "}";
        }
        if (d.started && d.connect_ms < 0) never += (never.empty() ? "" : ",") + std::to_string(d.index);
    }
    std::string s = "{";
    s += "\"devices\":" + std::to_string(t.devices);
    s += ",\"shard\":" + json_string(std::to_string(shard.index) + "/" + std::to_string(shard.count));
    s +=
        ",\"first_index\":" + (devices.empty() ? std::string("null") : std::to_string(devices.front().index));
    s += ",\"dir\":" + json_string(dir);
    s += fmt(",\"elapsed_s\":%.3f", elapsed_s);
    s += ",\"clean\":" + std::to_string(t.clean);
    s += ",\"crashed\":" + std::to_string(t.crashed);
    s += ",\"never_connected\":" + std::to_string(t.never_connected);
    s += ",\"uplinks\":" + std::to_string(t.uplinks);
    s += ",\"downlinks\":" + std::to_string(t.downlinks);
    s += ",\"reconnects\":" + std::to_string(t.reconnects);
    s += ",\"connect_ms\":{\"p50\":" + ms_or_null(t.connect_p50) + ",\"p99\":" + ms_or_null(t.connect_p99) +
         ",\"max\":" + ms_or_null(t.connect_max) + "}";
    s += ",\"crashed_devices\":[" + crashed + "]";
    s += ",\"never_connected_devices\":[" + never + "]";
    return s + "}\n";
}

}  // namespace lua_bindings
