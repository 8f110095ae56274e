// LuatOS's official socket server demo (shared/luatos/demo/socket/server, MIT), its three variants
// (tcp: one client, tcp_multi: several at once, udp: a UDP server through LuatOS's udpsrv.lua), run
// by the `luatos` command on both adapters with the test as its client(s) on this host, as the
// readme's PC tool (SSCOM) is: the server's greeting reaches the client, what the client sends is
// logged by the demo and comes out of UART1 (the readme's serial tool: `--uart 1=PATH`), the timer's
// "send from timer: 1" reaches the client, and so does what is typed on UART1 ("send from uart: ").
// Then a client leaves: the one-client server starts again and serves the next client; the
// several-client server keeps serving the other one (with the demo's own slip: tcp_two_clients).
// The demo's port, 50003, is reached through `--forward [udp:]HOSTPORT=50003` on a free host port
// (over eth0 the module's socket takes that host port itself), so runs do not collide.
//
// The choices the demo leaves to its user (its readme, "演示核心步骤") are made in a copy of it:
// netdrv_device.lua requires netdrv_4g (the client demo's official netdrv/netdrv_4g.lua, copied in:
// the Air780EP's cellular adapter; the default, netdrv_eth_spi, is a CH390H Ethernet chip on SPI
// driven through exnetif.lua and `netdrv`, which the Air780EP's firmware does not have), main.lua
// requires the variant under test in place of tcp_server_main, and for udp the readme's
// enable_udp = true / enable_tcp = false in timer_app.lua and uart_app.lua. Every other file is the
// demo's own (docs/modules/lua_libs.md). Skipped, with a message, when shared/ is not beside the clone.
//
// The UDP server's broadcasts to 255.255.255.255:50000 (its heartbeat after 15 s without a datagram)
// are lost here, as no simulated network has a broadcast domain; the socket stays usable, as LuatOS's
// lwIP adapter keeps it after a failed send (the "after the heartbeat" case). Its first "UDP Server is
// UP" broadcast is sent before udpsrv's socket is online, so it is refused there as on the module
// (lua_libs.md). The demo needs nothing else the Air780EP lacks.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/e2e.hpp"
#include "tests/e2e/uart_terminal.hpp"

using namespace tests;
using namespace std::chrono_literals;

namespace {

constexpr std::uint16_t kDemoPort = 50003;  // the demo's listen_port / SERVER_PORT

std::uint16_t local_port_of(int fd) {
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    return ntohs(sa.sin_port);
}

// One of the demo's clients (the readme's TCP client): connects until the server greets it (a connect
// before the module listens is closed at once: refused over eth0, reset behind slirp's forward).
class TcpDemoClient {
  public:
    // Connects and reads the greeting (the first `greeting.size()` bytes); empty if it never came.
    std::string connect(std::uint16_t port, const std::string& greeting, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            close();
            fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
            const sockaddr_in sa = loopback_address(port);
            if (::connect(fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) continue;
            if (read_until(greeting, deadline) && received_.starts_with(greeting)) return greeting;
        }
        close();
        return {};
    }
    void send(const std::string& s) {
        REQUIRE(::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == ssize_t(s.size()));
    }
    // Until everything received contains `text` (true), the peer closed or the timeout (false).
    bool wait_for(const std::string& text, std::chrono::milliseconds timeout) {
        return read_until(text, std::chrono::steady_clock::now() + timeout);
    }
    [[nodiscard]] const std::string& received() const { return received_; }
    [[nodiscard]] std::uint16_t local_port() const { return local_port_of(fd_); }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        received_.clear();
    }
    ~TcpDemoClient() { close(); }

  private:
    bool read_until(const std::string& text, std::chrono::steady_clock::time_point deadline) {
        while (received_.find(text) == std::string::npos) {
            if (std::chrono::steady_clock::now() >= deadline) return false;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 10) <= 0) continue;
            char buf[512];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return false;
            received_.append(buf, static_cast<std::size_t>(n));
        }
        return true;
    }

    int fd_ = -1;
    std::string received_;
};

// The readme's UDP client: a datagram socket on 127.0.0.1 that talks to the module's forwarded port.
class UdpDemoClient {
  public:
    explicit UdpDemoClient(std::uint16_t server_port) : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
        const sockaddr_in any = loopback_address(0);
        REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&any), sizeof any) == 0);
        const sockaddr_in sa = loopback_address(server_port);
        REQUIRE(::connect(fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0);
    }
    ~UdpDemoClient() { ::close(fd_); }
    UdpDemoClient(const UdpDemoClient&) = delete;
    UdpDemoClient& operator=(const UdpDemoClient&) = delete;

    void send(const std::string& s) { REQUIRE(::send(fd_, s.data(), s.size(), 0) == ssize_t(s.size())); }
    // The next datagram from the server, or nullopt after the timeout.
    std::optional<std::string> receive(std::chrono::milliseconds timeout) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
        char buf[1500];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0) return std::nullopt;
        return std::string(buf, static_cast<std::size_t>(n));
    }
    [[nodiscard]] std::uint16_t local_port() const { return local_port_of(fd_); }

  private:
    int fd_;
};

// The demo copied with the user's choices for `variant` (tcp_server_main, tcp_multi_main,
// udp_server_main) made, and `luatos` running it on `path` with UART1 at a fixed link.
struct ServerDemo {
    TempDir dir{"e2e-socket-server-demo"};
    std::uint16_t host_port = 0;
    std::optional<LuatosProcess> device;
    std::string uart_path;

    // False (after a warning) when the official demos are not beside the clone.
    bool start(NetPath path, const std::string& variant) {
        const std::filesystem::path shared(LUATOS_SHARED_DIR);
        const std::filesystem::path demo = shared / "demo" / "socket" / "server";
        if (!std::filesystem::is_directory(demo)) {
            WARN("skipped: the official LuatOS demos are not at " << demo.string());
            return false;
        }
        const std::filesystem::path copy = dir.path() / "demo";
        std::filesystem::copy(demo, copy, std::filesystem::copy_options::recursive);
        std::filesystem::copy_file(
            shared / "demo" / "socket" / "client" / "long_connection" / "netdrv" / "netdrv_4g.lua",
            copy / "netdrv" / "netdrv_4g.lua");
        replace_in_copy(copy / "netdrv_device.lua", "\nrequire \"netdrv_eth_spi\"",
                        "\nrequire \"netdrv_4g\"");
        const bool udp = variant == "udp_server_main";
        if (variant != "tcp_server_main")
            replace_in_copy(copy / "main.lua", "\nrequire \"tcp_server_main\"",
                            "\nrequire \"" + variant + "\"");
        if (udp) {
            for (const char* app : {"timer_app.lua", "uart_app.lua"}) {
                replace_in_copy(copy / app, "enable_udp = false", "enable_udp = true");
                replace_in_copy(copy / app, "enable_tcp = true", "enable_tcp = false");
            }
        }
        host_port = free_loopback_port(udp ? SOCK_DGRAM : SOCK_STREAM);
        uart_path = (dir.path() / "uart1").string();
        const std::string forward =
            (udp ? "udp:" : "") + std::to_string(host_port) + "=" + std::to_string(kDemoPort);
        device.emplace(std::vector<std::string>{
            "--adapter", adapter_option(path), "--run-for", "60s", "--forward", forward, "--uart",
            "1=" + uart_path, copy.string() + "/", (shared / "libs" / "libnet.lua").string(),
            (shared / "libs" / "udpsrv.lua").string()});
        return true;
    }

    // Until the line is logged (exactly) `count` times, or the timeout.
    bool wait_line(const std::string& line, std::chrono::milliseconds timeout = 20s, std::size_t count = 1) {
        return device->wait_for(
            [&](const Lines& lines) {
                std::size_t n = 0;
                for (const auto& l : lines)
                    n += l == line ? 1 : 0;
                return n >= count;
            },
            timeout);
    }

    // Fails the test with `what` and the log so far unless `ok`.
    void require(bool ok, const std::string& what = "a wait timed out") {
        if (!ok) FAIL(what << "\n" << joined(device->lines()));
    }

    // No error line in the whole log (the runtime's, the VM's, the demo's own log.error) but `expected`.
    void check_no_errors(const std::vector<std::string>& expected = {}) {
        const Lines lines = device->lines();
        INFO(joined(lines));
        CHECK(vm_errors(lines).empty());
        for (const auto& l : lines)
            if (std::find(expected.begin(), expected.end(), l) == expected.end())
                CHECK_FALSE(l.starts_with("E/"));
    }
};

std::string ready_adapters(NetPath path) {
    return path == NetPath::kEth0 ? "17 17" : "1 17";
}

// The module's view of a host client's address: the gateway behind slirp, this host over eth0.
std::string client_ip(NetPath path) {
    return path == NetPath::kEth0 ? "127.0.0.1" : "10.0.2.2";
}

void tcp_one_client(NetPath path) {
    ServerDemo demo;
    if (!demo.start(path, "tcp_server_main")) return;
    demo.require(demo.wait_line("I/user.tcp_server_main_task_func recv IP_READY " + ready_adapters(path)));
    UartTerminal uart(demo.uart_path);
    TcpDemoClient client;
    demo.require(!client.connect(demo.host_port, "TCP server is UP!", 20s).empty(), "no greeting");

    client.send("i am tcp client");
    CHECK(demo.wait_line("I/user.uart_app.recv_data_from_client_proc i am tcp client"));
    CHECK(uart.read_until("i am tcp client\r\n", 10s) == "i am tcp client\r\n");

    // The timer's first data (5 s after boot) was queued before the client came, or is sent now.
    demo.require(client.wait_for("send from timer: 1", 20s), "no timer data");
    CHECK(client.received() == "TCP server is UP!send from timer: 1");
    CHECK(demo.wait_line("I/user.send_data_cbfunc true tcp_timer1"));

    uart.write("hello client!");
    demo.require(client.wait_for("send from uart: hello client!", 20s), "no uart data");
    CHECK(client.received().starts_with("TCP server is UP!send from timer: 1"));

    // The readme: when the client leaves, the server closes and, 5 s later, waits for the next one.
    client.close();
    demo.require(
        demo.wait_line("I/user.tcp_server_main_task_func recv IP_READY " + ready_adapters(path), 30s, 2),
        "the server did not start again");
    TcpDemoClient next;
    demo.require(!next.connect(demo.host_port, "TCP server is UP!", 20s).empty(),
                 "no greeting for the next client");
    next.send("i am the next client");
    CHECK(demo.wait_line("I/user.uart_app.recv_data_from_client_proc i am the next client"));

    const Lines lines = demo.device->lines();
    INFO(joined(lines));
    for (const char* line :
         {"I/user.main tcp_udp_server_demo 001.999.000", "I/user.tcp_server_receiver.proc recv data len 15",
          "I/user.tcp_server_receiver.proc recv data i am tcp client",
          "I/user.tcp_server_sender.proc send success", "I/user.uart_app.read len 13"})
        CHECK(!lines_with(lines, line).empty());
    demo.check_no_errors();
}

void tcp_two_clients(NetPath path) {
    ServerDemo demo;
    if (!demo.start(path, "tcp_multi_main")) return;
    demo.require(demo.wait_line("I/user.tcp_multi_main_task_func 准备监听 " +
                                std::string(path == NetPath::kEth0 ? "127.0.0.1" : "10.0.2.15") + " 50003"));
    UartTerminal uart(demo.uart_path);
    TcpDemoClient first;
    TcpDemoClient second;
    demo.require(!first.connect(demo.host_port, "TCP server is UP! you are client-1", 20s).empty(),
                 "no greeting for the first client");
    demo.require(!second.connect(demo.host_port, "TCP server is UP! you are client-2", 20s).empty(),
                 "no greeting for the second client");
    for (int n : {1, 2}) {
        const TcpDemoClient& c = n == 1 ? first : second;
        CHECK(demo.wait_line("I/user.tcp_multi_main_task_func 新客户端接入 IP= " + client_ip(path) +
                             " port= " + std::to_string(c.local_port()) +
                             " 当前连接数= " + std::to_string(n)));
    }

    first.send("i am client 1");
    CHECK(demo.wait_line("I/user.uart_app.recv_data_from_client_proc i am client 1"));
    second.send("i am client 2");
    CHECK(demo.wait_line("I/user.uart_app.recv_data_from_client_proc i am client 2"));
    CHECK(uart.read_until("i am client 2\r\n", 10s) == "i am client 1\r\ni am client 2\r\n");

    // The timer's data goes to every client at once.
    demo.require(first.wait_for("send from timer: 1", 20s), "no timer data (first)");
    demo.require(second.wait_for("send from timer: 1", 20s), "no timer data (second)");
    CHECK(first.received() == "TCP server is UP! you are client-1send from timer: 1");
    CHECK(second.received() == "TCP server is UP! you are client-2send from timer: 1");
    CHECK(demo.wait_line("I/user.send_data_cbfunc true tcp_timer1"));

    uart.write("hello clients!");
    CHECK(first.wait_for("send from uart: hello clients!", 20s));
    CHECK(second.wait_for("send from uart: hello clients!", 20s));

    // One client leaves; the other still gets the timer's data. The demo's remove_client compares
    // tostring() of accept's NWCTRL* userdata with the callback's light userdata, which differ in
    // LuatOS's Lua as here ("NWCTRL*: ..." / "userdata: ..."), so the closed client stays in its list
    // and each broadcast logs its failed tx (socket.tx of a released link returns nothing).
    first.close();
    CHECK(demo.wait_line("I/user.tcp_multi_receiver.proc socket.rx error 0"));
    demo.require(second.wait_for("send from timer: 2", 20s), "no timer data after the first client left");
    CHECK(demo.wait_line("E/user.tcp_multi_sender 发送失败，client可能断开 1"));
    CHECK(demo.wait_line("I/user.send_data_cbfunc true tcp_timer2"));

    const Lines lines = demo.device->lines();
    INFO(joined(lines));
    CHECK(lines_with(lines, "I/user.tcp_multi_main.client_event_cb client数据收发异常，关闭 userdata: ")
              .size() == 1);
    CHECK(lines_with(lines, "I/user.tcp_multi_main_task_func listen返回 true nil").size() == 2);
    CHECK(lines_with(lines, "D/socket accept success").size() == 2);
    CHECK(lines_with(lines, "I/user.tcp_multi_main_task_func accept结果 true NWCTRL*: ").size() == 2);
    CHECK(!lines_with(lines, "I/user.tcp_multi_receiver.proc recv data i am client 1").empty());
    CHECK(!lines_with(lines, "I/user.tcp_multi_receiver.proc recv data i am client 2").empty());
    demo.check_no_errors({"E/user.tcp_multi_sender 发送失败，client可能断开 1"});
}

// `late`: the client comes only after the server's heartbeat (15 s without a datagram, readme item 8):
// its broadcast is lost (W/socket datagram dropped, TX_OK as on the module) and the socket still
// serves; the timer, which found no client at 5, 10 and 15 s (the demo's own error line each time),
// then sends its fourth datum.
void udp_server(NetPath path, bool late) {
    ServerDemo demo;
    if (!demo.start(path, "udp_server_main")) return;
    demo.require(demo.wait_line("I/user.udp_server_main_task_func UDP server started on port 50003"));
    UartTerminal uart(demo.uart_path);
    UdpDemoClient client(demo.host_port);
    if (late) {
        demo.require(
            demo.wait_line("I/user.udp_server_main_task_func No data received, sending broadcast heartbeat",
                           30s),
            "no heartbeat");
    }
    const std::string timer_data = late ? "4" : "1";

    client.send("i am udp client");
    const std::string from = client_ip(path) + " " + std::to_string(client.local_port());
    CHECK(demo.wait_line("I/user.udp_server_receiver.proc 收到数据 i am udp client 来自 " + from));
    CHECK(demo.wait_line("I/user.client_info " + from));
    CHECK(uart.read_until("i am udp client\r\n", 10s) == "i am udp client\r\n");

    // Once the server knows the client, the timer's data goes to it (every 5 s after boot).
    CHECK(client.receive(20s) == "send from timer: " + timer_data);
    CHECK(demo.wait_line("I/user.send_data_cbfunc true udp_timer" + timer_data));
    CHECK(demo.wait_line("I/user.udp_server_sender.proc send success " + from));

    uart.write("hello udp client!");
    std::optional<std::string> got;
    // The next timer datagram may come first.
    for (int i = 0; i < 3 && got != "send from uart: hello udp client!"; ++i)
        got = client.receive(20s);
    CHECK(got == "send from uart: hello udp client!");
    if (!late) {
        demo.check_no_errors();
        return;
    }
    const Lines lines = demo.device->lines();
    INFO(joined(lines));
    CHECK(lines_with(lines, "W/socket datagram dropped: 255.255.255.255 ").size() == 1);
    const std::string no_client = "E/user.timer_app 尚未收到客户端数据, 无法确定目标IP和端口";
    CHECK(lines_with(lines, no_client).size() == 3);
    demo.check_no_errors({no_client});
}

}  // namespace

E2E_ON_BOTH_PATHS("the official socket server demo, TCP one client, serves a host client", tcp_one_client)
E2E_ON_BOTH_PATHS("the official socket server demo, TCP multi, serves two host clients at once",
                  tcp_two_clients)
E2E_ON_BOTH_PATHS("the official socket server demo, UDP, serves a host client through udpsrv",
                  [](NetPath p) { udp_server(p, false); })
E2E_ON_BOTH_PATHS("the official socket server demo, UDP, serves a client that comes after the heartbeat",
                  [](NetPath p) { udp_server(p, true); })
