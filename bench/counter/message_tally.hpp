// What bench_counter learns from the payloads it receives: how many, which sequence numbers (lost,
// duplicated, out of order), and when the first and the last arrived.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "bench/peers/json_line.hpp"

namespace bench {

class MessageTally {
  public:
    // Sequence numbers 1..expected are valid; `payload_size` 0 accepts any size.
    MessageTally(std::uint64_t expected, std::size_t payload_size);

    void add(std::span<const unsigned char> payload, std::uint64_t now_ns);

    [[nodiscard]] std::uint64_t received() const { return received_; }
    [[nodiscard]] std::uint64_t unique() const { return unique_; }
    [[nodiscard]] bool complete() const { return unique_ == expected_; }
    [[nodiscard]] std::uint64_t last_ns() const { return last_ns_; }

    // received, unique, duplicates, missing, out_of_order, bad_payload, first_to_last_s, rate.
    void add_to(JsonLine& out) const;

  private:
    std::uint64_t expected_;
    std::size_t payload_size_;
    std::vector<bool> seen_;  // index = sequence number
    std::uint64_t received_ = 0;
    std::uint64_t unique_ = 0;
    std::uint64_t duplicates_ = 0;
    std::uint64_t out_of_order_ = 0;
    std::uint64_t bad_payload_ = 0;
    std::uint64_t highest_ = 0;
    std::uint64_t first_ns_ = 0;
    std::uint64_t last_ns_ = 0;
};

}  // namespace bench
