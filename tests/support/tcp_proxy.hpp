// Test support: a TCP proxy on its own thread between a device and a broker (127.0.0.1 both sides),
// to cut the link in the middle of a stream while the broker stays up: cut() closes every proxied
// connection on both sides at once and refuses new ones (the listening socket is closed) for a while.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace tests {

class TcpProxy {
  public:
    // Listens on a free 127.0.0.1 port and forwards to 127.0.0.1:target_port.
    explicit TcpProxy(std::uint16_t target_port);
    ~TcpProxy();
    TcpProxy(const TcpProxy&) = delete;
    TcpProxy& operator=(const TcpProxy&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    // Close both sides of every connection now (returns once they are closed); refuse connections
    // for `refuse_for`.
    void cut(std::chrono::milliseconds refuse_for);
    [[nodiscard]] std::size_t connections_accepted() const { return accepted_.load(); }
    [[nodiscard]] std::size_t cuts() const { return cuts_.load(); }

  private:
    void run(int listen_fd);
    int listen_on(std::uint16_t port);

    std::uint16_t target_;
    std::uint16_t port_ = 0;
    int wake_[2] = {-1, -1};
    std::mutex mutex_;
    std::condition_variable cut_done_;
    std::chrono::milliseconds pending_cut_{-1};  // guarded by mutex_
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> accepted_{0};
    std::atomic<std::size_t> cuts_{0};
    std::thread thread_;
};

}  // namespace tests
