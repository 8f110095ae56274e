#include "platform_air780ep/host_tcp_stream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace platform_air780ep {

using luat_mqtt::TransportError;

namespace {

// The kernel gave up retransmitting (ETIMEDOUT) is a timeout in either phase; anything else is a
// failed connect while connecting and a reset afterwards.
TransportError classify(int err, bool connecting) {
    if (err == ETIMEDOUT) return TransportError::kTimeout;
    if (err == ENOBUFS || err == ENOMEM) return TransportError::kNoResources;
    return connecting ? TransportError::kConnectFailed : TransportError::kReset;
}

}  // namespace

HostTcpStream::HostTcpStream(sys_task::EventLoop& loop, const HostMap& hosts)
    : loop_(loop), hosts_(hosts), resolver_(loop), notices_(loop, [this] { return !rx_.empty(); }) {
    flush_hook_ = loop_.add_before_block([this] {
        flush();
        sent_this_iteration_ = false;
    });
}

HostTcpStream::~HostTcpStream() {
    close();
    loop_.remove_before_block(flush_hook_);
}

bool HostTcpStream::open(std::string_view host, std::uint16_t port) {
    if (is_open()) return false;
    if (state_ == State::kEnded) close();
    const HostForm form = classify_host(host);
    const HostMap::Route route = hosts_.route(host, form, port);
    host_ = std::string(host);
    port_ = route.port;
    remote_ = host_ + ":" + std::to_string(port_);
    state_ = State::kResolving;
    // As the module reads a host (docs/network.md, "Literal addresses and names"): a literal in any
    // form is an address, a name no DNS query can be made for fails at once with the reason.
    if (route.mapped) {
        if (auto address = parse_ipv4(route.host)) {
            start_connect(*address);
            return true;
        }
    } else if (form.kind == HostForm::Kind::kLiteral) {
        start_connect(form.address);
        return true;
    } else if (form.kind == HostForm::Kind::kInvalid) {
        end(TransportError::kDnsFailed, "cannot resolve '" + host_ + "': " + form.reason);
        return true;
    }
    const std::string name = route.host;
    auto resolved = [this, name](std::optional<Ipv4> address, const std::string& error) {
        if (state_ != State::kResolving) return;
        if (!address) {
            end(TransportError::kDnsFailed, "cannot resolve '" + name + "': " + error);
            return;
        }
        start_connect(*address);
    };
    std::string error;
    if (!resolver_.resolve(name, std::move(resolved), error)) {
        end(TransportError::kNoResources, "cannot resolve '" + name + "': " + error);  // reported later
    }
    return true;
}

void HostTcpStream::start_connect(Ipv4 address) {
    remote_ = host_ + ":" + std::to_string(port_) + " (" + ipv4_to_string(address) + ":" +
              std::to_string(port_) + ")";
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        end(TransportError::kNoResources, std::string("socket: ") + std::strerror(errno));
        return;
    }
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port_);
    sa.sin_addr.s_addr = htonl(address);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS) {
        end(classify(errno, true), "connect to " + remote_ + ": " + std::strerror(errno));
        return;
    }
    state_ = State::kConnecting;
    update_watch();
}

void HostTcpStream::adopt(int fd, std::string remote) {
    fd_ = fd;
    remote_ = std::move(remote);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    state_ = State::kConnected;
    update_watch();
}

void HostTcpStream::on_socket(short revents) {
    if (state_ == State::kConnecting) {
        finish_connect();
        return;
    }
    if (state_ != State::kConnected) return;
    if ((revents & POLLOUT) != 0) {
        send_blocked_ = false;
        flush();
        if (state_ != State::kConnected) return;
    }
    if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) receive();
    if (state_ == State::kConnected) update_watch();
}

void HostTcpStream::finish_connect() {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) {
        end(classify(err, true), "connect to " + remote_ + ": " + std::strerror(err));
        return;
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // writes are batched already
    state_ = State::kConnected;
    notices_.connected();
    update_watch();
}

void HostTcpStream::receive() {
    std::array<std::uint8_t, 16 * 1024> buf;
    bool got = false;
    while (rx_.size() < kRxCapacity && !peer_finished_) {
        const std::size_t room = std::min(buf.size(), kRxCapacity - rx_.size());
        const ssize_t n = ::recv(fd_, buf.data(), room, MSG_DONTWAIT);
        if (n > 0) {
            rx_.append(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
            got = true;
            // A short read emptied the socket: poll() (level-triggered) says when more, or the
            // peer's FIN, arrives; asking again now would only return EAGAIN (a syscall per wake-up).
            if (static_cast<std::size_t>(n) < room) break;
            continue;
        }
        if (n == 0) {
            peer_finished_ = true;
            break;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        const int err = errno;
        end(classify(err, false), "connection to " + remote_ + ": " + std::strerror(err));
        return;
    }
    if (got) {
        notices_.readable();
    }
    if (peer_finished_ && rx_.empty()) end(TransportError::kPeerClosed, "closed by peer " + remote_);
}

void HostTcpStream::flush() {
    if (state_ != State::kConnected || tx_.empty() || send_blocked_) return;
    while (!tx_.empty()) {
        const auto pending = tx_.data();
        const ssize_t n = ::send(fd_, pending.data(), pending.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            tx_.consume(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            send_blocked_ = true;
            break;
        }
        const int err = errno;
        end(classify(err, false), "send to " + remote_ + ": " + std::strerror(err));
        return;
    }
    if (tx_.empty()) tx_.release();
    if (want_writable_ && writable() > 0) {
        want_writable_ = false;
        notices_.writable();
    }
    update_watch();
}

void HostTcpStream::update_watch() {
    if (fd_ < 0) return;
    short events = 0;
    if (state_ == State::kConnecting) events = POLLOUT;
    if (state_ == State::kConnected) {
        if (rx_.size() < kRxCapacity && !peer_finished_) events |= POLLIN;
        if (send_blocked_) events |= POLLOUT;
    }
    if (events == watched_events_ && (watch_ != 0) == (events != 0)) return;
    // Not watched at all when nothing is wanted: poll() reports POLLHUP/POLLERR even for no
    // events, and a full receive buffer must not make the loop spin on a hung-up socket.
    if (events == 0) {
        if (watch_ != 0) loop_.unwatch_fd(watch_);
        watch_ = 0;
    } else if (watch_ == 0) {
        watch_ = loop_.watch_fd(fd_, events, [this](short revents) { on_socket(revents); });
    } else {
        loop_.set_fd_events(watch_, events);
    }
    watched_events_ = events;
}

std::size_t HostTcpStream::write(std::span<const std::uint8_t> data) {
    std::size_t n = std::min(data.size(), writable());
    if (n < data.size() && state_ == State::kConnected && !send_blocked_) {
        // The buffer filled within one loop iteration (a script publishing in a tight loop): hand
        // it to the kernel now rather than refuse; the broker reads it meanwhile. A send failure
        // ends the stream here, and the owner hears of it from the loop, as always.
        flush();
        n = std::min(data.size(), writable());
    }
    tx_.append(data.first(n));
    if (n < data.size()) want_writable_ = true;
    if (!sent_this_iteration_ && state_ == State::kConnected && !send_blocked_) {
        // The first write since the loop last blocked goes out now: a QoS 1 round trip waited
        // ~11 us longer for the loop to come round (the script's yield, the rest of the iteration).
        // What follows in the same iteration is batched as before.
        sent_this_iteration_ = true;
        flush();
    }
    return n;
}

std::size_t HostTcpStream::writable() const {
    return state_ == State::kConnected ? kTxCapacity - std::min(tx_.size(), kTxCapacity) : 0;
}

std::size_t HostTcpStream::unsent() const {
    if (state_ != State::kConnected) return 0;
    int queued = 0;  // in the kernel, not yet acknowledged by the peer
    if (::ioctl(fd_, TIOCOUTQ, &queued) != 0) queued = 0;
    return tx_.size() + static_cast<std::size_t>(std::max(queued, 0));
}

std::size_t HostTcpStream::read(std::span<std::uint8_t> out) {
    const std::size_t n = rx_.take(out);
    if (rx_.empty()) rx_.release();
    if (state_ == State::kConnected) {
        if (peer_finished_ && rx_.empty()) {
            end(TransportError::kPeerClosed, "closed by peer " + remote_);
        } else {
            update_watch();  // room again: read the socket further
        }
    }
    return n;
}

void HostTcpStream::close() {
    notices_.clear();
    resolver_.cancel();
    if (fd_ >= 0 && state_ == State::kConnected && !tx_.empty()) {
        // Best effort: whatever the kernel takes now still goes out before the FIN.
        const auto pending = tx_.data();
        [[maybe_unused]] const ssize_t n =
            ::send(fd_, pending.data(), pending.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    if (fd_ >= 0 && state_ == State::kConnected) {
        // Bytes the peer sent that nobody read would make close() send a reset instead of a FIN, and
        // a peer that sees the reset may drop what it has not read of ours yet (the DISCONNECT just
        // written). Nobody will read them now: take them out of the kernel first (what a receive
        // buffer holds at most; a peer still flooding us gets its reset).
        std::array<std::uint8_t, 16 * 1024> unread;
        for (int i = 0; i < 64 && ::recv(fd_, unread.data(), unread.size(), MSG_DONTWAIT) > 0; ++i) {
        }
    }
    release_socket();
    rx_.clear();
    rx_.release();
    tx_.clear();
    tx_.release();
    peer_finished_ = false;
    want_writable_ = false;
    send_blocked_ = false;
    state_ = State::kIdle;
}

void HostTcpStream::release_socket() {
    if (watch_ != 0) loop_.unwatch_fd(watch_);
    watch_ = 0;
    watched_events_ = 0;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void HostTcpStream::end(TransportError error, std::string detail) {
    resolver_.cancel();
    release_socket();
    tx_.clear();
    state_ = State::kEnded;
    want_writable_ = false;
    // Bytes that arrived before the end (a reset right after the server's last packet, a TLS alert
    // before the hang-up) are still announced and readable before the close is reported.
    notices_.ended(error, std::move(detail));
}

}  // namespace platform_air780ep
