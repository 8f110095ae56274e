// Luatools-style log output of one device.
//
// Every line is written as `[YYYY-MM-DD HH:MM:SS.mmm][NNNNNNNNN.mmm] <text>`: host wall-clock time,
// then the device's uptime. Lines go to stdout with one write() each (so they arrive whole and at
// once on a pipe too), to an optional log file, and to any capture sinks (tests read lines there
// without the prefix).
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sys_task {

// LuatOS log levels (log.LOG_DEBUG ... log.LOG_SILENT). A line is shown if its level >= the current one.
enum LogLevel : int { kLogDebug = 1, kLogInfo = 2, kLogWarn = 3, kLogError = 4, kLogSilent = 7 };

class Logger {
  public:
    using Sink = std::function<void(std::string_view line)>;

    explicit Logger(std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now());
    ~Logger();
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    // Also append every line to this file. False, with the reason in `error`, if it cannot be opened
    // (the log goes on where it went).
    bool open_file(const std::string& path, std::string& error);
    void set_stdout(bool on) { to_stdout_ = on; }
    void add_sink(Sink sink) { sinks_.push_back(std::move(sink)); }

    void set_level(int level) { level_ = level; }
    [[nodiscard]] int level() const { return level_; }
    [[nodiscard]] bool enabled(int level) const { return level >= level_ && level_ != 0; }

    // A C-side line: `<L>/<tag> <text>` (e.g. `I/mqtt ...`), filtered by the level.
    void log(int level, std::string_view tag, std::string_view text);
    void debug(std::string_view tag, std::string_view text) { log(kLogDebug, tag, text); }
    void info(std::string_view tag, std::string_view text) { log(kLogInfo, tag, text); }
    void warn(std::string_view tag, std::string_view text) { log(kLogWarn, tag, text); }
    void error(std::string_view tag, std::string_view text) { log(kLogError, tag, text); }

    // One already formatted line (what print() produces), not filtered by level.
    void line(std::string_view text);

    static char level_letter(int level);
    // The `[wall clock][uptime] ` prefix for now.
    [[nodiscard]] std::string prefix() const;

  private:
    std::chrono::steady_clock::time_point start_;
    int level_ = kLogDebug;
    bool to_stdout_ = true;
    std::FILE* file_ = nullptr;
    std::vector<Sink> sinks_;
    std::string buf_;
};

}  // namespace sys_task
