// The incremental frame decoder: arbitrary chunking, bounded by its buffer, never reading past it.
#include <catch2/catch.hpp>

#include <random>
#include <variant>

#include "luat_mqtt/decode.hpp"
#include "luat_mqtt/encode.hpp"
#include "support.hpp"

using namespace luat_mqtt;
using namespace tests;

namespace {

// A stream of varied packets, and what describe_packet() says about each.
ByteVec sample_stream(std::vector<std::string>& described) {
    ByteVec stream;
    auto add = [&](const ByteVec& p) {
        described.push_back(describe_packet(p));
        stream.insert(stream.end(), p.begin(), p.end());
    };
    add(encoded(ConnackPacket{false, 0}));
    const std::string big(1000, 'B');
    for (int i = 0; i < 20; ++i) {
        PublishPacket p;
        const std::string topic = "t/" + std::to_string(i);
        p.topic = topic;
        p.payload = as_bytes(i % 5 == 0 ? std::string_view(big) : std::string_view("small"));
        p.qos = static_cast<std::uint8_t>(i % 3);
        p.packet_id = static_cast<std::uint16_t>(p.qos ? 100 + i : 0);
        add(encoded(p));
        add(encoded(AckPacket{PacketType::kPuback, static_cast<std::uint16_t>(i + 1)}));
    }
    const std::uint8_t codes[] = {0, 1, 0x80};
    add(encoded(SubackPacket{7, codes}));
    add(encoded(EmptyPacket{PacketType::kPingresp}));
    return stream;
}

// Feed `stream` to a decoder of `capacity` in the chunk sizes `next_chunk` gives; describe every frame.
template <class NextChunk>
std::vector<std::string> decode_in_chunks(const ByteVec& stream, std::size_t capacity, NextChunk next_chunk) {
    FrameDecoder dec(capacity);
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < stream.size()) {
        const std::size_t want = std::min(next_chunk(), stream.size() - pos);
        const std::size_t took = dec.feed(Bytes(stream).subspan(pos, want));
        REQUIRE(took > 0);  // never stuck: complete frames are always taken out below
        pos += took;
        Frame f;
        DecodeError err = DecodeError::kNone;
        FrameDecoder::Status st;
        while ((st = dec.next(f, err)) == FrameDecoder::Status::kFrame) {
            ByteVec whole{f.header};
            ByteVec len(4);
            len.resize(encode_remaining_length(static_cast<std::uint32_t>(f.body.size()), len));
            whole.insert(whole.end(), len.begin(), len.end());
            whole.insert(whole.end(), f.body.begin(), f.body.end());
            out.push_back(describe_packet(whole));
        }
        REQUIRE(st == FrameDecoder::Status::kNeedMore);
    }
    CHECK(dec.buffered() == 0);
    return out;
}

}  // namespace

TEST_CASE("decoder: the same frames whether fed whole, one byte at a time or in random chunks") {
    std::vector<std::string> expected;
    const ByteVec stream = sample_stream(expected);
    REQUIRE(expected.size() == 43);

    std::size_t largest = 0;
    for (const ByteVec& p : split_packets(stream))
        largest = std::max(largest, p.size());
    REQUIRE(largest == 1011);

    CHECK(decode_in_chunks(stream, 64 * 1024, [&] { return stream.size(); }) == expected);
    CHECK(decode_in_chunks(stream, 64 * 1024, [] { return std::size_t{1}; }) == expected);
    // A buffer barely larger than the largest packet: partial frames are moved to the front.
    CHECK(decode_in_chunks(stream, largest, [] { return std::size_t{1}; }) == expected);
    std::mt19937 rng(12345);
    for (int round = 0; round < 20; ++round) {
        std::uniform_int_distribution<std::size_t> chunk(1, round < 10 ? 7 : 3000);
        CHECK(decode_in_chunks(stream, largest + static_cast<std::size_t>(round) * 37,
                               [&] { return chunk(rng); }) == expected);
    }
}

TEST_CASE("decoder: a packet larger than the buffer is refused from its header alone") {
    FrameDecoder dec(100);
    // PUBLISH announcing 1,000,000 bytes: only the fixed header has arrived.
    CHECK(dec.feed(hex("30 C0 84 3D")) == 4);
    Frame f;
    DecodeError err = DecodeError::kNone;
    CHECK(dec.next(f, err) == FrameDecoder::Status::kError);
    CHECK(err == DecodeError::kPacketTooLarge);
    CHECK(dec.capacity() == 100);  // nothing was allocated for it
    // The error sticks until clear().
    CHECK(dec.next(f, err) == FrameDecoder::Status::kError);
    dec.clear();
    CHECK(dec.feed(hex("D0 00")) == 2);
    CHECK(dec.next(f, err) == FrameDecoder::Status::kFrame);
    CHECK(f.type() == PacketType::kPingresp);

    // Exactly the buffer size fits; one byte more does not.
    FrameDecoder exact(10);
    CHECK(exact.feed(hex("30 08 00 01 74 61 62 63 64 65")) == 10);
    CHECK(exact.next(f, err) == FrameDecoder::Status::kFrame);
    CHECK(f.body.size() == 8);
    CHECK(exact.feed(hex("30 09")) == 2);
    CHECK(exact.next(f, err) == FrameDecoder::Status::kError);
    CHECK(err == DecodeError::kPacketTooLarge);
}

TEST_CASE("decoder: a remaining length running past four bytes is an error, even byte by byte") {
    FrameDecoder dec(1024);
    Frame f;
    DecodeError err = DecodeError::kNone;
    for (const std::uint8_t b : hex("30 80 80 80")) {
        CHECK(dec.feed(Bytes(&b, 1)) == 1);
        CHECK(dec.next(f, err) == FrameDecoder::Status::kNeedMore);
    }
    const std::uint8_t last = 0x80;  // a fourth continuation byte
    CHECK(dec.feed(Bytes(&last, 1)) == 1);
    CHECK(dec.next(f, err) == FrameDecoder::Status::kError);
    CHECK(err == DecodeError::kBadRemainingLength);
}

TEST_CASE("decoder: takes only what fits, and a tiny buffer still holds a fixed header") {
    FrameDecoder dec(6);
    const ByteVec two = hex("D0 00 30 05 00 01 74 68 69");
    CHECK(dec.feed(two) == 6);  // full; the rest stays with the caller
    Frame f;
    DecodeError err = DecodeError::kNone;
    CHECK(dec.next(f, err) == FrameDecoder::Status::kFrame);
    CHECK(dec.next(f, err) == FrameDecoder::Status::kError);  // the PUBLISH needs 7 bytes
    CHECK(err == DecodeError::kPacketTooLarge);

    FrameDecoder tiny(1);
    CHECK(tiny.capacity() == kMaxFixedHeaderSize);
    CHECK(tiny.feed(hex("30 FF FF FF 7F")) == 5);
    CHECK(tiny.next(f, err) == FrameDecoder::Status::kError);
    CHECK(err == DecodeError::kPacketTooLarge);
}
