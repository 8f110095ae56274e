#include "platform_air780ep/board_commands.hpp"

#include <charconv>
#include <cstdio>

namespace platform_air780ep {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// The first word and the rest (trimmed).
std::pair<std::string_view, std::string_view> split_word(std::string_view s) {
    s = trim(s);
    const auto space = s.find_first_of(" \t");
    if (space == std::string_view::npos) return {s, {}};
    return {s.substr(0, space), trim(s.substr(space))};
}

std::optional<long> parse_int(std::string_view s) {
    long v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// Splits on `sep`; a backslash escape stays for unescape_text (so "\," survives a split on ';').
std::vector<std::string> split_escaped(std::string_view s, char sep) {
    std::vector<std::string> out(1);
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            out.back() += s[i];
            out.back() += s[++i];
        } else if (s[i] == sep) {
            out.emplace_back();
        } else {
            out.back() += s[i];
        }
    }
    return out;
}

std::string escape_text(std::string_view s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char hex[8];
                    std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(c));
                    out += hex;
                } else {
                    out += c;
                }
        }
    }
    return out;
}

std::optional<std::array<std::uint8_t, 6>> parse_bssid(std::string_view s) {
    std::string hex;
    for (const char c : s) {
        if (c == ':' || c == '-') continue;
        hex += c;
    }
    if (hex.size() != 12) return std::nullopt;
    std::array<std::uint8_t, 6> out{};
    for (std::size_t i = 0; i < 6; ++i) {
        unsigned v = 0;
        const auto [end, ec] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, v, 16);
        if (ec != std::errc{} || end != hex.data() + 2 * i + 2) return std::nullopt;
        out[i] = static_cast<std::uint8_t>(v);
    }
    return out;
}

std::string describe_scan_list(const std::vector<WifiAccessPoint>& list) {
    if (list.empty()) return "no access points";
    std::string s;
    for (const WifiAccessPoint& ap : list) {
        if (!s.empty()) s += "; ";
        char bssid[24];
        std::snprintf(bssid, sizeof bssid, "%02X:%02X:%02X:%02X:%02X:%02X", ap.bssid[0], ap.bssid[1],
                      ap.bssid[2], ap.bssid[3], ap.bssid[4], ap.bssid[5]);
        s += "\"" + escape_text(ap.ssid) + "\" " + bssid + " " + std::to_string(ap.rssi) + " dBm";
        if (ap.channel != 0) s += " ch " + std::to_string(ap.channel);
    }
    return s;
}

std::string gpio_command(Board& board, std::string_view args) {
    if (args.empty()) {
        std::string s;
        for (int pin = 0; pin < kGpioCount; ++pin) {
            if (board.mode(pin) == PinMode::kUnused && !board.driven(pin)) continue;
            if (!s.empty()) s += ", ";
            s += board.describe_pin(pin);
        }
        return "ok " + (s.empty() ? std::string("no pins in use") : s);
    }
    const auto [pin_text, level_text] = split_word(args);
    const std::optional<long> pin = parse_int(pin_text);
    if (!pin || *pin < 0 || *pin >= kGpioCount) {
        return "error gpio needs a pin 0..46, got '" + std::string(pin_text) + "'";
    }
    const int p = static_cast<int>(*pin);
    if (level_text.empty()) return "ok " + board.describe_pin(p);
    std::optional<int> level;
    if (level_text == "0" || level_text == "1") {
        level = level_text == "1" ? 1 : 0;
    } else if (level_text != "z" && level_text != "Z" && level_text != "release") {
        return "error gpio PIN takes 0, 1 or z (release), got '" + std::string(level_text) + "'";
    }
    board.drive(p, level);
    return "ok " + board.describe_pin(p);
}

std::string adc_command(Board& board, std::string_view args) {
    auto show = [&board] {
        std::string s;
        for (int ch = 0; ch < kAdcChannelCount; ++ch)
            s += "adc" + std::to_string(ch) + " " + std::to_string(board.adc_input_mv(ch)) + " mV, ";
        return s + "vbat " + std::to_string(board.vbat_mv()) + " mV, cpu " +
               std::to_string(board.cpu_celsius()) + " C";
    };
    if (args.empty()) return "ok " + show();
    const auto [ch_text, value_text] = split_word(args);
    const std::optional<long> value = parse_int(value_text);
    if (!value || *value < -1000000 || *value > 1000000) {
        return "error adc CH VALUE needs an integer value (mV, or degrees Celsius for cpu), got '" +
               std::string(value_text) + "'";
    }
    const int v = static_cast<int>(*value);
    if (ch_text == "vbat" || ch_text == "-2") {
        board.set_vbat_mv(v);
        return "ok vbat " + std::to_string(v) + " mV";
    }
    if (ch_text == "cpu" || ch_text == "-1") {
        board.set_cpu_celsius(v);
        return "ok cpu " + std::to_string(v) + " C";
    }
    const std::optional<long> ch = parse_int(ch_text);
    if (!ch || *ch < 0 || *ch >= kAdcChannelCount) {
        return "error adc channel is 0..3, vbat (-2) or cpu (-1), got '" + std::string(ch_text) + "'";
    }
    if (v < 0) return "error adc input must be >= 0 mV";
    board.set_adc_input_mv(static_cast<int>(*ch), v);
    return "ok adc" + std::to_string(*ch) + " " + std::to_string(v) + " mV";
}

std::string sms_command(Board& board, std::string_view args) {
    if (args.empty()) {
        return "ok sent " + std::to_string(board.sms_outbox().size()) + ", received " +
               std::to_string(board.sms_received());
    }
    const auto [from, rest] = split_word(args);
    if (from == "outbox") {
        std::string s;
        for (const SentSms& m : board.sms_outbox()) {
            if (!s.empty()) s += " | ";
            s += "to " + m.to + " \"" + escape_text(m.text) + "\"";
            if (m.parts > 1) s += " (" + std::to_string(m.parts) + " parts)";
        }
        return "ok " + (s.empty() ? std::string("nothing sent") : s);
    }
    const std::string_view digits = from.starts_with('+') ? from.substr(1) : from;
    bool ok = !digits.empty() && digits.size() <= 20;
    for (const char c : digits)
        ok = ok && c >= '0' && c <= '9';
    if (!ok)
        return "error sms FROM must be 1..20 digits, optionally after '+', got '" + std::string(from) + "'";
    if (rest.empty()) return "error sms FROM TEXT needs a text";
    std::string error;
    const std::optional<std::string> text = unescape_text(rest, error);
    if (!text) return "error " + error;
    board.deliver_sms(IncomingSms{std::string(from), *text});
    return "ok sms from " + std::string(from) + " \"" + escape_text(*text) + "\"";
}

std::string wlan_command(Board& board, std::string_view args) {
    if (args.empty()) return "ok " + describe_scan_list(board.scan_list());
    const auto [sub, list] = split_word(args);
    if (sub != "scan-list") return "error wlan takes scan-list [SSID,BSSID,RSSI[,CH];...]";
    std::string error;
    auto parsed = parse_scan_list(list, error);
    if (!parsed) return "error " + error;
    board.set_scan_list(std::move(*parsed));
    return "ok " + describe_scan_list(board.scan_list());
}

}  // namespace

std::optional<std::string> unescape_text(std::string_view text, std::string& error) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\') {
            out += text[i];
            continue;
        }
        if (i + 1 >= text.size()) {
            error = "a lone backslash at the end of the text";
            return std::nullopt;
        }
        const char c = text[++i];
        switch (c) {
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case '\\':
                out += '\\';
                break;
            case ',':
            case ';':
                out += c;
                break;
            case 'x': {
                unsigned v = 0;
                const char* begin = text.data() + i + 1;
                if (i + 2 >= text.size() || std::from_chars(begin, begin + 2, v, 16).ptr != begin + 2) {
                    error = "\\x needs two hex digits";
                    return std::nullopt;
                }
                out += static_cast<char>(v);
                i += 2;
                break;
            }
            default:
                error = std::string("unknown escape \\") + c + " (\\n \\r \\t \\\\ \\xHH)";
                return std::nullopt;
        }
    }
    return out;
}

std::optional<std::vector<WifiAccessPoint>> parse_scan_list(std::string_view text, std::string& error) {
    std::vector<WifiAccessPoint> list;
    text = trim(text);
    if (text.empty()) return list;
    for (const std::string& entry : split_escaped(text, ';')) {
        if (trim(entry).empty()) continue;
        const std::vector<std::string> fields = split_escaped(entry, ',');
        if (fields.size() < 3 || fields.size() > 4) {
            error = "an access point is SSID,BSSID,RSSI[,CH], got '" + entry + "'";
            return std::nullopt;
        }
        WifiAccessPoint ap;
        const std::optional<std::string> ssid = unescape_text(trim(fields[0]), error);
        if (!ssid) return std::nullopt;
        if (ssid->empty() || ssid->size() > 32) {
            error = "an SSID has 1..32 bytes, got '" + fields[0] + "'";
            return std::nullopt;
        }
        ap.ssid = *ssid;
        const auto bssid = parse_bssid(trim(fields[1]));
        if (!bssid) {
            error = "a BSSID is six hex bytes (AA:BB:CC:DD:EE:FF), got '" + fields[1] + "'";
            return std::nullopt;
        }
        ap.bssid = *bssid;
        const std::optional<long> rssi = parse_int(trim(fields[2]));
        if (!rssi || *rssi < -127 || *rssi > 0) {
            error = "an RSSI is -127..0 dBm, got '" + fields[2] + "'";
            return std::nullopt;
        }
        ap.rssi = static_cast<int>(*rssi);
        if (fields.size() == 4) {
            const std::optional<long> ch = parse_int(trim(fields[3]));
            if (!ch || *ch < 1 || *ch > 14) {
                error = "a channel is 1..14, got '" + fields[3] + "'";
                return std::nullopt;
            }
            ap.channel = static_cast<int>(*ch);
        }
        list.push_back(std::move(ap));
    }
    return list;
}

void add_board_commands(ControlServer& server, Board& board) {
    server.add_command("gpio", "gpio [PIN [0|1|z]]: show the pins, or drive a pin's input (z: release)",
                       [&board](std::string_view args) { return gpio_command(board, args); });
    server.add_command("adc", "adc [CH VALUE]: show or set an ADC input (CH 0..3 and vbat in mV, cpu in C)",
                       [&board](std::string_view args) { return adc_command(board, args); });
    server.add_command("sms",
                       "sms [FROM TEXT | outbox]: send TEXT from FROM to the module, or show what it sent",
                       [&board](std::string_view args) { return sms_command(board, args); });
    server.add_command("wlan",
                       "wlan [scan-list SSID,BSSID,RSSI[,CH];...]: show or set what a Wi-Fi scan finds",
                       [&board](std::string_view args) { return wlan_command(board, args); });
    ControlServer::Handler previous = server.handler("status");
    server.add_command("status", "status: link state, settings and counters; the board's pins, ADC, PWM, SMS",
                       [previous, &board](std::string_view args) -> std::string {
                           const std::string head = previous ? previous(args) : std::string("ok");
                           return head + " | board: " + board.describe();
                       });
}

}  // namespace platform_air780ep
