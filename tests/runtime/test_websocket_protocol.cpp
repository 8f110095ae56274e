// The websocket module's protocol part (ws_protocol.hpp), sans-IO: RFC 6455's own examples
// (section 1.3 for the accept value, section 5.7 for the frames) and LuatOS's URL, handshake and limits.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "lua_bindings/modules/websocket/ws_protocol.hpp"

using namespace lua_bindings;

namespace {

using Bytes = std::vector<std::uint8_t>;

std::span<const std::uint8_t> view(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

WsReceiver connected_receiver() {
    WsReceiver r;
    r.feed(view("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"));
    std::string error;
    REQUIRE(r.handshake(error) == WsReceiver::HandshakeStatus::kAccepted);
    return r;
}

}  // namespace

TEST_CASE("websocket protocol: the accept value of RFC 6455's example key") {
    CHECK(ws_accept_value("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("websocket protocol: RFC 6455 5.7 frames, masked as a client sends them") {
    // A single-frame masked text message "Hello", mask 37 fa 21 3d.
    CHECK(ws_encode_frame(true, WsOpcode::kText, view("Hello"), {0x37, 0xfa, 0x21, 0x3d}) ==
          Bytes{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
    // A masked pong with "Hello" (the answer to the example's ping).
    CHECK(ws_encode_frame(true, WsOpcode::kPong, view("Hello"), {0x37, 0xfa, 0x21, 0x3d}) ==
          Bytes{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
    // A fragment without FIN, and an empty ping.
    CHECK(ws_encode_frame(false, WsOpcode::kText, view("Hel"), {0, 0, 0, 0}) ==
          Bytes{0x01, 0x83, 0, 0, 0, 0, 0x48, 0x65, 0x6c});
    CHECK(ws_encode_frame(true, WsOpcode::kPing, {}, {1, 2, 3, 4}) == Bytes{0x89, 0x80, 1, 2, 3, 4});
    // 256 bytes of binary data: the 16-bit length form.
    const std::string data(256, 'a');
    const auto frame = ws_encode_frame(true, WsOpcode::kBinary, view(data), {0, 0, 0, 0});
    REQUIRE(frame);
    CHECK(Bytes(frame->begin(), frame->begin() + 4) == Bytes{0x82, 0xFE, 0x01, 0x00});
    CHECK(frame->size() == 4 + 4 + 256);
}

TEST_CASE("websocket protocol: LuatOS sends nothing of 65535 bytes or more") {
    const std::string largest(kWsMaxSendPayload, 'a');
    CHECK(ws_encode_frame(true, WsOpcode::kText, view(largest), {0, 0, 0, 0}).has_value());
    const std::string too_long(kWsMaxSendPayload + 1, 'a');
    CHECK_FALSE(ws_encode_frame(true, WsOpcode::kText, view(too_long), {0, 0, 0, 0}).has_value());
}

TEST_CASE("websocket protocol: RFC 6455 5.7 frames received, byte by byte and back to back") {
    WsReceiver r = connected_receiver();
    // Unmasked "Hello", then the fragmented "Hel" + "lo", then an unmasked ping "Hello".
    const Bytes wire = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x01, 0x03, 0x48, 0x65, 0x6c,
                        0x80, 0x02, 0x6c, 0x6f, 0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    std::vector<WsFrame> frames;
    for (const std::uint8_t b : wire) {
        r.feed(std::span<const std::uint8_t>(&b, 1));
        WsFrame f;
        while (r.next(f) == WsDecodeStatus::kFrame)
            frames.push_back(f);
    }
    REQUIRE(frames.size() == 4);
    CHECK((frames[0].fin && frames[0].opcode == 1 && frames[0].payload == "Hello"));
    CHECK((!frames[1].fin && frames[1].opcode == 1 && frames[1].payload == "Hel"));
    CHECK((frames[2].fin && frames[2].opcode == 0 && frames[2].payload == "lo"));
    CHECK((frames[3].fin && frames[3].opcode == 9 && frames[3].payload == "Hello"));
    CHECK(r.buffered() == 0);
}

TEST_CASE("websocket protocol: a masked frame is unmasked, 32768 bytes is the largest received (PSRAM)") {
    WsReceiver r = connected_receiver();
    r.feed(Bytes{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
    WsFrame f;
    REQUIRE(r.next(f) == WsDecodeStatus::kFrame);
    CHECK(f.payload == "Hello");
    const std::string max(kWsMaxReceivePayload, 'y');
    r.feed(ws_encode_server_frame(true, 1, view(max)));
    REQUIRE(r.next(f) == WsDecodeStatus::kFrame);
    CHECK(f.payload.size() == 32768);
    r.feed(Bytes{0x81, 0x7E, 0x80, 0x01});  // 32769 bytes announced
    CHECK(r.next(f) == WsDecodeStatus::kTooLarge);
    CHECK(r.refused_length() == 32769);
    WsReceiver r2 = connected_receiver();
    r2.feed(Bytes{0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0});  // the 64-bit form: LuatOS refuses it
    CHECK(r2.next(f) == WsDecodeStatus::kTooLarge);
    CHECK(r2.refused_length() == std::nullopt);
}

TEST_CASE("websocket protocol: the handshake response") {
    std::string error;
    WsReceiver r;
    r.feed(view("HTTP/1.1 10"));
    CHECK(r.handshake(error) == WsReceiver::HandshakeStatus::kNeedMore);
    r.feed(view("1 Switching Protocols\r\nUpgrade: websocket\r\n"));
    CHECK(r.handshake(error) == WsReceiver::HandshakeStatus::kNeedMore);
    r.feed(view("\r\n\x81\x02hi"));
    CHECK(r.handshake(error) == WsReceiver::HandshakeStatus::kAccepted);
    WsFrame f;  // the frame that came with the response is kept
    REQUIRE(r.next(f) == WsDecodeStatus::kFrame);
    CHECK(f.payload == "hi");

    WsReceiver refused;
    refused.feed(view("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
    CHECK(refused.handshake(error) == WsReceiver::HandshakeStatus::kRefused);
    CHECK(error == "HTTP/1.1 404 Not Found");
}

TEST_CASE("websocket protocol: LuatOS's URL parsing and GET request") {
    WsUrl u = ws_parse_url("ws://echo.websocket.events");
    CHECK((!u.tls && u.host == "echo.websocket.events" && u.port == 80 && u.path == "/"));
    u = ws_parse_url("wss://wstest.luatos.com/ws/echo");
    CHECK((u.tls && u.host == "wstest.luatos.com" && u.port == 443 && u.path == "/ws/echo"));
    u = ws_parse_url("ws://10.0.0.5:8080/a/b?x=1");
    CHECK((u.host == "10.0.0.5" && u.port == 8080 && u.path == "/a/b?x=1"));
    u = ws_parse_url("ws://host:123456/");  // five digits of the port are read
    CHECK(u.port == static_cast<std::uint16_t>(12345));
    u = ws_parse_url("ws://" + std::string(300, 'h'));
    CHECK(u.host.size() == 191);

    u = ws_parse_url("ws://broker.test:9001/echo");
    CHECK(ws_handshake_request(u, "Auth: x\r\n") ==
          "GET /echo HTTP/1.1\r\nHost: broker.test:9001\r\nAuth: x\r\nUpgrade: websocket\r\nConnection: "
          "Upgrade\r\nSec-WebSocket-Key: w4v7O6xFTi36lq3RNcgctw==\r\nSec-WebSocket-Version: 13\r\n\r\n");
}
