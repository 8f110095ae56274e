// What the run-end drain waits for over LWIP_GP: a closed connection's last bytes and FIN on their way
// through lwIP, the link and slirp to the host's socket (CellularNetwork::output_in_flight), and how
// slirp's own report of its connections is read.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <memory>

#include "net_test_support.hpp"
#include "platform_air780ep/cellular_network.hpp"
#include "platform_air780ep/slirp_connections.hpp"

using namespace platform_air780ep;
using namespace tests;
using sys_task::EventLoop;
using sys_task::Logger;

namespace {

struct Cellular {
    EventLoop loop;
    Logger log{loop.start_time()};
    HostMap hosts;
    std::unique_ptr<CellularNetwork> net;

    explicit Cellular(const std::string& link_spec) {
        log.set_stdout(false);
        hosts.add("127.0.0.1", HostTarget{"127.0.0.1", std::nullopt});  // every port of this host
        SlirpLinkConfig config;
        std::string error;
        auto settings = LinkSettings{}.with(link_spec, error);
        REQUIRE(settings);
        config.link = *settings;
        net = CellularNetwork::create(loop, log, hosts, config, error);
        INFO(error);
        REQUIRE(net);
    }
};

}  // namespace

TEST_CASE("slirp's connection report: the TCP lines with their states and queues, other lines skipped") {
    const std::string text =
        "  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ\n"
        "  TCP[ESTABLISHED]    12       10.0.2.15 49153        10.0.2.2  1883     0    17\n"
        "  TCP[CLOSE_WAIT]     13       10.0.2.15 49154        10.0.2.2  1884   512     0\n"
        "  TCP[HOST_FORWARD]   14               * 10022       10.0.2.15    22     0     0\n"
        "  UDP[58 sec]         15       10.0.2.15 40000        10.0.2.3    53     0     0\n"
        "  TCP[garbage line\n";
    const std::vector<SlirpTcpConnection> c = parse_slirp_connection_info(text);
    REQUIRE(c.size() == 3);
    CHECK(c[0].state == "ESTABLISHED");
    CHECK(c[0].source == "10.0.2.15");
    CHECK(c[0].source_port == 49153);
    CHECK(c[0].destination == "10.0.2.2");
    CHECK(c[0].destination_port == 1883);
    CHECK(c[0].recv_q == 0);
    CHECK(c[0].send_q == 17);
    CHECK_FALSE(c[0].guest_finished());
    CHECK(c[1].state == "CLOSE_WAIT");
    CHECK(c[1].recv_q == 512);
    CHECK(c[1].guest_finished());
    CHECK(c[2].state == "HOST_FORWARD");
    CHECK(c[2].source == "*");
    for (const char* state : {"LAST_ACK", "CLOSING", "TIME_WAIT", "CLOSED"}) {
        SlirpTcpConnection s;
        s.state = state;
        CHECK(s.guest_finished());
    }
    for (const char* state : {"SYN_SENT", "SYN_RCVD", "FIN_WAIT_1", "FIN_WAIT_2"}) {
        SlirpTcpConnection s;
        s.state = state;
        CHECK_FALSE(s.guest_finished());
    }
    CHECK(parse_slirp_connection_info("").empty());
}

TEST_CASE(
    "a closed connection's bytes and FIN are in flight until slirp has written them to the host, "
    "then the stack may go and the host still gets them all") {
    Cellular c("delay=100");
    LoopServer sink(c.loop, false);
    auto stream = c.net->make_tcp_stream();
    RecordingListener rec(*stream);
    REQUIRE(stream->open("127.0.0.1", sink.port()));
    REQUIRE(run_until(
        c.loop, [&] { return rec.connected() || rec.closed(); }, 5000));
    REQUIRE(rec.connected());
    CHECK_FALSE(c.net->output_in_flight());
    CHECK(c.net->stack().output_in_flight().empty());

    const std::vector<std::uint8_t> last_words(20000, 0x5A);
    CHECK(stream->write(last_words) == last_words.size());
    stream->close();  // the FIN is queued behind the bytes; the stream is done with them
    CHECK(c.net->output_in_flight());
    const std::vector<TcpOutputInFlight> pending = c.net->stack().output_in_flight();
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].closing);
    REQUIRE(run_until(
        c.loop, [&] { return !c.net->output_in_flight(); }, 5000));
    // slirp has the FIN and has written every byte to the host socket; lwIP has not heard its ACK
    // yet (it is 100 ms down the link): the drain did not wait for it.
    const std::vector<SlirpTcpConnection> slirp = c.net->link().tcp_connections();
    REQUIRE(slirp.size() == 1);
    CHECK(slirp[0].guest_finished());
    CHECK(slirp[0].recv_q == 0);
    CHECK(c.net->stack().output_in_flight().size() == 1);

    // The run ends: the stack and slirp go; the host socket still delivers everything, then EOF.
    c.net.reset();
    REQUIRE(run_until(
        c.loop, [&] { return sink.bytes_received() == last_words.size() && sink.open_connections() == 0; },
        5000));
    CHECK(sink.data() == last_words);
}

TEST_CASE(
    "the drain's budget follows the link, nothing is waited for while the link is down or for a "
    "connection retransmitting into silence") {
    Cellular c("delay=100,jitter=20,up_delay=50");
    CHECK(c.net->drain_budget_ms() == 500 + 50 + 20 + 100 + 20);
    LoopServer sink(c.loop, false);
    auto stream = c.net->make_tcp_stream();
    RecordingListener rec(*stream);
    REQUIRE(stream->open("127.0.0.1", sink.port()));
    REQUIRE(run_until(
        c.loop, [&] { return rec.connected() || rec.closed(); }, 5000));
    REQUIRE(rec.connected());
    c.net->link().set_down();
    CHECK(stream->write(std::vector<std::uint8_t>(100, 1)) == 100);
    stream->close();
    CHECK(c.net->stack().output_in_flight().size() == 1);
    CHECK_FALSE(c.net->output_in_flight());  // nothing can leave now
    c.net->link().set_up();
    CHECK(c.net->output_in_flight());

    // Down again until lwIP's retransmission timer has fired: a connection retransmitting into
    // silence is not waited for, even with the link up again.
    c.net->link().set_down();
    REQUIRE(run_until(
        c.loop,
        [&] {
            const auto pending = c.net->stack().output_in_flight();
            return pending.size() == 1 && pending[0].stalled;
        },
        10000));
    c.net->link().set_up();
    CHECK_FALSE(c.net->output_in_flight());
}

// Issue 11.11: connections the module gives up before CONNACK, to a server that never closes its side,
// left slirp's two 128 KiB buffers each alive (1100 of them: 114 MB). Once lwIP's FIN is acknowledged
// and every byte is in the host socket, slirp gets the reset lwIP would send and frees them.
TEST_CASE("connections the module closed are released in slirp even when the server never closes its side") {
    Cellular c("");
    // A listener that never accepts: the kernel completes each connection and nobody ever closes it.
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener, 64) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    const std::uint16_t port = ntohs(addr.sin_port);
    auto to_port = [&] {
        std::size_t n = 0;
        for (const SlirpTcpConnection& s : c.net->link().tcp_connections())
            n += s.destination_port == port ? 1 : 0;
        return n;
    };

    constexpr int kRounds = 3;
    constexpr int kStreams = 6;
    for (int round = 0; round < kRounds; ++round) {
        std::vector<std::unique_ptr<LwipTcpStream>> streams;
        std::vector<std::unique_ptr<RecordingListener>> listeners;
        for (int i = 0; i < kStreams; ++i) {
            streams.push_back(c.net->make_tcp_stream());
            listeners.push_back(std::make_unique<RecordingListener>(*streams.back()));
            REQUIRE(streams.back()->open("127.0.0.1", port));
        }
        REQUIRE(run_until(
            c.loop,
            [&] {
                return std::all_of(listeners.begin(), listeners.end(),
                                   [](const auto& l) { return l->connected(); });
            },
            5000));
        const std::vector<std::uint8_t> connect_packet(40, 0x10);
        for (auto& s : streams) {
            CHECK(s->write(connect_packet) == connect_packet.size());
            s->close();  // given up before any answer
        }
        REQUIRE(run_until(
            c.loop, [&] { return to_port() == 0; }, 5000));
    }
    ::close(listener);
}
