#include "tests/support/tcp_proxy.hpp"

#include "tests/support/mosquitto.hpp"

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

// Blocking writes: loopback drains fast. False when the peer is gone.
bool send_all(int to, const char* data, std::size_t n) {
    for (std::size_t sent = 0; sent < n;) {
        const ssize_t w = ::send(to, data + sent, n - sent, MSG_NOSIGNAL);
        if (w <= 0) return false;
        sent += static_cast<std::size_t>(w);
    }
    return true;
}

// Read what is readable from `from` into `buf`: its length, 0 if nothing yet, -1 when `from` ended.
ssize_t receive(int from, std::array<char, 16384>& buf) {
    const ssize_t n = ::recv(from, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n == 0) return -1;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    return n;
}

// Copy what is readable from `from` to `to`. False when either side ended.
bool pump(int from, int to) {
    std::array<char, 16384> buf;
    const ssize_t n = receive(from, buf);
    return n >= 0 && send_all(to, buf.data(), static_cast<std::size_t>(n));
}

std::uint16_t u16(const std::string& s, std::size_t at) {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(s[at]) << 8) |
                                      static_cast<unsigned char>(s[at + 1]));
}

// Abortive close: the peer sees a reset, as when a cellular link's NAT forgets the connection.
void abort_socket(int fd) {
    const linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

}  // namespace

struct TcpProxy::Pair {
    int a;              // the device's side
    int b;              // the broker's side
    std::size_t id;     // 1, 2, ... in the order accepted
    std::string bytes;  // what the device sent that does not form a whole packet yet
    bool mqtt = true;   // false once the device's bytes are not MQTT: forwarded, no longer read
};

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
    const sockaddr_in a = loopback_address(port);
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

void TcpProxy::cut_after_publish(std::function<bool(const ProxiedPublish&)> match,
                                 std::chrono::milliseconds refuse_for) {
    std::lock_guard lock(mutex_);
    cut_match_ = std::move(match);
    cut_match_refuse_ = refuse_for;
}

std::vector<ProxiedPublish> TcpProxy::publishes() const {
    std::lock_guard lock(mutex_);
    return publishes_;
}

std::size_t TcpProxy::take_packets(Pair& p, std::size_t fresh) {
    const std::size_t older = p.bytes.size() - fresh;  // bytes that came before this read
    std::size_t at = 0;
    std::size_t cut_end = 0;
    while (cut_end == 0 && p.mqtt) {
        // Fixed header: type and flags, then the remaining length in 1-4 bytes of 7 bits (§2.2.3).
        std::size_t length = 0;
        std::size_t length_bytes = 0;
        for (std::size_t k = 1; k <= 4 && at + k < p.bytes.size(); ++k) {
            const auto byte = static_cast<unsigned char>(p.bytes[at + k]);
            length |= static_cast<std::size_t>(byte & 0x7F) << (7 * (k - 1));
            if ((byte & 0x80) == 0) {
                length_bytes = k;
                break;
            }
            if (k == 4) p.mqtt = false;
        }
        if (length_bytes == 0) break;  // the header is not all here yet (or not MQTT)
        std::size_t body = at + 1 + length_bytes;
        const std::size_t end = body + length;
        if (end > p.bytes.size()) break;  // the rest of the packet is still to come
        const auto first = static_cast<unsigned char>(p.bytes[at]);
        if ((first >> 4) == 3) {  // PUBLISH: topic, packet id at QoS 1/2, payload (§3.3)
            ProxiedPublish pub;
            pub.connection = p.id;
            pub.qos = (first >> 1) & 3;
            pub.dup = (first & 0x08) != 0;
            const std::size_t id_length = pub.qos > 0 ? 2 : 0;
            if (length < 2 || 2 + u16(p.bytes, body) + id_length > length) {
                p.mqtt = false;
                break;
            }
            const std::size_t topic_length = u16(p.bytes, body);
            pub.topic = p.bytes.substr(body + 2, topic_length);
            body += 2 + topic_length;
            if (pub.qos > 0) pub.packet_id = u16(p.bytes, body);
            body += id_length;
            pub.payload = p.bytes.substr(body, end - body);
            std::lock_guard lock(mutex_);
            if (cut_match_ && cut_match_(pub)) {
                cut_match_ = nullptr;
                cut_end = end - older;  // it ends in this read: a packet complete before it was taken before
            }
            publishes_.push_back(std::move(pub));
        }
        at = end;
    }
    p.bytes.erase(0, at);
    return cut_end;
}

bool TcpProxy::from_device(Pair& p, bool& cut_now) {
    std::array<char, 16384> buf;
    const ssize_t n = receive(p.a, buf);
    if (n <= 0) return n == 0;
    auto forward = static_cast<std::size_t>(n);
    if (p.mqtt) {
        p.bytes.append(buf.data(), forward);
        if (const std::size_t end = take_packets(p, forward); end > 0) {
            forward = end;
            cut_now = true;
        }
        if (!p.mqtt) p.bytes.clear();
    }
    return send_all(p.b, buf.data(), forward);
}

void TcpProxy::run(int listen_fd) {
    std::vector<Pair> pairs;
    std::chrono::steady_clock::time_point reopen_at{};
    const auto cut_all = [&](std::chrono::milliseconds refuse) {
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
    };
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
                cut_all(refuse);
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
                const sockaddr_in t = loopback_address(target_);
                if (b >= 0 && ::connect(b, reinterpret_cast<const sockaddr*>(&t), sizeof t) == 0) {
                    const int one = 1;
                    ::setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    ::setsockopt(b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    pairs.push_back({a, b, ++accepted_, {}, true});
                } else {
                    if (b >= 0) ::close(b);
                    abort_socket(a);
                }
            }
            continue;
        }
        std::vector<Pair> alive;
        bool cut_now = false;
        std::size_t i = 0;
        for (; i < pairs.size() && !cut_now; ++i) {
            const pollfd& fa = fds[2 + 2 * i];
            const pollfd& fb = fds[3 + 2 * i];
            bool ok = true;
            if (fa.revents != 0) ok = from_device(pairs[i], cut_now);
            if (ok && !cut_now && fb.revents != 0) ok = pump(pairs[i].b, pairs[i].a);
            if (ok) {
                alive.push_back(std::move(pairs[i]));
            } else {
                ::close(pairs[i].a);
                ::close(pairs[i].b);
            }
        }
        for (; i < pairs.size(); ++i)
            alive.push_back(std::move(pairs[i]));  // not read this round: the cut takes them too
        pairs = std::move(alive);
        if (cut_now) {
            std::chrono::milliseconds refuse{0};
            {
                std::lock_guard lock(mutex_);
                refuse = cut_match_refuse_;
            }
            cut_all(refuse);
        }
    }
    for (const Pair& p : pairs) {
        ::close(p.a);
        ::close(p.b);
    }
    if (listen_fd >= 0) ::close(listen_fd);
}

}  // namespace tests
