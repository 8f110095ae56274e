#include <catch2/catch.hpp>

#include "net_test_support.hpp"
#include "platform_air780ep/host_tcp_stream.hpp"

using namespace platform_air780ep;
using namespace tests;
using luat_mqtt::TransportError;
using sys_task::EventLoop;

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& s) {
    return {s.begin(), s.end()};
}

}  // namespace

TEST_CASE("host socket stream: connect, echo, then our close") {
    EventLoop loop;
    LoopServer echo(loop);
    HostMap hosts;
    HostTcpStream stream(loop, hosts);
    RecordingListener rec(stream);

    CHECK(stream.writable() == 0);  // not connected yet
    REQUIRE(stream.open("127.0.0.1", echo.port()));
    CHECK_FALSE(stream.open("127.0.0.1", echo.port()));  // already open
    CHECK(rec.events.empty());                           // nothing is reported from inside open()
    REQUIRE(run_until(
        loop, [&] { return rec.connected(); }, 3000));
    CHECK(stream.is_open());

    const auto hello = bytes_of(std::string("hello\0world\xff", 12));
    const auto again = bytes_of("again");
    CHECK(stream.write(hello) == hello.size());  // the first write of an iteration goes out at once
    CHECK(stream.write(again) == again.size());
    CHECK(stream.unsent() >= again.size());  // later ones are batched until the loop is about to block
    auto both = hello;
    both.insert(both.end(), again.begin(), again.end());
    REQUIRE(run_until(
        loop, [&] { return rec.received.size() >= both.size(); }, 3000));
    CHECK(rec.received == both);
    CHECK(echo.data() == both);

    stream.close();
    CHECK_FALSE(stream.is_open());
    run_for(loop, 20);
    CHECK(rec.events == std::vector<std::string>{"connected"});  // close() is silent
}

TEST_CASE(
    "host socket stream: our close after the last write ends with a FIN, even with bytes still unread") {
    EventLoop loop;
    LoopServer peer(loop, false);
    HostMap hosts;
    HostTcpStream stream(loop, hosts);
    RecordingListener rec(stream);
    REQUIRE(stream.open("127.0.0.1", peer.port()));
    REQUIRE(run_until(
        loop, [&] { return rec.connected() && peer.connections() == 1; }, 3000));
    // The peer's bytes reach our socket but nobody reads them before the close (the loop does not run).
    peer.send_all(bytes_of("a message that came just before the goodbye"));
    const auto goodbye = bytes_of(std::string("\xe0\x00", 2));  // an MQTT DISCONNECT
    CHECK(stream.write(goodbye) == goodbye.size());
    stream.close();
    // A reset instead of a FIN could make the peer drop the goodbye it has not read yet.
    REQUIRE(run_until(
        loop, [&] { return peer.open_connections() == 0; }, 3000));
    CHECK(peer.data() == goodbye);
    CHECK(peer.resets() == 0);
}

TEST_CASE("host socket stream: the host map rewrites name and port, localhost resolves off the loop") {
    EventLoop loop;
    LoopServer echo(loop);
    HostMap hosts;
    std::string error;
    REQUIRE(hosts.add("lbsmqtt.airm2m.com=127.0.0.1:" + std::to_string(echo.port()), error));
    {
        HostTcpStream stream(loop, hosts);
        RecordingListener rec(stream);
        REQUIRE(stream.open("lbsmqtt.airm2m.com", 1884));
        REQUIRE(run_until(
            loop, [&] { return rec.connected() || rec.closed(); }, 3000));
        CHECK(rec.events == std::vector<std::string>{"connected"});
        CHECK(stream.remote() == "lbsmqtt.airm2m.com:" + std::to_string(echo.port()) +
                                     " (127.0.0.1:" + std::to_string(echo.port()) + ")");
    }
    {
        HostTcpStream stream(loop, hosts);
        RecordingListener rec(stream);
        REQUIRE(stream.open("localhost", echo.port()));  // resolved by the host, on a helper thread
        REQUIRE(run_until(
            loop, [&] { return rec.connected() || rec.closed(); }, 5000));
        CHECK(rec.events == std::vector<std::string>{"connected"});
        CHECK(stream.write(bytes_of("x")) == 1);
        REQUIRE(run_until(
            loop, [&] { return rec.received.size() == 1; }, 3000));
    }
    CHECK(echo.connections() == 2);
}

TEST_CASE("host socket stream: a refused connect fails with kConnectFailed") {
    EventLoop loop;
    HostMap hosts;
    HostTcpStream stream(loop, hosts);
    RecordingListener rec(stream);
    REQUIRE(stream.open("127.0.0.1", free_loopback_port()));  // nobody listens there
    REQUIRE(run_until(
        loop, [&] { return rec.closed(); }, 3000));
    CHECK(rec.events == std::vector<std::string>{"closed:connect failed"});
    CHECK(rec.closed_detail.find("Connection refused") != std::string::npos);
    CHECK_FALSE(stream.is_open());
    // It can be opened again after a failure.
    LoopServer echo(loop);
    REQUIRE(stream.open("127.0.0.1", echo.port()));
    REQUIRE(run_until(
        loop, [&] { return rec.connected(); }, 3000));
}

TEST_CASE("host socket stream: the peer's close is reported after its last bytes are read") {
    EventLoop loop;
    LoopServer server(loop, false);
    HostMap hosts;
    HostTcpStream stream(loop, hosts);
    RecordingListener rec(stream);
    rec.auto_read = false;
    REQUIRE(stream.open("127.0.0.1", server.port()));
    REQUIRE(run_until(
        loop, [&] { return rec.connected() && server.connections() == 1; }, 3000));
    server.send_all(bytes_of("last words"));
    server.close_connections();
    REQUIRE(run_until(
        loop, [&] { return stream.readable() == 10; }, 3000));
    run_for(loop, 30);
    CHECK(rec.events == std::vector<std::string>{"connected"});  // data first: not closed yet
    std::uint8_t buf[64];
    CHECK(stream.read(buf) == 10);
    CHECK(std::string(buf, buf + 10) == "last words");
    REQUIRE(run_until(
        loop, [&] { return rec.closed(); }, 3000));
    CHECK(rec.events == std::vector<std::string>{"connected", "closed:closed by peer"});
}

TEST_CASE("host socket stream: unread data holds the peer back, reading lets it continue") {
    EventLoop loop;
    LoopServer server(loop, false);
    HostMap hosts;
    HostTcpStream stream(loop, hosts);
    RecordingListener rec(stream);
    rec.auto_read = false;
    REQUIRE(stream.open("127.0.0.1", server.port()));
    REQUIRE(run_until(
        loop, [&] { return rec.connected() && server.connections() == 1; }, 3000));
    std::vector<std::uint8_t> big(4 * 1024 * 1024);
    for (std::size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<std::uint8_t>(i * 31 + 7);
    server.send_all(big);
    REQUIRE(run_until(
        loop, [&] { return stream.readable() >= HostTcpStream::kRxCapacity; }, 5000));
    run_for(loop, 200);                                      // time for more to arrive, if it could
    CHECK(stream.readable() == HostTcpStream::kRxCapacity);  // bounded; the rest waits in the network
    std::vector<std::uint8_t> got;
    REQUIRE(run_until(
        loop,
        [&] {
            std::vector<std::uint8_t> buf(50000);
            buf.resize(stream.read(buf));
            got.insert(got.end(), buf.begin(), buf.end());
            return got.size() >= big.size();
        },
        10000));
    CHECK(got == big);
}

TEST_CASE("host socket stream: a reset by the peer is reported as kReset") {
    EventLoop loop;
    LoopServer server(loop, false);
    HostMap hosts;
    HostTcpStream stream(loop, hosts);
    RecordingListener rec(stream);
    REQUIRE(stream.open("127.0.0.1", server.port()));
    REQUIRE(run_until(
        loop, [&] { return rec.connected() && server.connections() == 1; }, 3000));
    server.reset_connections();
    REQUIRE(run_until(
        loop, [&] { return rec.closed(); }, 3000));
    CHECK(rec.events == std::vector<std::string>{"connected", "closed:connection reset"});
    CHECK(rec.closed_detail.find("Connection reset by peer") != std::string::npos);
}

TEST_CASE("host socket stream: destroyed or closed while resolving, nothing comes back") {
    EventLoop loop;
    LoopServer echo(loop);
    HostMap hosts;
    auto doomed = std::make_unique<HostTcpStream>(loop, hosts);
    RecordingListener doomed_rec(*doomed);
    REQUIRE(doomed->open("localhost", echo.port()));
    doomed.reset();  // the lookup thread finishes on its own

    HostTcpStream stream(loop, hosts);
    RecordingListener rec(stream);
    REQUIRE(stream.open("localhost", echo.port()));
    stream.close();
    CHECK(stream.write(bytes_of("early")) == 0);  // not connected
    run_for(loop, 200);
    CHECK(rec.events.empty());
    CHECK(doomed_rec.events.empty());
    CHECK(echo.connections() == 0);
}
