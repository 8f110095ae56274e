// Test support: Debian's tshark reading a capture file (luatos --pcap) as a user would, one line per
// packet with the fields asked for.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tests {

struct TsharkResult {
    int exit_code = -1;
    std::vector<std::string> lines;  // one per packet: the fields joined by '|' (a repeated field by ',')
    std::string err;                 // what tshark said on stderr (warnings; "cut short" for a torn file)
};

// `tshark -r capture [options...] -Y filter -T fields -E separator=| -e field...`. `options` are
// further tshark arguments, e.g. {"-d", "tcp.port==1883,mqtt", "-o", "tls.keylog_file:keys.txt"}.
// Throws if tshark cannot be started.
TsharkResult tshark_fields(const std::filesystem::path& capture, const std::string& filter,
                           const std::vector<std::string>& fields,
                           const std::vector<std::string>& options = {});

// The options that make tshark decode MQTT on `port` (plain TCP), or on `port` inside TLS.
std::vector<std::string> mqtt_on_port(unsigned port);
std::vector<std::string> mqtt_in_tls_on_port(unsigned port);

}  // namespace tests
