#include "bench/peers/seq_payload.hpp"

namespace bench {

SeqPayload::SeqPayload(std::size_t size) : buf_(size < kSeqDigits ? kSeqDigits : size, 'x') {
    set(0);
}

void SeqPayload::set(std::uint64_t seq) {
    for (std::size_t i = kSeqDigits; i-- > 0;) {
        buf_[i] = static_cast<char>('0' + seq % 10);
        seq /= 10;
    }
}

std::optional<std::uint64_t> parse_seq(std::span<const unsigned char> payload) {
    if (payload.size() < kSeqDigits) return std::nullopt;
    std::uint64_t seq = 0;
    for (std::size_t i = 0; i < kSeqDigits; ++i) {
        const unsigned char c = payload[i];
        if (c < '0' || c > '9') return std::nullopt;
        seq = seq * 10 + (c - '0');
    }
    return seq;
}

}  // namespace bench
