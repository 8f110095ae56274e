#include "bench/peers/options.hpp"

#include <charconv>
#include <cstdlib>
#include <functional>
#include <vector>

#include "bench/peers/seq_payload.hpp"
#include "sys_task/command_line.hpp"

namespace bench {

namespace {

using Spec = sys_task::CommandOption<Options>;
using Apply = std::function<bool(Options&, std::string_view, std::string&)>;

template <class Int>
std::optional<Int> to_int(std::string_view v) {
    Int n{};
    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
    return n;
}

std::optional<double> to_double(std::string_view v) {
    if (v.empty()) return std::nullopt;
    const std::string s(v);
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return std::nullopt;
    return d;
}

// An integer option in [lo, hi].
template <class Int>
Apply int_in(Int Options::*field, Int lo, Int hi) {
    return [field, lo, hi](Options& o, std::string_view v, std::string& error) {
        const auto n = to_int<Int>(v);
        if (!n || *n < lo || *n > hi) {
            error = "needs a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                    ", not '" + std::string(v) + "'";
            return false;
        }
        o.*field = *n;
        return true;
    };
}

Apply text(std::string Options::*field) {
    return [field](Options& o, std::string_view v, std::string& error) {
        if (v.empty()) {
            error = "needs a value";
            return false;
        }
        o.*field = std::string(v);
        return true;
    };
}

std::vector<Spec> table() {
    return {
        {"--case", "NAME", "qos0 | pipelined | rtt | startup | idle | demo (peers)",
         [](Options& o, std::string_view v, std::string& error) {
             static constexpr std::pair<std::string_view, Case> names[] = {
                 {"qos0", Case::kQos0},       {"pipelined", Case::kPipelined}, {"rtt", Case::kRtt},
                 {"startup", Case::kStartup}, {"idle", Case::kIdle},           {"demo", Case::kDemo}};
             for (const auto& [name, c] : names) {
                 if (v == name) {
                     o.bench_case = c;
                     return true;
                 }
             }
             error = "unknown case '" + std::string(v) + "'";
             return false;
         }},
        {"--host", "ADDR", "broker address (default 127.0.0.1)", text(&Options::host)},
        {"--port", "PORT", "broker port (required)", int_in(&Options::port, 1, 65535)},
        {"--topic", "TOPIC", "topic to publish to / count on (default bench/topic)", text(&Options::topic)},
        {"--sub-topic", "TOPIC", "demo: topic to subscribe to (default TOPIC/sub)",
         text(&Options::sub_topic)},
        {"--size", "BYTES", "payload size, at least 10: the sequence number's digits (default 16)",
         [](Options& o, std::string_view v, std::string& error) {
             const auto n = to_int<std::size_t>(v);
             if (!n || *n < kSeqDigits || *n > 256 * 1024 * 1024) {
                 error = "needs a size from " + std::to_string(kSeqDigits) + " bytes, not '" +
                         std::string(v) + "'";
                 return false;
             }
             o.size = *n;
             return true;
         }},
        {"--count", "N", "messages (qos0, pipelined, counter) or round trips (rtt) (default 1000)",
         int_in<std::uint64_t>(&Options::count, 1, 9999999999ULL)},
        {"--qos", "Q", "QoS of the publishes (pipelined: 1 or 2) or of the subscription (counter)",
         int_in(&Options::qos, 0, 2)},
        {"--window", "N", "pipelined: most QoS 1/2 publishes unacknowledged at once (default 20)",
         int_in(&Options::window, 1, 65535)},
        {"--clients", "N", "idle: connected clients (default 100)", int_in(&Options::clients, 1, 100000)},
        {"--duration", "SECONDS", "demo: how long to run (default 60)",
         [](Options& o, std::string_view v, std::string& error) {
             const auto d = to_double(v);
             if (!d || *d < 0 || *d > 86400) {
                 error = "needs seconds, not '" + std::string(v) + "'";
                 return false;
             }
             o.duration_s = *d;
             return true;
         }},
        {"--interval", "MS", "demo: milliseconds between publishes (default 3000)",
         int_in(&Options::interval_ms, 1, 3600000)},
        {"--keepalive", "SECONDS", "MQTT keepalive (default 60)", int_in(&Options::keepalive_s, 5, 65535)},
        {"--client-id", "ID", "client id (idle: the prefix) (default PROGRAM-PID)",
         text(&Options::client_id)},
        {"--tls-ca", "FILE", "connect with TLS, verifying the broker against this CA",
         text(&Options::tls_ca)},
        {"--idle-ms", "MS", "counter: stop this long after the last message (default 5000)",
         int_in(&Options::idle_ms, 1, 3600000)},
        {"--start-timeout-ms", "MS", "counter: stop if nothing arrives for this long (default 60000)",
         int_in(&Options::start_timeout_ms, 1, 3600000)},
        {"--help", "", "show this help",
         [](Options& o, std::string_view, std::string&) {
             o.help = true;
             return true;
         }},
    };
}

// The table, each value's error named after its option ("--port: needs a whole number ...").
std::vector<Spec> specs() {
    std::vector<Spec> out = table();
    for (Spec& s : out) {
        s.apply = [name = s.name, apply = std::move(s.apply)](Options& o, std::string_view v,
                                                              std::string& error) {
            if (apply(o, v, error)) return true;
            error = std::string(name) + ": " + error;
            return false;
        };
    }
    return out;
}

}  // namespace

std::string_view case_name(Case c) {
    switch (c) {
        case Case::kQos0:
            return "qos0";
        case Case::kPipelined:
            return "pipelined";
        case Case::kRtt:
            return "rtt";
        case Case::kStartup:
            return "startup";
        case Case::kIdle:
            return "idle";
        case Case::kDemo:
            return "demo";
    }
    return "?";
}

bool parse_options(std::span<char*> args, Options& out, std::string& error) {
    const std::vector<std::string_view> views(args.begin(), args.end());
    if (!sys_task::parse_command_line<Options>(views, specs(), out, nullptr, error)) return false;
    if (out.help) return true;
    if (out.port == 0) {
        error = "--port is required";
        return false;
    }
    if (out.bench_case == Case::kPipelined && out.qos == 0) {
        error = "--case pipelined needs --qos 1 or 2";
        return false;
    }
    if (out.sub_topic.empty()) out.sub_topic = out.topic + "/sub";
    return true;
}

std::string usage_text(std::string_view program) {
    return "usage: " + std::string(program) + " --port PORT [options]\n\noptions:\n" +
           sys_task::command_line_help(specs(), 28);
}

}  // namespace bench
