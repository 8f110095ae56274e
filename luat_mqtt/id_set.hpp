// A set of 16-bit packet identifiers (ids in flight, incoming QoS 2 ids held between PUBREC and
// PUBREL): a sorted vector. A client holds a handful of ids at a time (the in-flight window is 20 by
// default), so this costs a few bytes per client where a 65536-bit bitmap would cost 8 KiB each; the
// vector keeps its capacity, so the steady state does not allocate.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace luat_mqtt {

class IdSet {
  public:
    [[nodiscard]] bool contains(std::uint16_t id) const {
        return std::binary_search(ids_.begin(), ids_.end(), id);
    }
    // Returns true if the id was not there before.
    bool insert(std::uint16_t id) {
        auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
        if (it != ids_.end() && *it == id) return false;
        ids_.insert(it, id);
        return true;
    }
    // Returns true if the id was there.
    bool erase(std::uint16_t id) {
        auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
        if (it == ids_.end() || *it != id) return false;
        ids_.erase(it);
        return true;
    }
    void clear() { ids_.clear(); }
    [[nodiscard]] std::size_t size() const { return ids_.size(); }
    [[nodiscard]] bool empty() const { return ids_.empty(); }

    // Calls f(id) for every id, in ascending order.
    template <class F>
    void for_each(F&& f) const {
        for (std::uint16_t id : ids_)
            f(id);
    }

  private:
    std::vector<std::uint16_t> ids_;
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

}  // namespace luat_mqtt
