#include "lua_bindings/app/fleet/fleet_plan.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "platform_air780ep/identity.hpp"
#include "platform_air780ep/link_settings.hpp"

namespace lua_bindings {

namespace {

constexpr std::uint64_t kImeiBodyLimit = 100000000000000ULL;  // 10^14: the 14 digits before the check digit

template <class T>
std::optional<T> parse_number(std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> out;
    while (true) {
        const auto at = text.find(sep);
        out.push_back(text.substr(0, at));
        if (at == std::string_view::npos) return out;
        text.remove_prefix(at + 1);
    }
}

}  // namespace

std::optional<Shard> parse_shard(std::string_view text, std::string& error) {
    const auto slash = text.find('/');
    const auto k = parse_number<std::size_t>(text.substr(0, slash));
    const auto n =
        slash == std::string_view::npos ? std::nullopt : parse_number<std::size_t>(text.substr(slash + 1));
    if (!k || !n || *n == 0 || *k >= *n) {
        error = "--shard needs K/N with 0 <= K < N (K is 0-based, as a completion index), not '" +
                std::string(text) + "'";
        return std::nullopt;
    }
    return Shard{*k, *n};
}

IndexRange shard_range(std::size_t devices, Shard shard) {
    const auto edge = [&](std::size_t k) {
        // devices <= 10^6 (--devices) and k <= count: no overflow in 64 bits for any sane count.
        return static_cast<std::size_t>(static_cast<std::uint64_t>(devices) * k / shard.count);
    };
    return {edge(shard.index), edge(shard.index + 1)};
}

std::optional<std::uint64_t> parse_imei_base(std::string_view text, std::string& error) {
    const bool digits = std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || (text.size() != 14 && text.size() != 15)) {
        error = "--imei-base needs 14 digits (or a valid 15-digit IMEI), not '" + std::string(text) + "'";
        return std::nullopt;
    }
    if (text.size() == 15 && !platform_air780ep::imei_is_valid(text)) {
        error = "--imei-base: " + platform_air780ep::imei_problem(text);
        return std::nullopt;
    }
    return parse_number<std::uint64_t>(text.substr(0, 14));
}

std::optional<DeviceIdentity> device_identity(std::uint64_t imei_base, std::size_t index) {
    const std::uint64_t body = imei_base + index;
    if (body >= kImeiBodyLimit) return std::nullopt;
    char digits[16];
    std::snprintf(digits, sizeof digits, "%014llu", static_cast<unsigned long long>(body));
    DeviceIdentity id;
    id.imei = std::string(digits, 14);
    id.imei += platform_air780ep::luhn_check_digit(id.imei);
    // "F1EE7" marks a fleet device; then the IMEI body, so the id is unique exactly when the IMEI is.
    char hex[40];
    std::snprintf(hex, sizeof hex, "f1ee7000000000000%015llx", static_cast<unsigned long long>(body));
    id.unique_id_hex = hex;
    return id;
}

std::optional<LinkMix> parse_link_mix(std::string_view text, std::string& error) {
    LinkMix mix;
    std::uint64_t total = 0;
    for (std::string_view part : split(text, ',')) {
        const auto eq = part.find('=');
        const std::string_view name = part.substr(0, eq);
        std::uint64_t weight = 0;
        const bool has_weight =
            eq != std::string_view::npos &&
            std::from_chars(part.data() + eq + 1, part.data() + part.size(), weight).ptr ==
                part.data() + part.size() &&
            eq + 1 < part.size();
        if (!platform_air780ep::LinkSettings::profile_named(name)) {
            std::string names;
            for (const auto& n : platform_air780ep::LinkSettings::profile_names())
                names += (names.empty() ? "" : ", ") + n;
            error = "--link-mix: unknown profile '" + std::string(name) + "' (profiles: " + names + ")";
            return std::nullopt;
        }
        if (!has_weight) {
            error = "--link-mix needs PROFILE=WEIGHT,... (e.g. good=70,cat1=20,poor4g=10), not '" +
                    std::string(part) + "'";
            return std::nullopt;
        }
        mix.profiles.emplace_back(name);
        mix.weights.push_back(weight);
        total += weight;
    }
    if (total == 0) {
        error = "--link-mix: the weights add up to 0";
        return std::nullopt;
    }
    return mix;
}

const std::string& pick_profile(const LinkMix& mix, std::uint64_t seed, std::size_t index) {
    std::uint64_t total = 0;
    for (auto w : mix.weights)
        total += w;
    std::uint64_t draw = splitmix(splitmix(seed) ^ index) % total;
    for (std::size_t i = 0; i < mix.profiles.size(); ++i) {
        if (draw < mix.weights[i]) return mix.profiles[i];
        draw -= mix.weights[i];
    }
    return mix.profiles.back();
}

std::uint64_t device_link_seed(std::uint64_t seed, std::size_t index) {
    return splitmix(seed * 0x100000001B3ULL + index) % 1000000000ULL + 1;
}

std::optional<double> parse_ramp(std::string_view text, std::string& error) {
    std::string_view number = text;
    if (number.ends_with("/s")) number.remove_suffix(2);
    const auto rate = parse_number<double>(number);
    if (!rate || !std::isfinite(*rate) || *rate <= 0) {
        error = "--ramp needs devices per second, like 200/s, not '" + std::string(text) + "'";
        return std::nullopt;
    }
    return rate;
}

std::optional<DeviceSelection> parse_selection(std::string_view text, std::string& error) {
    DeviceSelection sel;
    const auto bad = [&] {
        error = "devices= takes indices and ranges (0-999,2000) or a fraction (25% or 0.25), not '" +
                std::string(text) + "'";
        return std::nullopt;
    };
    if (text.ends_with("%")) {
        const auto pct = parse_number<double>(text.substr(0, text.size() - 1));
        if (!pct || !(*pct > 0 && *pct <= 100)) return bad();
        sel.fraction = *pct / 100;
        return sel;
    }
    if (text.find('.') != std::string_view::npos) {
        const auto f = parse_number<double>(text);
        if (!f || !(*f > 0 && *f <= 1)) return bad();
        sel.fraction = *f;
        return sel;
    }
    for (std::string_view part : split(text, ',')) {
        const auto dash = part.find('-');
        const auto a = parse_number<std::size_t>(part.substr(0, dash));
        const auto b = dash == std::string_view::npos ? a : parse_number<std::size_t>(part.substr(dash + 1));
        if (!a || !b || *b < *a) return bad();
        sel.ranges.push_back({*a, *b + 1});
    }
    return sel;
}

std::vector<std::size_t> select_devices(const DeviceSelection& selection,
                                        const std::vector<std::size_t>& candidates) {
    if (selection.fraction) {
        const auto n = static_cast<std::size_t>(
            std::llround(*selection.fraction * static_cast<double>(candidates.size())));
        return {candidates.begin(),
                candidates.begin() + static_cast<std::ptrdiff_t>(std::min(n, candidates.size()))};
    }
    std::vector<std::size_t> out;
    for (std::size_t index : candidates) {
        const bool in = std::any_of(selection.ranges.begin(), selection.ranges.end(),
                                    [&](const IndexRange& r) { return index >= r.first && index < r.last; });
        if (in) out.push_back(index);
    }
    return out;
}

}  // namespace lua_bindings
