// Engine benchmark: MQTT 3.1.1 PUBLISH through the codec and the session, at 16 B, 1 KiB and 32 KiB.
// Prints packets per second, nanoseconds per packet and heap allocations per message (counted by the
// replaced global operator new below, in this program only). Goal: no allocation per QoS 0 message
// in the steady state.
//
//   ./build/bench/bench_engine [seconds per case, default 0.5]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "luat_mqtt/decode.hpp"
#include "luat_mqtt/encode.hpp"
#include "luat_mqtt/session.hpp"

namespace {
// The one piece of global state, and only in this benchmark: how many times operator new ran.
std::uint64_t g_allocations = 0;
}  // namespace

void* operator new(std::size_t n) {
    ++g_allocations;
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    ++g_allocations;
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}

using namespace luat_mqtt;

namespace {

constexpr std::string_view kTopic = "bench/topic";

class BenchClock final : public Clock {
  public:
    [[nodiscard]] std::uint64_t now_ms() const override { return 0; }
};

struct Result {
    std::uint64_t packets = 0;
    double seconds = 0;
    std::uint64_t allocations = 0;
    std::size_t packet_size = 0;
};

// Run `step` (one message) in batches until `budget_s` has passed, after a warm-up that lets every
// buffer reach its working size.
template <class Step>
Result measure(double budget_s, std::size_t packet_size, Step step) {
    for (int i = 0; i < 1000; ++i)
        step();
    Result r;
    r.packet_size = packet_size;
    const std::uint64_t allocs_before = g_allocations;
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        for (int i = 0; i < 1000; ++i)
            step();
        r.packets += 1000;
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (r.seconds >= budget_s) break;
    }
    r.allocations = g_allocations - allocs_before;
    return r;
}

void print_row(const char* name, std::size_t payload, const Result& r) {
    const double pps = static_cast<double>(r.packets) / r.seconds;
    const double mbps = pps * static_cast<double>(r.packet_size) / 1e6;
    std::printf("%-34s %8zu %12.0f %10.1f %12.3f %10.1f\n", name, payload, pps, 1e9 / pps,
                static_cast<double>(r.allocations) / static_cast<double>(r.packets), mbps);
}

void must(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "bench_engine: check failed: %s\n", what);
        std::exit(1);
    }
}

// Encode a QoS 0 PUBLISH into the output queue, decode it back with the frame decoder and parser.
Result codec_round_trip(std::size_t payload_size, double budget_s) {
    const std::vector<std::uint8_t> payload(payload_size, 0x5A);
    ByteQueue out;
    FrameDecoder dec(64 * 1024);
    PublishPacket p;
    p.topic = kTopic;
    p.payload = payload;
    const std::size_t size = encoded_size(p);
    return measure(budget_s, size, [&] {
        append_packet(out, p);
        const std::size_t n = dec.feed(out.data());
        out.consume(n);
        Frame f;
        DecodeError err = DecodeError::kNone;
        Packet parsed;
        must(dec.next(f, err) == FrameDecoder::Status::kFrame, "frame");
        must(parse_packet(f, parsed) == DecodeError::kNone, "parse");
        must(std::get<PublishPacket>(parsed).payload.size() == payload_size, "payload");
    });
}

// A connected session (scripted CONNACK), ready for the two session cases.
void connect(Session& s) {
    s.auth("bench", "", {}, true);
    s.set_rx_size(64 * 1024);
    must(s.connect(), "connect");
    s.on_transport_connected();
    const std::uint8_t connack[] = {0x20, 0x02, 0x00, 0x00};
    s.feed(connack);
    must(s.ready(), "ready");
    s.output().clear();
    EventQueue::Item item;
    while (s.events().pop(item)) {
    }
    TransportRequest r{};
    while (s.take_transport_request(r)) {
    }
}

// session.publish(QoS 0) -> output queue -> taken by the "transport"; the sent(0) event is drained.
Result session_publish(std::size_t payload_size, double budget_s) {
    const BenchClock clock;
    Session s(clock);
    connect(s);
    const std::vector<std::uint8_t> payload(payload_size, 0x5A);
    EventQueue::Item item;
    PublishPacket p;
    p.topic = kTopic;
    p.payload = payload;
    return measure(budget_s, encoded_size(p), [&] {
        must(s.publish(kTopic, payload, 0, 0).ok(), "publish");
        s.output().consume(s.output().size());
        while (s.events().pop(item)) {
        }
    });
}

// Broker bytes of a QoS 0 PUBLISH -> session -> "recv" event with topic and payload.
Result session_receive(std::size_t payload_size, double budget_s) {
    const BenchClock clock;
    Session s(clock);
    connect(s);
    const std::vector<std::uint8_t> payload(payload_size, 0x5A);
    PublishPacket p;
    p.topic = kTopic;
    p.payload = payload;
    std::vector<std::uint8_t> wire(encoded_size(p));
    encode(p, wire);
    EventQueue::Item item;
    return measure(budget_s, wire.size(), [&] {
        must(s.feed(wire) == wire.size(), "feed");
        must(s.events().pop(item) && item.event.payload.size() == payload_size, "recv");
        while (s.events().pop(item)) {
        }
    });
}

// QoS 1 round trip: publish, the PUBACK comes back, sent(id).
Result session_qos1(std::size_t payload_size, double budget_s) {
    const BenchClock clock;
    Session s(clock);
    connect(s);
    const std::vector<std::uint8_t> payload(payload_size, 0x5A);
    EventQueue::Item item;
    std::uint8_t puback[] = {0x40, 0x02, 0x00, 0x00};
    PublishPacket p;
    p.topic = kTopic;
    p.payload = payload;
    p.qos = 1;
    return measure(budget_s, encoded_size(p), [&] {
        const SendResult r = s.publish(kTopic, payload, 1, 0);
        must(r.ok(), "publish q1");
        s.output().consume(s.output().size());
        puback[2] = static_cast<std::uint8_t>(r.id >> 8);
        puback[3] = static_cast<std::uint8_t>(r.id & 0xFF);
        s.feed(puback);
        must(s.events().pop(item) && item.event.value == r.id, "sent");
        while (s.events().pop(item)) {
        }
    });
}

}  // namespace

int main(int argc, char** argv) {
    const double budget_s = argc > 1 ? std::atof(argv[1]) : 0.5;
    std::printf("bench_engine: MQTT 3.1.1 PUBLISH, topic \"%.*s\", %.2f s per case\n\n",
                static_cast<int>(kTopic.size()), kTopic.data(), budget_s);
    std::printf("%-34s %8s %12s %10s %12s %10s\n", "case", "payload", "packets/s", "ns/packet", "allocs/msg",
                "MB/s");
    const std::size_t sizes[] = {16, 1024, 32 * 1024};
    for (const std::size_t n : sizes)
        print_row("codec encode+decode QoS0", n, codec_round_trip(n, budget_s));
    for (const std::size_t n : sizes)
        print_row("session publish QoS0 (+sent)", n, session_publish(n, budget_s));
    for (const std::size_t n : sizes)
        print_row("session receive QoS0 (recv)", n, session_receive(n, budget_s));
    for (const std::size_t n : sizes)
        print_row("session QoS1 publish+PUBACK", n, session_qos1(n, budget_s));
    return 0;
}
