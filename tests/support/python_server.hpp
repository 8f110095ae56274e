// Test support: a Python test server as a child process (started with Debian's /usr/bin/python3, so
// Debian's python3-* modules are found) that prints "port N" on its first stdout line once it
// listens on 127.0.0.1; the later lines stay readable while it runs. Stopped by pid on destruction.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/luatos_process.hpp"
#include "tests/support/process.hpp"

namespace tests {

class PythonServer {
  public:
    // `script`: relative to the repository; throws std::runtime_error when it does not start.
    PythonServer(const std::string& script, const std::vector<std::string>& args);
    ~PythonServer();
    PythonServer(const PythonServer&) = delete;
    PythonServer& operator=(const PythonServer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    // The lines it printed after "port N".
    [[nodiscard]] Lines lines() const;

  private:
    TempDir dir_{"luatos-pyserver"};
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace tests
