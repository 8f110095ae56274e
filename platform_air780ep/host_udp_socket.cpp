#include "platform_air780ep/host_udp_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace platform_air780ep {

namespace {

constexpr Ipv4 kLoopback = make_ipv4(127, 0, 0, 1);

bool is_loopback(Ipv4 a) {
    return (a >> 24) == 127;
}

std::string refused(const std::string& target, const std::string& literal) {
    return target +
           " is not a destination of this simulation (only this host and what --host names are: map it with "
           "--host " +
           literal + "=127.0.0.1[:PORT])";
}

}  // namespace

HostUdpSocket::HostUdpSocket(sys_task::EventLoop& loop, const HostMap& hosts, const HostPortMap* ports)
    : loop_(loop), hosts_(hosts), ports_(ports), resolver_(loop) {}

HostUdpSocket::~HostUdpSocket() {
    close();
}

bool HostUdpSocket::open(std::string_view host, std::uint16_t port, std::uint16_t device_port,
                         std::string& error) {
    const std::uint16_t local_port = ports_ != nullptr ? ports_->udp_port(device_port) : device_port;
    if (fd_ >= 0) {
        error = "already open";
        return false;
    }
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return false;
    }
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(local_port);
    sa.sin_addr.s_addr = htonl(kLoopback);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
        error = "cannot bind UDP port " + std::to_string(local_port) + ": " + std::strerror(errno);
        ::close(fd_);
        fd_ = -1;
        return false;
    }
    watch_ = loop_.watch_fd(fd_, POLLIN, [this](short) { receive(); });
    host_ = std::string(host);
    if (port == 0 && parse_ipv4(host_)) {
        // Unconnected, as over LWIP_GP (lwip_udp_socket.cpp): bound, no default peer, open.
        port_ = 0;
        finish_open(true, "");
        return true;
    }
    const HostMap::Route route = hosts_.route(host, port);
    port_ = route.port;
    if (auto address = parse_ipv4(route.host)) {
        const bool allowed = route.mapped || is_loopback(*address);
        if (allowed) peer_ = address;
        finish_open(allowed, allowed ? "" : refused(route.host, host_));
        return true;
    }
    if (!route.mapped && !is_loopback_host(route.host)) {
        finish_open(false, refused(route.host, host_));
        return true;
    }
    const std::string name = route.host;
    std::string why;
    auto resolved = [this, name](std::optional<Ipv4> address, const std::string& reason) {
        if (address) peer_ = address;
        finish_open(address.has_value(), address ? "" : "cannot resolve '" + name + "': " + reason);
    };
    if (!resolver_.resolve(name, std::move(resolved), why))
        finish_open(false, "cannot resolve '" + name + "': " + why);
    return true;
}

void HostUdpSocket::finish_open(bool ok, std::string detail) {
    std::weak_ptr<int> alive = alive_;
    loop_.post([this, alive, ok, detail = std::move(detail)] {
        if (alive.expired() || listener_ == nullptr) return;
        listener_->on_datagram_open(ok, detail);
    });
}

bool HostUdpSocket::send(std::span<const std::uint8_t> data, std::optional<Ipv4> to, std::uint16_t to_port,
                         std::string& error) {
    if (fd_ < 0) {
        error = "not open";
        return false;
    }
    Ipv4 destination = 0;
    std::uint16_t port = port_;
    if (to) {
        const std::string literal = ipv4_to_string(*to);
        const HostMap::Route route = hosts_.route(literal, to_port);
        const auto address = parse_ipv4(route.host);
        if (!address || !(route.mapped || is_loopback(*address))) {
            error = refused(route.host, literal);
            return false;
        }
        destination = *address;
        port = route.port;
    } else if (peer_) {
        destination = *peer_;
    } else {
        error = "no destination";
        return false;
    }
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(destination);
    if (::sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) < 0) {
        error = std::string("sendto: ") + std::strerror(errno);
        return false;
    }
    return true;
}

void HostUdpSocket::receive() {
    std::array<std::uint8_t, 65536> buffer{};
    bool any = false;
    for (;;) {
        sockaddr_in from{};
        socklen_t len = sizeof from;
        const ssize_t n =
            ::recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) break;  // EAGAIN, or an ICMP error from an earlier send: nothing to read
        Datagram d;
        d.data.assign(buffer.begin(), buffer.begin() + n);
        d.from = ntohl(from.sin_addr.s_addr);
        d.port = ntohs(from.sin_port);
        any = enqueue(std::move(d)) || any;
    }
    if (any && listener_ != nullptr) listener_->on_datagram_readable();
}

void HostUdpSocket::close() {
    resolver_.cancel();
    if (watch_ != 0) loop_.unwatch_fd(watch_);
    watch_ = 0;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    peer_.reset();
    clear_queue();
    alive_ = std::make_shared<int>(0);
}

std::uint16_t HostUdpSocket::local_port() const {
    if (fd_ < 0) return 0;
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return 0;
    return ntohs(sa.sin_port);
}

}  // namespace platform_air780ep
