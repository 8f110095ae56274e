#include "identity.hpp"

#include <cstdint>

namespace platform_air780ep {

namespace {

// FNV-1a, then splitmix64 to spread it: a stable (not cryptographic) digest of a name.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

std::uint64_t digest(std::string_view data, std::uint64_t salt) {
    std::uint64_t h = 0xCBF29CE484222325ULL ^ salt;
    for (unsigned char c : data) {
        h ^= c;
        h *= 0x100000001B3ULL;
    }
    return mix(h);
}

// `count` decimal digits derived from `data` and `salt`.
std::string digits_from(std::string_view data, std::uint64_t salt, std::size_t count) {
    std::string out;
    std::uint64_t h = digest(data, salt);
    while (out.size() < count) {
        out += static_cast<char>('0' + h % 10);
        h /= 10;
        if (h == 0) h = mix(digest(data, salt + out.size()));
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

char luhn_check_digit(std::string_view digits) {
    int sum = 0;
    // Double every second digit starting from the rightmost one (the check digit goes after it).
    bool twice = true;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        int d = *it - '0';
        if (twice) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        sum += d;
        twice = !twice;
    }
    return static_cast<char>('0' + (10 - sum % 10) % 10);
}

bool imei_is_valid(std::string_view imei) {
    if (imei.size() != 15) return false;
    for (char c : imei) {
        if (c < '0' || c > '9') return false;
    }
    return luhn_check_digit(imei.substr(0, 14)) == imei[14];
}

std::string imei_problem(std::string_view imei) {
    if (imei_is_valid(imei)) return {};
    bool digits = imei.size() == 15;
    for (char c : imei)
        digits = digits && c >= '0' && c <= '9';
    if (!digits) return "an IMEI is 15 decimal digits, not '" + std::string(imei) + "'";
    return "IMEI " + std::string(imei) + " has a bad check digit (the Luhn digit of its first 14 digits is " +
           std::string(1, luhn_check_digit(imei.substr(0, 14))) + ")";
}

std::optional<std::string> parse_hex_id(std::string_view hex, std::string& error) {
    if (hex.empty() || hex.size() % 2 != 0 || hex.size() > 128) {
        error = "a unique id is 1 to 64 bytes written as an even number of hex digits";
        return std::nullopt;
    }
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_value(hex[i]);
        const int lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            error =
                "not a hex digit in the unique id: '" + std::string(hex.substr(hi < 0 ? i : i + 1, 1)) + "'";
            return std::nullopt;
        }
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

std::optional<Identity> make_identity(std::string_view seed, std::optional<std::string> unique_id,
                                      std::optional<std::string> imei, std::string& error) {
    Identity id;
    if (unique_id) {
        id.unique_id = std::move(*unique_id);
    } else {
        for (std::uint64_t part = 0; part < 2; ++part) {
            std::uint64_t h = digest(seed, part + 1);
            for (int i = 0; i < 8; ++i) {
                id.unique_id += static_cast<char>(h & 0xFF);
                h >>= 8;
            }
        }
    }
    if (imei) {
        if (!imei_is_valid(*imei)) {
            error = imei_problem(*imei);
            return std::nullopt;
        }
        id.imei = std::move(*imei);
    } else {
        // TAC 86xxxxxx (as the module's), serial from the unique id, then the Luhn digit.
        std::string body = "86" + digits_from(id.unique_id, 0x1111, 12);
        id.imei = body + luhn_check_digit(body);
    }
    id.imsi = "46000" + digits_from(id.unique_id, 0x2222, 10);
    std::string iccid = "898600" + digits_from(id.unique_id, 0x3333, 13);
    id.iccid = iccid + luhn_check_digit(iccid);
    return id;
}

}  // namespace platform_air780ep
