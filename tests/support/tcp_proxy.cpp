#include "tests/support/tcp_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <stdexcept>
#include <vector>

namespace tests {

namespace {

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

struct Pair {
    int a;  // the device's side
    int b;  // the broker's side
};

// Copy what is readable from `from` to `to` (blocking writes: loopback drains fast). False when
// either side ended.
bool pump(int from, int to) {
    std::array<char, 16384> buf;
    const ssize_t n = ::recv(from, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    for (ssize_t sent = 0; sent < n;) {
        const ssize_t w = ::send(to, buf.data() + sent, static_cast<std::size_t>(n - sent), MSG_NOSIGNAL);
        if (w <= 0) return false;
        sent += w;
    }
    return true;
}

// Abortive close: the peer sees a reset, as when a cellular link's NAT forgets the connection.
void abort_socket(int fd) {
    const linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

}  // namespace

TcpProxy::TcpProxy(std::uint16_t target_port) : target_(target_port) {
    const int fd = listen_on(0);
    sockaddr_in a{};
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe failed");
    thread_ = std::thread([this, fd] { run(fd); });
}

TcpProxy::~TcpProxy() {
    stop_ = true;
    const char c = 's';
    [[maybe_unused]] const ssize_t n = ::write(wake_[1], &c, 1);
    thread_.join();
    ::close(wake_[0]);
    ::close(wake_[1]);
}

int TcpProxy::listen_on(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const sockaddr_in a = loopback(port);
    if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 16) != 0) {
        if (fd >= 0) ::close(fd);
        return -1;
    }
    return fd;
}

void TcpProxy::cut(std::chrono::milliseconds refuse_for) {
    std::unique_lock lock(mutex_);
    const std::size_t before = cuts_;
    pending_cut_ = refuse_for;
    const char c = 'c';
    [[maybe_unused]] const ssize_t n = ::write(wake_[1], &c, 1);
    cut_done_.wait(lock, [&] { return cuts_ > before; });
}

void TcpProxy::run(int listen_fd) {
    std::vector<Pair> pairs;
    std::chrono::steady_clock::time_point reopen_at{};
    while (!stop_) {
        std::vector<pollfd> fds;
        fds.push_back({wake_[0], POLLIN, 0});
        fds.push_back({listen_fd, static_cast<short>(listen_fd >= 0 ? POLLIN : 0), 0});
        for (const Pair& p : pairs) {
            fds.push_back({p.a, POLLIN, 0});
            fds.push_back({p.b, POLLIN, 0});
        }
        int timeout = -1;
        if (listen_fd < 0) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                reopen_at - std::chrono::steady_clock::now());
            timeout = static_cast<int>(std::max<long long>(0, left.count()));
        }
        ::poll(fds.data(), fds.size(), timeout);

        if ((fds[0].revents & POLLIN) != 0) {
            char buf[64];
            while (::read(wake_[0], buf, sizeof buf) > 0) {
            }
            std::chrono::milliseconds refuse{-1};
            {
                std::lock_guard lock(mutex_);
                refuse = pending_cut_;
                pending_cut_ = std::chrono::milliseconds(-1);
            }
            if (refuse.count() >= 0) {
                for (const Pair& p : pairs) {
                    abort_socket(p.a);
                    abort_socket(p.b);
                }
                pairs.clear();
                if (listen_fd >= 0) ::close(listen_fd);
                listen_fd = -1;
                reopen_at = std::chrono::steady_clock::now() + refuse;
                {
                    std::lock_guard lock(mutex_);
                    ++cuts_;
                }
                cut_done_.notify_all();
                continue;
            }
        }
        if (listen_fd < 0 && std::chrono::steady_clock::now() >= reopen_at && !stop_) {
            listen_fd = listen_on(port_);  // a port we held: free again once the old socket is gone
            continue;
        }
        if (listen_fd >= 0 && (fds[1].revents & POLLIN) != 0) {
            const int a = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (a >= 0) {
                const int b = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                const sockaddr_in t = loopback(target_);
                if (b >= 0 && ::connect(b, reinterpret_cast<const sockaddr*>(&t), sizeof t) == 0) {
                    const int one = 1;
                    ::setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    ::setsockopt(b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    pairs.push_back({a, b});
                    ++accepted_;
                } else {
                    if (b >= 0) ::close(b);
                    abort_socket(a);
                }
            }
            continue;
        }
        std::vector<Pair> alive;
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            const pollfd& fa = fds[2 + 2 * i];
            const pollfd& fb = fds[3 + 2 * i];
            bool ok = true;
            if (fa.revents != 0) ok = pump(pairs[i].a, pairs[i].b);
            if (ok && fb.revents != 0) ok = pump(pairs[i].b, pairs[i].a);
            if (ok) {
                alive.push_back(pairs[i]);
            } else {
                ::close(pairs[i].a);
                ::close(pairs[i].b);
            }
        }
        pairs = std::move(alive);
    }
    for (const Pair& p : pairs) {
        ::close(p.a);
        ::close(p.b);
    }
    if (listen_fd >= 0) ::close(listen_fd);
}

}  // namespace tests
