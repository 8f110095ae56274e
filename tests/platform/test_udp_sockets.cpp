// The UDP sockets of both adapters (LwipUdpSocket on the simulated link, HostUdpSocket on host
// sockets) against a UDP echo peer on 127.0.0.1: the default peer by name and by literal, explicit
// destinations, the gateway rule (only this host and what the host map names), and the link model's
// outages applying to datagrams.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
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

}  // namespace

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
