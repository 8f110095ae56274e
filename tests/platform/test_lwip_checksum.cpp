// The simulated module's lwIP checksum (lwip_port/lwip_checksum.cpp) against RFC 1071's definition,
// for every length and start offset that matters (the 8-byte steps, the tail, odd addresses).
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "lwipopts.h"

namespace {

// The folded one's complement sum of 16-bit words in host order, the last odd byte padded with zero.
std::uint16_t reference_sum(const std::uint8_t* p, std::size_t len) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < len; i += 2) {
        std::uint16_t w = 0;
        std::memcpy(&w, p + i, 2);
        sum += w;
    }
    if ((len & 1) != 0) {
        const std::uint8_t last[2] = {p[len - 1], 0};
        std::uint16_t w = 0;
        std::memcpy(&w, last, 2);
        sum += w;
    }
    while ((sum >> 16) != 0)
        sum = (sum & 0xFFFFu) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

}  // namespace

TEST_CASE("lwIP checksum: the RFC 1071 sum at every length and alignment, and the copy copies") {
    std::mt19937 rng(7);
    std::vector<std::uint8_t> data(1600 + 8);
    for (auto& b : data)
        b = static_cast<std::uint8_t>(rng());
    std::vector<std::uint8_t> all_ones(64, 0xFF);  // carries on every word
    int checked = 0;
    for (std::size_t offset = 0; offset < 8; ++offset) {
        for (std::size_t len = 0; len <= 1600; len += (len < 80 ? 1 : 37)) {
            const std::uint8_t* src = data.data() + offset;
            REQUIRE(luat_lwip_chksum(src, static_cast<int>(len)) == reference_sum(src, len));
            std::vector<std::uint8_t> dst(len + 16, 0xAA);
            REQUIRE(luat_lwip_chksum_copy(dst.data() + 3, src, static_cast<unsigned short>(len)) ==
                    reference_sum(src, len));
            REQUIRE(std::memcmp(dst.data() + 3, src, len) == 0);
            REQUIRE(dst[2] == 0xAA);
            REQUIRE(dst[3 + len] == 0xAA);  // nothing written past the end
            ++checked;
        }
    }
    CHECK(checked == 8 * 122);  // lengths 0..79, then 80..1600 by 37
    CHECK(luat_lwip_chksum(all_ones.data(), 64) == 0xFFFF);
    CHECK(luat_lwip_chksum(data.data(), 0) == 0);
    CHECK(luat_lwip_chksum(data.data(), -1) == 0);
}
