#include "tests/tls/support/test_broker.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace luat::test {

namespace {

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

bool accepts_connections(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const sockaddr_in addr = loopback(port);
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

std::uint16_t free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr = loopback(0);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

TestBroker::TestBroker(std::vector<BrokerListener> listeners, bool log_everything)
    : dir_("luatos-tls-broker") {
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (try_start(listeners, log_everything)) return;
    }
    throw std::runtime_error("mosquitto did not start:\n" + log());
}

TestBroker::~TestBroker() {
    stop();
}

std::string TestBroker::log() const {
    return read_file(dir_.path() / "mosquitto.out") + read_file(dir_.path() / "mosquitto.log");
}

bool TestBroker::try_start(const std::vector<BrokerListener>& listeners, bool log_everything) {
    ports_.clear();
    std::string conf =
        "per_listener_settings false\n"
        "allow_anonymous true\n"
        "persistence false\n"
        "set_tcp_nodelay true\n"
        "max_queued_messages 100000\n"
        "log_dest file " +
        (dir_.path() / "mosquitto.log").string() +
        "\n"
        "log_type " +
        std::string(log_everything ? "all" : "error\nlog_type warning") + "\n";
    if (::geteuid() == 0) conf += "user root\n";  // else it drops privileges before reading the keys
    for (const BrokerListener& l : listeners) {
        const std::uint16_t port = free_loopback_port();
        ports_[l.name] = port;
        conf += "listener " + std::to_string(port) + " 127.0.0.1\n" + l.config;
    }
    const auto conf_file = dir_.path() / "mosquitto.conf";
    write_file(conf_file, conf);
    pid_ = spawn_process({"mosquitto", "-c", conf_file.string()}, dir_.path() / "mosquitto.out");

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: a port was taken meanwhile, or bad config
            pid_ = -1;
            return false;
        }
        bool all_ready = true;
        for (const auto& [name, port] : ports_)
            all_ready = all_ready && accepts_connections(port);
        if (all_ready) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    stop();
    return false;
}

void TestBroker::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
}

}  // namespace luat::test
