// Test-only: a private mosquitto on free 127.0.0.1 ports, started in the foreground and stopped by pid.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/tls/support/process.hpp"

namespace luat::test {

struct BrokerListener {
    std::string name;    // how the test asks for its port
    std::string config;  // mosquitto lines that follow this listener's `listener` line (TLS files...)
};

class TestBroker {
  public:
    // `log_everything`: log_type all (for debugging tests); off, only errors and warnings (benches:
    // two log lines per message would be a good part of the broker's work).
    explicit TestBroker(std::vector<BrokerListener> listeners, bool log_everything = true);
    ~TestBroker();
    TestBroker(const TestBroker&) = delete;
    TestBroker& operator=(const TestBroker&) = delete;

    [[nodiscard]] std::uint16_t port(const std::string& listener) const { return ports_.at(listener); }
    [[nodiscard]] std::string log() const;

  private:
    bool try_start(const std::vector<BrokerListener>& listeners, bool log_everything);
    void stop();

    TempDir dir_;
    pid_t pid_ = -1;
    std::map<std::string, std::uint16_t> ports_;
};

// A port nothing listens on right now (bound to port 0 and released).
std::uint16_t free_loopback_port();

}  // namespace luat::test
