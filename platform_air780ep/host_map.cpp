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

bool HostMap::forwards_to_this_host(std::uint16_t port) const {
    return std::any_of(entries_.begin(), entries_.end(), [port](const auto& entry) {
        const HostTarget& t = entry.second;
        return is_loopback_host(t.address) && (!t.port || *t.port == port);
    });
}

}  // namespace platform_air780ep
