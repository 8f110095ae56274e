#include "lua_bindings/modules/iconv/charsets.hpp"

#include <cstdint>

#include "lua_bindings/modules/iconv/gb2312_tables.hpp"

namespace lua_bindings {

namespace {

void put_ucs2(std::string& out, std::uint16_t u, bool big_endian) {
    const auto hi = static_cast<char>(u >> 8);
    const auto lo = static_cast<char>(u & 0xFF);
    out += big_endian ? hi : lo;
    out += big_endian ? lo : hi;
}

std::uint16_t get_ucs2(std::string_view in, std::size_t i, bool big_endian) {
    const auto a = static_cast<unsigned char>(in[i]);
    const auto b = static_cast<unsigned char>(in[i + 1]);
    return static_cast<std::uint16_t>(big_endian ? (a << 8 | b) : (b << 8 | a));
}

std::optional<std::string> gb2312_to_ucs2(std::string_view in, bool big_endian) {
    std::string out;
    out.reserve(in.size() * 2);
    for (std::size_t i = 0; i < in.size();) {
        const auto c = static_cast<unsigned char>(in[i]);
        if (c < 0x80) {
            put_ucs2(out, c, big_endian);
            ++i;
            continue;
        }
        if (in.size() - i < 2) return std::nullopt;  // a lead byte without its trail byte
        const auto trail = static_cast<unsigned char>(in[i + 1]);
        // The module indexes its table with this 16-bit offset whatever the bytes are; an offset
        // past the table reads memory that is not part of it there, 0 here.
        const auto offset = static_cast<std::uint16_t>((c - 0xA0) * 94 + (trail - 0xA1));
        put_ucs2(out, offset < kGbRows * 94 ? kGbToUcs[offset] : 0, big_endian);
        i += 2;
    }
    return out;
}

std::uint16_t ucs_to_gb(std::uint16_t u) {
    if (u < 0x80) return u;
    if (u >= 0x4E00 && u < 0xA000) {
        const std::uint16_t gb = kUcsCjkToGb[u - 0x4E00];
        return gb != 0 ? gb : 0xA1A1;
    }
    for (const auto& p : kUcsOtherToGb) {
        if (p.ucs == u) return p.gb;
    }
    return 0xA1A1;  // the ideographic space, for what GB2312 (as the module has it) lacks
}

std::string ucs2_to_gb2312(std::string_view in, bool big_endian) {
    std::string out;
    for (std::size_t i = 0; i + 1 < in.size(); i += 2) {
        const std::uint16_t gb = ucs_to_gb(get_ucs2(in, i, big_endian));
        if (gb < 0x80) {
            out += static_cast<char>(gb);
        } else {
            out += static_cast<char>(gb >> 8);
            out += static_cast<char>(gb & 0xFF);
        }
    }
    return out;
}

int leading_ones(unsigned char c) {
    int n = 0;
    while ((c & 0x80) != 0 && n < 8) {
        c = static_cast<unsigned char>(c << 1);
        ++n;
    }
    return n;
}

// Byte `i` of `in`, or the NUL that ends a Lua string's bytes (the module reads past a sequence cut
// short at the end and finds that NUL).
unsigned char byte_at(std::string_view in, std::size_t i) {
    return i < in.size() ? static_cast<unsigned char>(in[i]) : 0;
}

std::optional<std::string> utf8_to_ucs2(std::string_view in, bool big_endian) {
    std::string out;
    out.reserve(in.size() * 2);
    for (std::size_t i = 0; i < in.size();) {
        const unsigned char b1 = byte_at(in, i);
        const int n = leading_ones(b1);
        const int size = n == 0 ? 1 : n;
        std::uint16_t u = 0;
        if (size == 1) {
            u = b1;  // ASCII, and a stray continuation byte read as U+0080..U+00BF
        } else if (size == 2) {
            const unsigned char b2 = byte_at(in, i + 1);
            if ((b2 & 0xC0) != 0x80) return std::nullopt;
            u = static_cast<std::uint16_t>(((b1 >> 2) & 0x07) << 8 |
                                           static_cast<unsigned char>((b1 << 6) + (b2 & 0x3F)));
        } else if (size == 3) {
            const unsigned char b2 = byte_at(in, i + 1);
            const unsigned char b3 = byte_at(in, i + 2);
            if ((b2 & 0xC0) != 0x80 || (b3 & 0xC0) != 0x80) return std::nullopt;
            u = static_cast<std::uint16_t>(static_cast<unsigned char>((b1 << 4) + ((b2 >> 2) & 0x0F)) << 8 |
                                           static_cast<unsigned char>((b2 << 6) + (b3 & 0x3F)));
        } else {
            return std::nullopt;  // 4-byte and longer sequences are not read
        }
        put_ucs2(out, u, big_endian);
        i += static_cast<std::size_t>(size);
    }
    return out;
}

std::string ucs2_to_utf8(std::string_view in, bool big_endian) {
    std::string out;
    for (std::size_t i = 0; i + 1 < in.size(); i += 2) {
        const std::uint16_t u = get_ucs2(in, i, big_endian);
        if (u <= 0x7F) {
            out += static_cast<char>(u);
        } else if (u <= 0x7FF) {
            out += static_cast<char>(0xC0 | (u >> 6));
            out += static_cast<char>(0x80 | (u & 0x3F));
        } else {  // surrogates too, as three bytes each
            out += static_cast<char>(0xE0 | (u >> 12));
            out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (u & 0x3F));
        }
    }
    return out;
}

}  // namespace

std::optional<Charset> charset_named(std::string_view name) {
    if (name == "gb2312") return Charset::kGb2312;
    if (name == "ucs2") return Charset::kUcs2;
    if (name == "ucs2be") return Charset::kUcs2Be;
    if (name == "utf8") return Charset::kUtf8;
    return std::nullopt;
}

bool conversion_exists(Charset to, Charset from) {
    const bool to_ucs = to == Charset::kUcs2 || to == Charset::kUcs2Be;
    const bool from_ucs = from == Charset::kUcs2 || from == Charset::kUcs2Be;
    return to_ucs != from_ucs;
}

std::optional<std::string> convert_charset(Charset to, Charset from, std::string_view in) {
    const bool from_be = from == Charset::kUcs2Be;
    const bool to_be = to == Charset::kUcs2Be;
    if (from == Charset::kGb2312) return gb2312_to_ucs2(in, to_be);
    if (from == Charset::kUtf8) return utf8_to_ucs2(in, to_be);
    if (to == Charset::kGb2312) return ucs2_to_gb2312(in, from_be);
    return ucs2_to_utf8(in, from_be);
}

}  // namespace lua_bindings
