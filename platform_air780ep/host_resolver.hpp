// Host-name resolution for the host-socket adapter (socket.ETH0) without blocking the event loop:
// getaddrinfo (IPv4) runs on a short-lived helper thread and the answer comes back through a pipe
// that the loop watches. A lookup that is cancelled (or whose resolver is destroyed) finishes on
// its thread and is discarded; nothing it touches belongs to the resolver.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "platform_air780ep/frame_codec.hpp"
#include "sys_task/event_loop.hpp"

namespace platform_air780ep {

class HostResolver {
  public:
    // `address` set on success; otherwise `error` says why (getaddrinfo's message).
    using Done = std::function<void(std::optional<Ipv4> address, const std::string& error)>;

    explicit HostResolver(sys_task::EventLoop& loop) : loop_(loop) {}
    ~HostResolver() { cancel(); }
    HostResolver(const HostResolver&) = delete;
    HostResolver& operator=(const HostResolver&) = delete;

    // Start a lookup (cancelling one in progress). `done` runs from the event loop, never from
    // inside resolve(). False, with the reason in `error`, when the lookup cannot even start (no
    // descriptor left for its pipe); `done` is then never called.
    bool resolve(const std::string& name, Done done, std::string& error);
    void cancel();
    [[nodiscard]] bool busy() const { return lookup_ != nullptr; }

  private:
    struct Lookup;
    void finished();

    sys_task::EventLoop& loop_;
    std::shared_ptr<Lookup> lookup_;
    sys_task::EventLoop::WatchId watch_ = 0;
    Done done_;
};

}  // namespace platform_air780ep
