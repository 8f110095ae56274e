#include "platform_air780ep/slirp_connections.hpp"

#include <charconv>
#include <optional>

namespace platform_air780ep {

namespace {

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    while (!line.empty()) {
        const auto start = line.find_first_not_of(" \t\r");
        if (start == std::string_view::npos) break;
        line.remove_prefix(start);
        const auto end = line.find_first_of(" \t\r");
        out.push_back(line.substr(0, end));
        line = end == std::string_view::npos ? std::string_view{} : line.substr(end);
    }
    return out;
}

template <class T>
std::optional<T> number(std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

bool SlirpTcpConnection::guest_finished() const {
    // The states a BSD TCP (slirp's) reaches only after the peer's FIN: CLOSE_WAIT and LAST_ACK
    // (the FIN came first), CLOSING and TIME_WAIT (both sides closed), CLOSED (done).
    return state == "CLOSE_WAIT" || state == "LAST_ACK" || state == "CLOSING" || state == "TIME_WAIT" ||
           state == "CLOSED";
}

std::vector<SlirpTcpConnection> parse_slirp_connection_info(std::string_view text) {
    std::vector<SlirpTcpConnection> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        // "  TCP[ESTABLISHED]    12       10.0.2.15 49153        10.0.2.2  1883     0     0"
        const std::vector<std::string_view> w = words(line);
        if (w.size() != 8 || !w[0].starts_with("TCP[") || !w[0].ends_with("]")) continue;
        const auto source_port = number<std::uint16_t>(w[3]);
        const auto destination_port = number<std::uint16_t>(w[5]);
        const auto recv_q = number<std::size_t>(w[6]);
        const auto send_q = number<std::size_t>(w[7]);
        if (!source_port || !destination_port || !recv_q || !send_q) continue;
        SlirpTcpConnection c;
        c.state = std::string(w[0].substr(4, w[0].size() - 5));
        c.source = std::string(w[2]);
        c.source_port = *source_port;
        c.destination = std::string(w[4]);
        c.destination_port = *destination_port;
        c.recv_q = *recv_q;
        c.send_q = *send_q;
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace platform_air780ep
