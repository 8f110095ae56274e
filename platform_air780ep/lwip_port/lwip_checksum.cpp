// The Internet checksum for the simulated module's lwIP (LWIP_CHKSUM and LWIP_CHKSUM_COPY in
// lwipopts.h). Every TCP segment lwIP sends is summed (slirp verifies the sums), and lwIP's portable
// loop takes 2 bytes a step: on the bench's lwIP storm it was the largest single cost of the process
// (~6% of its CPU). Here 8 bytes a step with unaligned loads (x86 has no alignment penalty that
// matters), and the copy into a segment sums as it goes: ~0.4 instructions a byte against ~3.
//
// Contract (lwIP's lwip_standard_chksum): the folded, non-inverted one's complement sum of the data
// read as 16-bit words in host byte order, pairs starting at the first byte, a lone last byte as the
// low-address half of a word.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "lwipopts.h"

namespace {

// 64-bit words summed with end-around carry: the one's complement sum is the same at any width that
// is a multiple of 16 bits, so it folds down to the 16-bit one at the end.
struct Sum {
    std::uint64_t sum = 0;
    std::uint64_t carries = 0;  // each wrap of `sum` is worth one more

    void add(std::uint64_t w) {
        sum += w;
        carries += sum < w ? 1 : 0;
    }
    [[nodiscard]] std::uint16_t folded() const {
        std::uint64_t s = sum + carries;
        s += s < carries ? 1 : 0;
        s = (s & 0xFFFFFFFFu) + (s >> 32);
        s = (s & 0xFFFFFFFFu) + (s >> 32);
        s = (s & 0xFFFFu) + (s >> 16);
        s = (s & 0xFFFFu) + (s >> 16);
        return static_cast<std::uint16_t>(s);
    }
};

std::uint64_t load64(const std::uint8_t* p) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, 8);
    return w;
}

// The last len < 8 bytes as one word, zero padded (a lone last byte is the first half of a word).
std::uint64_t tail_word(const std::uint8_t* p, std::size_t len) {
    std::uint8_t tail[8] = {};
    std::memcpy(tail, p, len);
    return load64(tail);
}

std::uint16_t sum_bytes(const std::uint8_t* src, std::size_t len) {
    Sum s;
    for (; len >= 32; src += 32, len -= 32) {
        s.add(load64(src));
        s.add(load64(src + 8));
        s.add(load64(src + 16));
        s.add(load64(src + 24));
    }
    for (; len >= 8; src += 8, len -= 8)
        s.add(load64(src));
    s.add(tail_word(src, len));
    return s.folded();
}

std::uint16_t copy_and_sum(std::uint8_t* dst, const std::uint8_t* src, std::size_t len) {
    Sum s;
    for (; len >= 32; src += 32, dst += 32, len -= 32) {
        const std::uint64_t w0 = load64(src);
        const std::uint64_t w1 = load64(src + 8);
        const std::uint64_t w2 = load64(src + 16);
        const std::uint64_t w3 = load64(src + 24);
        std::memcpy(dst, &w0, 8);
        std::memcpy(dst + 8, &w1, 8);
        std::memcpy(dst + 16, &w2, 8);
        std::memcpy(dst + 24, &w3, 8);
        s.add(w0);
        s.add(w1);
        s.add(w2);
        s.add(w3);
    }
    for (; len >= 8; src += 8, dst += 8, len -= 8) {
        const std::uint64_t w = load64(src);
        std::memcpy(dst, &w, 8);
        s.add(w);
    }
    std::memcpy(dst, src, len);
    s.add(tail_word(src, len));
    return s.folded();
}

}  // namespace

extern "C" unsigned short luat_lwip_chksum(const void* dataptr, int len) {
    if (len <= 0) return 0;
    return sum_bytes(static_cast<const std::uint8_t*>(dataptr), static_cast<std::size_t>(len));
}

extern "C" unsigned short luat_lwip_chksum_copy(void* dst, const void* src, unsigned short len) {
    return copy_and_sum(static_cast<std::uint8_t*>(dst), static_cast<const std::uint8_t*>(src), len);
}
