#include "process_memory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <string_view>

namespace lua_bindings {

namespace {

// The value of "Name:   1234 kB" in /proc/self/status, in bytes (0 when absent).
std::size_t status_kib_field(std::string_view status, std::string_view name) {
    std::size_t at = 0;
    while (at < status.size()) {
        const std::size_t eol = status.find('\n', at);
        std::string_view line =
            status.substr(at, eol == std::string_view::npos ? std::string_view::npos : eol - at);
        at = eol == std::string_view::npos ? status.size() : eol + 1;
        if (!line.starts_with(name) || line.size() <= name.size() || line[name.size()] != ':') continue;
        line.remove_prefix(name.size() + 1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        std::size_t kib = 0;
        std::from_chars(line.data(), line.data() + line.size(), kib);
        return kib * 1024;
    }
    return 0;
}

}  // namespace

ProcessMemory process_memory() {
    ProcessMemory m;
    // One read() of a small /proc file: no stdio stream, nothing allocated.
    char buf[4096];
    std::size_t len = 0;
    const int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = 0;
        while (len < sizeof buf && (n = ::read(fd, buf + len, sizeof buf - len)) > 0)
            len += static_cast<std::size_t>(n);
        ::close(fd);
    }
    const std::string_view status(buf, len);
    m.used = status_kib_field(status, "VmRSS");
    m.max_used = status_kib_field(status, "VmHWM");
    if (m.max_used < m.used) m.max_used = m.used;
    return m;
}

}  // namespace lua_bindings
