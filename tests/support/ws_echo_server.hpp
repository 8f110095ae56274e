// Test support: tests/support/ws_echo_server.py as a child process on a free 127.0.0.1 port, plain
// (ws://) or with a certificate (wss://). Its stdout (one line per request, header and frame it saw)
// is readable while it runs; it is stopped by pid on destruction.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "tests/support/luatos_process.hpp"
#include "tests/support/process.hpp"

namespace tests {

class WsEchoServer {
  public:
    struct Tls {
        std::filesystem::path cert;
        std::filesystem::path key;
    };
    // Throws std::runtime_error when the server does not start.
    explicit WsEchoServer(std::optional<Tls> tls = std::nullopt);
    ~WsEchoServer();
    WsEchoServer(const WsEchoServer&) = delete;
    WsEchoServer& operator=(const WsEchoServer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    // The lines it printed after "port N".
    [[nodiscard]] Lines lines() const;

  private:
    TempDir dir_{"luatos-ws"};
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace tests
