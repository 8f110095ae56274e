// Test support: the HTTP(S) server of the http tests (tests/support/http_test_server.py), a Python 3
// process on three free 127.0.0.1 ports (HTTP and HTTPS on one, HTTPS, mutual TLS), stopped by its pid on
// destruction.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>

#include "tests/support/process.hpp"

namespace tests {

class HttpTestServer {
  public:
    // `cert` / `key`: the HTTPS side's certificate and key (PEM); `ca`: what the mutual-TLS port
    // requires client certificates to be signed by. Throws std::runtime_error if the server does not
    // come up.
    HttpTestServer(const std::filesystem::path& cert, const std::filesystem::path& key,
                   const std::filesystem::path& ca);
    ~HttpTestServer();
    HttpTestServer(const HttpTestServer&) = delete;
    HttpTestServer& operator=(const HttpTestServer&) = delete;

    [[nodiscard]] std::uint16_t http_port() const { return http_port_; }
    [[nodiscard]] std::uint16_t https_port() const { return https_port_; }
    // HTTPS that requires a client certificate.
    [[nodiscard]] std::uint16_t mtls_port() const { return mtls_port_; }

  private:
    TempDir dir_{"http-server"};
    pid_t pid_ = -1;
    std::uint16_t http_port_ = 0;
    std::uint16_t https_port_ = 0;
    std::uint16_t mtls_port_ = 0;
};

}  // namespace tests
