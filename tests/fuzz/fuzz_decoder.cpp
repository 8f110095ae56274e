// libFuzzer target for everything that reads broker bytes: the frame decoder, the packet parser and
// the session's handling of whatever the parser accepts.
//
// Each input is used twice:
//  1. as a byte stream for a FrameDecoder (receive-buffer size and chunking derived from the input
//     length), every frame parsed, and every parsed packet re-encoded and parsed again (round trip);
//  2. as what a broker sends to a connected Session, in chunks, with publishes made in between, so
//     acks meet real in-flight state; everything the session sends must parse as valid packets.
// Any failed expectation aborts, which libFuzzer reports as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <variant>
#include <vector>

#include "luat_mqtt/decode.hpp"
#include "luat_mqtt/encode.hpp"
#include "luat_mqtt/session.hpp"

using namespace luat_mqtt;

namespace {

void expect(bool ok) {
    if (!ok) std::abort();
}

class StepClock final : public Clock {
  public:
    [[nodiscard]] std::uint64_t now_ms() const override { return now; }
    std::uint64_t now = 0;
};

// Deterministic chunk sizes from the input length (so seeds stay plain packets).
class Chunker {
  public:
    explicit Chunker(std::size_t seed) : state_(static_cast<std::uint32_t>(seed) * 2654435761u + 1) {}
    std::size_t next(std::size_t max) {
        state_ = state_ * 1103515245u + 12345u;
        return 1 + (state_ >> 16) % max;
    }

  private:
    std::uint32_t state_;
};

template <class P>
void round_trip(const P& p) {
    std::vector<std::uint8_t> buf(encoded_size(p));
    if (buf.empty()) return;
    expect(encode(p, buf) == buf.size());
    FrameDecoder dec(buf.size());
    expect(dec.feed(buf) == buf.size());
    Frame f;
    DecodeError err = DecodeError::kNone;
    expect(dec.next(f, err) == FrameDecoder::Status::kFrame);
    Packet again;
    expect(parse_packet(f, again) == DecodeError::kNone);
}

void reencode(const Packet& p) {
    std::visit(
        [](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, SubscribeView>) {
                std::vector<Subscription> subs(v.subscriptions.begin(), v.subscriptions.end());
                round_trip(SubscribePacket{v.packet_id, subs});
            } else if constexpr (std::is_same_v<T, UnsubscribeView>) {
                std::vector<std::string_view> filters;
                for (const Subscription s : v.filters)
                    filters.push_back(s.filter);
                round_trip(UnsubscribePacket{v.packet_id, filters});
            } else {
                round_trip(v);
            }
        },
        p);
}

void fuzz_decoder(std::span<const std::uint8_t> data) {
    static constexpr std::size_t kCapacities[] = {5, 64, 1024, kDefaultRxSize};
    FrameDecoder dec(kCapacities[data.size() % 4]);
    Chunker chunks(data.size());
    std::size_t pos = 0;
    while (pos < data.size()) {
        const std::size_t n = dec.feed(data.subspan(pos, std::min(chunks.next(300), data.size() - pos)));
        pos += n;
        Frame f;
        DecodeError err = DecodeError::kNone;
        FrameDecoder::Status st;
        while ((st = dec.next(f, err)) == FrameDecoder::Status::kFrame) {
            expect(f.body.size() + 2 <= dec.capacity());
            Packet p;
            if (parse_packet(f, p) == DecodeError::kNone) reencode(p);
        }
        if (st == FrameDecoder::Status::kError) return;
        expect(n > 0);  // a decoder that needs more always has room for it
    }
}

void check_output(ByteQueue& out) {
    FrameDecoder dec(out.size() + kMaxFixedHeaderSize);
    expect(dec.feed(out.data()) == out.size());
    Frame f;
    DecodeError err = DecodeError::kNone;
    while (dec.next(f, err) == FrameDecoder::Status::kFrame) {
        Packet p;
        expect(parse_packet(f, p) == DecodeError::kNone);
    }
    expect(dec.buffered() == 0);
    out.clear();
}

void drain(Session& s) {
    EventQueue::Item item;
    while (s.events().pop(item)) {
    }
    TransportRequest r{};
    while (s.take_transport_request(r)) {
    }
    check_output(s.output());
}

void fuzz_session(std::span<const std::uint8_t> data) {
    StepClock clock;
    Session s(clock);
    s.auth("fuzz", "", {}, data.size() % 2 == 0);
    s.set_rx_size(data.size() % 3 == 0 ? 64 : 4096);
    s.set_window(3);
    s.set_autoreconn(true, 1000);
    expect(s.connect());
    s.on_transport_connected();
    const bool skip_connack = data.size() % 5 == 0;  // also fuzz state 2
    if (!skip_connack) {
        const std::uint8_t connack[] = {0x20, 0x02, 0x00, 0x00};
        s.feed(connack);
        expect(s.ready());
    }
    drain(s);
    Chunker chunks(data.size() + 1);
    std::size_t pos = 0;
    while (pos < data.size() && s.wants_input()) {
        const auto chunk = data.subspan(pos, std::min(chunks.next(64), data.size() - pos));
        pos += s.feed(chunk);
        drain(s);
        if (s.ready()) {
            s.publish("t/x", chunk, chunk[0] % 3, chunk[0] & 1);
            s.subscribe("t/#", chunk[0] % 3);
            drain(s);
        }
        clock.now += 5000;  // pings, dead links, timeouts
        s.on_time();
        drain(s);
        expect(s.output().empty());
    }
    expect(s.stored_bytes() <= s.send_budget());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    fuzz_decoder(input);
    fuzz_session(input);
    return 0;
}
