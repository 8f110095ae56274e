#include "tests/tls/support/loopback_tcp_stream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace tests {

using luat_mqtt::TransportError;

LoopbackTcpStream::LoopbackTcpStream(sys_task::EventLoop& loop, Options options)
    : loop_(loop), options_(options) {}

LoopbackTcpStream::~LoopbackTcpStream() {
    *alive_ = false;
    close();
}

bool LoopbackTcpStream::open(std::string_view /*host: always 127.0.0.1*/, std::uint16_t port) {
    if (fd_ >= 0) return false;
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
        // Refused at once: reported from the loop like any later failure (open() never calls back).
        const std::string why = std::strerror(errno);
        ::close(fd_);
        fd_ = -1;
        loop_.post([this, alive = alive_, session = ++session_, why] {
            if (*alive && session == session_ && listener_ != nullptr) {
                listener_->on_transport_closed(TransportError::kConnectFailed, why);
            }
        });
        return true;
    }
    connecting_ = true;
    want_input_ = true;
    owner_waits_writable_ = false;
    watch_ = loop_.watch_fd(fd_, POLLOUT, [this](short revents) { on_poll(revents); });
    return true;
}

void LoopbackTcpStream::close() {
    ++session_;
    if (fd_ < 0) return;
    flush();  // best effort
    loop_.unwatch_fd(watch_);
    ::close(fd_);
    fd_ = -1;
    watch_ = 0;
    connecting_ = false;
    out_.clear();
}

std::size_t LoopbackTcpStream::write(std::span<const std::uint8_t> data) {
    if (fd_ < 0 || connecting_) return 0;
    const std::size_t n = std::min(data.size(), writable());
    out_.insert(out_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    if (n < data.size()) owner_waits_writable_ = true;
    update_interest();
    return n;
}

std::size_t LoopbackTcpStream::writable() const {
    if (fd_ < 0 || connecting_) return 0;
    return options_.send_capacity > out_.size() ? options_.send_capacity - out_.size() : 0;
}

std::size_t LoopbackTcpStream::read(std::span<std::uint8_t> out) {
    if (fd_ < 0 || connecting_ || out.empty()) return 0;
    const ssize_t n = ::recv(fd_, out.data(), std::min(out.size(), options_.read_chunk), 0);
    if (!want_input_) {
        want_input_ = true;  // the reader is reading again: tell it about what comes next
        update_interest();
    }
    return n > 0 ? static_cast<std::size_t>(n) : 0;  // EOF and errors are reported from the loop
}

std::size_t LoopbackTcpStream::readable() const {
    if (fd_ < 0 || connecting_) return 0;
    int n = 0;
    if (::ioctl(fd_, FIONREAD, &n) != 0 || n < 0) return 0;
    return static_cast<std::size_t>(n);
}

void LoopbackTcpStream::update_interest() {
    if (fd_ < 0) return;
    short events = 0;
    if (connecting_ || !out_.empty()) events |= POLLOUT;
    if (!connecting_ && want_input_) events |= POLLIN;
    loop_.set_fd_events(watch_, events);
}

bool LoopbackTcpStream::flush() {
    while (!out_.empty()) {
        const ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        if (options_.record_sent) sent_.insert(sent_.end(), out_.begin(), out_.begin() + n);
        out_.erase(out_.begin(), out_.begin() + n);
    }
    return true;
}

void LoopbackTcpStream::fail(TransportError error, std::string_view detail) {
    close();
    if (listener_ != nullptr) listener_->on_transport_closed(error, detail);
}

bool LoopbackTcpStream::wait_until_peer_finished(int timeout_ms) const {
    if (fd_ < 0) return false;
    pollfd p{fd_, POLLRDHUP, 0};  // only the peer's FIN (or an error) ends the wait, not its data
    return ::poll(&p, 1, timeout_ms) > 0 && (p.revents & (POLLRDHUP | POLLHUP)) != 0;
}

void LoopbackTcpStream::on_poll(short revents) {
    const auto alive = alive_;
    if (connecting_) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            fail(TransportError::kConnectFailed, std::strerror(err));
            return;
        }
        if ((revents & POLLOUT) == 0) return;
        connecting_ = false;
        update_interest();
        if (listener_ != nullptr) listener_->on_transport_connected();
        return;
    }
    if ((revents & POLLOUT) != 0) {
        if (!flush()) {
            fail(TransportError::kReset, std::strerror(errno));
            return;
        }
        update_interest();
        if (owner_waits_writable_ && writable() > 0 && listener_ != nullptr) {
            owner_waits_writable_ = false;
            listener_->on_transport_writable();
            if (!*alive || fd_ < 0) return;
        }
    }
    if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0 && want_input_) {
        std::uint8_t probe = 0;
        const ssize_t n = ::recv(fd_, &probe, 1, MSG_PEEK);
        if (n > 0) {
            want_input_ = false;  // until the reader calls read(): no busy loop on unread data
            update_interest();
            if (listener_ != nullptr) listener_->on_transport_readable();
        } else if (n == 0) {
            fail(TransportError::kPeerClosed, "closed by peer");
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            fail(TransportError::kReset, std::strerror(errno));
        }
    }
}

}  // namespace tests
