// Network bench of the simulated module: the same client code over the two adapters,
//   lwIP   socket.LWIP_GP: LwipTcpStream -> lwIP -> simulated link (ideal profile) -> libslirp
//   host   socket.ETH0:    HostTcpStream -> host socket
// against the same servers in the same run and the same event loop:
//   - raw TCP throughput, upload and download (MB/s),
//   - round-trip time of a 64-byte echo (p50/p99, microseconds),
//   - MQTT over a private mosquitto: QoS0 publish rate, QoS1 publish rate with 20 in flight,
//     and the PUBLISH->PUBACK round trip,
//   - lwIP memory per connection (lwIP's own accounting), idle and with a full send buffer,
//   - a shaped link: how much longer than the rate's own time 32 KiB take (lwIP's raw upload at
//     512 kbit/s; an MQTT PUBLISH up at 128 kbit/s and a retained one down at 256 kbit/s with 50 ms
//     each way). tests/platform and tests/e2e assert only that it is never less.
//
//   net_bench [--mb N] [--echo N] [--mqtt N] [--link SPEC] [--pcap FILE]
// (--pcap: the same with the link captured into FILE, as luatos --pcap does: its cost.)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "platform_air780ep/host_tcp_stream.hpp"
#include "platform_air780ep/link_capture.hpp"
#include "platform_air780ep/lwip_stack.hpp"
#include "platform_air780ep/lwip_tcp_stream.hpp"
#include "platform_air780ep/slirp_link.hpp"

extern char** environ;

using namespace platform_air780ep;
using luat_mqtt::Transport;
using luat_mqtt::TransportError;
using sys_task::EventLoop;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;

namespace {

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// ---- an in-loop server: sink (count), echo, or source (send N bytes, then close) ----
class Server {
  public:
    enum class Mode { kSink, kEcho, kSource };
    Server(EventLoop& loop, Mode mode, std::size_t source_bytes = 0)
        : loop_(loop), mode_(mode), source_bytes_(source_bytes) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof sa;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd_, 16) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
            std::perror("bench server");
            std::exit(1);
        }
        port_ = ntohs(sa.sin_port);
        watch_ = loop_.watch_fd(fd_, POLLIN, [this](short) { accept(); });
    }
    ~Server() {
        for (auto& c : conns_) {
            loop_.unwatch_fd(c->watch);
            ::close(c->fd);
        }
        loop_.unwatch_fd(watch_);
        ::close(fd_);
    }
    [[nodiscard]] std::uint16_t port() const { return port_; }
    std::size_t received = 0;

  private:
    struct Conn {
        int fd;
        EventLoop::WatchId watch;
        Bytes out;
        std::size_t out_off = 0;
        std::size_t to_send = 0;
    };
    void accept() {
        while (true) {
            const int c = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (c < 0) return;
            const int one = 1;
            ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            auto conn = std::make_unique<Conn>(Conn{c, 0, {}, 0, mode_ == Mode::kSource ? source_bytes_ : 0});
            Conn* p = conn.get();
            conn->watch = loop_.watch_fd(c, static_cast<short>(POLLIN | (p->to_send ? POLLOUT : 0)),
                                         [this, p](short ev) { on(*p, ev); });
            conns_.push_back(std::move(conn));
        }
    }
    void drop(Conn& c) {
        loop_.unwatch_fd(c.watch);
        ::close(c.fd);
        std::erase_if(conns_, [&c](const std::unique_ptr<Conn>& p) { return p.get() == &c; });
    }
    void on(Conn& c, short ev) {
        if ((ev & (POLLIN | POLLHUP | POLLERR)) != 0) {
            while (true) {
                const ssize_t n = ::recv(c.fd, buf_.data(), buf_.size(), MSG_DONTWAIT);
                if (n > 0) {
                    received += static_cast<std::size_t>(n);
                    if (mode_ == Mode::kEcho) c.out.insert(c.out.end(), buf_.begin(), buf_.begin() + n);
                    continue;
                }
                if (n == 0 || errno != EAGAIN) {
                    drop(c);
                    return;
                }
                break;
            }
        }
        if (mode_ == Mode::kSource) {
            while (c.to_send > 0) {
                const ssize_t n = ::send(c.fd, chunk_.data(), std::min(c.to_send, chunk_.size()),
                                         MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n <= 0) break;
                c.to_send -= static_cast<std::size_t>(n);
            }
            if (c.to_send == 0) {
                drop(c);  // FIN after the last byte
                return;
            }
        }
        while (c.out_off < c.out.size()) {
            const ssize_t n =
                ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n <= 0) break;
            c.out_off += static_cast<std::size_t>(n);
        }
        if (c.out_off == c.out.size()) {
            c.out.clear();
            c.out_off = 0;
        }
        const bool want_out = c.to_send > 0 || !c.out.empty();
        loop_.set_fd_events(c.watch, static_cast<short>(POLLIN | (want_out ? POLLOUT : 0)));
    }

    EventLoop& loop_;
    Mode mode_;
    std::size_t source_bytes_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    EventLoop::WatchId watch_ = 0;
    std::vector<std::unique_ptr<Conn>> conns_;
    Bytes buf_ = Bytes(256 * 1024);
    const Bytes chunk_ = Bytes(256 * 1024, 0x5A);
};

// ---- a client on a Transport ----
class Client final : public luat_mqtt::TransportListener {
  public:
    explicit Client(Transport& t) : t_(t) { t_.set_listener(this); }
    void on_transport_connected() override { connected = true; }
    void on_transport_readable() override {
        std::uint8_t buf[64 * 1024];
        while (true) {
            const std::size_t n = t_.read(buf);
            if (n == 0) break;
            received += n;
            if (keep) data.insert(data.end(), buf, buf + n);
        }
    }
    void on_transport_writable() override {}
    void on_transport_closed(TransportError e, std::string_view why) override {
        closed = true;
        error = e;
        detail = std::string(why);
    }
    Transport& t_;
    bool connected = false;
    bool closed = false;
    bool keep = false;
    TransportError error = TransportError::kNone;
    std::string detail;
    std::size_t received = 0;
    Bytes data;
};

bool run_until(EventLoop& loop, const std::function<bool()>& done, double timeout_s = 60) {
    const auto start = Clock::now();
    while (!done()) {
        if (seconds_since(start) > timeout_s) return false;
        loop.run_once(10);
    }
    return true;
}

bool connect(EventLoop& loop, Transport& t, Client& c, std::uint16_t port) {
    if (!t.open("127.0.0.1", port)) return false;
    return run_until(
               loop, [&] { return c.connected || c.closed; }, 10) &&
           c.connected;
}

struct PathResult {
    double up_mbps = 0;
    double down_mbps = 0;
    double rtt_p50_us = 0;
    double rtt_p99_us = 0;
    double qos0_msgs = 0;
    double qos1_msgs = 0;
    double qos1_rtt_p50_us = 0;
    double qos1_rtt_p99_us = 0;
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

double upload(EventLoop& loop, const std::function<std::unique_ptr<Transport>()>& make, std::size_t bytes) {
    Server sink(loop, Server::Mode::kSink);
    auto t = make();
    Client c(*t);
    if (!connect(loop, *t, c, sink.port())) return 0;
    const Bytes chunk(64 * 1024, 0x5A);
    std::size_t written = 0;
    const auto start = Clock::now();
    const bool ok = run_until(loop, [&] {
        while (written < bytes) {
            const std::size_t n = t->write(std::span(chunk).first(std::min(chunk.size(), bytes - written)));
            if (n == 0) break;
            written += n;
        }
        return sink.received >= bytes || c.closed;
    });
    const double s = seconds_since(start);
    return ok && sink.received >= bytes ? static_cast<double>(bytes) / s / 1e6 : 0;
}

double download(EventLoop& loop, const std::function<std::unique_ptr<Transport>()>& make, std::size_t bytes) {
    Server source(loop, Server::Mode::kSource, bytes);
    auto t = make();
    Client c(*t);
    const auto start = Clock::now();
    if (!connect(loop, *t, c, source.port())) return 0;
    const bool ok = run_until(loop, [&] { return c.received >= bytes || c.closed; });
    const double s = seconds_since(start);
    return ok && c.received >= bytes ? static_cast<double>(bytes) / s / 1e6 : 0;
}

void echo_rtt(EventLoop& loop, const std::function<std::unique_ptr<Transport>()>& make, int count,
              PathResult& r) {
    Server echo(loop, Server::Mode::kEcho);
    auto t = make();
    Client c(*t);
    if (!connect(loop, *t, c, echo.port())) return;
    const Bytes msg(64, 0x42);
    std::vector<double> rtts;
    for (int i = 0; i < count + 50; ++i) {
        const std::size_t target = c.received + msg.size();
        const auto start = Clock::now();
        t->write(msg);
        if (!run_until(
                loop, [&] { return c.received >= target || c.closed; }, 10) ||
            c.closed)
            return;
        if (i >= 50) rtts.push_back(seconds_since(start) * 1e6);  // the first 50 warm up
    }
    r.rtt_p50_us = percentile(rtts, 0.50);
    r.rtt_p99_us = percentile(rtts, 0.99);
}

// ---- MQTT over a private mosquitto ----
class Broker {
  public:
    Broker() {
        dir_ =
            (std::filesystem::temp_directory_path() / ("net-bench-" + std::to_string(::getpid()))).string();
        std::filesystem::create_directories(dir_);
        for (int attempt = 0; attempt < 5 && pid_ < 0; ++attempt) {
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_in sa{};
            sa.sin_family = AF_INET;
            sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            socklen_t len = sizeof sa;
            ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
            ::close(fd);
            port_ = ntohs(sa.sin_port);
            const std::string conf = dir_ + "/mosquitto.conf";
            std::ofstream(conf)
                << "allow_anonymous true\npersistence false\nlog_dest none\nset_tcp_nodelay true\n"
                << "max_queued_messages 1000000\n"
                << (::geteuid() == 0 ? "user root\n" : "") << "listener " << port_ << " 127.0.0.1\n";
            const char* argv[] = {"mosquitto", "-c", conf.c_str(), nullptr};
            if (::posix_spawnp(&pid_, "mosquitto", nullptr, nullptr, const_cast<char**>(argv), environ) !=
                0) {
                pid_ = -1;
                return;
            }
            for (int i = 0; i < 1000; ++i) {
                const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                sa.sin_port = htons(port_);
                const bool up = ::connect(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
                ::close(s);
                if (up) return;
                if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                    pid_ = -1;
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            }
        }
    }
    ~Broker() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
        }
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    [[nodiscard]] bool running() const { return pid_ > 0; }
    [[nodiscard]] std::uint16_t port() const { return port_; }

  private:
    std::string dir_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

void put_str(Bytes& b, const std::string& s) {
    b.push_back(static_cast<std::uint8_t>(s.size() >> 8));
    b.push_back(static_cast<std::uint8_t>(s.size()));
    b.insert(b.end(), s.begin(), s.end());
}

Bytes packet(std::uint8_t type, const Bytes& body) {
    Bytes out{type};
    std::size_t len = body.size();
    do {
        std::uint8_t byte = len % 128;
        len /= 128;
        if (len > 0) byte |= 0x80;
        out.push_back(byte);
    } while (len > 0);
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

Bytes connect_packet(const std::string& id) {
    Bytes b;
    put_str(b, "MQTT");
    b.insert(b.end(), {4, 0x02, 0, 60});
    put_str(b, id);
    return packet(0x10, b);
}

Bytes publish_to(const std::string& topic, int qos, std::uint16_t id, const Bytes& payload,
                 bool retain = false) {
    Bytes b;
    put_str(b, topic);
    if (qos > 0) {
        b.push_back(static_cast<std::uint8_t>(id >> 8));
        b.push_back(static_cast<std::uint8_t>(id));
    }
    b.insert(b.end(), payload.begin(), payload.end());
    return packet(static_cast<std::uint8_t>(0x30 | (qos << 1) | (retain ? 1 : 0)), b);
}

Bytes publish_packet(int qos, std::uint16_t id, const Bytes& payload) {
    return publish_to("bench/t", qos, id, payload);
}

Bytes subscribe_packet(const std::string& filter, int qos, std::uint16_t id) {
    Bytes b{static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id)};
    put_str(b, filter);
    b.push_back(static_cast<std::uint8_t>(qos));
    return packet(0x82, b);
}

void mqtt(EventLoop& loop, const std::function<std::unique_ptr<Transport>()>& make, std::uint16_t port,
          int count, PathResult& r) {
    auto t = make();
    Client c(*t);
    if (!connect(loop, *t, c, port)) return;
    t->write(connect_packet("bench-" + std::to_string(::getpid())));
    if (!run_until(
            loop, [&] { return c.received >= 4; }, 10))
        return;
    const Bytes payload(64, 'p');

    // QoS 0: fire count publishes as fast as the stream takes them, then a QoS1 marker whose
    // PUBACK says the broker has read everything before it.
    {
        const std::size_t base = c.received;
        const Bytes p0 = publish_packet(0, 0, payload);
        int sent = 0;
        bool marker = false;
        const auto start = Clock::now();
        const bool ok = run_until(loop, [&] {
            while (sent < count && t->writable() >= p0.size()) {
                t->write(p0);
                ++sent;
            }
            if (sent == count && !marker && t->writable() >= 100) {
                t->write(publish_packet(1, 65535, payload));
                marker = true;
            }
            return c.received >= base + 4 || c.closed;
        });
        if (ok && !c.closed) r.qos0_msgs = count / seconds_since(start);
    }
    // QoS 1 with 20 in flight (mosquitto's default window): publish rate and PUBACK round trip.
    {
        c.keep = true;
        c.data.clear();
        std::vector<Clock::time_point> sent_at(static_cast<std::size_t>(count) + 1);
        std::vector<double> rtts;
        int sent = 0;
        int acked = 0;
        std::size_t parsed = 0;
        const auto start = Clock::now();
        const bool ok = run_until(loop, [&] {
            while (parsed + 4 <= c.data.size()) {  // PUBACKs: 40 02 id id
                const int id = (c.data[parsed + 2] << 8) | c.data[parsed + 3];
                rtts.push_back(std::chrono::duration<double, std::micro>(
                                   Clock::now() - sent_at[static_cast<std::size_t>(id)])
                                   .count());
                parsed += 4;
                ++acked;
            }
            while (sent < count && sent - acked < 20) {
                ++sent;
                sent_at[static_cast<std::size_t>(sent)] = Clock::now();
                t->write(publish_packet(1, static_cast<std::uint16_t>(sent), payload));
            }
            return acked >= count || c.closed;
        });
        if (ok && !c.closed) {
            r.qos1_msgs = count / seconds_since(start);
            r.qos1_rtt_p50_us = percentile(rtts, 0.5);
            r.qos1_rtt_p99_us = percentile(rtts, 0.99);
        }
    }
}

// ---- the shaped link ----

// Bytes on the air for `payload` bytes of TCP payload: lwIP's segments of up to 1460 bytes, 40 bytes
// of IP and TCP header each.
double ip_bytes(std::size_t payload) {
    return static_cast<double>(payload + (payload + 1459) / 1460 * 40);
}

// A transfer's time against what the rate alone (plus the link's delays) gives.
std::string shaped_row(const char* name, double ms, double nominal_ms) {
    char line[200];
    if (ms <= 0) {
        std::snprintf(line, sizeof line, "  %-64s %10s\n", name, "n/a");
    } else {
        std::snprintf(line, sizeof line, "  %-64s %7.0f ms  (the rate's own %.0f ms: %.2fx)\n", name, ms,
                      nominal_ms, ms / nominal_ms);
    }
    return line;
}

bool configure(SlirpLink& link, const std::string& spec) {
    std::string error;
    const auto settings = LinkSettings{}.with(spec, error);
    if (settings) link.configure(*settings);
    return settings.has_value();
}

// Connect, CONNECT, CONNACK: the client, or nullptr.
std::unique_ptr<Transport> mqtt_session(EventLoop& loop,
                                        const std::function<std::unique_ptr<Transport>()>& make,
                                        std::uint16_t port, const std::string& id,
                                        std::unique_ptr<Client>& c) {
    auto t = make();
    c = std::make_unique<Client>(*t);
    if (!connect(loop, *t, *c, port)) return nullptr;
    t->write(connect_packet(id));
    if (!run_until(
            loop, [&] { return c->received >= 4 || c->closed; }, 30) ||
        c->closed)
        return nullptr;
    return t;
}

// Write all of `bytes` as the stream takes them; true once `done()`.
bool send_until(EventLoop& loop, Transport& t, const Bytes& bytes, const std::function<bool()>& done) {
    std::size_t written = 0;
    return run_until(
        loop,
        [&] {
            while (written < bytes.size()) {
                const std::size_t n = t.write(std::span(bytes).subspan(written));
                if (n == 0) break;
                written += n;
            }
            return done();
        },
        60);
}

// The rows of the "shaped link" figures.
std::vector<std::string> shaped_link(EventLoop& loop, SlirpLink& link,
                                     const std::function<std::unique_ptr<Transport>()>& make_lwip,
                                     const std::function<std::unique_ptr<Transport>()>& make_host,
                                     const Broker& broker) {
    const Bytes payload(32 * 1024, 0xA5);
    std::vector<std::string> rows{"shaped link (lwIP), 32 KiB:\n"};

    // Raw TCP up at 512 kbit/s (tests/platform/test_lwip_tcp.cpp): the write to the sink's last byte.
    configure(link, "up_rate=512");
    double raw_ms = 0;
    {
        Server sink(loop, Server::Mode::kSink);
        auto t = make_lwip();
        Client c(*t);
        if (connect(loop, *t, c, sink.port())) {
            const auto start = Clock::now();
            if (send_until(loop, *t, payload, [&] { return sink.received >= payload.size() || c.closed; }) &&
                !c.closed)
                raw_ms = seconds_since(start) * 1000;
        }
    }
    rows.push_back(
        shaped_row("TCP upload at 512 kbit/s, to the last byte", raw_ms, ip_bytes(payload.size()) * 8 / 512));

    // MQTT (tests/e2e/test_faults.cpp): a QoS 1 PUBLISH up at 128 kbit/s until its PUBACK, then a
    // retained one down at 256 kbit/s from the SUBSCRIBE to its last byte; 50 ms each way.
    double up_ms = 0;
    double down_ms = 0;
    const std::string up_topic = "bench/rate/up";
    const std::string down_topic = "bench/rate/down";
    const Bytes retained = publish_to(down_topic, 1, 1, payload, true);
    const Bytes up = publish_to(up_topic, 1, 1, payload);
    if (broker.running()) {
        configure(link, "profile=ideal");
        std::unique_ptr<Client> host_c;
        auto host = mqtt_session(loop, make_host, broker.port(), "bench-retain", host_c);
        if (host) send_until(loop, *host, retained, [&] { return host_c->received >= 8 || host_c->closed; });
        configure(link, "up_rate=128,down_rate=256,delay=50");
        std::unique_ptr<Client> c;
        auto t = mqtt_session(loop, make_lwip, broker.port(), "bench-rate", c);
        if (t) {
            auto start = Clock::now();
            if (send_until(loop, *t, up, [&] { return c->received >= 8 || c->closed; }) && !c->closed)
                up_ms = seconds_since(start) * 1000;
            const std::size_t suback = 5;
            start = Clock::now();
            if (send_until(loop, *t, subscribe_packet(down_topic, 1, 2),
                           [&] { return c->received >= 8 + suback + retained.size() || c->closed; }) &&
                !c->closed)
                down_ms = seconds_since(start) * 1000;
        }
        configure(link, "profile=ideal");
    }
    // The MQTT packet's bytes with their segments' headers at the rate, then the delay there and the
    // delay of the answer (the PUBACK; the SUBSCRIBE before the PUBLISH).
    rows.push_back(shaped_row("MQTT QoS 1 PUBLISH up at 128 kbit/s, to its PUBACK", up_ms,
                              ip_bytes(up.size()) * 8 / 128 + 100));
    rows.push_back(shaped_row("MQTT retained PUBLISH down at 256 kbit/s, SUBSCRIBE to its last byte", down_ms,
                              ip_bytes(retained.size()) * 8 / 256 + 100));
    return rows;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t mb = 64;
    int echoes = 2000;
    int mqtt_count = 20000;
    std::string link_spec;
    std::string pcap_path;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string opt = argv[i];
        if (opt == "--mb")
            mb = std::strtoul(argv[i + 1], nullptr, 10);
        else if (opt == "--echo")
            echoes = std::atoi(argv[i + 1]);
        else if (opt == "--mqtt")
            mqtt_count = std::atoi(argv[i + 1]);
        else if (opt == "--link")
            link_spec = argv[i + 1];
        else if (opt == "--pcap")
            pcap_path = argv[i + 1];
        else {
            std::fprintf(stderr, "usage: %s [--mb N] [--echo N] [--mqtt N] [--link SPEC] [--pcap FILE]\n",
                         argv[0]);
            return 2;
        }
    }
    ::signal(SIGPIPE, SIG_IGN);

    EventLoop loop;
    sys_task::Logger log(loop.start_time());
    log.set_stdout(false);
    HostMap hosts;
    hosts.add("127.0.0.1", HostTarget{"127.0.0.1", std::nullopt});  // the gateway forwards every port
    SlirpLinkConfig config;
    std::string error;
    auto settings = LinkSettings{}.with(link_spec, error);
    if (!settings) {
        std::fprintf(stderr, "--link: %s\n", error.c_str());
        return 2;
    }
    config.link = *settings;
    const auto owned_link = SlirpLink::create(loop, log, hosts, config, error);
    const auto owned_stack = owned_link ? LwipStack::create(loop, log, *owned_link, {}, error) : nullptr;
    if (!owned_stack) {
        std::fprintf(stderr, "the simulated link: %s\n", error.c_str());
        return 1;
    }
    SlirpLink& link = *owned_link;
    LwipStack& stack = *owned_stack;
    platform_air780ep::LinkCapture capture(loop, link, log);
    if (!pcap_path.empty() && !capture.start(pcap_path, error)) {
        std::fprintf(stderr, "--pcap: %s\n", error.c_str());
        return 1;
    }

    const std::function<std::unique_ptr<Transport>()> make_lwip = [&] {
        return std::make_unique<LwipTcpStream>(stack, hosts);
    };
    const std::function<std::unique_ptr<Transport>()> make_host = [&] {
        return std::make_unique<HostTcpStream>(loop, hosts);
    };
    const std::size_t bytes = mb * 1024 * 1024;
    Broker broker;

    PathResult lwip;
    PathResult host;
    for (auto* path : {&host, &lwip}) {
        const auto& make = path == &lwip ? make_lwip : make_host;
        path->up_mbps = upload(loop, make, bytes);
        path->down_mbps = download(loop, make, bytes);
        echo_rtt(loop, make, echoes, *path);
        if (broker.running()) mqtt(loop, make, broker.port(), mqtt_count, *path);
    }

    // Before the memory figures below leave their queued bytes on the link.
    const std::vector<std::string> shaped = shaped_link(loop, link, make_lwip, make_host, broker);

    // Memory per connection, in lwIP's own accounting: idle (connected, nothing queued), and
    // with a full send buffer (64 KiB of unacknowledged data waiting in lwIP).
    const std::size_t conns = 8;
    Server sink(loop, Server::Mode::kSink);
    const std::size_t heap_before = stack.memory().heap_used;
    std::vector<std::unique_ptr<Transport>> streams;
    std::vector<std::unique_ptr<Client>> clients;
    for (std::size_t i = 0; i < conns; ++i) {
        streams.push_back(make_lwip());
        clients.push_back(std::make_unique<Client>(*streams.back()));
        connect(loop, *streams.back(), *clients.back(), sink.port());
    }
    const std::size_t heap_idle = stack.memory().heap_used;
    const Bytes block(64 * 1024, 1);
    for (auto& s : streams)
        s->write(block);  // queued in lwIP; not sent before the loop runs
    const std::size_t heap_full = stack.memory().heap_used;
    const LwipMemory mem = stack.memory();
    streams.clear();
    clients.clear();

    std::printf("net_bench: %zu MiB transfers, %d echoes of 64 B, %d MQTT publishes of 64 B; link: %s\n", mb,
                echoes, mqtt_count, link.settings().describe().c_str());
    std::printf("%-34s %14s %14s %8s\n", "", "lwIP+slirp", "host socket", "ratio");
    // 0 means the measurement did not finish within its 60 s (a slow --link): shown as n/a.
    auto row = [](const char* name, double a, double b, const char* fmt) {
        char la[32] = "n/a";
        char lb[32] = "n/a";
        if (a > 0) std::snprintf(la, sizeof la, fmt, a);
        if (b > 0) std::snprintf(lb, sizeof lb, fmt, b);
        if (a > 0 && b > 0) {
            std::printf("%-34s %14s %14s %8.2f\n", name, la, lb, a / b);
        } else {
            std::printf("%-34s %14s %14s %8s\n", name, la, lb, "-");
        }
    };
    row("TCP upload (MB/s)", lwip.up_mbps, host.up_mbps, "%.1f");
    row("TCP download (MB/s)", lwip.down_mbps, host.down_mbps, "%.1f");
    row("echo 64 B round trip p50 (us)", lwip.rtt_p50_us, host.rtt_p50_us, "%.1f");
    row("echo 64 B round trip p99 (us)", lwip.rtt_p99_us, host.rtt_p99_us, "%.1f");
    if (broker.running()) {
        row("MQTT QoS0 publish (msg/s)", lwip.qos0_msgs, host.qos0_msgs, "%.0f");
        row("MQTT QoS1 publish, 20 inflight (msg/s)", lwip.qos1_msgs, host.qos1_msgs, "%.0f");
        row("MQTT QoS1 PUBACK round trip p50 (us)", lwip.qos1_rtt_p50_us, host.qos1_rtt_p50_us, "%.1f");
        row("MQTT QoS1 PUBACK round trip p99 (us)", lwip.qos1_rtt_p99_us, host.qos1_rtt_p99_us, "%.1f");
    } else {
        std::printf("(mosquitto not found: MQTT rows skipped)\n");
    }
    std::printf(
        "lwIP memory per connection (lwIP heap, %zu connections): idle %zu B, with 64 KiB unsent %zu B\n",
        conns, (heap_idle - heap_before) / conns, (heap_full - heap_before) / conns);
    std::printf(
        "  (pcbs %zu, segments %zu, lwIP heap peak %zu B; each stream also holds up to the 128 KiB TCP "
        "window of received bytes)\n",
        mem.tcp_pcbs, mem.tcp_segments, mem.heap_peak);
    for (const std::string& line : shaped)
        std::printf("%s", line.c_str());
    return 0;
}
