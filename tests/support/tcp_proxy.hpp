// Test support: a TCP proxy on its own thread between a device and a broker (127.0.0.1 both sides),
// to cut the link in the middle of a stream while the broker stays up. A cut closes every proxied
// connection on both sides at once (a reset, as when a cellular link's NAT forgets them) and refuses
// new ones (the listening socket is closed) for a while.
//
// The proxy reads what the device sends as MQTT 3.1.1 (fixed header, remaining length) and records
// every PUBLISH in it, so a test can cut at an exact point of the stream instead of at a moment:
// cut_after_publish() cuts once a chosen PUBLISH has gone to the broker, before anything the broker
// sends after it (its PUBACK) can reach the device.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tests {

// A PUBLISH the device sent through the proxy.
struct ProxiedPublish {
    std::size_t connection = 0;  // 1 for the first connection the proxy accepted, 2 for the next...
    std::string topic;
    std::string payload;
    int qos = 0;
    bool dup = false;
    std::uint16_t packet_id = 0;  // 0 at QoS 0
};

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
    // Cut as cut() does, once: right after the last byte of the first PUBLISH that `match` accepts has
    // been forwarded to the broker, from the proxy's thread, forwarding nothing more either way.
    // `match` runs on the proxy's thread.
    void cut_after_publish(std::function<bool(const ProxiedPublish&)> match,
                           std::chrono::milliseconds refuse_for);
    // Every PUBLISH the device sent through the proxy so far, in order (the one a cut followed
    // included).
    [[nodiscard]] std::vector<ProxiedPublish> publishes() const;
    [[nodiscard]] std::size_t connections_accepted() const { return accepted_.load(); }
    [[nodiscard]] std::size_t cuts() const { return cuts_.load(); }

  private:
    struct Pair;
    void run(int listen_fd);
    int listen_on(std::uint16_t port);
    // Forward what the device sent; false when either side ended. Sets `cut_now` when a PUBLISH the
    // armed match accepts has just been forwarded.
    bool from_device(Pair& p, bool& cut_now);
    // Packets complete at the front of p's unparsed bytes: recorded and removed. Returns how many
    // bytes of the last `fresh` ones end the PUBLISH the armed match accepts, or 0.
    std::size_t take_packets(Pair& p, std::size_t fresh);

    std::uint16_t target_;
    std::uint16_t port_ = 0;
    int wake_[2] = {-1, -1};
    mutable std::mutex mutex_;
    std::condition_variable cut_done_;
    std::chrono::milliseconds pending_cut_{-1};             // guarded by mutex_
    std::function<bool(const ProxiedPublish&)> cut_match_;  // guarded by mutex_
    std::chrono::milliseconds cut_match_refuse_{0};         // guarded by mutex_
    std::vector<ProxiedPublish> publishes_;                 // guarded by mutex_
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> accepted_{0};
    std::atomic<std::size_t> cuts_{0};
    std::thread thread_;
};

}  // namespace tests
