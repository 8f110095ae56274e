#include "logger.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace sys_task {

Logger::Logger(std::chrono::steady_clock::time_point start) : start_(start) {}

Logger::~Logger() {
    if (file_ != nullptr) std::fclose(file_);
}

bool Logger::open_file(const std::string& path, std::string& error) {
    std::FILE* f = std::fopen(path.c_str(), "a");
    if (f == nullptr) {
        error = std::strerror(errno);
        return false;
    }
    if (file_ != nullptr) std::fclose(file_);
    file_ = f;
    return true;
}

char Logger::level_letter(int level) {
    switch (level) {
        case kLogDebug:
            return 'D';
        case kLogInfo:
            return 'I';
        case kLogWarn:
            return 'W';
        default:
            return 'E';
    }
}

std::string Logger::prefix() const {
    using namespace std::chrono;
    const auto wall = system_clock::now();
    const auto wall_ms = duration_cast<milliseconds>(wall.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(wall_ms / 1000);
    std::tm tm{};
    localtime_r(&secs, &tm);
    const auto up_ms = duration_cast<milliseconds>(steady_clock::now() - start_).count();
    char out[64];
    const int n = std::snprintf(out, sizeof out, "[%04d-%02d-%02d %02d:%02d:%02d.%03d][%09lld.%03lld] ",
                                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                                tm.tm_sec, static_cast<int>(wall_ms % 1000),
                                static_cast<long long>(up_ms / 1000), static_cast<long long>(up_ms % 1000));
    return std::string(out, static_cast<std::size_t>(n > 0 ? n : 0));
}

void Logger::log(int level, std::string_view tag, std::string_view text) {
    if (!enabled(level)) return;
    std::string l;
    l.reserve(tag.size() + text.size() + 4);
    l += level_letter(level);
    l += '/';
    l += tag;
    l += ' ';
    l += text;
    line(l);
}

void Logger::line(std::string_view text) {
    for (const auto& sink : sinks_)
        sink(text);
    if (!to_stdout_ && file_ == nullptr) return;
    buf_ = prefix();
    buf_ += text;
    buf_ += '\n';
    if (to_stdout_) {
        std::string_view rest = buf_;
        while (!rest.empty()) {
            const ssize_t n = ::write(STDOUT_FILENO, rest.data(), rest.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;  // stdout closed: keep running, as a device with no console does
            rest.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    if (file_ != nullptr) {
        std::fwrite(buf_.data(), 1, buf_.size(), file_);
        std::fflush(file_);
    }
}

}  // namespace sys_task
