// socket_bench: echo round trips through LuatOS's `socket` module (a Lua script run by `luatos`)
// next to a C++ client doing the same over the same path in this process, against the same echo
// peers (tests/support/echo_peers.hpp): TCP and UDP, over ETH0 (host sockets) and LWIP_GP (lwIP on
// the simulated link, ideal profile). Each case runs `rounds` times; printed: the median round trip of
// each subject and the median of the same-round ratios Lua / C++ (bench/README.md).
//
//   build/bench/socket_bench [round_trips = 2000] [rounds = 3]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform_air780ep/lwip_stack.hpp"
#include "platform_air780ep/lwip_tcp_stream.hpp"
#include "platform_air780ep/lwip_udp_socket.hpp"
#include "platform_air780ep/slirp_link.hpp"
#include "sys_task/event_loop.hpp"
#include "sys_task/logger.hpp"
#include "tests/support/echo_peers.hpp"
#include "tests/support/process.hpp"

namespace {

constexpr std::size_t kSize = 64;  // bytes per round trip

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// ---- the Lua subject: `luatos` runs the script; the uptime of two log lines gives the time ----

const char* kScript = R"LUA(
sys.taskInit(function()
    sys.waitUntil("IP_READY")
    local c = socket.create(nil, function(_, ev, p) sys.publish("E", ev, p) end)
    socket.config(c, nil, UDP)
    socket.connect(c, "echo.bench", PORT)
    sys.waitUntil("E", 5000)
    local buf = zbuff.create(1024)
    local msg = string.rep("x", SIZE)
    log.info("bench", "start")
    for i = 1, N do
        socket.tx(c, msg)
        local got = 0
        while got < SIZE do
            local ok, n = socket.rx(c, buf)
            if not ok then log.info("bench", "failed"); os.exit(1) end
            if n == 0 then sys.waitUntil("E", 5000) else got = got + n; buf:del() end
        end
    end
    log.info("bench", "end")
    os.exit(0)
end)
sys.run()
)LUA";

// "[2026-12-02 07:10:05.317][000000001.234] I/user.bench start" -> 1.234 s
double uptime_of(const std::string& line) {
    const auto open = line.find("][");
    if (open == std::string::npos) return -1;
    return std::stod(line.substr(open + 2, line.find(']', open + 2) - open - 2));
}

double lua_rtt_us(const std::string& luatos, const std::string& adapter, bool udp, std::uint16_t port,
                  int n) {
    tests::TempDir dir("socket-bench");
    std::ofstream(dir.file("main.lua")) << "UDP = " << (udp ? "true" : "false") << "\nPORT = " << port
                                        << "\nSIZE = " << kSize << "\nN = " << n << "\n"
                                        << kScript;
    const std::string out = dir.file("out.log");
    const pid_t pid = tests::spawn_process({luatos, "--adapter", adapter, "--attach-delay", "10", "--host",
                                            "echo.bench=127.0.0.1", dir.file("main.lua")},
                                           out);
    if (tests::wait_process(pid) != 0) throw std::runtime_error("luatos failed:\n" + tests::read_file(out));
    double start = -1, end = -1;
    std::ifstream in(out);
    for (std::string line; std::getline(in, line);) {
        if (line.find("I/user.bench start") != std::string::npos) start = uptime_of(line);
        if (line.find("I/user.bench end") != std::string::npos) end = uptime_of(line);
    }
    if (start < 0 || end < 0) throw std::runtime_error("no bench lines");
    return (end - start) * 1e6 / n;
}

// ---- the C++ subject over host sockets: a blocking socket, send and wait for the echo ----

double host_rtt_us(bool udp, std::uint16_t port, int n) {
    const int fd = ::socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0)
        throw std::runtime_error("connect");
    const int one = 1;
    if (!udp) ::setsockopt(fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof one);
    std::array<char, kSize> msg{};
    msg.fill('x');
    std::array<char, 1024> buf{};
    const auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
        ::send(fd, msg.data(), msg.size(), 0);
        std::size_t got = 0;
        while (got < kSize) {
            const ssize_t r = ::recv(fd, buf.data(), buf.size(), 0);
            if (r <= 0) throw std::runtime_error("recv");
            got += static_cast<std::size_t>(r);
        }
    }
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / n;
    ::close(fd);
    return us;
}

// ---- the C++ subject over lwIP: this process's own link and stack, the same classes luatos uses ----

bool run_until(sys_task::EventLoop& loop, const std::function<bool()>& done) {
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (!done()) {
        if (Clock::now() > deadline) return false;
        loop.run_once(10);
    }
    return true;
}

struct TcpCounter final : luat_mqtt::TransportListener {
    explicit TcpCounter(luat_mqtt::Transport& t) : stream(t) { t.set_listener(this); }
    void on_transport_connected() override { connected = true; }
    void on_transport_readable() override {
        std::array<std::uint8_t, 1024> buf{};
        while (std::size_t n = stream.read(buf))
            got += n;
    }
    void on_transport_writable() override {}
    void on_transport_closed(luat_mqtt::TransportError, std::string_view) override { closed = true; }
    luat_mqtt::Transport& stream;
    bool connected = false, closed = false;
    std::size_t got = 0;
};

struct UdpCounter final : platform_air780ep::DatagramListener {
    explicit UdpCounter(platform_air780ep::DatagramSocket& s) : socket(s) { s.set_listener(this); }
    void on_datagram_open(bool ok, std::string_view) override { open = ok; }
    void on_datagram_readable() override {
        while (auto d = socket.receive())
            got += d->data.size();
    }
    platform_air780ep::DatagramSocket& socket;
    bool open = false;
    std::size_t got = 0;
};

double lwip_rtt_us(bool udp, std::uint16_t port, int n) {
    sys_task::EventLoop loop;
    sys_task::Logger log{loop.start_time()};
    log.set_stdout(false);
    platform_air780ep::HostMap hosts;
    std::string error;
    auto link = platform_air780ep::SlirpLink::create(loop, log, hosts, {}, error);
    if (!link) throw std::runtime_error(error);
    auto stack = platform_air780ep::LwipStack::create(loop, log, *link, {}, error);
    if (!stack) throw std::runtime_error(error);
    const std::vector<std::uint8_t> msg(kSize, 'x');
    double us = 0;
    if (udp) {
        platform_air780ep::LwipUdpSocket s(*stack, hosts);
        UdpCounter c(s);
        if (!s.open("127.0.0.1", port, 0, error) || !run_until(loop, [&] { return c.open; }))
            throw std::runtime_error("udp open");
        const auto t0 = Clock::now();
        for (int i = 0; i < n; ++i) {
            s.send(msg, std::nullopt, 0, error);
            const std::size_t want = (static_cast<std::size_t>(i) + 1) * kSize;
            if (!run_until(loop, [&] { return c.got >= want; })) throw std::runtime_error("udp echo lost");
        }
        us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / n;
    } else {
        platform_air780ep::LwipTcpStream s(*stack, hosts);
        TcpCounter c(s);
        if (!s.open("127.0.0.1", port) || !run_until(loop, [&] { return c.connected; }))
            throw std::runtime_error("tcp open");
        const auto t0 = Clock::now();
        for (int i = 0; i < n; ++i) {
            s.write(msg);
            const std::size_t want = (static_cast<std::size_t>(i) + 1) * kSize;
            if (!run_until(loop, [&] { return c.got >= want; })) throw std::runtime_error("tcp echo lost");
        }
        us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / n;
    }
    return us;
}

}  // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::stoi(argv[1]) : 2000;
    const int rounds = argc > 2 ? std::stoi(argv[2]) : 3;
    const std::string luatos = LUATOS_BINARY;
    try {
        tests::TcpEchoServer tcp;
        tests::UdpEchoPeer udp(tcp.port());
        std::printf(
            "echo round trip, %zu bytes, %d per round, %d rounds (median; ratio = median of same-round "
            "Lua/C++)\n",
            kSize, n, rounds);
        std::printf("%-6s %-4s %12s %12s %8s\n", "path", "prot", "lua us", "c++ us", "ratio");
        for (const std::string adapter : {"eth0", "lwip"}) {
            for (const bool is_udp : {false, true}) {
                std::vector<double> lua, cxx, ratio;
                for (int r = 0; r < rounds; ++r) {
                    const double l = lua_rtt_us(luatos, adapter, is_udp, tcp.port(), n);
                    const double c = adapter == "eth0" ? host_rtt_us(is_udp, tcp.port(), n)
                                                       : lwip_rtt_us(is_udp, tcp.port(), n);
                    lua.push_back(l);
                    cxx.push_back(c);
                    ratio.push_back(l / c);
                }
                std::printf("%-6s %-4s %12.1f %12.1f %8.2f\n", adapter.c_str(), is_udp ? "udp" : "tcp",
                            median(lua), median(cxx), median(ratio));
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "socket_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
