#include "tests/support/echo_peers.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tests {

namespace {

int bound_socket(int type, std::uint16_t& port) {
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(port);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
        ::close(fd);
        throw std::runtime_error(std::string("bind: ") + std::strerror(errno));
    }
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    port = ntohs(sa.sin_port);
    return fd;
}

void make_pipe(int (&fds)[2]) {
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed");
}

void wake(int fd) {
    const char c = 0;
    [[maybe_unused]] const ssize_t n = ::write(fd, &c, 1);
}

}  // namespace

TcpEchoServer::TcpEchoServer() {
    port_ = 0;
    listen_fd_ = bound_socket(SOCK_STREAM, port_);
    if (::listen(listen_fd_, 16) != 0) {
        ::close(listen_fd_);
        throw std::runtime_error("listen failed");
    }
    make_pipe(wake_);
    thread_ = std::thread([this] { run(); });
}

TcpEchoServer::~TcpEchoServer() {
    wake(wake_[1]);
    thread_.join();
    ::close(listen_fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
}

void TcpEchoServer::close_clients() {
    close_clients_.store(true);
    wake(wake_[1]);
    while (close_clients_.load())
        std::this_thread::yield();
}

void TcpEchoServer::run() {
    std::vector<int> clients;
    std::array<char, 65536> buffer{};
    for (;;) {
        std::vector<pollfd> fds = {{wake_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
        for (int c : clients)
            fds.push_back({c, POLLIN, 0});
        ::poll(fds.data(), fds.size(), -1);
        if ((fds[0].revents & POLLIN) != 0) {
            char drain[16];
            while (::read(wake_[0], drain, sizeof drain) > 0) {
            }
            if (close_clients_.load()) {
                // Connections the kernel has completed but this thread has not accepted yet too.
                pollfd pending{listen_fd_, POLLIN, 0};
                while (::poll(&pending, 1, 0) > 0) {
                    const int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
                    if (c < 0) break;
                    ++accepted_;
                    clients.push_back(c);
                }
                for (int c : clients)
                    ::close(c);
                clients.clear();
                close_clients_.store(false);
                continue;
            }
            break;
        }
        std::vector<int> kept;
        if ((fds[1].revents & POLLIN) != 0) {
            const int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c >= 0) {
                kept.push_back(c);
                ++accepted_;
            }
        }
        for (std::size_t i = 2; i < fds.size(); ++i) {
            const int c = fds[i].fd;
            if (fds[i].revents == 0) {
                kept.push_back(c);
                continue;
            }
            const ssize_t n = ::recv(c, buffer.data(), buffer.size(), 0);
            if (n <= 0) {
                ::close(c);
                continue;
            }
            ssize_t done = 0;
            while (done < n) {
                const ssize_t w =
                    ::send(c, buffer.data() + done, static_cast<std::size_t>(n - done), MSG_NOSIGNAL);
                if (w <= 0) break;
                done += w;
            }
            echoed_ += static_cast<std::size_t>(done);
            kept.push_back(c);
        }
        clients = kept;
    }
    for (int c : clients)
        ::close(c);
}

UdpEchoPeer::UdpEchoPeer(std::uint16_t port) : port_(port) {
    fd_ = bound_socket(SOCK_DGRAM, port_);
    make_pipe(wake_);
    thread_ = std::thread([this] { run(); });
}

UdpEchoPeer::UdpEchoPeer(Reply reply) : reply_(std::move(reply)) {
    fd_ = bound_socket(SOCK_DGRAM, port_);
    make_pipe(wake_);
    thread_ = std::thread([this] { run(); });
}

UdpEchoPeer::~UdpEchoPeer() {
    wake(wake_[1]);
    thread_.join();
    ::close(fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
}

std::vector<std::string> UdpEchoPeer::received() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
}

void UdpEchoPeer::run() {
    std::array<char, 65536> buffer{};
    for (;;) {
        pollfd fds[2] = {{wake_[0], POLLIN, 0}, {fd_, POLLIN, 0}};
        ::poll(fds, 2, -1);
        if ((fds[0].revents & POLLIN) != 0) break;
        sockaddr_in from{};
        socklen_t len = sizeof from;
        const ssize_t n =
            ::recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) continue;
        const std::string datagram(buffer.data(), static_cast<std::size_t>(n));
        std::size_t index = 0;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            index = received_.size();
            received_.push_back(datagram);
        }
        const std::optional<std::string> answer = reply_ ? reply_(index, datagram) : datagram;
        if (answer) {
            ::sendto(fd_, answer->data(), answer->size(), 0, reinterpret_cast<const sockaddr*>(&from), len);
        }
        ++datagrams_;
    }
}

}  // namespace tests
