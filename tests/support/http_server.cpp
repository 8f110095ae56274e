#include "tests/support/http_server.hpp"

#include <signal.h>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "tests/support/device_runner.hpp"

namespace tests {

HttpTestServer::HttpTestServer(const std::filesystem::path& cert, const std::filesystem::path& key,
                               const std::filesystem::path& ca) {
    const std::filesystem::path out = dir_.path() / "out.txt";
    pid_ = spawn_process({"python3", repo_path("tests/support/http_test_server.py").string(), cert.string(),
                          key.string(), ca.string()},
                         out, dir_.path() / "err.txt");
    // Waits for its "PORTS a b" line (a condition, polled; the server exits with an error otherwise).
    for (int i = 0; i < 1000; ++i) {
        std::istringstream line(read_file(out));
        std::string word;
        unsigned a = 0, b = 0, c = 0;
        if (line >> word >> a >> b >> c && word == "PORTS") {
            http_port_ = static_cast<std::uint16_t>(a);
            https_port_ = static_cast<std::uint16_t>(b);
            mtls_port_ = static_cast<std::uint16_t>(c);
            return;
        }
        if (poll_process(pid_)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const std::string err = read_file(dir_.path() / "err.txt");
    ::kill(pid_, SIGKILL);
    wait_process(pid_);
    throw std::runtime_error("the HTTP test server did not start: " + err);
}

HttpTestServer::~HttpTestServer() {
    ::kill(pid_, SIGTERM);
    wait_process(pid_);
}

}  // namespace tests
