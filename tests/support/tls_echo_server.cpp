#include "tests/support/tls_echo_server.hpp"

#include "tests/support/mosquitto.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace tests {

TlsEchoServer::TlsEchoServer(const std::filesystem::path& cert, const std::filesystem::path& key, Echo echo) {
    for (int attempt = 0; attempt < 5 && pid_ < 0; ++attempt) {
        port_ = free_loopback_port();
        const std::filesystem::path log = dir_.path() / ("s_server" + std::to_string(attempt) + ".log");
        const std::vector<std::string> command =
            echo == Echo::kBytes
                ? std::vector<std::string>{"python3",
                                           (std::filesystem::path(LUATOS_SOURCE_DIR) /
                                            "tests/support/tls_raw_echo.py")
                                               .string(),
                                           std::to_string(port_), cert.string(), key.string()}
                : std::vector<std::string>{
                      "openssl", "s_server",    "-accept", "127.0.0.1:" + std::to_string(port_),
                      "-cert",   cert.string(), "-key",    key.string(),
                      "-rev"};
        const pid_t pid = spawn_process(command, log);
        // Both print ACCEPT once they listen; they exit if the port was taken meanwhile.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        bool exited = false;
        while (std::chrono::steady_clock::now() < deadline) {
            if (read_file(log).find("ACCEPT") != std::string::npos) {
                pid_ = pid;
                break;
            }
            if (poll_process(pid)) {
                exited = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        if (pid_ < 0 && !exited) {
            ::kill(pid, SIGKILL);
            wait_process(pid);
        }
    }
    if (pid_ < 0) throw std::runtime_error("openssl s_server did not start");
}

TlsEchoServer::~TlsEchoServer() {
    ::kill(pid_, SIGTERM);
    wait_process(pid_);
}

}  // namespace tests
