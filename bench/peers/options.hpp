// The command line shared by the bench programs (bench_peer_mosquitto, bench_peer_paho, bench_counter),
// so that every implementation takes the same parameters as the Lua bench scripts' params file:
//   --case NAME --host H --port P --topic T --size BYTES --count N --qos Q --window W ...
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace bench {

enum class Case {
    kQos0,       // tight loop of QoS 0 publishes, then a QoS 1 fence (all accepted by the broker)
    kPipelined,  // QoS 1/2 publishes, at most `window` unacknowledged, until the last completion
    kRtt,        // QoS 1 publish to its own subscription, wait for it to come back; one at a time
    kStartup,    // print a line at once, connect, print a line at CONNACK, exit
    kIdle,       // `clients` connected clients doing nothing; memory per client
    kDemo,       // the single-link demo's work: subscribe, a QoS 1 publish every `interval`, for `duration`
};

struct Options {
    Case bench_case = Case::kQos0;
    std::string host = "127.0.0.1";
    int port = 0;
    std::string topic = "bench/topic";
    std::string sub_topic;  // kDemo; default: topic + "/sub"
    std::size_t size = 16;
    std::uint64_t count = 1000;
    int qos = 0;
    int window = 20;
    int clients = 100;
    double duration_s = 60;
    int interval_ms = 3000;
    int keepalive_s = 60;
    std::string client_id;  // default: "<program>-<pid>"
    std::string tls_ca;     // non-empty: TLS, verifying the broker against this CA file
    // bench_counter only
    int idle_ms = 5000;            // stop this long after the last message
    int start_timeout_ms = 60000;  // stop if nothing at all arrives for this long
    bool help = false;
};

// Parse argv[1..] (the table's parser: sys_task/command_line.hpp). False with the reason in `error`.
bool parse_options(std::span<char*> args, Options& out, std::string& error);
std::string usage_text(std::string_view program);
std::string_view case_name(Case c);

}  // namespace bench
