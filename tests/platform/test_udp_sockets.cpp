// The UDP sockets of both adapters (LwipUdpSocket on the simulated link, HostUdpSocket on host
// sockets) against a UDP echo peer on 127.0.0.1: the default peer by name and by literal, explicit
// destinations, the gateway rule (only this host and what the host map names), and the link model's
// outages applying to datagrams.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net_test_support.hpp"
#include "platform_air780ep/host_udp_socket.hpp"
#include "platform_air780ep/lwip_stack.hpp"
#include "platform_air780ep/lwip_udp_socket.hpp"
#include "platform_air780ep/slirp_link.hpp"
#include "tests/support/echo_peers.hpp"

using namespace platform_air780ep;
using namespace tests;
using sys_task::EventLoop;
using sys_task::Logger;

namespace {

struct Recorder final : DatagramListener {
    explicit Recorder(DatagramSocket& s) : socket(s) { s.set_listener(this); }
    void on_datagram_open(bool ok, std::string_view detail) override {
        events.push_back(ok ? "open" : "failed: " + std::string(detail));
    }
    void on_datagram_readable() override {
        while (auto d = socket.receive()) {
            received.emplace_back(d->data.begin(), d->data.end());
            from = d->from;
            from_port = d->port;
        }
    }
    DatagramSocket& socket;
    std::vector<std::string> events;
    std::vector<std::string> received;
    Ipv4 from = 0;
    std::uint16_t from_port = 0;
};

std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

struct LwipFixture {
    LwipFixture() {
        log.set_stdout(false);
        std::string error;
        if (!hosts.add("echo.test=127.0.0.1:" + std::to_string(peer.port()), error))
            throw std::runtime_error(error);
        if (!hosts.add("9.9.9.9=127.0.0.1:" + std::to_string(peer.port()), error))
            throw std::runtime_error(error);
        link = SlirpLink::create(loop, log, hosts, SlirpLinkConfig{}, error);
        if (!link) throw std::runtime_error(error);
        stack = LwipStack::create(loop, log, *link, {}, error);
        if (!stack) throw std::runtime_error(error);
    }
    EventLoop loop;
    Logger log{loop.start_time()};
    UdpEchoPeer peer;
    HostMap hosts;
    std::unique_ptr<SlirpLink> link;
    std::unique_ptr<LwipStack> stack;
};

// A UDP socket of this host on 127.0.0.1 (the client of a server on the module).
struct HostClient {
    HostClient() {
        sockaddr_in sa = address(0);
        ::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
    }
    ~HostClient() { ::close(fd); }
    HostClient(const HostClient&) = delete;
    HostClient& operator=(const HostClient&) = delete;
    static sockaddr_in address(std::uint16_t port) {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return sa;
    }
    void send_to(std::uint16_t port, const std::string& s) const {
        const sockaddr_in sa = address(port);
        ::sendto(fd, s.data(), s.size(), 0, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
    }
    // A datagram waiting now (the loop has run until the peer sent it): text and source port.
    std::optional<std::pair<std::string, std::uint16_t>> receive() const {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) return std::nullopt;
        char buf[512];
        sockaddr_in from{};
        socklen_t len = sizeof from;
        const ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) return std::nullopt;
        return std::pair{std::string(buf, static_cast<std::size_t>(n)), ntohs(from.sin_port)};
    }
    [[nodiscard]] std::uint16_t port() const {
        sockaddr_in sa{};
        socklen_t len = sizeof sa;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
        return ntohs(sa.sin_port);
    }
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
};

std::uint16_t free_udp_port() {
    HostClient probe;
    return probe.port();
}

}  // namespace

TEST_CASE("LwipUdpSocket: a UDP --forward reaches a socket bound to the port; its reply goes back") {
    LwipFixture f;
    const std::uint16_t host_port = free_udp_port();
    std::string error;
    REQUIRE(f.link->add_forward(host_port, 7001, error, true));
    LwipUdpSocket s(*f.stack, f.hosts);
    Recorder rec(s);
    REQUIRE(s.open("255.255.255.255", 0, 7001, error));  // udpsrv's unconnected server socket
    REQUIRE(run_until(
        f.loop, [&] { return !rec.events.empty(); }, 5000));
    REQUIRE(rec.events == std::vector<std::string>{"open"});
    HostClient client;
    client.send_to(host_port, "hello server");
    REQUIRE(run_until(
        f.loop, [&] { return !rec.received.empty(); }, 5000));
    CHECK(rec.received == std::vector<std::string>{"hello server"});
    CHECK(rec.from == make_ipv4(10, 0, 2, 2));
    CHECK(rec.from_port == client.port());
    // The reply to where it came from passes the gateway (from the forwarded port) to the client.
    REQUIRE(s.send(bytes("hello client"), rec.from, rec.from_port, error));
    std::optional<std::pair<std::string, std::uint16_t>> got;
    REQUIRE(run_until(
        f.loop, [&] { return (got = client.receive()).has_value(); }, 5000));
    CHECK(got->first == "hello client");
    CHECK(got->second == host_port);
}

TEST_CASE("LwipUdpSocket: a mapped name resolves over the link and datagrams echo from the gateway") {
    LwipFixture f;
    {
        LwipUdpSocket s(*f.stack, f.hosts);
        Recorder rec(s);
        std::string error;
        REQUIRE(s.open("echo.test", 5000, 0, error));
        REQUIRE(run_until(
            f.loop, [&] { return !rec.events.empty(); }, 5000));
        CHECK(rec.events == std::vector<std::string>{"open"});
        CHECK(s.peer() == make_ipv4(10, 0, 2, 2));
        REQUIRE(s.send(bytes("ping 1"), std::nullopt, 0, error));
        REQUIRE(s.send(bytes("ping 2"), std::nullopt, 0, error));
        REQUIRE(run_until(
            f.loop, [&] { return rec.received.size() == 2; }, 5000));
        CHECK(rec.received == std::vector<std::string>{"ping 1", "ping 2"});
        CHECK(rec.from == make_ipv4(10, 0, 2, 2));
        CHECK(rec.from_port == f.peer.port());
        CHECK(f.peer.received() == std::vector<std::string>{"ping 1", "ping 2"});
        CHECK(s.local_port() != 0);
    }
}

TEST_CASE("LwipUdpSocket: explicit destinations follow the gateway rule") {
    LwipFixture f;
    LwipUdpSocket s(*f.stack, f.hosts);
    Recorder rec(s);
    std::string error;
    REQUIRE(s.open("127.0.0.1", f.peer.port(), 0, error));
    REQUIRE(run_until(
        f.loop, [&] { return !rec.events.empty(); }, 5000));
    REQUIRE(rec.events == std::vector<std::string>{"open"});
    // A literal the map names goes where it says; 127.0.0.1 is the gateway.
    REQUIRE(s.send(bytes("mapped"), make_ipv4(9, 9, 9, 9), 1, error));
    REQUIRE(s.send(bytes("loopback"), make_ipv4(127, 0, 0, 1), f.peer.port(), error));
    CHECK_FALSE(s.send(bytes("away"), make_ipv4(8, 8, 8, 8), 53, error));
    CHECK(error.find("8.8.8.8 is not reachable over the simulated cellular link") != std::string::npos);
    REQUIRE(run_until(
        f.loop, [&] { return rec.received.size() == 2; }, 5000));
    CHECK(f.peer.received() == std::vector<std::string>{"mapped", "loopback"});
}

TEST_CASE("LwipUdpSocket: an unreachable literal and an unknown name fail the open") {
    LwipFixture f;
    LwipUdpSocket a(*f.stack, f.hosts);
    LwipUdpSocket b(*f.stack, f.hosts);
    Recorder ra(a);
    Recorder rb(b);
    std::string error;
    REQUIRE(a.open("8.8.4.4", 53, 0, error));
    REQUIRE(b.open("nowhere.test", 53, 0, error));
    REQUIRE(run_until(
        f.loop, [&] { return !ra.events.empty() && !rb.events.empty(); }, 5000));
    CHECK(ra.events.at(0).rfind("failed: 8.8.4.4 is not reachable", 0) == 0);
    CHECK(rb.events == std::vector<std::string>{"failed: DNS has no address for 'nowhere.test'"});
    CHECK_FALSE(a.open_done());
}

TEST_CASE("LwipUdpSocket: a link outage loses the datagrams sent during it") {
    LwipFixture f;
    LwipUdpSocket s(*f.stack, f.hosts);
    Recorder rec(s);
    std::string error;
    REQUIRE(s.open("127.0.0.1", f.peer.port(), 0, error));
    REQUIRE(run_until(
        f.loop, [&] { return !rec.events.empty(); }, 5000));
    // A first exchange resolves the gateway's ARP entry (lwIP would hold a datagram for it).
    REQUIRE(s.send(bytes("first"), std::nullopt, 0, error));
    REQUIRE(run_until(
        f.loop, [&] { return rec.received.size() == 1; }, 5000));
    f.link->set_down();
    REQUIRE(s.send(bytes("lost"), std::nullopt, 0, error));
    f.link->set_up();
    REQUIRE(s.send(bytes("kept"), std::nullopt, 0, error));
    REQUIRE(run_until(
        f.loop, [&] { return rec.received.size() == 2; }, 5000));
    CHECK(f.peer.received() == std::vector<std::string>{"first", "kept"});
    CHECK(rec.received == std::vector<std::string>{"first", "kept"});
}

TEST_CASE("HostUdpSocket: echo by name and literal; unmapped destinations are refused") {
    EventLoop loop;
    UdpEchoPeer peer;
    HostMap hosts;
    std::string error;
    REQUIRE(hosts.add("echo.test=127.0.0.1:" + std::to_string(peer.port()), error));
    HostUdpSocket s(loop, hosts);
    Recorder rec(s);
    REQUIRE(s.open("echo.test", 7, 0, error));
    REQUIRE(run_until(
        loop, [&] { return !rec.events.empty(); }, 5000));
    REQUIRE(rec.events == std::vector<std::string>{"open"});
    REQUIRE(s.send(bytes("hello"), std::nullopt, 0, error));
    REQUIRE(s.send(bytes("direct"), make_ipv4(127, 0, 0, 1), peer.port(), error));
    CHECK_FALSE(s.send(bytes("away"), make_ipv4(8, 8, 8, 8), 53, error));
    CHECK(error.find("8.8.8.8 is not a destination of this simulation") != std::string::npos);
    REQUIRE(run_until(
        loop, [&] { return rec.received.size() == 2; }, 5000));
    CHECK(rec.received == std::vector<std::string>{"hello", "direct"});
    CHECK(rec.from == make_ipv4(127, 0, 0, 1));
    CHECK(rec.from_port == peer.port());

    HostUdpSocket t(loop, hosts);
    Recorder rt(t);
    REQUIRE(t.open("example.com", 53, 0, error));
    REQUIRE(run_until(
        loop, [&] { return !rt.events.empty(); }, 5000));
    CHECK(rt.events.at(0).rfind("failed: example.com is not a destination", 0) == 0);
}

TEST_CASE("HostUdpSocket: a UDP --forward binds the script's local port at the host port it names") {
    EventLoop loop;
    HostMap hosts;
    HostPortMap ports;
    const std::uint16_t host_port = free_udp_port();
    ports.udp[7001] = host_port;
    HostUdpSocket s(loop, hosts, &ports);
    Recorder rec(s);
    std::string error;
    REQUIRE(s.open("255.255.255.255", 0, 7001, error));
    CHECK(s.local_port() == host_port);
    HostClient client;
    client.send_to(host_port, "hello server");
    REQUIRE(run_until(
        loop, [&] { return !rec.received.empty(); }, 5000));
    CHECK(rec.received == std::vector<std::string>{"hello server"});
    CHECK(rec.from_port == client.port());
}
