// Test support: tests/support/ws_echo_server.py on a free 127.0.0.1 port, plain (ws://) or with a
// certificate (wss://). Its stdout (one line per request, header and frame it saw) is readable while
// it runs (lines()); it is stopped by pid on destruction, as every PythonServer.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/python_server.hpp"

namespace tests {

class WsEchoServer : public PythonServer {
  public:
    struct Tls {
        std::filesystem::path cert;
        std::filesystem::path key;
    };
    // Throws std::runtime_error when the server does not start.
    explicit WsEchoServer(const std::optional<Tls>& tls = std::nullopt)
        : PythonServer("tests/support/ws_echo_server.py", arguments(tls)) {}

  private:
    static std::vector<std::string> arguments(const std::optional<Tls>& tls) {
        if (!tls) return {};
        return {"--cert", tls->cert.string(), "--key", tls->key.string()};
    }
};

}  // namespace tests
