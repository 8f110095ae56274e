#include "tests/support/ws_echo_server.hpp"

#include <signal.h>

#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tests {

namespace {

Lines split_lines(const std::string& text) {
    Lines out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

}  // namespace

WsEchoServer::WsEchoServer(std::optional<Tls> tls) {
    std::vector<std::string> argv = {"python3",
                                     std::string(LUATOS_SOURCE_DIR) + "/tests/support/ws_echo_server.py"};
    if (tls) argv.insert(argv.end(), {"--cert", tls->cert.string(), "--key", tls->key.string()});
    pid_ = spawn_process(argv, dir_.file("out.log"), dir_.file("err.log"));
    // Waits for its "port N" line (the server prints it once it listens), or for it to exit.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        const Lines lines = split_lines(read_file(dir_.file("out.log")));
        if (!lines.empty() && lines[0].starts_with("port ")) {
            port_ = static_cast<std::uint16_t>(std::stoi(lines[0].substr(5)));
            return;
        }
        if (poll_process(pid_)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(pid_, SIGKILL);
    wait_process(pid_);
    throw std::runtime_error("ws_echo_server.py did not start: " + read_file(dir_.file("err.log")));
}

WsEchoServer::~WsEchoServer() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait_process(pid_);
    }
}

Lines WsEchoServer::lines() const {
    Lines all = split_lines(read_file(dir_.file("out.log")));
    if (!all.empty()) all.erase(all.begin());
    return all;
}

}  // namespace tests
