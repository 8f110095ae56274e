// A FIFO of bytes for stream buffers: append at the back, take from the front, contiguous storage
// (compacted lazily, so taking is O(n) in the bytes taken, amortised).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace luat::platform {

class ByteQueue {
  public:
    [[nodiscard]] std::size_t size() const { return bytes_.size() - head_; }
    [[nodiscard]] bool empty() const { return size() == 0; }
    [[nodiscard]] std::span<const std::uint8_t> front() const {
        return std::span<const std::uint8_t>(bytes_).subspan(head_);
    }

    void append(std::span<const std::uint8_t> data) { bytes_.insert(bytes_.end(), data.begin(), data.end()); }

    // Copy up to out.size() bytes from the front and remove them; returns the count.
    std::size_t take(std::span<std::uint8_t> out) {
        const std::size_t n = std::min(out.size(), size());
        std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(head_), n, out.begin());
        consume(n);
        return n;
    }

    void consume(std::size_t n) {
        head_ += std::min(n, size());
        if (head_ == bytes_.size()) {
            bytes_.clear();
            head_ = 0;
        } else if (head_ > 4096 && head_ * 2 > bytes_.size()) {
            bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
    }

    void clear() {
        bytes_.clear();
        head_ = 0;
    }

    // Release the storage too (a long idle connection should not keep its peak buffer).
    void shrink() {
        if (empty()) {
            bytes_.clear();
            bytes_.shrink_to_fit();
            head_ = 0;
        }
    }

  private:
    std::vector<std::uint8_t> bytes_;
    std::size_t head_ = 0;
};

}  // namespace luat::platform
