// A set of 16-bit packet identifiers: a fixed 8 KiB bitmap, O(1) and allocation-free after
// construction (ids in flight, incoming QoS 2 ids held between PUBREC and PUBREL).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace luat::mqtt {

class IdSet {
  public:
    [[nodiscard]] bool contains(std::uint16_t id) const { return (bits_[id >> 6] >> (id & 63u)) & 1u; }
    // Returns true if the id was not there before.
    bool insert(std::uint16_t id) {
        if (contains(id)) return false;
        bits_[id >> 6] |= std::uint64_t{1} << (id & 63u);
        ++count_;
        return true;
    }
    // Returns true if the id was there.
    bool erase(std::uint16_t id) {
        if (!contains(id)) return false;
        bits_[id >> 6] &= ~(std::uint64_t{1} << (id & 63u));
        --count_;
        return true;
    }
    void clear() {
        bits_.fill(0);
        count_ = 0;
    }
    [[nodiscard]] std::size_t size() const { return count_; }
    [[nodiscard]] bool empty() const { return count_ == 0; }

    // Calls f(id) for every id, in ascending order.
    template <class F>
    void for_each(F&& f) const {
        for (std::size_t w = 0; w < bits_.size(); ++w) {
            for (std::uint64_t word = bits_[w]; word != 0; word &= word - 1) {
                f(static_cast<std::uint16_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(word))));
            }
        }
    }

  private:
    std::array<std::uint64_t, 65536 / 64> bits_{};
    std::size_t count_ = 0;
};

// The one message-id counter of a client, shared by QoS>0 PUBLISH, SUBSCRIBE and UNSUBSCRIBE
// (LuatOS libemqtt: post-increment, 16 bits). It never hands out 0 and skips ids still in use.
class MessageIds {
  public:
    // auth() sets the counter to 1; before any auth() it is 0 (whose turn is skipped).
    void reset(std::uint16_t next) { next_ = next; }
    [[nodiscard]] std::uint16_t peek_counter() const { return next_; }

    // The next free id, now marked in use; 0 if all 65535 are in use.
    std::uint16_t allocate() {
        if (in_use_.size() >= 65535) return 0;
        for (;;) {
            const std::uint16_t id = next_;
            next_ = static_cast<std::uint16_t>(next_ + 1);  // wraps 65535 -> 0, and 0 is skipped
            if (id != 0 && in_use_.insert(id)) return id;
        }
    }
    void release(std::uint16_t id) { in_use_.erase(id); }
    [[nodiscard]] bool in_use(std::uint16_t id) const { return in_use_.contains(id); }
    [[nodiscard]] std::size_t in_use_count() const { return in_use_.size(); }

  private:
    std::uint16_t next_ = 0;
    IdSet in_use_;
};

}  // namespace luat::mqtt
