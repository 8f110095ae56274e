// Test support: a TLS listener on a free 127.0.0.1 port, `openssl s_server -rev` as a child process
// (it sends every line it gets back reversed: "olleh\n" -> "hello\n"), with the certificate and key
// given. Stopped by pid (SIGTERM) in the destructor. Throws std::runtime_error when it cannot start.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>

#include "tests/support/process.hpp"

namespace tests {

class TlsEchoServer {
  public:
    // kReversedLines: `openssl s_server -rev`; kBytes: every byte back as it comes
    // (tests/support/tls_raw_echo.py), for peers that send no newline.
    enum class Echo { kReversedLines, kBytes };
    TlsEchoServer(const std::filesystem::path& cert, const std::filesystem::path& key,
                  Echo echo = Echo::kReversedLines);
    ~TlsEchoServer();
    TlsEchoServer(const TlsEchoServer&) = delete;
    TlsEchoServer& operator=(const TlsEchoServer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }

  private:
    TempDir dir_{"tls-echo"};
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace tests
