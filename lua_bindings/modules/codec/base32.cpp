#include "lua_bindings/modules/codec/base32.hpp"

#include <cstdint>

namespace lua_bindings {

std::string base32_encode(std::string_view data) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out;
    out.reserve((data.size() * 8 + 4) / 5);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char ch : data) {
        buffer = (buffer << 8) | static_cast<unsigned char>(ch);
        bits += 8;
        while (bits >= 5) {
            out += kAlphabet[(buffer >> (bits - 5)) & 0x1F];
            bits -= 5;
        }
    }
    if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 0x1F];
    return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '\0') break;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '-') continue;
        if (c == '0') c = 'O';
        if (c == '1') c = 'L';
        if (c == '8') c = 'B';
        std::uint32_t value = 0;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
            value = (c & 0x1Fu) - 1u;
        } else if (c >= '2' && c <= '7') {
            value = c - '2' + 26u;
        } else {
            return std::nullopt;
        }
        buffer = ((buffer << 5) | value) & 0xFFFFu;  // only the bits not yet written matter
        bits += 5;
        if (bits >= 8) {
            out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
            bits -= 8;
        }
    }
    return out;
}

}  // namespace lua_bindings
