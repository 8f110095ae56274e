// The WebSocket client protocol (RFC 6455) as LuatOS's websocket module speaks it, sans-IO: the
// URL, the opening handshake, frames in and out. No sockets, no Lua, no time (docs/modules/websocket.md).
//
// LuatOS's rules kept here (read from components/network/websocket/luat_websocket.c):
//  * the handshake sends a fixed Sec-WebSocket-Key and accepts any response starting with
//    "HTTP/1.1 101" once its header block ends (the Sec-WebSocket-Accept is not checked);
//  * a received frame is at most 32768 payload bytes (the EC718P has PSRAM: LUAT_USE_PSRAM's limit);
//    the 64-bit length form is refused; fragments are delivered one by one with their FIN and opcode (no
//    reassembly);
//  * a sent frame is always masked and shorter than 65535 bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lua_bindings {

inline constexpr std::size_t kWsMaxReceivePayload = 32 * 1024;              // WEBSOCKET_PAYLOAD_MAX (PSRAM)
inline constexpr std::size_t kWsReceiveBuffer = kWsMaxReceivePayload + 16;  // WEBSOCKET_RECV_BUF_LEN_MAX
inline constexpr std::size_t kWsMaxSendPayload = 0xFFFE;                    // LuatOS sends plen < 0xFFFF only
inline constexpr std::string_view kWsFixedKey = "w4v7O6xFTi36lq3RNcgctw==";

enum class WsOpcode : std::uint8_t {
    kContinuation = 0x0,
    kText = 0x1,
    kBinary = 0x2,
    kClose = 0x8,
    kPing = 0x9,
    kPong = 0xA,
};

// ws://host[:port][/path] or wss://...; LuatOS's parser, limits included (host 191 bytes, path 255).
struct WsUrl {
    bool tls = false;
    std::string host;
    std::uint16_t port = 0;
    std::string path;
};
WsUrl ws_parse_url(std::string_view url);

// The GET request; `extra_headers` are the script's (wsc:headers), each line ending in CRLF.
std::string ws_handshake_request(const WsUrl& url, std::string_view extra_headers);

// Sec-WebSocket-Accept for a key (RFC 6455 section 4.2.2): base64(SHA-1(key + GUID)).
std::string ws_accept_value(std::string_view key);

// One frame on the wire: FIN, opcode, mask bit and key, length (7-bit, 16-bit or 64-bit form).
// nullopt when LuatOS would not send it (payload too long).
std::optional<std::vector<std::uint8_t>> ws_encode_frame(bool fin, WsOpcode opcode,
                                                         std::span<const std::uint8_t> payload,
                                                         std::array<std::uint8_t, 4> mask);

// Unmasked frame encoding, as a server sends it (tests and the echo server).
std::vector<std::uint8_t> ws_encode_server_frame(bool fin, std::uint8_t opcode,
                                                 std::span<const std::uint8_t> payload);

struct WsFrame {
    bool fin = false;
    std::uint8_t opcode = 0;
    std::string payload;  // unmasked
};

// What the decoder found at the front of its buffer.
enum class WsDecodeStatus {
    kNeedMore,  // not a whole frame yet
    kFrame,     // `frame` holds one frame; its bytes were consumed
    kTooLarge,  // 64-bit length or payload over kWsMaxReceivePayload: LuatOS drops the connection
};

// Stateful receive side: the handshake response first, then frames.
class WsReceiver {
  public:
    enum class HandshakeStatus { kNeedMore, kAccepted, kRefused };

    void feed(std::span<const std::uint8_t> bytes) {
        buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    }
    [[nodiscard]] std::size_t buffered() const { return buffer_.size(); }
    void reset() { buffer_.clear(); }

    // The response's status line and header block; on kRefused `error` holds the status line text.
    HandshakeStatus handshake(std::string& error);
    WsDecodeStatus next(WsFrame& frame);
    // After kTooLarge: the length the frame announced (nullopt for the 64-bit form, never read).
    [[nodiscard]] std::optional<std::size_t> refused_length() const { return refused_length_; }

  private:
    std::vector<std::uint8_t> buffer_;
    std::optional<std::size_t> refused_length_;
};

}  // namespace lua_bindings
