// Test support: echo peers on their own threads, on free 127.0.0.1 ports, for the socket module's
// tests and benchmarks. TcpEchoServer accepts any number of connections and sends back every byte
// it gets; UdpEchoPeer sends every datagram back to where it came from. Both count what they saw, so
// a test can wait for a condition instead of a moment. The destructor stops the thread and closes
// every socket. They throw std::runtime_error when they cannot be set up.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tests {

class TcpEchoServer {
  public:
    TcpEchoServer();
    ~TcpEchoServer();
    TcpEchoServer(const TcpEchoServer&) = delete;
    TcpEchoServer& operator=(const TcpEchoServer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::size_t connections_accepted() const { return accepted_.load(); }
    [[nodiscard]] std::size_t bytes_echoed() const { return echoed_.load(); }
    // Close every accepted connection now (the device sees the peer close: FIN).
    void close_clients();

  private:
    void run();

    int listen_fd_ = -1;
    int wake_[2] = {-1, -1};
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> accepted_{0};
    std::atomic<std::size_t> echoed_{0};
    std::atomic<bool> close_clients_{false};
    std::thread thread_;
};

class UdpEchoPeer {
  public:
    // What to send back for the datagram number `index` (from 0): nullopt sends nothing.
    using Reply = std::function<std::optional<std::string>(std::size_t index, const std::string& datagram)>;
    // On a free port, or on `port` (say the port of a TcpEchoServer: TCP and UDP ports are apart).
    explicit UdpEchoPeer(std::uint16_t port = 0);
    // A sink that answers each datagram as `reply` says instead of echoing it (errDump's server).
    explicit UdpEchoPeer(Reply reply);
    ~UdpEchoPeer();
    UdpEchoPeer(const UdpEchoPeer&) = delete;
    UdpEchoPeer& operator=(const UdpEchoPeer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::size_t datagrams() const { return datagrams_.load(); }
    // Every datagram received so far, in order.
    [[nodiscard]] std::vector<std::string> received() const;

  private:
    void run();

    int fd_ = -1;
    int wake_[2] = {-1, -1};
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> datagrams_{0};
    mutable std::mutex mutex_;
    std::vector<std::string> received_;
    Reply reply_;
    std::thread thread_;
};

}  // namespace tests
