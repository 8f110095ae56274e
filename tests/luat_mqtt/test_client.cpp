// The driver: one Session over a (fake) Transport, with a (fake) timer port and a recording sink.
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <memory>

#include "luat_mqtt/client.hpp"
#include "rig.hpp"

using namespace luat_mqtt;
using namespace tests;
using Strings = std::vector<std::string>;

namespace {

class FakeTransport final : public Transport {
  public:
    void set_listener(TransportListener* l) override { listener = l; }
    bool open(std::string_view h, std::uint16_t p) override {
        ++opens;
        host = std::string(h);
        port = p;
        if (!open_result) return false;
        open_ = true;
        return true;
    }
    std::size_t write(std::span<const std::uint8_t> data) override {
        REQUIRE(open_);
        const std::size_t n = std::min(data.size(), room);
        room -= n;
        written.insert(written.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
        if (n > 0) write_calls.push_back(n);
        return n;
    }
    [[nodiscard]] std::size_t writable() const override { return room; }
    [[nodiscard]] std::size_t unsent() const override { return 0; }
    std::size_t read(std::span<std::uint8_t> out) override {
        largest_read = std::max(largest_read, out.size());
        const std::size_t n = std::min(out.size(), inbound.size());
        std::copy_n(inbound.begin(), n, out.begin());
        inbound.erase(inbound.begin(), inbound.begin() + static_cast<std::ptrdiff_t>(n));
        return n;
    }
    [[nodiscard]] std::size_t readable() const override { return inbound.size(); }
    void close() override {
        ++closes;
        open_ = false;
    }
    [[nodiscard]] bool is_open() const override { return open_; }

    // The "network" side.
    void up() { listener->on_transport_connected(); }
    void receive(const ByteVec& b) {
        inbound.insert(inbound.end(), b.begin(), b.end());
        listener->on_transport_readable();
    }
    void fail(TransportError e) {
        open_ = false;
        listener->on_transport_closed(e, "detail");
    }
    void make_room(std::size_t n) {
        room = n;
        listener->on_transport_writable();
    }
    std::vector<std::string> take_written() {
        std::vector<std::string> out;
        for (const ByteVec& p : split_packets(written))
            out.push_back(describe_packet(p));
        written.clear();
        return out;
    }

    TransportListener* listener = nullptr;
    int freed = 0;  // times the client destroyed the stream it owns (close() frees it)
    bool open_result = true;
    bool open_ = false;
    int opens = 0;
    int closes = 0;
    std::string host;
    std::uint16_t port = 0;
    std::size_t room = std::numeric_limits<std::size_t>::max();
    ByteVec written;
    std::vector<std::size_t> write_calls;
    ByteVec inbound;
    std::size_t largest_read = 0;
};

// What the Client owns: a forwarder to the fixture's FakeTransport, so that a test can still look at
// the stream after the client has freed it (close() does).
class OwnedTransport final : public Transport {
  public:
    explicit OwnedTransport(FakeTransport& t) : t_(t) {}
    ~OwnedTransport() override { ++t_.freed; }
    OwnedTransport(const OwnedTransport&) = delete;
    OwnedTransport& operator=(const OwnedTransport&) = delete;

    void set_listener(TransportListener* l) override { t_.set_listener(l); }
    bool open(std::string_view h, std::uint16_t p) override { return t_.open(h, p); }
    std::size_t write(std::span<const std::uint8_t> data) override { return t_.write(data); }
    [[nodiscard]] std::size_t writable() const override { return t_.writable(); }
    [[nodiscard]] std::size_t unsent() const override { return t_.unsent(); }
    std::size_t read(std::span<std::uint8_t> out) override { return t_.read(out); }
    [[nodiscard]] std::size_t readable() const override { return t_.readable(); }
    void close() override { t_.close(); }
    [[nodiscard]] bool is_open() const override { return t_.is_open(); }

  private:
    FakeTransport& t_;
};

class FakeTimer final : public TimerPort {
  public:
    [[nodiscard]] std::uint64_t now_ms() const override { return now; }
    void arm(std::uint64_t deadline_ms) override { armed = deadline_ms; }
    void cancel() override { armed.reset(); }
    std::uint64_t now = 0;
    std::optional<std::uint64_t> armed;
};

class RecordingSink final : public EventSink {
  public:
    void on_mqtt_event(const Event& e) override {
        events.push_back(describe_event(e));
        if (on_event) on_event(e);
    }
    void on_mqtt_log(LogLevel level, std::string_view text) override {
        logs.push_back(std::string(to_string(level)) + " " + std::string(text));
    }
    Strings take() { return std::exchange(events, {}); }
    Strings events;
    Strings logs;
    std::function<void(const Event&)> on_event;
};

struct Fixture {
    Fixture() {
        client = std::make_unique<Client>(std::make_unique<OwnedTransport>(stream), timer, sink,
                                          "broker.example", 1884);
        client->auth("dev", "", {}, true);
    }
    // Run the timer up to `t`, firing each armed deadline at its own time.
    void run_until(std::uint64_t t) {
        while (timer.armed && *timer.armed <= t) {
            timer.now = std::max(timer.now, *timer.armed);
            timer.armed.reset();
            client->on_timer();
        }
        timer.now = t;
    }
    void connect_ok() {
        REQUIRE(client->connect());
        transport->up();
        REQUIRE(transport->take_written() == Strings{"CONNECT id=dev clean=1 ka=240"});
        transport->receive(hex("20 02 00 00"));
        REQUIRE(sink.take() == Strings{"conack"});
    }

    FakeTimer timer;
    RecordingSink sink;
    FakeTransport stream;
    FakeTransport* transport = &stream;
    std::unique_ptr<Client> client;
};

ByteVec publish_bytes(std::string_view topic, std::string_view payload, std::uint8_t qos = 0,
                      std::uint16_t id = 0) {
    PublishPacket p;
    p.topic = topic;
    p.payload = as_bytes(payload);
    p.qos = qos;
    p.packet_id = id;
    return encoded(p);
}

}  // namespace

TEST_CASE("client: open(host, port), CONNECT when the stream is up, conack from what is read") {
    Fixture f;
    CHECK(f.transport->listener != nullptr);
    CHECK(f.client->connect());
    CHECK(f.transport->opens == 1);
    CHECK(f.transport->host == "broker.example");
    CHECK(f.transport->port == 1884);
    CHECK(f.client->state() == ConnectionState::kConnecting);
    CHECK(f.transport->written.empty());
    f.transport->up();
    CHECK(f.client->state() == ConnectionState::kAwaitingConnack);
    CHECK(f.transport->take_written() == Strings{"CONNECT id=dev clean=1 ka=240"});
    f.transport->receive(hex("20 02 00 00"));
    CHECK(f.client->ready());
    CHECK(f.sink.take() == Strings{"conack"});
}

TEST_CASE("client: connect() is false when the transport cannot even start; no event") {
    Fixture f;
    f.transport->open_result = false;
    CHECK_FALSE(f.client->connect());
    CHECK(f.client->state() == ConnectionState::kDisconnected);
    CHECK(f.sink.events.empty());
    CHECK_FALSE(f.timer.armed);
    f.transport->open_result = true;
    CHECK(f.client->connect());
}

TEST_CASE("client: reads only what the receive buffer holds; a burst of small packets all arrives") {
    Fixture f;
    f.client->set_rx_size(64);
    f.connect_ok();
    ByteVec burst;
    for (int i = 0; i < 500; ++i) {
        const ByteVec p = publish_bytes("t", "0123456789", 1, static_cast<std::uint16_t>(i + 1));
        burst.insert(burst.end(), p.begin(), p.end());
    }
    f.transport->receive(burst);
    CHECK(f.transport->largest_read <= 64);
    CHECK(f.transport->inbound.empty());
    CHECK(f.sink.take().size() == 500);
    CHECK(f.transport->take_written().size() == 500);  // PUBACKs
    CHECK(f.client->state() == ConnectionState::kReady);
}

TEST_CASE("client: writes what the transport accepts, resumes on writable, batches many publishes") {
    Fixture f;
    f.connect_ok();
    f.transport->room = 0;
    for (int i = 0; i < 100; ++i)
        REQUIRE(f.client->publish("t", as_bytes("payload"), 0, 0).ok());
    CHECK(f.sink.take().size() == 100);  // sent(0) as each is accepted
    CHECK(f.transport->written.empty());
    f.transport->write_calls.clear();
    f.transport->make_room(1 << 20);
    CHECK(f.transport->write_calls == std::vector<std::size_t>{100 * 12});  // one write for all of them
    CHECK(f.transport->take_written().size() == 100);

    // A packet larger than the room goes out in pieces.
    f.transport->room = 10;
    REQUIRE(f.client->publish("t", as_bytes(std::string(95, 'x')), 1, 0).id == 1);
    CHECK(f.transport->written.size() == 10);
    for (int i = 0; i < 10; ++i)
        f.transport->make_room(10);  // 102 bytes in all
    CHECK(f.transport->written.size() == 102);
    CHECK(f.transport->take_written() ==
          Strings{"PUBLISH t q1 id=1 dup=0 retain=0 '" + std::string(95, 'x') + "'"});
}

TEST_CASE("client: the timer port follows the session's deadlines") {
    Fixture f;
    f.client->set_keepalive(20);
    REQUIRE(f.client->connect());
    CHECK(f.timer.armed == 30'000);  // connect timeout
    f.transport->up();
    f.transport->take_written();
    f.timer.now = 100;
    f.transport->receive(hex("20 02 00 00"));
    CHECK(f.timer.armed == 15'100);  // first PINGREQ
    f.run_until(15'100);
    CHECK(f.transport->take_written() == Strings{"PINGREQ"});
    f.transport->receive(hex("D0 00"));
    CHECK(f.timer.armed == 30'100);
    f.client->disconnect();
    CHECK_FALSE(f.timer.armed);  // no auto-reconnect: nothing pending
    CHECK(f.sink.take() == Strings{"conack", "pong", "disconnect 0", "close"});
}

TEST_CASE("client: a broken link gives error(other), disconnect(0); the reconnect timer reopens") {
    Fixture f;
    f.client->set_autoreconn(true, 3000);
    f.connect_ok();
    f.transport->fail(TransportError::kReset);
    CHECK(f.sink.take() == Strings{"error other 0", "disconnect 0"});
    CHECK(f.client->state() == ConnectionState::kDisconnected);
    CHECK(f.timer.armed == 3000);
    f.run_until(3000);
    CHECK(f.transport->opens == 2);
    CHECK(f.client->state() == ConnectionState::kConnecting);
    f.transport->fail(TransportError::kConnectFailed);
    CHECK(f.sink.take() == Strings{"error connect 0", "disconnect 0"});
    // A reconnect whose open() is refused at once keeps the chain going.
    f.transport->open_result = false;
    f.run_until(6000);
    CHECK(f.sink.take() == Strings{"error connect 0", "disconnect 0"});
    CHECK(f.timer.armed == 9000);
    f.transport->open_result = true;
    f.run_until(9000);
    f.transport->up();
    f.transport->take_written();
    f.transport->receive(hex("20 02 00 00"));
    CHECK(f.sink.take() == Strings{"conack"});
}

TEST_CASE("client: close() sends DISCONNECT before closing the stream, then nothing more") {
    Fixture f;
    f.client->set_autoreconn(true, 1000);
    f.connect_ok();
    f.client->close();
    CHECK(f.transport->take_written() == Strings{"DISCONNECT"});
    CHECK(f.transport->closes == 1);
    CHECK_FALSE(f.transport->is_open());
    CHECK(f.client->session().closed());
    CHECK(f.sink.events.empty());
    CHECK_FALSE(f.timer.armed);
    CHECK(f.client->publish("t", {}, 0, 0).refusal == Refusal::kClosed);
    CHECK(f.sink.events.empty());
}

TEST_CASE("client: close() frees the stream at once, and the closed client answers every command") {
    Fixture f;
    f.connect_ok();
    f.client->close();
    CHECK(f.transport->take_written() == Strings{"DISCONNECT"});
    CHECK(f.transport->freed == 1);
    CHECK(f.transport->listener == nullptr);
    CHECK_FALSE(f.client->connect());
    CHECK(f.client->disconnect());
    CHECK(f.client->subscribe("t", 0).refusal == Refusal::kClosed);
    CHECK(f.client->unsubscribe("t").refusal == Refusal::kClosed);
    CHECK(f.client->auth("x", "", {}, true) == AuthResult::kClosed);
    CHECK_FALSE(f.client->set_will("t", {}, 0, 0));
    f.client->set_autoreconn(true, 1000);
    f.client->close();
    CHECK_FALSE(f.client->ready());
    CHECK(f.transport->opens == 1);
    CHECK(f.transport->take_written().empty());
    CHECK(f.sink.events.empty());
    CHECK_FALSE(f.timer.armed);
}

TEST_CASE("client: abandon() frees the stream without a DISCONNECT (the device goes away)") {
    Fixture f;
    f.client->set_autoreconn(true, 1000);
    f.connect_ok();
    f.client->abandon();
    CHECK(f.transport->take_written().empty());
    CHECK(f.transport->freed == 1);
    CHECK_FALSE(f.transport->is_open());
    CHECK(f.client->session().closed());
    CHECK(f.sink.events.empty());
    CHECK_FALSE(f.timer.armed);
}

TEST_CASE("client: a protocol violation closes the stream; the rest is not read") {
    Fixture f;
    f.connect_ok();
    ByteVec in = hex("36 07 00 03 61 2F 62 68 69");  // QoS 3
    const ByteVec after = publish_bytes("t", "never seen");
    in.insert(in.end(), after.begin(), after.end());
    f.transport->receive(in);
    CHECK(f.sink.take() == Strings{"disconnect 0", "close", "error connect 98"});
    CHECK(f.transport->closes == 1);
    CHECK(f.sink.logs == Strings{"warn protocol error 98: PUBLISH with QoS 3"});
}

TEST_CASE("client: events stay in order when the sink calls back into the client") {
    Fixture f;
    f.sink.on_event = [&](const Event& e) {
        if (e.type == EventType::kConack) {
            REQUIRE(f.client->subscribe("cmd/#", 1).id == 1);
            REQUIRE(f.client->publish("hello", as_bytes("up"), 0, 0).ok());
        }
    };
    REQUIRE(f.client->connect());
    f.transport->up();
    f.transport->take_written();
    ByteVec in = hex("20 02 00 00");
    const ByteVec more = publish_bytes("cmd/x", "go");
    in.insert(in.end(), more.begin(), more.end());
    f.transport->receive(in);
    CHECK(f.sink.take() == Strings{"conack", "recv cmd/x 'go' id=0 q0 r0 d0", "sent 0"});
    CHECK(f.transport->take_written() ==
          Strings{"SUBSCRIBE 1 cmd/#:q1", "PUBLISH hello q0 dup=0 retain=0 'up'"});
}

TEST_CASE("client: the destructor closes the transport and cancels the timer") {
    FakeTimer timer;
    RecordingSink sink;
    auto t = std::make_unique<FakeTransport>();
    FakeTransport* transport = t.get();
    {
        Client client(std::move(t), timer, sink, "h", 1);
        REQUIRE(client.connect());
        CHECK(timer.armed);
        CHECK(transport->is_open());
    }
    CHECK_FALSE(timer.armed);
}
