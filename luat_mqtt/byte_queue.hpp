// One contiguous FIFO of bytes: the engine's send queue (packets are encoded straight into its tail, the
// transport takes from its head, so many small packets leave in one write) and the platform streams'
// receive and send buffers. Memory is reused: once the queue has grown to its working size, appending
// and consuming allocate nothing; release() gives it back (an idle connection keeps no peak buffer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace luat_mqtt {

class ByteQueue {
  public:
    ByteQueue() = default;
    ByteQueue(const ByteQueue&) = delete;
    ByteQueue& operator=(const ByteQueue&) = delete;

    // Reserve `n` bytes at the tail and return them for the caller to fill. The span is valid until
    // the next call that changes the queue.
    std::span<std::uint8_t> append(std::size_t n);
    void append(std::span<const std::uint8_t> bytes);

    // The queued bytes, oldest first, contiguous.
    [[nodiscard]] std::span<const std::uint8_t> data() const { return {buf_.get() + head_, tail_ - head_}; }
    void consume(std::size_t n);
    // Copy up to out.size() bytes from the head into `out` and consume them; returns the count.
    std::size_t take(std::span<std::uint8_t> out);
    void clear() { head_ = tail_ = 0; }

    [[nodiscard]] std::size_t size() const { return tail_ - head_; }
    [[nodiscard]] bool empty() const { return head_ == tail_; }
    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    // Give the memory back (a closed client keeps nothing).
    void release();

  private:
    std::unique_ptr<std::uint8_t[]> buf_;
    std::size_t capacity_ = 0;
    std::size_t head_ = 0;
    std::size_t tail_ = 0;
};

}  // namespace luat_mqtt
