// lwIP on the simulated link, through libslirp, to a private mosquitto and to in-loop servers.
#include <catch2/catch.hpp>
#include <memory>

#include "net_test_support.hpp"
#include "platform_air780ep/cellular_network.hpp"
#include "platform_air780ep/channel_pool.hpp"
#include "platform_air780ep/lwip_port/lwip_timers.hpp"
#include "platform_air780ep/lwip_stack.hpp"
#include "platform_air780ep/lwip_tcp_stream.hpp"
#include "platform_air780ep/slirp_link.hpp"

using namespace platform_air780ep;
using namespace tests;
using luat_mqtt::TransportError;
using sys_task::EventLoop;
using sys_task::Logger;

namespace {

using Bytes = std::vector<std::uint8_t>;

const Bytes kConnack = {0x20, 0x02, 0x00, 0x00};

Bytes puback(std::uint16_t id) {
    return {0x40, 0x02, static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id)};
}

// One simulated module: event loop, log, host map, link, lwIP.
struct Module {
    EventLoop loop;
    Logger log{loop.start_time()};
    HostMap hosts;
    std::vector<std::string> lines;
    std::unique_ptr<SlirpLink> link;
    std::unique_ptr<LwipStack> stack;

    explicit Module(const std::string& link_spec = "") {
        log.set_stdout(false);
        log.add_sink([this](std::string_view l) { lines.emplace_back(l); });
        // Every port of this host, as `--host 127.0.0.1=127.0.0.1` opens them (the gateway forwards
        // only what the map names).
        hosts.add("127.0.0.1", HostTarget{"127.0.0.1", std::nullopt});
        SlirpLinkConfig config;
        std::string error;
        auto settings = LinkSettings{}.with(link_spec, error);
        REQUIRE(settings);
        config.link = *settings;
        link = SlirpLink::create(loop, log, hosts, config, error);
        REQUIRE(link);
        stack = LwipStack::create(loop, log, *link, {}, error);
        INFO(error);
        REQUIRE(stack);
    }
    ~Module() {
        stack.reset();
        link.reset();
    }
};

struct LinkEvents : LinkStateListener {
    std::vector<std::string> events;
    void on_link_down() override { events.push_back("down"); }
    void on_link_up() override { events.push_back("up"); }
};

bool received(const RecordingListener& rec, std::size_t n) {
    return rec.received.size() >= n;
}

}  // namespace

TEST_CASE("lwIP through slirp: a raw MQTT CONNECT to a private mosquitto gets its CONNACK") {
    Broker broker;
    Module m;
    CHECK(m.stack->netif_up());
    CHECK(m.stack->address() == "10.0.2.15");
    LwipTcpStream stream(*m.stack, m.hosts);
    RecordingListener rec(stream);
    REQUIRE(stream.open("127.0.0.1", broker.port()));  // this host = the gateway, no DNS
    CHECK(rec.events.empty());
    REQUIRE(run_until(
        m.loop, [&] { return rec.connected() || rec.closed(); }, 5000));
    REQUIRE(rec.events == std::vector<std::string>{"connected"});
    CHECK(stream.remote() == "127.0.0.1:" + std::to_string(broker.port()) + " (10.0.2.2)");
    CHECK(stream.write(mqtt_connect("lwip-test")) == mqtt_connect("lwip-test").size());
    REQUIRE(run_until(
        m.loop, [&] { return received(rec, 4); }, 5000));
    CHECK(rec.received == kConnack);
    CHECK(m.link->dns_answered() == 0);
    // Point to point: no ARP either way (not even lwIP's gratuitous ARP for itself), nothing
    // dropped; SYN, ACK and CONNECT passed.
    CHECK(m.link->arp_frames() == 0);
    CHECK(m.link->filter_counts().dropped == 0);
    CHECK(m.link->filter_counts().passed >= 3);
}

TEST_CASE("lwIP with 10% loss and 300 ms delay: every QoS1 PUBLISH gets its PUBACK") {
    Broker broker;
    Module m("loss=0.1,delay=300,seed=5");  // this seed loses frames both ways
    LwipTcpStream stream(*m.stack, m.hosts);
    RecordingListener rec(stream);
    REQUIRE(stream.open("127.0.0.1", broker.port()));
    REQUIRE(run_until(
        m.loop, [&] { return rec.connected() || rec.closed(); }, 30000));
    REQUIRE(rec.events == std::vector<std::string>{"connected"});
    const Bytes connect = mqtt_connect("lossy", 600);
    CHECK(stream.write(connect) == connect.size());
    // Ten publishes 40 ms apart: ten segments, each on its own fate.
    Bytes expected = kConnack;
    for (std::uint16_t id = 1; id <= 10; ++id) {
        const Bytes p = mqtt_publish_qos1("lossy/t", id, "payload " + std::to_string(id));
        CHECK(stream.write(p) == p.size());
        const Bytes a = puback(id);
        expected.insert(expected.end(), a.begin(), a.end());
        run_for(m.loop, 40);
    }
    REQUIRE(run_until(
        m.loop, [&] { return received(rec, expected.size()) || rec.closed(); }, 60000));
    CHECK(rec.received == expected);
    CHECK(rec.events == std::vector<std::string>{"connected"});
    const auto& up = m.link->counters(LinkDirection::kUp);
    const auto& down = m.link->counters(LinkDirection::kDown);
    // The loss really happened, both ways, and TCP repaired it.
    CHECK(up.lost >= 1);
    CHECK(down.lost >= 1);
}

TEST_CASE("lwIP: a refused port fails with kConnectFailed (slirp answers with a reset)") {
    Module m;
    LwipTcpStream stream(*m.stack, m.hosts);
    RecordingListener rec(stream);
    const std::uint16_t port = free_loopback_port();
    REQUIRE(stream.open("127.0.0.1", port));
    REQUIRE(run_until(
        m.loop, [&] { return rec.closed(); }, 5000));
    CHECK(rec.events == std::vector<std::string>{"closed:connect failed"});
    CHECK(rec.closed_detail ==
          "connection to 127.0.0.1:" + std::to_string(port) + " (10.0.2.2) refused (reset)");
    CHECK_FALSE(stream.is_open());
}

TEST_CASE("lwIP: an address other than this host's fails at once, a mapped one goes to this host") {
    Module m;
    LoopServer echo(m.loop);
    std::string error;
    REQUIRE(m.hosts.add("120.55.1.1=127.0.0.1:" + std::to_string(echo.port()), error));
    {
        LwipTcpStream stream(*m.stack, m.hosts);
        RecordingListener rec(stream);
        REQUIRE(stream.open("8.8.8.8", 1883));
        REQUIRE(run_until(
            m.loop, [&] { return rec.closed(); }, 5000));
        CHECK(rec.events == std::vector<std::string>{"closed:connect failed"});
        CHECK(rec.closed_detail ==
              "connect to 8.8.8.8:1883: 8.8.8.8 is not reachable over the simulated cellular link (only this "
              "host "
              "is: map it with --host 8.8.8.8=127.0.0.1[:PORT])");
    }
    {
        LwipTcpStream stream(*m.stack, m.hosts);
        RecordingListener rec(stream);
        REQUIRE(stream.open("120.55.1.1", 1883));  // hard-coded broker address, mapped
        REQUIRE(run_until(
            m.loop, [&] { return rec.connected() || rec.closed(); }, 5000));
        CHECK(rec.events == std::vector<std::string>{"connected"});
        CHECK(stream.remote() == "120.55.1.1:" + std::to_string(echo.port()) + " (10.0.2.2)");
    }
    {
        LwipTcpStream stream(*m.stack, m.hosts);
        RecordingListener rec(stream);
        REQUIRE(stream.open("10.0.2.2", echo.port()));  // the gateway is this host too
        REQUIRE(run_until(
            m.loop, [&] { return rec.connected() || rec.closed(); }, 5000));
        CHECK(rec.events == std::vector<std::string>{"connected"});
    }
    CHECK(m.link->filter_counts().dropped <= 1);  // nothing but lwIP's gratuitous ARP hit the filter
}

TEST_CASE("lwIP through slirp: an idle connection wakes neither lwIP nor slirp, and carries on after") {
    Broker broker;
    Module m;
    LwipTcpStream stream(*m.stack, m.hosts);
    RecordingListener rec(stream);
    REQUIRE(stream.open("127.0.0.1", broker.port()));
    REQUIRE(run_until(
        m.loop, [&] { return rec.connected(); }, 5000));
    stream.write(mqtt_connect("idle"));
    REQUIRE(run_until(
        m.loop, [&] { return received(rec, 4); }, 5000));
    // Once the CONNACK's delayed ACKs are out, neither the link nor the stack asks for a wake-up.
    auto sleeps = [](sys_task::PollSource& source) {
        std::vector<pollfd> fds;
        int timeout = -1;
        source.prepare(fds, timeout);
        return timeout == -1;
    };
    REQUIRE(run_until(
        m.loop, [&] { return sleeps(*m.link) && sleeps(*m.stack); }, 5000));
    CHECK(m.link->quiet());
    CHECK_FALSE(lwip_timer_counts().tcp_busy);
    // Woken up by something else later (here the loop's own longest wait running out): slirp's
    // slow timer calls and lwIP's TCP timer calls of the quiet stretch are replayed.
    const std::uint64_t replayed = m.link->slow_ticks_replayed();
    const std::uint64_t tcp_replayed = lwip_timer_counts().tcp_calls_replayed;
    for (int i = 0; i < 10 && m.link->slow_ticks_replayed() < replayed + 2; ++i)
        m.loop.run_once(1500);
    CHECK(m.link->slow_ticks_replayed() >= replayed + 2);
    CHECK(lwip_timer_counts().tcp_calls_replayed > tcp_replayed);
    stream.write(mqtt_publish_qos1("idle/t", 3, "after the quiet stretch"));
    Bytes expected = kConnack;
    const Bytes ack = puback(3);
    expected.insert(expected.end(), ack.begin(), ack.end());
    REQUIRE(run_until(
        m.loop, [&] { return received(rec, expected.size()) || rec.closed(); }, 5000));
    CHECK(rec.received == expected);
    CHECK_FALSE(m.link->quiet());
}

TEST_CASE("lwIP: an outage stalls TCP, reports down/up, and the connection recovers") {
    Broker broker;
    Module m;
    LinkEvents link_events;
    m.link->add_listener(&link_events);
    LwipTcpStream stream(*m.stack, m.hosts);
    RecordingListener rec(stream);
    REQUIRE(stream.open("127.0.0.1", broker.port()));
    REQUIRE(run_until(
        m.loop, [&] { return rec.connected(); }, 5000));
    stream.write(mqtt_connect("outage"));
    REQUIRE(run_until(
        m.loop, [&] { return received(rec, 4); }, 5000));

    // Down until the test says (an outage that ended by itself could end before the checks below on
    // a loaded machine: the self-ending outage is the control socket's test).
    m.link->set_down();
    const Bytes publish = mqtt_publish_qos1("outage/t", 7, "during the outage");
    CHECK(stream.write(publish) == publish.size());
    REQUIRE(run_until(
        m.loop, [&] { return m.link->counters(LinkDirection::kUp).down >= 1; }, 5000));
    run_for(m.loop, 1000);            // retransmissions meet the same fate
    CHECK(rec.received == kConnack);  // stalled: nothing gets through
    CHECK(link_events.events == std::vector<std::string>{"down"});
    CHECK(stream.is_open());
    m.link->set_up();

    Bytes expected = kConnack;
    const Bytes ack = puback(7);
    expected.insert(expected.end(), ack.begin(), ack.end());
    REQUIRE(run_until(
        m.loop, [&] { return received(rec, expected.size()) || rec.closed(); }, 20000));
    CHECK(rec.received == expected);  // retransmitted once the link came back
    CHECK(link_events.events == std::vector<std::string>{"down", "up"});
    CHECK(rec.events == std::vector<std::string>{"connected"});
    m.link->remove_listener(&link_events);
}

TEST_CASE("lwIP DNS through the host map: a mapped name connects, an unmapped one fails") {
    Broker broker;
    Module m;
    std::string error;
    REQUIRE(m.hosts.add("lbsmqtt.airm2m.com=127.0.0.1:" + std::to_string(broker.port()), error));
    {
        LwipTcpStream stream(*m.stack, m.hosts);
        RecordingListener rec(stream);
        REQUIRE(stream.open("lbsmqtt.airm2m.com", 1884));  // the script's name and port
        REQUIRE(run_until(
            m.loop, [&] { return rec.connected() || rec.closed(); }, 5000));
        REQUIRE(rec.events == std::vector<std::string>{"connected"});
        CHECK(stream.remote() == "lbsmqtt.airm2m.com:" + std::to_string(broker.port()) + " (10.0.2.2)");
        stream.write(mqtt_connect("dns"));
        REQUIRE(run_until(
            m.loop, [&] { return received(rec, 4); }, 5000));
        CHECK(rec.received == kConnack);
        CHECK(m.link->dns_answered() == 1);
        CHECK(std::find(m.lines.begin(), m.lines.end(),
                        "D/dns lbsmqtt.airm2m.com -> 10.0.2.2 (host map: lbsmqtt.airm2m.com -> 127.0.0.1)") !=
              m.lines.end());
    }
    {
        LwipTcpStream stream(*m.stack, m.hosts);
        RecordingListener rec(stream);
        REQUIRE(stream.open("nowhere.example", 1883));
        REQUIRE(run_until(
            m.loop, [&] { return rec.closed(); }, 5000));
        CHECK(rec.events == std::vector<std::string>{"closed:dns failed"});
        CHECK(rec.closed_detail == "DNS has no address for 'nowhere.example'");
        CHECK(m.link->dns_answered() == 2);
    }
    {
        // A name asked again is asked over the link again (nothing cached: TTL 0).
        LwipTcpStream stream(*m.stack, m.hosts);
        RecordingListener rec(stream);
        REQUIRE(stream.open("LBSMQTT.AIRM2M.COM", 1884));
        REQUIRE(run_until(
            m.loop, [&] { return rec.connected() || rec.closed(); }, 5000));
        CHECK(rec.events == std::vector<std::string>{"connected"});
        CHECK(m.link->dns_answered() == 3);
    }
}

TEST_CASE("lwIP: 8 channels connect at once, the ninth is refused until one is given back") {
    Broker broker;
    Module m;
    ChannelPool pool;
    struct Client {
        Channel channel;
        std::unique_ptr<LwipTcpStream> stream;
        std::unique_ptr<RecordingListener> rec;
    };
    std::vector<Client> clients;
    auto connect_one = [&](Channel channel, int n) {
        Client c{std::move(channel), std::make_unique<LwipTcpStream>(*m.stack, m.hosts), nullptr};
        c.rec = std::make_unique<RecordingListener>(*c.stream);
        REQUIRE(c.stream->open("127.0.0.1", broker.port()));
        REQUIRE(run_until(
            m.loop, [&] { return c.rec->connected(); }, 5000));
        c.stream->write(mqtt_connect("chan" + std::to_string(n)));
        clients.push_back(std::move(c));
    };
    std::string error;
    for (int i = 0; i < 8; ++i) {
        auto ch = pool.acquire("mqtt", error);
        REQUIRE(ch);
        connect_one(std::move(*ch), i);
    }
    REQUIRE(run_until(
        m.loop,
        [&] {
            return std::all_of(clients.begin(), clients.end(),
                               [](const Client& c) { return received(*c.rec, 4); });
        },
        5000));
    for (const auto& c : clients)
        CHECK(c.rec->received == kConnack);
    CHECK_FALSE(pool.acquire("mqtt", error));
    CHECK(error == "no free socket channel for mqtt: all 8 in use (mqtt,mqtt,mqtt,mqtt,mqtt,mqtt,mqtt,mqtt)");

    clients.front().stream->close();
    clients.erase(clients.begin());  // its channel goes back with it
    auto ch = pool.acquire("mqtt", error);
    REQUIRE(ch);
    connect_one(std::move(*ch), 8);
    REQUIRE(run_until(
        m.loop, [&] { return received(*clients.back().rec, 4); }, 5000));
    CHECK(clients.back().rec->received == kConnack);
    clients.clear();
}

TEST_CASE("lwIP: bulk binary echo in both directions with windows reopened as the owner reads") {
    Module m;
    LoopServer echo(m.loop);
    LwipTcpStream stream(*m.stack, m.hosts);
    RecordingListener rec(stream);
    REQUIRE(stream.open("localhost", echo.port()));  // the link's DNS: localhost is this host
    REQUIRE(run_until(
        m.loop, [&] { return rec.connected() || rec.closed(); }, 5000));
    REQUIRE(rec.events == std::vector<std::string>{"connected"});
    Bytes data(1024 * 1024);
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<std::uint8_t>((i * 131) ^ (i >> 8));
    std::size_t sent = 0;
    REQUIRE(run_until(
        m.loop,
        [&] {
            if (sent < data.size()) sent += stream.write(std::span(data).subspan(sent));
            return rec.received.size() >= data.size() || rec.closed();
        },
        20000));
    CHECK(rec.received == data);
    CHECK(rec.writable_events > 0);  // the send buffer filled and was reported free again
}

TEST_CASE("lwIP: unread data holds the peer back, the peer's close comes after its last byte") {
    Module m;
    LoopServer server(m.loop, false);
    LwipTcpStream stream(*m.stack, m.hosts);
    RecordingListener rec(stream);
    rec.auto_read = false;
    REQUIRE(stream.open("127.0.0.1", server.port()));
    REQUIRE(run_until(
        m.loop, [&] { return rec.connected() && server.connections() == 1; }, 5000));
    Bytes big(512 * 1024, 0x5A);
    server.send_all(big);
    REQUIRE(run_until(
        m.loop, [&] { return stream.readable() > 0; }, 5000));
    run_for(m.loop, 300);  // time for more than the window to arrive, if it could
    const std::size_t window = stream.readable();
    CHECK(window <= 128 * 1024);  // the receive window: the rest waits on the other side
    std::size_t got = 0;
    REQUIRE(run_until(
        m.loop,
        [&] {
            Bytes buf(10000);
            got += stream.read(buf);
            return got >= big.size();
        },
        10000));
    CHECK(got == big.size());
    server.send_all(Bytes{'e', 'n', 'd'});
    server.close_connections();
    REQUIRE(run_until(
        m.loop, [&] { return stream.readable() == 3; }, 5000));
    run_for(m.loop, 50);
    CHECK(rec.events == std::vector<std::string>{"connected"});
    Bytes buf(10);
    CHECK(stream.read(buf) == 3);
    REQUIRE(run_until(
        m.loop, [&] { return rec.closed(); }, 5000));
    CHECK(rec.events == std::vector<std::string>{"connected", "closed:closed by peer"});
}

TEST_CASE("lwIP: a 32 KiB upload takes at least the time the bandwidth says") {
    Module m("up_rate=512");
    LoopServer sink(m.loop, false);
    LwipTcpStream stream(*m.stack, m.hosts);
    RecordingListener rec(stream);
    REQUIRE(stream.open("127.0.0.1", sink.port()));
    REQUIRE(run_until(
        m.loop, [&] { return rec.connected(); }, 5000));
    const Bytes payload(32 * 1024, 0xA5);
    const std::uint64_t start = steady_us();
    REQUIRE(stream.write(payload) == payload.size());
    REQUIRE(run_until(
        m.loop, [&] { return sink.bytes_received() >= payload.size(); }, 10000));
    const double seconds = static_cast<double>(sink.last_byte_us() - start) / 1e6;
    // 23 segments of up to 1460 bytes, 40 bytes of TCP/IP header each, at 512 kbit/s: 0.526 s. The
    // link model releases no frame before its bits have had the time, on the loop's clock, so load
    // only adds to this; how much is bench/net_bench's figure ("shaped link"), not an assertion.
    const double nominal = (32768.0 + 23 * 40) * 8 / 512000;
    CAPTURE(seconds, nominal);
    CHECK(seconds >= nominal * 0.97);
}

TEST_CASE("lwIP: one stack per process, and streams survive the stack going first") {
    Module m;
    EventLoop other_loop;
    Logger other_log(other_loop.start_time());
    other_log.set_stdout(false);
    HostMap hosts;
    std::string error;
    const auto other_link = SlirpLink::create(other_loop, other_log, hosts, {}, error);
    REQUIRE(other_link);
    CHECK(LwipStack::create(other_loop, other_log, *other_link, {}, error) == nullptr);
    CHECK(error.find("another LwipStack is alive in this process") != std::string::npos);

    LoopServer echo(m.loop);
    auto stream = std::make_unique<LwipTcpStream>(*m.stack, m.hosts);
    RecordingListener rec(*stream);
    REQUIRE(stream->open("127.0.0.1", echo.port()));
    REQUIRE(run_until(
        m.loop, [&] { return rec.connected(); }, 5000));
    m.stack.reset();
    REQUIRE(run_until(
        m.loop, [&] { return rec.closed(); }, 5000));
    CHECK(rec.events == std::vector<std::string>{"connected", "closed:connection reset"});
    CHECK(rec.closed_detail == "the network stack shut down");
    CHECK_FALSE(stream->open("127.0.0.1", echo.port()));
    stream.reset();

    // A new stack in the same process starts clean.
    m.stack = LwipStack::create(m.loop, m.log, *m.link, {}, error);
    REQUIRE(m.stack);
    LwipTcpStream again(*m.stack, m.hosts);
    RecordingListener rec2(again);
    REQUIRE(again.open("127.0.0.1", echo.port()));
    REQUIRE(run_until(
        m.loop, [&] { return rec2.connected(); }, 5000));
}

TEST_CASE("lwIP: a reset by the peer after connecting is reported as kReset") {
    Module m;
    LoopServer server(m.loop, false);
    LwipTcpStream stream(*m.stack, m.hosts);
    RecordingListener rec(stream);
    REQUIRE(stream.open("127.0.0.1", server.port()));
    REQUIRE(run_until(
        m.loop, [&] { return rec.connected() && server.connections() == 1; }, 5000));
    server.reset_connections();
    REQUIRE(run_until(
        m.loop, [&] { return rec.closed(); }, 5000));
    CHECK(rec.events == std::vector<std::string>{"connected", "closed:connection reset"});
    CHECK(rec.closed_detail ==
          "connection to 127.0.0.1:" + std::to_string(server.port()) + " (10.0.2.2) reset by peer");
}

TEST_CASE("lwIP: a stream closed or destroyed while its DNS query is out ignores the late answer") {
    Module m("delay=50");
    LoopServer echo(m.loop);
    std::string error;
    REQUIRE(m.hosts.add("echo.test=127.0.0.1:" + std::to_string(echo.port()), error));
    auto doomed = std::make_unique<LwipTcpStream>(*m.stack, m.hosts);
    RecordingListener doomed_rec(*doomed);
    REQUIRE(doomed->open("echo.test", 1));
    doomed.reset();  // its query is still on the link

    LwipTcpStream stream(*m.stack, m.hosts);
    RecordingListener rec(stream);
    REQUIRE(stream.open("echo.test", 1));
    CHECK(stream.write(Bytes{1, 2}) == 0);  // not connected yet
    stream.close();
    REQUIRE(stream.open("127.0.0.1", echo.port()));  // re-opened elsewhere before the answer comes
    // lwIP asks once for both lookups of the same name and calls back both (stale) requesters.
    REQUIRE(run_until(
        m.loop, [&] { return m.link->dns_answered() == 1 && rec.connected(); }, 5000));
    run_for(m.loop, 200);  // the answer reached lwIP and was dropped as stale
    CHECK(rec.events == std::vector<std::string>{"connected"});
    CHECK(doomed_rec.events.empty());
    CHECK(echo.connections() == 1);
}

namespace {

// A listener that destroys its stream from inside the closed callback.
struct SelfDestructing final : luat_mqtt::TransportListener {
    std::unique_ptr<LwipTcpStream> stream;
    std::vector<std::string> events;
    void on_transport_connected() override { events.push_back("connected"); }
    void on_transport_readable() override {}
    void on_transport_writable() override {}
    void on_transport_closed(TransportError e, std::string_view) override {
        events.push_back(std::string("closed:") + luat_mqtt::to_string(e));
        stream.reset();
    }
};

}  // namespace

TEST_CASE("lwIP: the owner may destroy the stream from inside its listener callback") {
    Module m;
    SelfDestructing owner;
    owner.stream = std::make_unique<LwipTcpStream>(*m.stack, m.hosts);
    owner.stream->set_listener(&owner);
    REQUIRE(owner.stream->open("127.0.0.1", free_loopback_port()));
    REQUIRE(run_until(
        m.loop, [&] { return owner.stream == nullptr; }, 5000));
    run_for(m.loop, 20);
    CHECK(owner.events == std::vector<std::string>{"closed:connect failed"});
}

TEST_CASE("CellularNetwork: link and stack owned as one, streams made for the LWIP_GP adapter") {
    Broker broker;
    EventLoop loop;
    Logger log(loop.start_time());
    log.set_stdout(false);
    HostMap hosts;
    std::string error;
    REQUIRE(hosts.add("lbsmqtt.airm2m.com=127.0.0.1:" + std::to_string(broker.port()), error));
    SlirpLinkConfig config;
    config.link = *LinkSettings::profile_named("good");
    const auto owned = CellularNetwork::create(loop, log, hosts, config, error);
    REQUIRE(owned);
    CellularNetwork& net = *owned;
    CHECK(net.address() == "10.0.2.15");
    CHECK(net.link().settings().profile == "good");
    auto stream = net.make_tcp_stream();
    RecordingListener rec(*stream);
    REQUIRE(stream->open("lbsmqtt.airm2m.com", 1884));
    REQUIRE(run_until(
        loop, [&] { return rec.connected() || rec.closed(); }, 5000));
    REQUIRE(rec.events == std::vector<std::string>{"connected"});
    stream->write(mqtt_connect("cellular"));
    REQUIRE(run_until(
        loop, [&] { return received(rec, 4); }, 5000));
    CHECK(rec.received == kConnack);
}
