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
    TlsEchoServer(const std::filesystem::path& cert, const std::filesystem::path& key);
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
