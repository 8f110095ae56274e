// The bench payload: the message's sequence number as 10 zero-padded decimal digits, then 'x' up to the
// payload size. Every publisher (C peers and Lua scripts) writes this shape and bench_counter reads it back
// to find lost, duplicated and reordered messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace bench {

inline constexpr std::size_t kSeqDigits = 10;

class SeqPayload {
  public:
    // `size` >= kSeqDigits (checked by the option parser).
    explicit SeqPayload(std::size_t size);
    // Write `seq` (< 10^10) into the digits; the filler stays.
    void set(std::uint64_t seq);
    [[nodiscard]] std::span<const char> bytes() const { return buf_; }

  private:
    std::vector<char> buf_;
};

// The sequence number of a payload, or nullopt when it does not start with kSeqDigits digits.
std::optional<std::uint64_t> parse_seq(std::span<const unsigned char> payload);

}  // namespace bench
