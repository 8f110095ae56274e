#include "tests/support/control_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace tests {

std::string control_command(const std::string& socket_path, const std::string& command) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::string("cannot connect: ") + std::strerror(errno);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", socket_path.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        return "cannot connect: " + why;
    }
    const std::string line = command + "\n";
    [[maybe_unused]] const ssize_t n = ::write(fd, line.data(), line.size());
    std::string answer;
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n')
        answer += c;
    ::close(fd);
    return answer;
}

std::int64_t counter_in_status(std::string_view status, std::string_view direction,
                               std::string_view counter) {
    const auto section = status.find(" " + std::string(direction) + ": ");
    if (section == std::string_view::npos) return -1;
    const std::string key = " " + std::string(counter) + "=";
    auto at = status.find(key, section);
    // The key must be in this direction's section, before the next one starts (" down: ", " filter: ").
    const auto next = status.find(": ", section + direction.size() + 3);
    if (at == std::string_view::npos || (next != std::string_view::npos && at > next)) return -1;
    at += key.size();
    std::int64_t value = -1;
    std::from_chars(status.data() + at, status.data() + status.size(), value);
    return value;
}

}  // namespace tests
