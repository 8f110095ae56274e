// RFC 6455's client side as LuatOS's websocket module has it: ws_protocol.hpp.
#include "lua_bindings/modules/websocket/ws_protocol.hpp"

#include <mbedtls/base64.h>
#include <mbedtls/sha1.h>

#include <algorithm>
#include <cstdlib>

namespace lua_bindings {

namespace {

constexpr std::size_t kHostMax = 191;   // LuatOS's host[192]
constexpr std::size_t kPathMax = 255;   // uri[256]
constexpr std::size_t kPortDigits = 5;  // port_tmp[6]
constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::string_view kSwitching = "HTTP/1.1 101";

void put_length(std::vector<std::uint8_t>& out, std::uint8_t mask_bit, std::size_t len) {
    if (len < 126) {
        out.push_back(static_cast<std::uint8_t>(mask_bit | len));
    } else if (len <= 0xFFFF) {
        out.push_back(static_cast<std::uint8_t>(mask_bit | 126));
        out.push_back(static_cast<std::uint8_t>(len >> 8));
        out.push_back(static_cast<std::uint8_t>(len & 0xFF));
    } else {
        out.push_back(static_cast<std::uint8_t>(mask_bit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<std::uint8_t>((static_cast<std::uint64_t>(len) >> shift) & 0xFF));
    }
}

}  // namespace

WsUrl ws_parse_url(std::string_view url) {
    WsUrl out;
    std::string_view rest = url;
    if (rest.starts_with("wss://")) {
        out.tls = true;
        rest.remove_prefix(6);
    } else if (rest.starts_with("ws://")) {
        rest.remove_prefix(5);
    }
    // LuatOS reads the URL as a C string.
    rest = rest.substr(0, std::min(rest.size(), rest.find('\0')));
    std::size_t path_start = rest.find('/');
    if (path_start == std::string_view::npos || path_start < 2) path_start = rest.size();
    const std::string_view authority = rest.substr(0, path_start);
    const std::size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
        out.host = std::string(authority.substr(0, std::min(colon, kHostMax)));
        const std::string digits(authority.substr(colon + 1, kPortDigits));
        out.port = static_cast<std::uint16_t>(std::atoi(digits.c_str()));
    }
    if (out.host.empty()) out.host = std::string(authority.substr(0, kHostMax));
    out.path = std::string(rest.substr(path_start, kPathMax));
    if (out.port == 0) out.port = out.tls ? 443 : 80;
    if (out.path.empty()) out.path = "/";
    return out;
}

std::string ws_handshake_request(const WsUrl& url, std::string_view extra_headers) {
    std::string out =
        "GET " + url.path + " HTTP/1.1\r\nHost: " + url.host + ":" + std::to_string(url.port) + "\r\n";
    out += extra_headers;
    out += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
    out += kWsFixedKey;
    out += "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    return out;
}

std::string ws_accept_value(std::string_view key) {
    const std::string input = std::string(key) + std::string(kGuid);
    unsigned char digest[20];
    mbedtls_sha1_ret(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
    unsigned char text[64];
    std::size_t len = 0;
    mbedtls_base64_encode(text, sizeof text, &len, digest, sizeof digest);
    return {reinterpret_cast<const char*>(text), len};
}

std::optional<std::vector<std::uint8_t>> ws_encode_frame(bool fin, WsOpcode opcode,
                                                         std::span<const std::uint8_t> payload,
                                                         std::array<std::uint8_t, 4> mask) {
    if (payload.size() > kWsMaxSendPayload) return std::nullopt;
    std::vector<std::uint8_t> out;
    out.reserve(payload.size() + 8);
    out.push_back(static_cast<std::uint8_t>((fin ? 0x80 : 0) | (static_cast<std::uint8_t>(opcode) & 0x0F)));
    put_length(out, 0x80, payload.size());
    out.insert(out.end(), mask.begin(), mask.end());
    for (std::size_t i = 0; i < payload.size(); ++i)
        out.push_back(static_cast<std::uint8_t>(payload[i] ^ mask[i % 4]));
    return out;
}

std::vector<std::uint8_t> ws_encode_server_frame(bool fin, std::uint8_t opcode,
                                                 std::span<const std::uint8_t> payload) {
    std::vector<std::uint8_t> out;
    out.push_back(static_cast<std::uint8_t>((fin ? 0x80 : 0) | (opcode & 0x0F)));
    put_length(out, 0, payload.size());
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

WsReceiver::HandshakeStatus WsReceiver::handshake(std::string& error) {
    if (buffer_.size() < kSwitching.size()) return HandshakeStatus::kNeedMore;
    const std::string_view text(reinterpret_cast<const char*>(buffer_.data()), buffer_.size());
    if (!text.starts_with(kSwitching)) {
        error = std::string(text.substr(0, text.find("\r\n")));
        return HandshakeStatus::kRefused;
    }
    const std::size_t end = text.find("\r\n\r\n");
    if (end == std::string_view::npos) return HandshakeStatus::kNeedMore;
    // Bytes after the header block are the server's first frames.
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(end + 4));
    return HandshakeStatus::kAccepted;
}

WsDecodeStatus WsReceiver::next(WsFrame& frame) {
    if (buffer_.size() < 2) return WsDecodeStatus::kNeedMore;
    const bool masked = (buffer_[1] & 0x80) != 0;
    std::size_t len = buffer_[1] & 0x7F;
    std::size_t header = 2;
    if (len == 127) {
        refused_length_.reset();
        return WsDecodeStatus::kTooLarge;
    }
    if (len == 126) {
        if (buffer_.size() < 4) return WsDecodeStatus::kNeedMore;
        len = (static_cast<std::size_t>(buffer_[2]) << 8) | buffer_[3];
        header = 4;
    }
    if (len > kWsMaxReceivePayload) {
        refused_length_ = len;
        return WsDecodeStatus::kTooLarge;
    }
    const std::size_t key_at = header;
    if (masked) header += 4;
    if (buffer_.size() < header + len) return WsDecodeStatus::kNeedMore;
    frame.fin = (buffer_[0] & 0x80) != 0;
    frame.opcode = buffer_[0] & 0x0F;
    frame.payload.assign(reinterpret_cast<const char*>(buffer_.data() + header), len);
    if (masked) {
        for (std::size_t i = 0; i < len; ++i)
            frame.payload[i] =
                static_cast<char>(frame.payload[i] ^ static_cast<char>(buffer_[key_at + i % 4]));
    }
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(header + len));
    return WsDecodeStatus::kFrame;
}

}  // namespace lua_bindings
