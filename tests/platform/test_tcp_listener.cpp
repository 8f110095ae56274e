// The TCP server sockets of both adapters (socket.listen): HostTcpListener on 127.0.0.1, and
// LwipTcpListener on the module reached through slirp's host forwarding (--forward). A client on the
// host connects, the listener holds the connection until taken, bytes go both ways; a second client
// while one waits is refused.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>
#include "tests/support/mosquitto.hpp"

#include "net_test_support.hpp"
#include "platform_air780ep/lwip_stack.hpp"
#include "platform_air780ep/slirp_link.hpp"
#include "platform_air780ep/tcp_listener.hpp"

using namespace platform_air780ep;
using namespace tests;
using sys_task::EventLoop;
using sys_task::Logger;

namespace {

// A non-blocking client, so that the test's loop keeps running while it connects.
int client_to(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
    return fd;
}

// Runs the loop until the client can send `text` (its connect may still be under way).
void client_send(EventLoop& loop, int fd, const std::string& text) {
    REQUIRE(run_until(
        loop, [&] { return ::send(fd, text.data(), text.size(), MSG_NOSIGNAL) > 0; }, 5000));
}

std::string client_receive(EventLoop& loop, int fd, std::size_t n) {
    std::string got;
    run_until(
        loop,
        [&] {
            char buf[64];
            const ssize_t r = ::recv(fd, buf, sizeof buf, 0);
            if (r > 0) got.append(buf, static_cast<std::size_t>(r));
            if (r == 0) return true;
            return got.size() >= n;
        },
        5000);
    return got;
}

std::string read_all(luat_mqtt::Transport& t) {
    std::uint8_t buf[64];
    const std::size_t n = t.read(buf);
    return std::string(reinterpret_cast<const char*>(buf), n);
}

void exchange(EventLoop& loop, TcpListener& listener, std::uint16_t port, Ipv4 expected_from) {
    int connections = 0;
    listener.set_on_connection([&] { ++connections; });
    const int fd = client_to(port);
    client_send(loop, fd, "hi");
    REQUIRE(run_until(
        loop, [&] { return connections == 1; }, 5000));
    // A second client while the first waits is refused.
    const int second = client_to(port);
    client_send(loop, second, "x");
    CHECK(client_receive(loop, second, 1).empty());
    ::close(second);
    std::optional<AcceptedConnection> c = listener.take();
    REQUIRE(c);
    CHECK(c->address == expected_from);
    CHECK(c->port != 0);
    RecordingListener rec(*c->stream);
    REQUIRE(run_until(
        loop, [&] { return c->stream->readable() >= 2; }, 5000));
    CHECK(read_all(*c->stream) == "hi");
    const std::string ok = "ok";
    CHECK(c->stream->write({reinterpret_cast<const std::uint8_t*>(ok.data()), ok.size()}) == 2);
    CHECK(client_receive(loop, fd, 2) == "ok");
    ::close(fd);
    CHECK_FALSE(listener.take());
}

}  // namespace

TEST_CASE("HostTcpListener: a host client, held until taken, bytes both ways; a second one refused") {
    EventLoop loop;
    HostTcpListener listener(loop);
    const std::uint16_t port = free_loopback_port();
    std::string error;
    REQUIRE(listener.listen(port, error));
    exchange(loop, listener, port, make_ipv4(127, 0, 0, 1));
}

TEST_CASE("LwipTcpListener: reached from the host through the link's forward, from the gateway") {
    EventLoop loop;
    Logger log{loop.start_time()};
    log.set_stdout(false);
    HostMap hosts;
    std::string error;
    const auto link = SlirpLink::create(loop, log, hosts, SlirpLinkConfig{}, error);
    REQUIRE(link);
    const auto stack = LwipStack::create(loop, log, *link, {}, error);
    REQUIRE(stack);
    const std::uint16_t host_port = free_loopback_port();
    REQUIRE(link->add_forward(host_port, 7000, error));
    {
        LwipTcpListener listener(*stack);
        REQUIRE(listener.listen(7000, error));
        LwipTcpListener taken(*stack);
        CHECK_FALSE(taken.listen(7000, error));  // one server per port
        exchange(loop, listener, host_port, make_ipv4(10, 0, 2, 2));
    }
}

TEST_CASE("HostTcpListener: a --forward moves the script's port to the host port it names (ETH0)") {
    EventLoop loop;
    HostPortMap ports;
    const std::uint16_t host_port = free_loopback_port();
    ports.tcp[7000] = host_port;
    HostTcpListener listener(loop, &ports);
    std::string error;
    REQUIRE(listener.listen(7000, error));
    exchange(loop, listener, host_port, make_ipv4(127, 0, 0, 1));
}
