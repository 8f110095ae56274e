// The Air780EP's socket channels: 8 links shared by every adapter's mqtt, tcp and udp users
// (the seed's FAQ). A user takes one when it is created (`mqtt.create`) and gives it back when it
// is closed; the handle gives it back on destruction, so an error path cannot leak one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace platform_air780ep {

class ChannelPool;

// One taken channel. Move-only; releases on destruction or release().
class Channel {
  public:
    Channel() = default;
    Channel(Channel&& other) noexcept;
    Channel& operator=(Channel&& other) noexcept;
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;
    ~Channel() { release(); }

    void release();
    [[nodiscard]] bool held() const { return pool_ != nullptr; }
    explicit operator bool() const { return held(); }
    [[nodiscard]] std::size_t index() const { return index_; }  // 0..capacity-1

  private:
    friend class ChannelPool;
    Channel(ChannelPool* pool, std::size_t index) : pool_(pool), index_(index) {}

    ChannelPool* pool_ = nullptr;
    std::size_t index_ = 0;
};

class ChannelPool {
  public:
    static constexpr std::size_t kAir780epChannels = 8;

    explicit ChannelPool(std::size_t capacity = kAir780epChannels);
    ChannelPool(const ChannelPool&) = delete;
    ChannelPool& operator=(const ChannelPool&) = delete;
    ~ChannelPool();  // every Channel must be gone by then

    // Take a free channel for `user` ("mqtt", "tcp", "udp"...). When all are taken returns nullopt
    // with a message naming the users in `error`.
    std::optional<Channel> acquire(std::string_view user, std::string& error);

    [[nodiscard]] std::size_t capacity() const { return users_.size(); }
    [[nodiscard]] std::size_t in_use() const;
    [[nodiscard]] std::size_t available() const { return capacity() - in_use(); }
    // "mqtt,mqtt,tcp,-,-,-,-,-" (for status and the log)
    [[nodiscard]] std::string describe() const;

  private:
    friend class Channel;
    void release(std::size_t index);

    std::vector<std::string> users_;  // empty string: free
};

}  // namespace platform_air780ep
