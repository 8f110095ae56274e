#include "platform_air780ep/channel_pool.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace platform_air780ep {

Channel::Channel(Channel&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), index_(other.index_) {}

Channel& Channel::operator=(Channel&& other) noexcept {
    if (this != &other) {
        release();
        pool_ = std::exchange(other.pool_, nullptr);
        index_ = other.index_;
    }
    return *this;
}

void Channel::release() {
    if (pool_ != nullptr) std::exchange(pool_, nullptr)->release(index_);
}

ChannelPool::ChannelPool(std::size_t capacity) : users_(capacity) {}

ChannelPool::~ChannelPool() {
    assert(in_use() == 0 && "a Channel outlived its ChannelPool");
}

std::optional<Channel> ChannelPool::acquire(std::string_view user, std::string& error) {
    const std::string name = user.empty() ? std::string("socket") : std::string(user);
    for (std::size_t i = 0; i < users_.size(); ++i) {
        if (users_[i].empty()) {
            users_[i] = name;
            return Channel(this, i);
        }
    }
    error = "no free socket channel for " + name + ": all " + std::to_string(users_.size()) + " in use (" +
            describe() + ")";
    return std::nullopt;
}

std::size_t ChannelPool::in_use() const {
    return static_cast<std::size_t>(
        std::count_if(users_.begin(), users_.end(), [](const std::string& u) { return !u.empty(); }));
}

std::string ChannelPool::describe() const {
    std::string s;
    for (const auto& u : users_) {
        if (!s.empty()) s += ',';
        s += u.empty() ? "-" : u;
    }
    return s;
}

void ChannelPool::release(std::size_t index) {
    users_.at(index).clear();
}

}  // namespace platform_air780ep
