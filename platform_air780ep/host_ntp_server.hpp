// The simulated network's NTP server for the host adapter (socket.ETH0): a UDP socket on
// 127.0.0.1 (an ephemeral port: binding 123 needs root) served from the event loop, answering
// from the same NetworkTime as the link's responder (ntp_responder.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "platform_air780ep/ntp_responder.hpp"
#include "sys_task/event_loop.hpp"

namespace platform_air780ep {

class HostNtpServer {
  public:
    // nullptr, with the reason in `error`, when the socket cannot be set up. `port` 0: any free one.
    static std::unique_ptr<HostNtpServer> create(sys_task::EventLoop& loop, const NetworkTime& time,
                                                 std::uint16_t port, std::string& error);
    ~HostNtpServer();
    HostNtpServer(const HostNtpServer&) = delete;
    HostNtpServer& operator=(const HostNtpServer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::uint64_t answered() const { return answered_; }

  private:
    HostNtpServer(sys_task::EventLoop& loop, const NetworkTime& time, int fd, std::uint16_t port);
    void readable();

    sys_task::EventLoop& loop_;
    const NetworkTime& time_;
    int fd_;
    std::uint16_t port_;
    sys_task::EventLoop::WatchId watch_ = 0;
    std::uint64_t answered_ = 0;
};

}  // namespace platform_air780ep
