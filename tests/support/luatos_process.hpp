// Test support: the `luatos` executable as a child process (stdout and stderr in files of a
// temporary folder), with its log lines without the Luatools prefix, waits driven by what it logs,
// signals, and its exit status.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/process.hpp"

namespace tests {

using namespace std::chrono_literals;
using Lines = std::vector<std::string>;

// The path of the built `luatos` (LUATOS_BINARY at build time).
std::string luatos_binary();

// "[2026-11-25 18:13:38.959][000000000.501] I/user.net x" -> "I/user.net x" (other lines unchanged).
std::string strip_log_prefix(std::string_view line);

// The device's uptime in a Luatools line, in ms: "[2026-11-25 18:13:38.959][000000012.501] ..." -> 12501.
std::optional<std::uint64_t> log_uptime_ms(std::string_view line);

// A log line with the device's uptime when it was logged.
struct TimedLine {
    std::uint64_t uptime_ms = 0;
    std::string text;  // without the prefix
};

// The lines that start with `prefix`.
Lines lines_with(const Lines& lines, std::string_view prefix);
// The lines that contain `text`.
Lines lines_containing(const Lines& lines, std::string_view text);

class LuatosProcess {
  public:
    // Starts `luatos args...`.
    explicit LuatosProcess(const std::vector<std::string>& args);
    ~LuatosProcess();  // SIGKILL if it still runs
    LuatosProcess(const LuatosProcess&) = delete;
    LuatosProcess& operator=(const LuatosProcess&) = delete;

    // The complete log lines so far, prefixes stripped.
    [[nodiscard]] Lines lines() const;
    // The same with their uptime (the lines that have the Luatools prefix).
    [[nodiscard]] std::vector<TimedLine> timed_lines() const;
    [[nodiscard]] std::string stderr_text() const;
    // Poll the output (every 2 ms) until `done(lines)`, the process ended, or the timeout.
    bool wait_for(const std::function<bool(const Lines&)>& done, std::chrono::milliseconds timeout);
    // Until a line contains `text`.
    bool wait_for_line(std::string_view text, std::chrono::milliseconds timeout);
    [[nodiscard]] bool running();
    void signal(int sig);
    // Waits for the exit (SIGKILL after `timeout`); the exit status, or 128 + signal.
    int wait(std::chrono::milliseconds timeout = 30s);
    [[nodiscard]] pid_t pid() const { return pid_; }

  private:
    TempDir dir_;
    pid_t pid_ = -1;
    int status_ = -1;
};

struct LuatosResult {
    int exit_code = -1;
    Lines lines;
    std::string err;
};

// Runs `luatos args...` to the end (normally its --run-for or os.exit).
LuatosResult run_luatos(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 60s);

}  // namespace tests
