#include "cli_options.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "platform_air780ep/host_map.hpp"
#include "platform_air780ep/identity.hpp"

namespace lua_bindings {

namespace {

std::optional<double> parse_number(std::string_view text) {
    if (text.empty()) return std::nullopt;
    const std::string s(text);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::optional<long long> parse_integer(std::string_view text) {
    long long v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return v;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string& error) {
    const std::string_view given = text;
    double scale = 1000.0;  // seconds by default
    if (text.ends_with("ms")) {
        scale = 1.0;
        text.remove_suffix(2);
    } else if (text.ends_with("s")) {
        text.remove_suffix(1);
    } else if (text.ends_with("m")) {
        scale = 60000.0;
        text.remove_suffix(1);
    } else if (text.ends_with("h")) {
        scale = 3600000.0;
        text.remove_suffix(1);
    }
    const auto v = parse_number(text);
    if (!v || *v < 0 || *v * scale > 1e15) {
        error = "a duration like 500ms, 10s or 2m, not '" + std::string(given) + "'";
        return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<long long>(std::llround(*v * scale)));
}

std::optional<std::size_t> parse_size(std::string_view text, std::string& error) {
    const std::string_view given = text;
    std::size_t scale = 1;
    if (!text.empty() && (text.back() == 'k' || text.back() == 'K')) {
        scale = 1024;
        text.remove_suffix(1);
    } else if (!text.empty() && (text.back() == 'm' || text.back() == 'M')) {
        scale = 1024 * 1024;
        text.remove_suffix(1);
    }
    const auto v = parse_integer(text);
    if (!v || *v <= 0 || static_cast<unsigned long long>(*v) > (1ULL << 40) / scale) {
        error = "a size like 4194296, 512k or 4M, not '" + std::string(given) + "'";
        return std::nullopt;
    }
    return static_cast<std::size_t>(*v) * scale;
}

std::optional<int> parse_tz(std::string_view text, std::string& error) {
    const std::string_view given = text;
    const auto bad = [&] {
        error = "an offset from UTC like +8 or -3:30, not '" + std::string(given) + "'";
        return std::nullopt;
    };
    if (text.starts_with("UTC") || text.starts_with("GMT")) text.remove_prefix(3);
    if (text.empty()) return 0;
    int sign = 1;
    if (text[0] == '+' || text[0] == '-') {
        sign = text[0] == '-' ? -1 : 1;
        text.remove_prefix(1);
    }
    long long hours = 0;
    long long minutes = 0;
    const auto colon = text.find(':');
    if (colon != std::string_view::npos) {
        const auto h = parse_integer(text.substr(0, colon));
        const auto m = parse_integer(text.substr(colon + 1));
        if (!h || !m || *m < 0 || *m >= 60) return bad();
        hours = *h;
        minutes = *m;
    } else {
        const auto h = parse_integer(text);
        if (!h) return bad();
        hours = *h;
    }
    if (hours < 0 || hours > 14) return bad();
    return sign * static_cast<int>(hours * 60 + minutes);
}

std::vector<OptionSpec> cli_options() {
    return {
        {"--imei", "DIGITS",
         "the module's IMEI (15 digits, valid Luhn check digit); default: derived from the unique id",
         [](CliConfig& c, std::string_view v, std::string& error) {
             if (!platform_air780ep::imei_is_valid(v)) {
                 error = platform_air780ep::imei_problem(v);
                 return false;
             }
             c.imei = std::string(v);
             return true;
         }},
        {"--unique-id", "HEX",
         "mcu.unique_id() as hex bytes; default: derived from this machine and the scripts' path",
         [](CliConfig& c, std::string_view v, std::string& error) {
             auto id = platform_air780ep::parse_hex_id(v, error);
             if (!id) return false;
             c.unique_id = std::move(*id);
             return true;
         }},
        {"--log-file", "PATH", "also append every log line to PATH",
         [](CliConfig& c, std::string_view v, std::string&) {
             c.device.log_file = std::string(v);
             return true;
         }},
        {"--heap", "BYTES",
         "Lua heap budget (e.g. 4194296, 512k, 4M); default 4194296 as the LuatOS PC simulator",
         [](CliConfig& c, std::string_view v, std::string& error) {
             const auto size = parse_size(v, error);
             if (!size || *size < 64 * 1024) {
                 error =
                     "--heap needs a size of at least 64k, not '" + std::string(v) + "'";  // malformed too
                 return false;
             }
             c.device.heap_budget = *size;
             return true;
         }},
        {"--run-for", "DURATION",
         "end the run after DURATION (500ms, 10s, 2m, 1h; a bare number is seconds), exit 0",
         [](CliConfig& c, std::string_view v, std::string& error) {
             const auto d = parse_duration(v, error);
             if (!d) {
                 error = "--run-for needs " + error;
                 return false;
             }
             c.run_for = *d;
             return true;
         }},
        {"--tz", "OFFSET", "the module's time zone for os.date (+8, -5, +5:30); default +8",
         [](CliConfig& c, std::string_view v, std::string& error) {
             const auto tz = parse_tz(v, error);
             if (!tz) {
                 error = "--tz needs " + error;
                 return false;
             }
             c.device.tz_offset_minutes = *tz;
             return true;
         }},
        {"--data-dir", "PATH",
         "the module's writable file system (paths outside /luadb/); default: a fresh temporary folder",
         [](CliConfig& c, std::string_view v, std::string&) {
             c.device.data_dir = std::string(v);
             return true;
         }},
        {"--attach-delay", "MS", "milliseconds of simulated network attach before IP_READY; default 500",
         [](CliConfig& c, std::string_view v, std::string& error) {
             const auto ms = parse_integer(v);
             if (!ms || *ms < 0) {
                 error = "--attach-delay needs a number of milliseconds, not '" + std::string(v) + "'";
                 return false;
             }
             c.device.attach_delay_ms = static_cast<std::uint64_t>(*ms);
             return true;
         }},
        {"--host", "NAME=ADDR[:PORT]",
         "send connections to NAME (a host name or an IPv4 address a script uses) to ADDR, and to PORT "
         "if given (repeatable); e.g. lbsmqtt.airm2m.com=127.0.0.1:1883",
         [](CliConfig& c, std::string_view v, std::string& error) {
             if (c.network.hosts.add(v, error)) return true;
             error = "--host " + std::string(v) + ": " + error;
             return false;
         }},
        {"--link", "SPEC",
         "the simulated cellular link: profile=ideal|good|cat1|poor4g, delay=MS, jitter=MS, loss=P, "
         "rate=KBIT, queue=BYTES, seed=N (comma separated; up_/down_ for one direction)",
         [](CliConfig& c, std::string_view v, std::string& error) {
             auto settings = c.network.link.with(v, error);
             if (!settings) {
                 error = "--link " + std::string(v) + ": " + error;
                 return false;
             }
             c.network.link = *settings;
             return true;
         }},
        {"--control", "PATH",
         "serve the control socket at PATH (link faults while running: `outage 30`, `link loss=0.1`, "
         "`down`, `up`, `clock +3600` (the network's NTP time), `status`, `help`)",
         [](CliConfig& c, std::string_view v, std::string& error) {
             if (v.empty()) {
                 error = "--control needs a path";
                 return false;
             }
             c.network.control_path = std::string(v);
             return true;
         }},
        {"--adapter", "lwip|eth0",
         "the default network adapter: lwip = socket.LWIP_GP, the module's lwIP on the simulated link "
         "(default); eth0 = socket.ETH0, this host's sockets",
         [](CliConfig& c, std::string_view v, std::string& error) {
             const std::string name = platform_air780ep::lower_case(v);
             if (name == "lwip" || name == "lwip_gp") {
                 c.network.default_adapter = platform_air780ep::kAdapterLwipGp;
             } else if (name == "eth0") {
                 c.network.default_adapter = platform_air780ep::kAdapterEth0;
             } else {
                 error = "--adapter is lwip or eth0, not '" + std::string(v) + "'";
                 return false;
             }
             return true;
         }},
        {"--channels", "N",
         "socket channels shared by mqtt/tcp/udp users (1..255); default 8, the Air780EP's budget. More "
         "are for benchmarks only: a script that works here with more may fail on the module",
         [](CliConfig& c, std::string_view v, std::string& error) {
             const auto n = parse_integer(v);
             if (!n || *n < 1 || *n > static_cast<long long>(kMaxChannels)) {
                 error = "--channels needs a count from 1 to " + std::to_string(kMaxChannels) + ", not '" +
                         std::string(v) + "'";
                 return false;
             }
             c.network.channels = static_cast<std::size_t>(*n);
             return true;
         }},
        {"--forward", "[tcp:|udp:]HOSTPORT=DEVICEPORT",
         "this host's 127.0.0.1:HOSTPORT reaches the module's DEVICEPORT: TCP connections a script's "
         "socket.listen serves, or (udp:) datagrams to a UDP socket bound to that local port (repeatable). "
         "Over the simulated link slirp forwards it; over eth0 the module's socket takes HOSTPORT in place "
         "of DEVICEPORT (without a forward it is 127.0.0.1:DEVICEPORT itself)",
         [](CliConfig& c, std::string_view v, std::string& error) {
             const std::string_view whole = v;
             bool udp = false;
             if (v.starts_with("udp:")) {
                 udp = true;
                 v.remove_prefix(4);
             } else if (v.starts_with("tcp:")) {
                 v.remove_prefix(4);
             }
             const auto eq = v.find('=');
             const auto host = eq == std::string_view::npos ? std::nullopt : parse_integer(v.substr(0, eq));
             const auto dev = eq == std::string_view::npos ? std::nullopt : parse_integer(v.substr(eq + 1));
             if (!host || !dev || *host < 1 || *host > 65535 || *dev < 1 || *dev > 65535) {
                 error =
                     "--forward needs [tcp:|udp:]HOSTPORT=DEVICEPORT (e.g. 8080=80, udp:5000=50003), not '" +
                     std::string(whole) + "'";
                 return false;
             }
             c.network.forwards.push_back(
                 {static_cast<std::uint16_t>(*host), static_cast<std::uint16_t>(*dev), udp});
             return true;
         }},
        {"--uart", "ID=PATH", "also make PATH a symlink to UART ID's pseudo-terminal (repeatable)",
         [](CliConfig& c, std::string_view v, std::string& error) {
             const auto eq = v.find('=');
             const auto id = eq == std::string_view::npos ? std::nullopt : parse_integer(v.substr(0, eq));
             if (!id || *id < 0 || *id > 255 || eq + 1 >= v.size()) {
                 error = "--uart needs ID=PATH (e.g. 1=/tmp/uart1), not '" + std::string(v) + "'";
                 return false;
             }
             c.network.uart_links[static_cast<int>(*id)] = std::string(v.substr(eq + 1));
             return true;
         }},
        {"--pcap", "FILE",
         "write every frame of the simulated cellular link (LWIP_GP), both directions, into the pcap "
         "file FILE, for Wireshark or `tshark -r FILE`; also `pcap start FILE` / `pcap stop` on --control",
         [](CliConfig& c, std::string_view v, std::string& error) {
             if (v.empty()) {
                 error = "--pcap needs a file name";
                 return false;
             }
             c.network.pcap_path = std::string(v);
             return true;
         }},
        {"--tls-keylog", "FILE",
         "append every TLS session's secrets to FILE (NSS key log: Wireshark's tls.keylog_file), so that "
         "a --pcap capture shows the MQTT inside TLS",
         [](CliConfig& c, std::string_view v, std::string& error) {
             if (v.empty()) {
                 error = "--tls-keylog needs a file name";
                 return false;
             }
             c.network.tls_keylog_path = std::string(v);
             return true;
         }},
        {"--trust-ca", "FILE",
         "test only: TLS verification also accepts servers whose chain leads to the CA in FILE (PEM or "
         "DER), besides the script's server_cert; host names are still checked",
         [](CliConfig& c, std::string_view v, std::string& error) {
             if (v.empty()) {
                 error = "--trust-ca needs a file name";
                 return false;
             }
             c.network.trust_ca_path = std::string(v);
             return true;
         }},
        {"--help", "", "show this help",
         [](CliConfig& c, std::string_view, std::string&) {
             c.help = true;
             return true;
         },
         "-h"},
    };
}

bool parse_cli(std::span<const std::string> args, CliConfig& out, std::string& error) {
    const std::vector<std::string_view> views(args.begin(), args.end());
    return sys_task::parse_command_line<CliConfig>(views, cli_options(), out, &out.scripts, error);
}

std::string usage_text() {
    std::string s =
        "usage: luatos [options] DIR/ | FILE.lua ...\n"
        "       luatos fleet [options] DIR/    many devices, one process each (luatos fleet --help)\n"
        "\n"
        "Run LuatOS scripts written for the Air780EP as the module runs them: the files given (and\n"
        "the files under the folders given) form the read-only /luadb/ image, by base name, and\n"
        "/luadb/main.lua is started. Log lines go to stdout in Luatools' format.\n"
        "\n"
        "options:\n";
    s += sys_task::command_line_help(cli_options(), 26);
    s += "\n"
         "exit status: the code given to os.exit(); 0 after --run-for; 1 when a script error ends the\n"
         "Lua VM or the network cannot be set up; 2 for a usage error (bad option, no main.lua).\n";
    return s;
}

}  // namespace lua_bindings
