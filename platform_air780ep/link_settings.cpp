#include "platform_air780ep/link_settings.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace platform_air780ep {

namespace {

// The profiles. Figures are one-way (half the round trip) and per direction; up = module -> net.
//  ideal   no impairment at all: the default, and what functional tests use.
//  good    LTE with good coverage: ~40 ms RTT, a few ms of jitter, no loss; Cat.1 bis peak rates
//          (the Air780EP is Cat.1 bis: 10 Mbit/s down, 5 Mbit/s up).
//  cat1    a typical Cat.1 line in the field: ~100 ms RTT, 15 ms jitter, 0.5% loss, the few
//          Mbit/s a Cat.1 module actually gets (5 down / 1 up).
//  poor4g  weak signal at the cell edge: ~400 ms RTT, 80 ms jitter, 3% loss each way,
//          500 kbit/s down / 200 kbit/s up, a modem buffer that bloats.
LinkSettings make_profile(std::string name, double delay, double jitter, double loss, std::uint64_t up_kbps,
                          std::uint64_t down_kbps, std::size_t queue) {
    LinkSettings s;
    s.profile = std::move(name);
    s.up = DirectionSettings{delay, jitter, loss, up_kbps * 1000, queue};
    s.down = DirectionSettings{delay, jitter, loss, down_kbps * 1000, queue};
    return s;
}

std::optional<double> parse_number(std::string_view text) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

std::optional<double> parse_ms(std::string_view text) {
    if (text.ends_with("ms")) text.remove_suffix(2);
    auto v = parse_number(text);
    if (!v || *v < 0 || *v > 600000) return std::nullopt;
    return v;
}

std::optional<double> parse_loss(std::string_view text) {
    double scale = 1;
    if (text.ends_with('%')) {
        text.remove_suffix(1);
        scale = 0.01;
    }
    auto v = parse_number(text);
    if (!v) return std::nullopt;
    *v *= scale;
    if (*v < 0 || *v > 1) return std::nullopt;
    return v;
}

std::optional<std::uint64_t> parse_rate(std::string_view text) {
    if (text == "off" || text == "unlimited") return 0;
    double scale = 1000;  // kbit/s by default
    if (text.ends_with('k') || text.ends_with('K')) {
        text.remove_suffix(1);
    } else if (text.ends_with('M') || text.ends_with('m')) {
        text.remove_suffix(1);
        scale = 1e6;
    }
    auto v = parse_number(text);
    if (!v || *v < 0 || *v * scale > 1e12) return std::nullopt;
    const double bps = *v * scale;
    if (bps > 0 && bps < 1000) return std::nullopt;  // below 1 kbit/s nothing useful gets through
    return static_cast<std::uint64_t>(bps);
}

std::optional<std::size_t> parse_bytes(std::string_view text) {
    double scale = 1;
    if (text.ends_with('k') || text.ends_with('K')) {
        text.remove_suffix(1);
        scale = 1024;
    }
    auto v = parse_number(text);
    if (!v || *v < 1500 / scale || *v * scale > 64.0 * 1024 * 1024) return std::nullopt;
    return static_cast<std::size_t>(*v * scale);
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string rate_text(std::uint64_t bps) {
    return bps == 0 ? "off" : number(static_cast<double>(bps) / 1000);
}

}  // namespace

std::optional<LinkSettings> LinkSettings::profile_named(std::string_view name) {
    if (name == "ideal") return LinkSettings{};
    if (name == "good") return make_profile("good", 20, 3, 0, 5000, 10000, 256 * 1024);
    if (name == "cat1") return make_profile("cat1", 50, 15, 0.005, 1000, 5000, 128 * 1024);
    if (name == "poor4g") return make_profile("poor4g", 200, 80, 0.03, 200, 500, 64 * 1024);
    return std::nullopt;
}

std::vector<std::string> LinkSettings::profile_names() {
    return {"ideal", "good", "cat1", "poor4g"};
}

std::optional<LinkSettings> LinkSettings::with(std::string_view spec, std::string& error) const {
    LinkSettings s = *this;
    while (!spec.empty()) {
        const auto sep = spec.find_first_of(", \t");
        std::string_view item = spec.substr(0, sep);
        spec = sep == std::string_view::npos ? std::string_view{} : spec.substr(sep + 1);
        if (item.empty()) continue;
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) {
            error = "link setting '" + std::string(item) + "' is not key=value";
            return std::nullopt;
        }
        const std::string_view key = item.substr(0, eq);
        const std::string_view value = item.substr(eq + 1);
        auto bad = [&] {
            error = "bad value for link setting " + std::string(key) + ": '" + std::string(value) + "'";
            return std::nullopt;
        };
        if (key == "profile") {
            auto p = profile_named(value);
            if (!p) {
                error = "unknown link profile '" + std::string(value) + "' (ideal, good, cat1, poor4g)";
                return std::nullopt;
            }
            const std::uint64_t kept_seed = s.seed;
            s = *p;
            s.seed = kept_seed;
        } else if (key == "delay" || key == "up_delay" || key == "down_delay") {
            const auto v = parse_ms(value);
            if (!v) return bad();
            if (key != "down_delay") s.up.delay_ms = *v;
            if (key != "up_delay") s.down.delay_ms = *v;
        } else if (key == "jitter" || key == "up_jitter" || key == "down_jitter") {
            const auto v = parse_ms(value);
            if (!v) return bad();
            if (key != "down_jitter") s.up.jitter_ms = *v;
            if (key != "up_jitter") s.down.jitter_ms = *v;
        } else if (key == "loss" || key == "up_loss" || key == "down_loss") {
            const auto v = parse_loss(value);
            if (!v) return bad();
            if (key != "down_loss") s.up.loss = *v;
            if (key != "up_loss") s.down.loss = *v;
        } else if (key == "rate" || key == "up_rate" || key == "down_rate") {
            const auto v = parse_rate(value);
            if (!v) return bad();
            if (key != "down_rate") s.up.rate_bps = *v;
            if (key != "up_rate") s.down.rate_bps = *v;
        } else if (key == "queue") {
            const auto v = parse_bytes(value);
            if (!v) return bad();
            s.up.queue_bytes = s.down.queue_bytes = *v;
        } else if (key == "seed") {
            std::uint64_t new_seed = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), new_seed);
            if (value.empty() || ec != std::errc{} || end != value.data() + value.size()) return bad();
            s.seed = new_seed;
        } else {
            error = "unknown link setting '" + std::string(key) +
                    "' (profile, delay, jitter, loss, rate, up_*/down_*, queue, seed)";
            return std::nullopt;
        }
        if (key != "profile" && key != "seed" && !s.profile.ends_with("+")) s.profile += "+";
    }
    return s;
}

std::string LinkSettings::describe() const {
    return "profile=" + profile + " delay=" + number(up.delay_ms) + "/" + number(down.delay_ms) +
           "ms jitter=" + number(up.jitter_ms) + "/" + number(down.jitter_ms) + "ms loss=" + number(up.loss) +
           "/" + number(down.loss) + " rate=" + rate_text(up.rate_bps) + "/" + rate_text(down.rate_bps) +
           "kbit/s queue=" + std::to_string(up.queue_bytes) + "/" + std::to_string(down.queue_bytes) +
           " seed=" + std::to_string(seed);
}

}  // namespace platform_air780ep
