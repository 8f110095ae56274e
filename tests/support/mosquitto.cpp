#include "tests/support/mosquitto.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace tests {

namespace {}  // namespace

sockaddr_in loopback_address(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

bool accepts_connections(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const sockaddr_in addr = loopback_address(port);
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

std::uint16_t free_loopback_port(int type) {
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr = loopback_address(0);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

namespace {

MosquittoOptions with_listeners(std::vector<BrokerListener> listeners, bool log_everything) {
    MosquittoOptions o;
    o.listeners = std::move(listeners);
    o.log_everything = log_everything;
    return o;
}

}  // namespace

Mosquitto::Mosquitto(std::vector<BrokerListener> listeners, bool log_everything)
    : Mosquitto(with_listeners(std::move(listeners), log_everything)) {}

Mosquitto::Mosquitto(MosquittoOptions options) : options_(std::move(options)), dir_("luatos-mosquitto") {
    if (!options_.users.empty()) {
        const auto passwords = dir_.path() / "passwords";
        for (const auto& [user, password] : options_.users) {
            std::vector<std::string> argv = {"mosquitto_passwd", "-b"};
            if (!std::filesystem::exists(passwords)) argv.emplace_back("-c");
            argv.insert(argv.end(), {passwords.string(), user, password});
            run_command(argv, dir_.path() / "mosquitto_passwd.out");
        }
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        ports_.clear();
        for (const BrokerListener& l : options_.listeners)
            ports_[l.name] = free_loopback_port();
        if (start_on_current_ports()) return;  // else a port was taken meanwhile: new ports
    }
    throw std::runtime_error("mosquitto did not start:\n" + log());
}

Mosquitto::~Mosquitto() {
    kill(SIGTERM);
}

std::string Mosquitto::log() const {
    return read_file(dir_.path() / "mosquitto.out") + read_file(dir_.path() / "mosquitto.log");
}

void Mosquitto::write_config() {
    std::string conf = "per_listener_settings false\n";
    if (options_.users.empty()) {
        conf += "allow_anonymous true\n";
    } else {
        conf += "allow_anonymous false\npassword_file " + (dir_.path() / "passwords").string() + "\n";
    }
    conf +=
        "persistence false\n"
        "set_tcp_nodelay true\n"
        "max_queued_messages " +
        std::to_string(options_.max_queued_messages) + "\nlog_dest file " +
        (dir_.path() / "mosquitto.log").string() + "\nlog_type " +
        (options_.log_everything ? "all" : "error\nlog_type warning") + "\n";
    if (::geteuid() == 0) conf += "user root\n";  // else it drops privileges before reading the keys
    conf += options_.extra_config;
    if (!conf.ends_with('\n')) conf += '\n';
    for (const BrokerListener& l : options_.listeners)
        conf += "listener " + std::to_string(ports_.at(l.name)) + " 127.0.0.1\n" + l.config;
    write_file(dir_.path() / "mosquitto.conf", conf);
}

bool Mosquitto::start_on_current_ports() {
    write_config();
    pid_ = spawn_process({"mosquitto", "-c", (dir_.path() / "mosquitto.conf").string()},
                         dir_.path() / "mosquitto.out");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        if (poll_process(pid_)) {  // exited: a port is taken, or a bad config
            pid_ = -1;
            return false;
        }
        bool all_ready = true;
        for (const auto& [name, port] : ports_)
            all_ready = all_ready && accepts_connections(port);
        if (all_ready) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    kill(SIGKILL);
    return false;
}

void Mosquitto::kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    // mosquitto loses a SIGTERM that comes while it starts up (its handler clears a flag that its main
    // loop then sets again): it is sent again until the broker has gone, then SIGKILL as a last resort.
    bool reaped = false;
    for (int tries = 0; sig != SIGKILL && !(reaped = poll_process(pid_).has_value()); ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        ::kill(pid_, tries < 100 ? sig : SIGKILL);
    }
    if (!reaped) wait_process(pid_);
    pid_ = -1;
}

void Mosquitto::restart() {
    kill(SIGTERM);
    // The old listening sockets are gone with the process; the ports are free again at once
    // (mosquitto sets SO_REUSEADDR). Retry briefly in case the kernel still holds one.
    for (int attempt = 0; attempt < 50; ++attempt) {
        if (start_on_current_ports()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("mosquitto did not restart on its ports:\n" + log());
}

}  // namespace tests
