#include "platform_air780ep/host_ntp_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "platform_air780ep/ntp_packet.hpp"

namespace platform_air780ep {

std::unique_ptr<HostNtpServer> HostNtpServer::create(sys_task::EventLoop& loop, const NetworkTime& time,
                                                     std::uint16_t port, std::string& error) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return nullptr;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        error = "127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno);
        ::close(fd);
        return nullptr;
    }
    return std::unique_ptr<HostNtpServer>(new HostNtpServer(loop, time, fd, ntohs(addr.sin_port)));
}

HostNtpServer::HostNtpServer(sys_task::EventLoop& loop, const NetworkTime& time, int fd, std::uint16_t port)
    : loop_(loop), time_(time), fd_(fd), port_(port) {
    watch_ = loop_.watch_fd(fd_, POLLIN, [this](short) { readable(); });
}

HostNtpServer::~HostNtpServer() {
    loop_.unwatch_fd(watch_);
    ::close(fd_);
}

void HostNtpServer::readable() {
    std::uint8_t buf[512];
    for (;;) {
        sockaddr_in from{};
        socklen_t len = sizeof from;
        const ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) return;
        const auto reply =
            make_ntp_reply(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)), time_.unix_ms());
        if (!reply) continue;
        ::sendto(fd_, reply->data(), reply->size(), 0, reinterpret_cast<const sockaddr*>(&from), len);
        ++answered_;
    }
}

}  // namespace platform_air780ep
