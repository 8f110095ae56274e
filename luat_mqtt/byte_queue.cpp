#include "luat_mqtt/byte_queue.hpp"

#include <algorithm>
#include <cstring>

namespace luat_mqtt {

std::span<std::uint8_t> ByteQueue::append(std::size_t n) {
    if (capacity_ - tail_ < n) {
        const std::size_t used = tail_ - head_;
        if (capacity_ - used >= n && head_ >= used) {
            // Enough room once the consumed prefix is dropped, and the move is cheap relative to it.
            std::memmove(buf_.get(), buf_.get() + head_, used);
        } else {
            const std::size_t cap = std::max({capacity_ * 2, used + n, std::size_t{256}});
            auto grown = std::make_unique_for_overwrite<std::uint8_t[]>(cap);
            if (used > 0) std::memcpy(grown.get(), buf_.get() + head_, used);
            buf_ = std::move(grown);
            capacity_ = cap;
        }
        head_ = 0;
        tail_ = used;
    }
    std::span<std::uint8_t> out{buf_.get() + tail_, n};
    tail_ += n;
    return out;
}

void ByteQueue::append(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return;
    const auto out = append(bytes.size());
    std::memcpy(out.data(), bytes.data(), bytes.size());
}

void ByteQueue::consume(std::size_t n) {
    head_ += std::min(n, size());
    if (head_ == tail_) head_ = tail_ = 0;
}

std::size_t ByteQueue::take(std::span<std::uint8_t> out) {
    const std::size_t n = std::min(out.size(), size());
    if (n > 0) std::memcpy(out.data(), buf_.get() + head_, n);
    consume(n);
    return n;
}

void ByteQueue::release() {
    buf_.reset();
    capacity_ = head_ = tail_ = 0;
}

}  // namespace luat_mqtt
