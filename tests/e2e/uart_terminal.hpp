// The terminal side of a UART's pseudo-terminal (the device's `--uart ID=PATH` link), as a user's
// serial program would hold it: raw mode, non-blocking, closed when it goes.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>

namespace tests {

class UartTerminal {
  public:
    explicit UartTerminal(const std::string& path)
        : fd_(::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK)) {
        if (fd_ < 0) throw std::runtime_error("cannot open " + path);
        termios t{};
        ::tcgetattr(fd_, &t);
        ::cfmakeraw(&t);
        ::tcsetattr(fd_, TCSANOW, &t);
    }
    ~UartTerminal() { ::close(fd_); }
    UartTerminal(const UartTerminal&) = delete;
    UartTerminal& operator=(const UartTerminal&) = delete;

    void write(const std::string& s) {
        REQUIRE(::write(fd_, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
    }
    // Reads until `expected` has arrived (or the timeout); returns what was read.
    std::string read_until(const std::string& expected, std::chrono::milliseconds timeout) {
        return read_while([&](const std::string& got) { return got.find(expected) == std::string::npos; },
                          timeout);
    }
    // Reads until at least `count` bytes have arrived (or the timeout); returns what was read.
    std::string read_at_least(std::size_t count, std::chrono::milliseconds timeout) {
        return read_while([&](const std::string& got) { return got.size() < count; }, timeout);
    }

  private:
    std::string read_while(const std::function<bool(const std::string&)>& more,
                           std::chrono::milliseconds timeout) {
        std::string got;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (more(got) && std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 10) > 0) {
                char buf[256];
                const ssize_t n = ::read(fd_, buf, sizeof buf);
                if (n > 0) got.append(buf, static_cast<std::size_t>(n));
            }
        }
        return got;
    }

    int fd_;
};

}  // namespace tests
