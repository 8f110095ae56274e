#include "tests/support/luatos_process.hpp"

#include <signal.h>

#include <charconv>
#include <sstream>
#include <thread>

namespace tests {

#ifndef LUATOS_BINARY
#error "LUATOS_BINARY must name the built luatos executable"
#endif

std::string luatos_binary() {
    return LUATOS_BINARY;
}

std::string strip_log_prefix(std::string_view line) {
    // Two bracketed fields then a space: wall clock, uptime.
    if (line.starts_with('[')) {
        const auto first = line.find("][");
        if (first != std::string_view::npos) {
            const auto second = line.find("] ", first + 2);
            if (second != std::string_view::npos) return std::string(line.substr(second + 2));
        }
    }
    return std::string(line);
}

std::optional<std::uint64_t> log_uptime_ms(std::string_view line) {
    // The second bracketed field: seconds (9 digits), a dot, milliseconds (3 digits).
    const auto open = line.find("][");
    if (!line.starts_with('[') || open == std::string_view::npos) return std::nullopt;
    const auto close = line.find(']', open + 2);
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view field = line.substr(open + 2, close - open - 2);
    const auto dot = field.find('.');
    if (dot == std::string_view::npos || field.size() - dot - 1 != 3) return std::nullopt;
    std::uint64_t seconds = 0;
    std::uint64_t millis = 0;
    const auto [s_end, s_ec] = std::from_chars(field.data(), field.data() + dot, seconds);
    const auto [m_end, m_ec] = std::from_chars(field.data() + dot + 1, field.data() + field.size(), millis);
    if (s_ec != std::errc{} || m_ec != std::errc{} || s_end != field.data() + dot ||
        m_end != field.data() + field.size()) {
        return std::nullopt;
    }
    return seconds * 1000 + millis;
}

Lines lines_with(const Lines& lines, std::string_view prefix) {
    Lines out;
    for (const auto& l : lines) {
        if (l.starts_with(prefix)) out.push_back(l);
    }
    return out;
}

Lines lines_containing(const Lines& lines, std::string_view text) {
    Lines out;
    for (const auto& l : lines) {
        if (l.find(text) != std::string::npos) out.push_back(l);
    }
    return out;
}

LuatosProcess::LuatosProcess(const std::vector<std::string>& args) : dir_("luatos-run") {
    std::vector<std::string> argv{luatos_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = spawn_process(argv, dir_.path() / "stdout", dir_.path() / "stderr");
}

LuatosProcess::~LuatosProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait_process(pid_);
    }
}

Lines LuatosProcess::lines() const {
    const std::string out = read_file(dir_.path() / "stdout");
    Lines lines;
    std::size_t start = 0;
    while (true) {
        const auto nl = out.find('\n', start);
        if (nl == std::string::npos) break;  // a line still being written
        lines.push_back(strip_log_prefix(std::string_view(out).substr(start, nl - start)));
        start = nl + 1;
    }
    return lines;
}

std::vector<TimedLine> LuatosProcess::timed_lines() const {
    const std::string out = read_file(dir_.path() / "stdout");
    std::vector<TimedLine> lines;
    std::size_t start = 0;
    for (auto nl = out.find('\n'); nl != std::string::npos; nl = out.find('\n', start)) {
        const std::string_view line = std::string_view(out).substr(start, nl - start);
        start = nl + 1;
        if (const auto uptime = log_uptime_ms(line))
            lines.push_back(TimedLine{*uptime, strip_log_prefix(line)});
    }
    return lines;
}

std::string LuatosProcess::stderr_text() const {
    return read_file(dir_.path() / "stderr");
}

bool LuatosProcess::running() {
    if (pid_ <= 0) return false;
    if (auto status = poll_process(pid_)) {
        status_ = *status;
        pid_ = -1;
        return false;
    }
    return true;
}

bool LuatosProcess::wait_for(const std::function<bool(const Lines&)>& done,
                             std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const bool alive = running();
        if (done(lines())) return true;
        if (!alive || std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(2ms);
    }
}

bool LuatosProcess::wait_for_line(std::string_view text, std::chrono::milliseconds timeout) {
    return wait_for([text](const Lines& ls) { return !lines_containing(ls, text).empty(); }, timeout);
}

void LuatosProcess::signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
}

int LuatosProcess::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid_, SIGKILL);
            status_ = wait_process(pid_);
            pid_ = -1;
            break;
        }
        std::this_thread::sleep_for(2ms);
    }
    return status_;
}

LuatosResult run_luatos(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
    LuatosProcess p(args);
    LuatosResult r;
    r.exit_code = p.wait(timeout);
    r.lines = p.lines();
    r.err = p.stderr_text();
    return r;
}

}  // namespace tests
