#include "bench/counter/message_tally.hpp"

#include "bench/peers/measure.hpp"
#include "bench/peers/seq_payload.hpp"

namespace bench {

MessageTally::MessageTally(std::uint64_t expected, std::size_t payload_size)
    : expected_(expected), payload_size_(payload_size), seen_(expected + 1, false) {}

void MessageTally::add(std::span<const unsigned char> payload, std::uint64_t now_ns) {
    if (received_ == 0) first_ns_ = now_ns;
    last_ns_ = now_ns;
    ++received_;
    const auto seq = parse_seq(payload);
    if (!seq || *seq == 0 || *seq > expected_ || (payload_size_ != 0 && payload.size() != payload_size_)) {
        ++bad_payload_;
        return;
    }
    if (seen_[*seq]) {
        ++duplicates_;
        return;
    }
    seen_[*seq] = true;
    ++unique_;
    if (*seq < highest_) ++out_of_order_;
    if (*seq > highest_) highest_ = *seq;
}

void MessageTally::add_to(JsonLine& out) const {
    const double span_s = received_ > 1 ? seconds_between(first_ns_, last_ns_) : 0.0;
    out.add("expected", expected_)
        .add("received", received_)
        .add("unique", unique_)
        .add("duplicates", duplicates_)
        .add("missing", expected_ - unique_)
        .add("out_of_order", out_of_order_)
        .add("bad_payload", bad_payload_)
        .add("first_to_last_s", span_s);
    // Messages per second over the gaps between the first and the last arrival.
    if (span_s > 0) out.add("rate", static_cast<double>(received_ - 1) / span_s);
}

}  // namespace bench
