#include "platform_air780ep/host_map.hpp"

#include <algorithm>
#include <charconv>

#include "platform_air780ep/frame_codec.hpp"

namespace platform_air780ep {

std::string lower_case(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

bool is_valid_host_name(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    std::size_t label = 0;
    for (char c : name) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '-' || c == '_';
        if (!ok || ++label > 63) return false;
    }
    return true;  // a trailing dot (fully qualified) is allowed
}

bool is_loopback_host(std::string_view host) {
    if (lower_case(host) == "localhost") return true;
    const auto ip = parse_ipv4(host);
    return ip && (*ip >> 24) == 127;
}

bool HostMap::add(std::string_view spec, std::string& error) {
    const auto eq = spec.find('=');
    if (eq == std::string_view::npos) {
        error = "host map entry '" + std::string(spec) + "' is not NAME=ADDR[:PORT]";
        return false;
    }
    const std::string_view name = spec.substr(0, eq);
    std::string_view addr = spec.substr(eq + 1);
    if (!is_valid_host_name(name)) {
        error = "host map entry '" + std::string(spec) + "': bad name '" + std::string(name) + "'";
        return false;
    }
    HostTarget target;
    if (const auto colon = addr.rfind(':'); colon != std::string_view::npos) {
        const std::string_view port_text = addr.substr(colon + 1);
        unsigned port = 0;
        const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
            port == 0 || port > 65535) {
            error = "host map entry '" + std::string(spec) + "': bad port '" + std::string(port_text) + "'";
            return false;
        }
        target.port = static_cast<std::uint16_t>(port);
        addr = addr.substr(0, colon);
    }
    if (!parse_ipv4(addr) && !is_valid_host_name(addr)) {
        error = "host map entry '" + std::string(spec) + "': bad address '" + std::string(addr) + "'";
        return false;
    }
    target.address = std::string(addr);
    add(name, std::move(target));
    return true;
}

void HostMap::add(std::string_view name, HostTarget target) {
    std::string key = lower_case(name);
    if (!key.empty() && key.back() == '.') key.pop_back();
    entries_[std::move(key)] = std::move(target);
}

const HostTarget* HostMap::find(std::string_view name) const {
    std::string key = lower_case(name);
    if (!key.empty() && key.back() == '.') key.pop_back();
    const auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
}

HostMap::Route HostMap::route(std::string_view host, std::uint16_t port) const {
    if (const HostTarget* target = find(host))
        return Route{target->address, target->port.value_or(port), true};
    return Route{std::string(host), port, false};
}

HostMap::Route HostMap::route(std::string_view host, const HostForm& form, std::uint16_t port) const {
    if (form.kind != HostForm::Kind::kLiteral || find(host) != nullptr) return route(host, port);
    return route(ipv4_to_string(form.address), port);
}

std::optional<Ipv4> parse_ipv4_any_form(std::string_view text) {
    // ip4addr_aton (lwIP 2.1.3 and LuatOS's lwip22 alike): parts separated by dots, each a C-style
    // number; values wrap as u32 arithmetic does there.
    std::uint32_t parts[4] = {};
    std::size_t count = 0;
    std::size_t i = 0;
    auto at = [&text](std::size_t k) { return k < text.size() ? text[k] : '\0'; };
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    auto hex_value = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::uint32_t value = 0;
    for (;;) {
        if (!is_digit(at(i))) return std::nullopt;
        value = 0;
        std::uint32_t base = 10;
        if (at(i) == '0') {
            ++i;
            if (at(i) == 'x' || at(i) == 'X') {
                base = 16;
                ++i;
            } else {
                base = 8;
            }
        }
        for (;;) {
            const char c = at(i);
            if (is_digit(c)) {
                if (base == 8 && c >= '8') break;
                value = value * base + static_cast<std::uint32_t>(c - '0');
                ++i;
            } else if (base == 16 && hex_value(c) >= 0) {
                value = (value << 4) | static_cast<std::uint32_t>(hex_value(c));
                ++i;
            } else {
                break;
            }
        }
        if (at(i) != '.') break;
        if (count >= 3) return std::nullopt;
        parts[count++] = value;
        ++i;
    }
    const char end = at(i);
    // The text ends (a NUL ends it in C, too) or white space follows.
    if (i < text.size() && end != '\0' && end != ' ' && (end < '\t' || end > '\r')) return std::nullopt;
    switch (count + 1) {
        case 1:
            break;
        case 2:
            if (value > 0xFFFFFFu || parts[0] > 0xFF) return std::nullopt;
            value |= parts[0] << 24;
            break;
        case 3:
            if (value > 0xFFFFu || parts[0] > 0xFF || parts[1] > 0xFF) return std::nullopt;
            value |= (parts[0] << 24) | (parts[1] << 16);
            break;
        default:
            if (value > 0xFFu || parts[0] > 0xFF || parts[1] > 0xFF || parts[2] > 0xFF) return std::nullopt;
            value |= (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8);
            break;
    }
    return value;
}

HostForm classify_host(std::string_view host) {
    HostForm form;
    if (const auto address = parse_ipv4_any_form(host)) {
        form.kind = HostForm::Kind::kLiteral;
        form.address = *address;
        return form;
    }
    // lwIP's DNS client refuses names of DNS_MAX_NAME_LENGTH (256) or more; its query encoder
    // writes each label's length in one byte and ends the name at the first empty label.
    if (host.empty()) {
        form.reason = "an empty host name";
    } else if (host.size() > 255) {
        form.reason = "a host name of " + std::to_string(host.size()) + " characters (at most 255)";
    } else if (host.front() == '.' || host.find("..") != std::string_view::npos) {
        form.reason = "an empty label in the host name (two dots, or a leading dot)";
    } else if (host.back() == '.') {
        form.reason = "a trailing dot (the module's DNS client would send an empty label)";
    } else {
        std::size_t start = 0;
        while (start <= host.size()) {
            const std::size_t dot = std::min(host.find('.', start), host.size());
            if (dot - start > 63) {
                form.reason = "a label of " + std::to_string(dot - start) + " characters (at most 63)";
                return form;
            }
            start = dot + 1;
        }
        form.kind = HostForm::Kind::kName;
    }
    return form;
}

bool HostMap::forwards_to_this_host(std::uint16_t port) const {
    return std::any_of(entries_.begin(), entries_.end(), [port](const auto& entry) {
        const HostTarget& t = entry.second;
        return is_loopback_host(t.address) && (!t.port || *t.port == port);
    });
}

}  // namespace platform_air780ep
