#include "net_test_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "platform_air780ep/frame_codec.hpp"

namespace tests {

std::uint64_t steady_us() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
}

std::vector<std::uint8_t> guest_udp_frame(std::uint16_t source_port, std::uint16_t destination_port,
                                          std::span<const std::uint8_t> payload) {
    std::vector<std::uint8_t> f(kEthHeaderLen + kIpv4MinHeaderLen + kUdpHeaderLen);
    for (std::size_t i = 0; i < 6; ++i) {
        f[i] = static_cast<std::uint8_t>(0x52 + i);      // gateway MAC
        f[6 + i] = static_cast<std::uint8_t>(0x02 + i);  // guest MAC
    }
    store_be16(f, 12, kEtherTypeIpv4);
    f[14] = 0x45;
    store_be16(f, 16, static_cast<std::uint16_t>(kIpv4MinHeaderLen + kUdpHeaderLen + payload.size()));
    f[22] = 64;
    f[23] = kIpProtoUdp;
    store_be32(f, 26, make_ipv4(10, 0, 2, 15));
    store_be32(f, 30, make_ipv4(10, 0, 2, 2));
    store_be16(f, 34, source_port);
    store_be16(f, 36, destination_port);
    store_be16(f, 38, static_cast<std::uint16_t>(kUdpHeaderLen + payload.size()));
    f.insert(f.end(), payload.begin(), payload.end());
    return f;
}

struct LoopServer::Conn {
    int fd;
    sys_task::EventLoop::WatchId watch;
    std::vector<std::uint8_t> out;
};

LoopServer::LoopServer(sys_task::EventLoop& loop, bool echo) : loop_(loop), echo_(echo) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
        ::listen(fd_, SOMAXCONN) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
        throw std::runtime_error("LoopServer: cannot listen");
    }
    port_ = ntohs(sa.sin_port);
    watch_ = loop_.watch_fd(fd_, POLLIN, [this](short) { on_accept(); });
}

LoopServer::~LoopServer() {
    close_connections();
    loop_.unwatch_fd(watch_);
    ::close(fd_);
}

void LoopServer::on_accept() {
    while (true) {
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0) return;
        ++accepted_;
        auto conn = std::make_unique<Conn>(Conn{c, 0, {}});
        Conn* p = conn.get();
        conn->watch = loop_.watch_fd(c, POLLIN, [this, p](short revents) { on_conn(*p, revents); });
        conns_.push_back(std::move(conn));
    }
}

void LoopServer::on_conn(Conn& c, short revents) {
    if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        std::uint8_t buf[65536];
        while (true) {
            const ssize_t n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                const std::uint64_t now = steady_us();
                if (received_ == 0) first_us_ = now;
                last_us_ = now;
                received_ += static_cast<std::size_t>(n);
                data_.insert(data_.end(), buf, buf + n);
                if (echo_) c.out.insert(c.out.end(), buf, buf + n);
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                if (n < 0 && errno == ECONNRESET) ++resets_;
                loop_.unwatch_fd(c.watch);
                ::close(c.fd);
                std::erase_if(conns_, [&c](const std::unique_ptr<Conn>& p) { return p.get() == &c; });
                return;
            }
            if (errno == EAGAIN) break;
        }
    }
    while (!c.out.empty()) {
        const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n <= 0) break;
        c.out.erase(c.out.begin(), c.out.begin() + n);
    }
    loop_.set_fd_events(c.watch, static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT)));
}

void LoopServer::close_connections() {
    for (auto& c : conns_) {
        loop_.unwatch_fd(c->watch);
        ::close(c->fd);
    }
    conns_.clear();
}

void LoopServer::reset_connections() {
    for (auto& c : conns_) {
        const linger abort_on_close{1, 0};
        ::setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    }
    close_connections();
}

void LoopServer::send_all(const std::vector<std::uint8_t>& bytes) {
    for (auto& c : conns_) {
        c->out.insert(c->out.end(), bytes.begin(), bytes.end());
        on_conn(*c, 0);
    }
}

void RecordingListener::on_transport_readable() {
    if (!auto_read) return;
    std::uint8_t buf[4096];
    while (true) {
        const std::size_t n = transport_.read(buf);
        if (n == 0) break;
        received.insert(received.end(), buf, buf + n);
    }
}

void RecordingListener::on_transport_closed(luat_mqtt::TransportError error, std::string_view why) {
    events.push_back(std::string("closed:") + luat_mqtt::to_string(error));
    closed_error = error;
    closed_detail = std::string(why);
}

bool RecordingListener::connected() const {
    return std::find(events.begin(), events.end(), "connected") != events.end();
}

bool run_until(sys_task::EventLoop& loop, const std::function<bool()>& done, int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        loop.run_once(10);
    }
    return true;
}

void run_for(sys_task::EventLoop& loop, int ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < deadline)
        loop.run_once(5);
}

namespace {

void put_string(std::vector<std::uint8_t>& out, const std::string& s) {
    out.push_back(static_cast<std::uint8_t>(s.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
}

std::vector<std::uint8_t> with_fixed_header(std::uint8_t type, const std::vector<std::uint8_t>& body) {
    std::vector<std::uint8_t> out{type};
    std::size_t len = body.size();
    do {
        std::uint8_t b = len % 128;
        len /= 128;
        if (len > 0) b |= 0x80;
        out.push_back(b);
    } while (len > 0);
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

}  // namespace

std::vector<std::uint8_t> mqtt_connect(const std::string& client_id, std::uint16_t keepalive) {
    std::vector<std::uint8_t> body;
    put_string(body, "MQTT");
    body.push_back(4);     // 3.1.1
    body.push_back(0x02);  // clean session
    body.push_back(static_cast<std::uint8_t>(keepalive >> 8));
    body.push_back(static_cast<std::uint8_t>(keepalive));
    put_string(body, client_id);
    return with_fixed_header(0x10, body);
}

std::vector<std::uint8_t> mqtt_publish_qos1(const std::string& topic, std::uint16_t id,
                                            const std::string& payload) {
    std::vector<std::uint8_t> body;
    put_string(body, topic);
    body.push_back(static_cast<std::uint8_t>(id >> 8));
    body.push_back(static_cast<std::uint8_t>(id));
    body.insert(body.end(), payload.begin(), payload.end());
    return with_fixed_header(0x32, body);
}

}  // namespace tests
