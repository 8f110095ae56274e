// Test support: the project's one private mosquitto fixture.
//
// A broker in the foreground on free 127.0.0.1 ports (one per named listener), with its own config in
// a temporary folder, `allow_anonymous true` (unless users are given) and `persistence false`, ready
// when every listener accepts connections, stopped by pid (SIGTERM + waitpid). It can be killed and
// started again on the same ports (a broker restart as a device sees it), and its log is readable.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <signal.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace tests {

struct BrokerListener {
    std::string name;    // how the test asks for its port
    std::string config;  // mosquitto lines that follow this listener's `listener` line (TLS files...)
};

struct MosquittoOptions {
    std::vector<BrokerListener> listeners = {{"mqtt", ""}};
    // User name -> password, written with mosquitto_passwd; when not empty anonymous clients are
    // refused (CONNACK 5).
    std::map<std::string, std::string> users;
    // Counting tests must never lose a message to the broker's queue limit (docs/dependencies.md).
    std::size_t max_queued_messages = 100000;
    // log_type all (debugging tests); off: only errors and warnings (benches).
    bool log_everything = true;
    std::string extra_config;  // more lines, e.g. "max_inflight_messages 5"
};

class Mosquitto {
  public:
    explicit Mosquitto(MosquittoOptions options = {});
    // The TLS tests' form: these listeners, log everything or not.
    Mosquitto(std::vector<BrokerListener> listeners, bool log_everything);
    ~Mosquitto();
    Mosquitto(const Mosquitto&) = delete;
    Mosquitto& operator=(const Mosquitto&) = delete;

    [[nodiscard]] std::uint16_t port(const std::string& listener = "mqtt") const {
        return ports_.at(listener);
    }
    [[nodiscard]] bool running() const { return pid_ > 0; }
    [[nodiscard]] pid_t pid() const { return pid_; }
    // The broker's own log plus what it printed.
    [[nodiscard]] std::string log() const;
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }

    // Stop it now with `sig` (SIGKILL: as a crash, no goodbye to the clients) and reap it.
    void kill(int sig = SIGKILL);
    // Start it again with the same configuration on the same ports; throws if it does not come up.
    void restart();

  private:
    bool start_on_current_ports();
    void write_config();

    MosquittoOptions options_;
    TempDir dir_;
    pid_t pid_ = -1;
    std::map<std::string, std::uint16_t> ports_;
};

// The TLS tests' name for it.
using TestBroker = Mosquitto;

// A port of 127.0.0.1 nothing uses right now for `type` (SOCK_STREAM or SOCK_DGRAM): bound to port 0
// and released.
std::uint16_t free_loopback_port(int type = SOCK_STREAM);
// 127.0.0.1:port as a socket address.
sockaddr_in loopback_address(std::uint16_t port);
// Whether something accepts TCP connections on 127.0.0.1:port.
bool accepts_connections(std::uint16_t port);

}  // namespace tests
