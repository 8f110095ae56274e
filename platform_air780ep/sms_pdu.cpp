#include "platform_air780ep/sms_pdu.hpp"

#include <algorithm>

namespace platform_air780ep::sms_pdu {

namespace {

constexpr std::uint8_t kEscape = 0x1B;
constexpr std::uint8_t kNotInTable = 0xFF;
constexpr std::uint8_t kExtension = 0x80;  // marks a character of the GSM extension table

// The GSM 7-bit code of an ASCII byte in LuatOS's table: most printable characters are their own
// code, a few move, eight are in the extension table, the rest (controls other than LF and CR, '`'
// and DEL) are not there.
std::uint8_t ascii_to_gsm(std::uint8_t c) {
    switch (c) {
        case '\n':
        case '\r':
            return c;
        case '@':
            return 0x00;
        case '$':
            return 0x02;
        case '_':
            return 0x11;
        case '^':
            return kExtension | 0x14;
        case '{':
            return kExtension | 0x28;
        case '}':
            return kExtension | 0x29;
        case '\\':
            return kExtension | 0x2F;
        case '[':
            return kExtension | 0x3C;
        case '~':
            return kExtension | 0x3D;
        case ']':
            return kExtension | 0x3E;
        case '|':
            return kExtension | 0x40;
        case '`':
            return kNotInTable;
        default:
            return (c >= 0x20 && c < 0x7F) ? c : kNotInTable;
    }
}

// The ASCII character of a GSM code the table above produces ('?' for any other code).
char gsm_to_ascii_char(std::uint8_t code, bool extension) {
    for (int c = 0; c < 0x80; ++c) {
        const std::uint8_t g = ascii_to_gsm(static_cast<std::uint8_t>(c));
        if (g == kNotInTable) continue;
        if (((g & kExtension) != 0) == extension && (g & 0x7F) == code) return static_cast<char>(c);
    }
    return '?';
}

// luat_sms_gsm_to_ascii on `count` septets.
std::string gsm_to_text(std::span<const std::uint8_t> septets) {
    std::string out;
    for (std::size_t i = 0; i < septets.size(); ++i) {
        const std::uint8_t s = septets[i];
        if (s > 0x7F) break;
        if (s == kEscape) {
            if (i + 1 >= septets.size()) break;
            out += gsm_to_ascii_char(septets[++i], true);
        } else {
            out += gsm_to_ascii_char(s, false);
        }
    }
    return out;
}

// luat_sms_decode_7bit_data: LuatOS's unpacking of septets from `src`, skipping `shift` fill bits,
// into at most `dst_len` septets. Its arithmetic is kept (it decides the last septets of a full
// message).
std::vector<std::uint8_t> luatos_decode_gsm7(std::span<const std::uint8_t> src, std::size_t dst_len,
                                             unsigned shift) {
    std::vector<std::uint8_t> dst(dst_len, 0);
    std::size_t in = 0;
    std::size_t out = 0;
    shift %= 7;
    if (shift == 1) {
        if (out >= dst_len) return {};
        dst[out++] = static_cast<std::uint8_t>((src.empty() ? 0 : src[0]) >> 1);
    }
    if (shift != 0) {
        ++in;
    } else if (in < src.size() && out < dst_len) {
        dst[out++] = static_cast<std::uint8_t>(src[in++] & 0x7F);
    }
    unsigned bits = (8 - shift) % 7;
    while (in < src.size() && out + 1 < dst_len) {
        dst[out] = static_cast<std::uint8_t>((src[in] << bits) & 0x7F);
        if (in != 0) dst[out] |= static_cast<std::uint8_t>(src[in - 1] >> (8 - bits));
        ++bits;
        if (bits == 7) {
            bits = 0;
            ++out;
            dst[out] = static_cast<std::uint8_t>(src[in] >> 1);
        }
        ++in;
        ++out;
    }
    return dst;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

char hex_digit(unsigned v) {
    return "0123456789ABCDEF"[v & 0x0F];
}

// Semi-octets of a number, LuatOS's way: two characters a byte, low nibble first, an odd count
// padded with F; a character that is not a hex digit codes as F.
void append_semi_octets(std::vector<std::uint8_t>& out, std::string_view digits) {
    for (std::size_t i = 0; i < digits.size(); i += 2) {
        const int lo = hex_value(digits[i]);
        const int hi = (i + 1 < digits.size()) ? hex_value(digits[i + 1]) : 0x0F;
        out.push_back(static_cast<std::uint8_t>(((hi & 0x0F) << 4) | (lo & 0x0F)));
    }
}

// The digits of `count` semi-octets starting at `at` (LuatOS's reading: hex digits, the filler of
// an odd count left out).
std::string read_semi_octets(std::span<const std::uint8_t> pdu, std::size_t at, std::size_t count) {
    std::string out;
    const std::size_t bytes = (count + 1) / 2;
    for (std::size_t i = 0; i < bytes; ++i) {
        out += hex_digit(pdu[at + i] & 0x0F);
        if (i + 1 < bytes || count % 2 == 0) out += hex_digit(pdu[at + i] >> 4);
    }
    return out;
}

std::uint8_t bcd_swapped(int value) {
    const int v = std::clamp(value, 0, 99);
    return static_cast<std::uint8_t>(((v % 10) << 4) | (v / 10));
}

int from_bcd_swapped(std::uint8_t b) {
    return ((b & 0xF0) >> 4) + (b & 0x0F) * 10;
}

void append_timestamp(std::vector<std::uint8_t>& out, const Timestamp& t) {
    out.push_back(bcd_swapped(t.year % 100));
    out.push_back(bcd_swapped(t.month));
    out.push_back(bcd_swapped(t.day));
    out.push_back(bcd_swapped(t.hour));
    out.push_back(bcd_swapped(t.minute));
    out.push_back(bcd_swapped(t.second));
    const int q = t.zone_quarters < 0 ? -t.zone_quarters : t.zone_quarters;
    std::uint8_t zone = bcd_swapped(q);
    if (t.zone_quarters < 0) zone |= 0x08;
    out.push_back(zone);
}

// Code points of UTF-8 text; a malformed sequence gives U+FFFD.
std::vector<char32_t> utf8_code_points(std::string_view s) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        int n = 0;
        char32_t cp = 0;
        if (b < 0x80) {
            cp = b;
        } else if ((b & 0xE0) == 0xC0) {
            n = 1;
            cp = b & 0x1F;
        } else if ((b & 0xF0) == 0xE0) {
            n = 2;
            cp = b & 0x0F;
        } else if ((b & 0xF8) == 0xF0) {
            n = 3;
            cp = b & 0x07;
        } else {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        bool ok = i + static_cast<std::size_t>(n) < s.size();
        for (int k = 1; ok && k <= n; ++k) {
            const auto c = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((c & 0xC0) != 0x80) ok = false;
            cp = (cp << 6) | (c & 0x3F);
        }
        if (!ok) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += static_cast<std::size_t>(n) + 1;
    }
    return out;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// UTF-16BE code units of the text.
std::vector<std::uint16_t> utf16_units(std::string_view text) {
    std::vector<std::uint16_t> units;
    for (char32_t cp : utf8_code_points(text)) {
        if (cp >= 0x10000) {
            cp -= 0x10000;
            units.push_back(static_cast<std::uint16_t>(0xD800 | (cp >> 10)));
            units.push_back(static_cast<std::uint16_t>(0xDC00 | (cp & 0x3FF)));
        } else {
            units.push_back(static_cast<std::uint16_t>(cp));
        }
    }
    return units;
}

std::string utf16be_to_utf8(std::span<const std::uint8_t> bytes) {
    std::string out;
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
        char32_t u = static_cast<char32_t>((bytes[i] << 8) | bytes[i + 1]);
        if (u >= 0xD800 && u < 0xDC00 && i + 3 < bytes.size()) {
            const char32_t lo = static_cast<char32_t>((bytes[i + 2] << 8) | bytes[i + 3]);
            if (lo >= 0xDC00 && lo < 0xE000) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            } else {
                u = 0xFFFD;
            }
        } else if (u >= 0xD800 && u < 0xE000) {
            u = 0xFFFD;
        }
        append_utf8(out, u);
    }
    return out;
}

// The standard unpacking of `count` septets, `first_bit` bits into `ud`.
std::vector<std::uint8_t> unpack_septets(std::span<const std::uint8_t> ud, std::size_t first_bit,
                                         std::size_t count) {
    std::vector<std::uint8_t> out;
    for (std::size_t k = 0; k < count; ++k) {
        const std::size_t bit = first_bit + k * 7;
        const std::size_t byte = bit / 8;
        const std::size_t shift = bit % 8;
        if (byte >= ud.size()) break;
        unsigned v = ud[byte] >> shift;
        if (shift > 1 && byte + 1 < ud.size()) v |= static_cast<unsigned>(ud[byte + 1]) << (8 - shift);
        out.push_back(static_cast<std::uint8_t>(v & 0x7F));
    }
    return out;
}

}  // namespace

int gsm7_septet_count(std::string_view text) {
    int septets = 0;
    for (const char ch : text) {
        const std::uint8_t g = ascii_to_gsm(static_cast<std::uint8_t>(ch));
        if (static_cast<std::uint8_t>(ch) >= 0x80 || g == kNotInTable) return -1;
        septets += (g & kExtension) != 0 ? 2 : 1;
    }
    return septets;
}

std::vector<std::uint8_t> gsm7_septets(std::string_view text) {
    std::vector<std::uint8_t> out;
    for (const char ch : text) {
        const std::uint8_t g = ascii_to_gsm(static_cast<std::uint8_t>(ch));
        if (static_cast<std::uint8_t>(ch) >= 0x80 || g == kNotInTable) return {};
        if ((g & kExtension) != 0) {
            out.push_back(kEscape);
            out.push_back(g & 0x7F);
        } else {
            out.push_back(g);
        }
    }
    return out;
}

std::vector<std::uint8_t> pack_gsm7(std::span<const std::uint8_t> septets, std::size_t bit_offset) {
    const std::size_t bits = bit_offset + septets.size() * 7;
    std::vector<std::uint8_t> out((bits + 7) / 8, 0);
    for (std::size_t i = 0; i < septets.size(); ++i) {
        const unsigned v = septets[i] & 0x7F;
        const std::size_t pos = bit_offset + i * 7;
        out[pos / 8] |= static_cast<std::uint8_t>(v << (pos % 8));
        if (pos % 8 + 7 > 8) out[pos / 8 + 1] |= static_cast<std::uint8_t>(v >> (8 - pos % 8));
    }
    return out;
}

std::vector<std::uint8_t> luatos_utf8_to_ucs2(std::string_view text) {
    std::vector<std::uint8_t> out;
    auto at = [&](std::size_t i) -> unsigned {
        return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const unsigned b = at(i);
        if ((b & 0x80) != 0) {
            // 0xE0 has a bit in common with every byte >= 0x80: each is read as 1110xxxx 10xxxxxx 10xxxxxx.
            const unsigned u = ((b & 0x0F) << 12) + ((at(i + 1) & 0x3F) << 6) + (at(i + 2) & 0x3F);
            out.push_back(static_cast<std::uint8_t>((u >> 8) & 0xFF));
            out.push_back(static_cast<std::uint8_t>(u & 0xFF));
            i += 2;
        } else {
            out.push_back(0x00);
            out.push_back(static_cast<std::uint8_t>(b));
        }
    }
    return out;
}

std::string luatos_ucs2_hex_to_utf8(std::string_view hex) {
    // luat_str_fromhex reads a letter's value from its low three bits.
    auto nibble = [](char c) -> unsigned {
        return c <= '9' ? static_cast<unsigned>(c - '0') & 0xFF : (static_cast<unsigned>(c) & 0x7) + 9;
    };
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        bytes.push_back(static_cast<std::uint8_t>((nibble(hex[i]) << 4) + nibble(hex[i + 1])));
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 2) {
        const unsigned u =
            (static_cast<unsigned>(bytes[i]) << 8) | (i + 1 < bytes.size() ? bytes[i + 1] : 0u);
        if (u == 0) break;
        if (u <= 0x7F) {
            out += static_cast<char>(u);
        } else if (u <= 0x7FF) {
            out += static_cast<char>(((u >> 6) & 0x1F) | 0xC0);
            out += static_cast<char>((u & 0x3F) | 0x80);
        } else {
            out += static_cast<char>(((u >> 12) & 0x0F) | 0xE0);
            out += static_cast<char>(((u >> 6) & 0x3F) | 0x80);
            out += static_cast<char>((u & 0x3F) | 0x80);
        }
    }
    return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const std::uint8_t b : bytes) {
        out += hex_digit(b >> 4);
        out += hex_digit(b);
    }
    return out;
}

std::vector<std::uint8_t> build_submit(const SubmitPart& part) {
    std::string phone = part.phone;
    std::uint8_t toa = 0x81;
    if (phone.empty() || phone.size() + 2 > 32) return {};
    if (phone.starts_with("10")) {
        // service numbers (10086, 106...) are sent as they are, without a country code
    } else if (part.auto_phone) {
        if (phone.front() == '+') {
            phone.erase(0, 1);
            toa = 0x91;
        } else if (phone.starts_with("86")) {
            toa = 0x91;
        } else if (phone.size() == 11 && phone.front() == '1') {
            phone = "86" + phone;
            toa = 0x91;
        }
    } else if (phone.starts_with("86")) {
        toa = 0x91;
    }
    std::vector<std::uint8_t> pdu;
    pdu.push_back(0x00);  // no SMSC address: the SIM's
    std::uint8_t fo = 0x01;
    if (part.max_num > 1) fo |= 0x40;
    if (part.status_report) fo |= 0x20;
    if (part.validity != 0) fo |= 0x10;
    pdu.push_back(fo);
    pdu.push_back(0x00);  // TP-MR: the network's
    pdu.push_back(static_cast<std::uint8_t>(phone.size()));
    pdu.push_back(toa);
    append_semi_octets(pdu, phone);
    pdu.push_back(0x00);  // TP-PID
    pdu.push_back(part.dcs);
    if (part.validity != 0) pdu.push_back(part.validity);
    if (part.max_num == 1) {
        pdu.push_back(static_cast<std::uint8_t>(part.udl != 0 ? part.udl : part.payload.size()));
    } else {
        pdu.push_back(static_cast<std::uint8_t>(part.udl != 0 ? part.udl : part.payload.size() + 6));
        const std::uint8_t udh[] = {0x05,
                                    0x00,
                                    0x03,
                                    static_cast<std::uint8_t>(part.ref_num),
                                    static_cast<std::uint8_t>(part.max_num),
                                    static_cast<std::uint8_t>(part.seq_num)};
        pdu.insert(pdu.end(), std::begin(udh), std::end(udh));
    }
    pdu.insert(pdu.end(), part.payload.begin(), part.payload.end());
    return pdu;
}

SubmitMessage prepare_submit(std::string_view phone, std::string_view text, bool auto_phone,
                             bool status_report, std::uint8_t& next_long_ref) {
    SubmitPart first;
    first.phone = std::string(phone);
    first.auto_phone = auto_phone;
    first.status_report = status_report;
    first.validity = status_report ? 5 : 0;  // 30 minutes, so that the SMSC reports an expiry
    std::vector<std::uint8_t> coded;
    std::size_t per_part = 0;
    if (gsm7_septet_count(text) >= 0) {
        coded = gsm7_septets(text);
        first.dcs = kDcsGsm7;
        per_part = kLongGsm7Septets;
        if (coded.size() <= kShortGsm7Septets) per_part = 0;
    } else {
        coded = luatos_utf8_to_ucs2(text);
        first.dcs = kDcsUcs2;
        per_part = kLongUcs2Bytes;
        if (coded.size() <= kShortUcs2Bytes) per_part = 0;
    }
    SubmitMessage msg;
    if (per_part == 0) {
        first.max_num = 1;
        first.payload = first.dcs == kDcsGsm7 ? pack_gsm7(coded, 0) : coded;
        first.udl = coded.size();
        msg.parts.push_back(std::move(first));
        return msg;
    }
    next_long_ref = static_cast<std::uint8_t>((next_long_ref + 1) % 255);
    first.ref_num = next_long_ref;
    // LuatOS keeps the part count in a byte (maxNum).
    first.max_num = static_cast<std::uint8_t>((coded.size() + per_part - 1) / per_part);
    const std::size_t parts = first.max_num == 0 ? 1 : static_cast<std::size_t>(first.max_num);
    for (std::size_t seq = 1; seq <= parts; ++seq) {
        SubmitPart p = first;
        p.seq_num = static_cast<int>(seq);
        const std::size_t offset = (seq - 1) * per_part;
        const std::size_t len = std::min(per_part, coded.size() > offset ? coded.size() - offset : 0);
        const std::span<const std::uint8_t> piece(coded.data() + std::min(offset, coded.size()), len);
        if (p.dcs == kDcsGsm7) {
            p.payload = pack_gsm7(piece, 1);  // one fill bit after the 6-byte header
            p.udl = 7 + len;
        } else {
            p.payload.assign(piece.begin(), piece.end());
            p.udl = len + 6;
        }
        msg.parts.push_back(std::move(p));
    }
    return msg;
}

std::optional<Submitted> parse_submit(std::span<const std::uint8_t> pdu, std::string& error) {
    auto fail = [&](const char* why) -> std::optional<Submitted> {
        error = why;
        return std::nullopt;
    };
    std::size_t pos = 0;
    if (pdu.empty()) return fail("empty PDU");
    pos += 1 + pdu[0];  // SMSC address
    if (pos + 3 > pdu.size()) return fail("PDU too short for its header");
    const std::uint8_t fo = pdu[pos++];
    if ((fo & 0x03) != 0x01) return fail("not an SMS-SUBMIT");
    ++pos;  // TP-MR
    const std::size_t da_digits = pdu[pos++];
    if (pos + 1 + (da_digits + 1) / 2 > pdu.size()) return fail("PDU too short for its destination");
    Submitted out;
    out.type_of_address = pdu[pos++];
    out.destination = read_semi_octets(pdu, pos, da_digits);
    pos += (da_digits + 1) / 2;
    if (pos + 2 > pdu.size()) return fail("PDU too short for PID and DCS");
    ++pos;  // TP-PID
    out.dcs = pdu[pos++];
    out.status_report = (fo & 0x20) != 0;
    const unsigned vpf = (fo >> 3) & 0x03;
    if (vpf == 2) pos += 1;
    if (vpf == 1 || vpf == 3) pos += 7;
    if (pos >= pdu.size()) return fail("PDU too short for its user data");
    const std::size_t udl = pdu[pos++];
    const std::span<const std::uint8_t> ud = pdu.subspan(pos);
    std::size_t header = 0;  // bytes of UDH with its length byte
    if ((fo & 0x40) != 0) {
        if (ud.empty() || 1u + ud[0] > ud.size()) return fail("user data header cut short");
        header = 1u + ud[0];
        for (std::size_t i = 1; i + 1 < header;) {
            const std::uint8_t iei = ud[i];
            const std::size_t len = ud[i + 1];
            if (i + 2 + len > header) break;
            if (iei == 0x00 && len == 3) {
                out.ref = ud[i + 2];
                out.max = ud[i + 3];
                out.seq = ud[i + 4];
            } else if (iei == 0x08 && len == 4) {
                out.ref = (ud[i + 2] << 8) | ud[i + 3];
                out.max = ud[i + 4];
                out.seq = ud[i + 5];
            }
            i += 2 + len;
        }
    }
    if ((out.dcs & 0x0C) == kDcsGsm7) {
        const std::size_t header_septets = (header * 8 + 6) / 7;
        const std::size_t count = udl > header_septets ? udl - header_septets : 0;
        out.text = gsm_to_text(unpack_septets(ud, header_septets * 7, count));
    } else {
        const std::size_t end = std::min(udl, ud.size());
        out.text = utf16be_to_utf8(ud.subspan(std::min(header, end), end - std::min(header, end)));
    }
    return out;
}

std::vector<std::vector<std::uint8_t>> build_deliver(std::string_view from, std::string_view text,
                                                     const Timestamp& time, std::uint8_t concatenation_ref) {
    std::string digits(from);
    std::uint8_t toa = 0x81;
    if (!digits.empty() && digits.front() == '+') {
        digits.erase(0, 1);
        toa = 0x91;
    }
    // The parts: septets (GSM) or UTF-16 units (UCS2), never cutting an escape or a surrogate pair.
    std::vector<std::vector<std::uint8_t>> pieces;
    const bool gsm = gsm7_septet_count(text) >= 0;
    std::vector<std::uint8_t> coded;
    if (gsm) {
        coded = gsm7_septets(text);
        if (coded.size() <= kShortGsm7Septets) {
            pieces.push_back(coded);
        } else {
            for (std::size_t i = 0; i < coded.size();) {
                std::size_t n = std::min(kLongGsm7Septets, coded.size() - i);
                if (n > 1 && i + n < coded.size() && coded[i + n - 1] == kEscape) --n;
                pieces.emplace_back(coded.begin() + static_cast<std::ptrdiff_t>(i),
                                    coded.begin() + static_cast<std::ptrdiff_t>(i + n));
                i += n;
            }
        }
    } else {
        for (const std::uint16_t u : utf16_units(text)) {
            coded.push_back(static_cast<std::uint8_t>(u >> 8));
            coded.push_back(static_cast<std::uint8_t>(u & 0xFF));
        }
        if (coded.size() <= kShortUcs2Bytes) {
            pieces.push_back(coded);
        } else {
            for (std::size_t i = 0; i < coded.size();) {
                std::size_t n = std::min(kLongUcs2Bytes, coded.size() - i);
                if (i + n < coded.size() && (coded[i + n - 2] & 0xFC) == 0xD8)
                    n -= 2;  // a high surrogate last
                pieces.emplace_back(coded.begin() + static_cast<std::ptrdiff_t>(i),
                                    coded.begin() + static_cast<std::ptrdiff_t>(i + n));
                i += n;
            }
        }
    }
    const bool concatenated = pieces.size() > 1;
    std::vector<std::vector<std::uint8_t>> pdus;
    for (std::size_t k = 0; k < pieces.size(); ++k) {
        std::vector<std::uint8_t> pdu;
        pdu.push_back(0x00);  // SMSC address left out
        pdu.push_back(
            static_cast<std::uint8_t>(0x04 | (concatenated ? 0x40 : 0x00)));  // DELIVER, no more messages
        pdu.push_back(static_cast<std::uint8_t>(digits.size()));
        pdu.push_back(toa);
        append_semi_octets(pdu, digits);
        pdu.push_back(0x00);
        pdu.push_back(gsm ? kDcsGsm7 : kDcsUcs2);
        append_timestamp(pdu, time);
        const std::uint8_t udh[] = {0x05,
                                    0x00,
                                    0x03,
                                    concatenation_ref,
                                    static_cast<std::uint8_t>(pieces.size()),
                                    static_cast<std::uint8_t>(k + 1)};
        if (gsm) {
            pdu.push_back(static_cast<std::uint8_t>(pieces[k].size() + (concatenated ? 7 : 0)));
            std::vector<std::uint8_t> body = pack_gsm7(pieces[k], concatenated ? 1 : 0);
            if (concatenated) pdu.insert(pdu.end(), std::begin(udh), std::end(udh));
            pdu.insert(pdu.end(), body.begin(), body.end());
        } else {
            pdu.push_back(static_cast<std::uint8_t>(pieces[k].size() + (concatenated ? 6 : 0)));
            if (concatenated) pdu.insert(pdu.end(), std::begin(udh), std::end(udh));
            pdu.insert(pdu.end(), pieces[k].begin(), pieces[k].end());
        }
        pdus.push_back(std::move(pdu));
    }
    return pdus;
}

std::vector<std::uint8_t> build_status_report(std::uint8_t mr, std::string_view recipient,
                                              std::uint8_t type_of_address, const Timestamp& submitted,
                                              const Timestamp& discharged, std::uint8_t status) {
    std::vector<std::uint8_t> pdu;
    pdu.push_back(0x00);
    pdu.push_back(0x06);  // SMS-STATUS-REPORT, no more messages
    pdu.push_back(mr);
    pdu.push_back(static_cast<std::uint8_t>(recipient.size()));
    pdu.push_back(type_of_address);
    append_semi_octets(pdu, recipient);
    append_timestamp(pdu, submitted);
    append_timestamp(pdu, discharged);
    pdu.push_back(status);
    return pdu;
}

std::optional<Received> unpack(std::span<const std::uint8_t> pdu) {
    if (pdu.empty()) return std::nullopt;
    std::size_t pos = 1;
    const std::size_t sca = pdu[0];
    if (pos + sca > pdu.size() || sca > 16) return std::nullopt;
    pos += sca;
    if (pos + 2 > pdu.size()) return std::nullopt;
    const std::uint8_t type = pdu[pos++];
    Received r;
    auto read_number = [&](std::size_t& at, std::string& number) -> bool {
        if (at + 2 > pdu.size()) return false;
        const std::size_t len = pdu[at++];
        const std::uint8_t toa = pdu[at++];
        const std::size_t bytes = (len + 1) / 2;
        if (bytes > 20 || at + bytes > pdu.size()) return false;
        if (((toa >> 4) & 0x07) == 5) {
            // alphanumeric: GSM 7-bit text
            number = gsm_to_text(luatos_decode_gsm7(pdu.subspan(at, bytes), 30, 0));
            if (number.size() > bytes) number.resize(bytes);
        } else {
            number = read_semi_octets(pdu, at, len);
        }
        at += bytes;
        return true;
    };
    auto read_time = [&](std::size_t at) {
        r.year = from_bcd_swapped(pdu[at]);
        r.month = from_bcd_swapped(pdu[at + 1]);
        r.day = from_bcd_swapped(pdu[at + 2]);
        r.hour = from_bcd_swapped(pdu[at + 3]);
        r.minute = from_bcd_swapped(pdu[at + 4]);
        r.second = from_bcd_swapped(pdu[at + 5]);
    };
    if ((type & 0x03) == 0x02) {
        r.status_report = true;
        if (pos + 1 > pdu.size()) return std::nullopt;
        r.message_reference = pdu[pos++];
        if (!read_number(pos, r.phone)) return std::nullopt;
        if (pos + 7 > pdu.size()) return std::nullopt;
        read_time(pos);
        pos += 7;
        if (pos + 7 > pdu.size()) return std::nullopt;
        char dt[18];
        int f[6];
        for (int i = 0; i < 6; ++i)
            f[i] = from_bcd_swapped(pdu[pos + static_cast<std::size_t>(i)]);
        pos += 7;
        for (int i = 0; i < 6; ++i) {
            dt[i * 3] = static_cast<char>('0' + f[i] / 10);
            dt[i * 3 + 1] = static_cast<char>('0' + f[i] % 10);
            if (i < 5) dt[i * 3 + 2] = i < 2 ? '-' : (i == 2 ? ' ' : ':');
        }
        r.discharge_time.assign(dt, 17);
        if (pos + 1 > pdu.size()) return std::nullopt;
        r.status = pdu[pos];
        return r;
    }
    if (!read_number(pos, r.phone)) return std::nullopt;
    if (pos + 9 > pdu.size()) return std::nullopt;
    ++pos;  // PID
    const std::uint8_t dcs = pdu[pos++];
    read_time(pos);
    pos += 7;
    if (pos >= pdu.size()) return std::nullopt;
    // LuatOS copies at most 160 bytes of user data, its length byte included.
    const std::span<const std::uint8_t> payload =
        pdu.subspan(pos, std::min<std::size_t>(pdu.size() - pos, 160));
    const std::size_t udl = payload[0];
    bool long_msg = (type & 0x40) != 0;
    if (!long_msg && payload.size() >= 7) {
        long_msg = (payload[1] == 0x05 && payload[2] == 0x00 && payload[3] == 0x03) ||
                   (payload[1] == 0x06 && payload[2] == 0x08 && payload[3] == 0x04);
    }
    std::size_t body = 1;
    std::size_t udhl = 0;
    if (long_msg) {
        if (body >= payload.size()) return std::nullopt;
        udhl = payload[1];
        if (1 + udhl + 1 > payload.size()) return std::nullopt;
        auto at = [&](std::size_t i) -> int { return i < payload.size() ? payload[i] : 0; };
        if (udhl == 6 && payload[2] == 0x08) {
            r.ref = (at(4) << 8) | at(5);
            r.max = at(6);
            r.seq = at(7);
        } else {
            r.ref = at(4);
            r.max = at(5);
            r.seq = at(6);
        }
    }
    r.alphabet = static_cast<std::uint8_t>(dcs & 0x0C);
    if (r.alphabet == kDcsGsm7) {
        unsigned fill = 0;
        std::uint8_t length = static_cast<std::uint8_t>(udl);
        if (long_msg) {
            const std::size_t total = udhl + 1;
            if ((total * 8) % 7 != 0) fill = static_cast<unsigned>(7 - (total * 8) % 7);
            length = static_cast<std::uint8_t>(length - (total * 8 + fill) / 7);
            body = 1 + total;
        }
        std::size_t data_len = static_cast<std::uint8_t>((udl * 7 + 7) / 8);
        const std::size_t available = payload.size() > body ? payload.size() - body : 0;
        data_len = std::min(data_len, available);
        std::vector<std::uint8_t> septets =
            luatos_decode_gsm7(payload.subspan(std::min(body, payload.size()), data_len), 160, fill);
        septets.resize(std::max<std::size_t>(septets.size(), 161), 0);
        septets.resize(std::min<std::size_t>(length, septets.size()));
        r.buffer = gsm_to_text(septets);
    } else if (r.alphabet == kDcsUcs2) {
        std::size_t header = long_msg ? udhl + 1 : 0;
        body += header;
        std::size_t len = static_cast<std::uint8_t>(udl - header);
        const std::size_t available = payload.size() > body ? payload.size() - body : 0;
        len = std::min(len, available);
        r.buffer = to_hex(payload.subspan(std::min(body, payload.size()), len));
    } else if (r.alphabet == 0x04) {
        std::size_t len = udl;
        if (long_msg) {
            body += udhl + 1;
            len = static_cast<std::uint8_t>(udl - (udhl + 1));
        }
        const std::size_t available = payload.size() > body ? payload.size() - body : 0;
        len = std::min(len, available);
        const auto bytes = payload.subspan(std::min(body, payload.size()), len);
        r.buffer.assign(bytes.begin(), bytes.end());
    }
    return r;
}

}  // namespace platform_air780ep::sms_pdu
