// The module's SNTP client, as LuatOS's libsntp (components/network/libsntp/luat_sntp.c) runs it:
// up to three servers (ntp.aliyun.com, ntp.ntsc.ac.cn, time1.cloud.tencent.com by default) asked
// in order, one request each with 2 s to answer; the first answer sets the module's clock and
// ends the sync with "update", no answer from any of them with "error". docs/modules/sntp.md.
//
// The datagrams go over an NtpPath of the adapter: lwIP's raw UDP on the simulated link
// (socket.LWIP_GP) or a host UDP socket (socket.ETH0); both apply the host map, and a server the
// map does not send elsewhere is the simulated network's NTP server (ntp_responder.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "platform_air780ep/adapter_table.hpp"
#include "platform_air780ep/channel_pool.hpp"
#include "platform_air780ep/host_map.hpp"
#include "platform_air780ep/module_clock.hpp"
#include "sys_task/event_loop.hpp"
#include "sys_task/logger.hpp"

namespace platform_air780ep {

class LwipStack;

// One adapter's UDP "connection" to an NTP server.
class NtpPath {
  public:
    using Receiver = std::function<void(std::span<const std::uint8_t> datagram)>;
    virtual ~NtpPath() = default;
    // Send `packet` to host:port (after the host map), receiving from that server only. False, with
    // the reason in `error`, when the server cannot be reached at all (what LuatOS's network layer
    // reports as a failed connect: a name without an address, an address off the link).
    virtual bool send(const std::string& host, std::uint16_t port, std::span<const std::uint8_t> packet,
                      std::string& error) = 0;
    // Forget the server (LuatOS's force-close): later datagrams from it are dropped.
    virtual void close() = 0;
    void set_receiver(Receiver receiver) { receiver_ = std::move(receiver); }
    // The socket channel the sync takes (LuatOS allocates a network ctrl), given back with the path.
    void hold(Channel channel) { channel_.emplace(std::move(channel)); }

  protected:
    Receiver receiver_;
    std::optional<Channel> channel_;
};

// socket.LWIP_GP: a raw-API UDP pcb on the simulated link. Unmapped servers are the gateway's port
// 123; a mapped name resolves as the link's DNS answers it (this host: the gateway; elsewhere:
// unreachable); the map's port replaces the script's.
std::unique_ptr<NtpPath> make_lwip_ntp_path(LwipStack& stack, const HostMap& hosts);
// socket.ETH0: a host UDP socket. Unmapped servers are `local_ntp_port` on 127.0.0.1 (the simulated
// network's server for the host adapter, host_ntp_server.hpp); a mapped one is the map's address
// (an IPv4 literal or localhost) and port.
std::unique_ptr<NtpPath> make_host_ntp_path(sys_task::EventLoop& loop, const HostMap& hosts,
                                            std::uint16_t local_ntp_port);

// socket.ntptm()'s figures (luat_lib_sntp.c).
struct NtpTm {
    std::uint32_t ndelay = 0;  // mean network delay, ms
    std::uint64_t ssec = 0;    // boot instant, seconds since 1970 (0: never synced)
    std::int32_t sms = 0;      // its milliseconds
    std::uint64_t tsec = 0;    // now, seconds since 1970 (uptime + boot instant)
    std::uint64_t tms = 0;
    std::uint64_t lsec = 0;  // uptime, seconds
    std::uint64_t lms = 0;
    bool valid = false;  // "vaild": synced at least once
};

class SntpClient {
  public:
    static constexpr std::size_t kServerCount = 3;
    static constexpr std::size_t kServerLenMax = 32;   // SNTP_SERVER_LEN_MAX, with the NUL
    static constexpr std::uint64_t kTimeoutMs = 2000;  // per server (NTP_TIMEOUT_MS)
    enum class Result { kUpdate, kError };
    // The path of an adapter, holding one of the module's socket channels; nullptr when the adapter
    // has none or no channel is free (`error` says which).
    using PathFactory = std::function<std::unique_ptr<NtpPath>(int adapter, std::string& error)>;
    // How a finished sync is reported: LuatOS posts a message, whose handler cleans up and publishes.
    using Finished = std::function<void(Result)>;

    SntpClient(sys_task::EventLoop& loop, sys_task::Logger& log, ModuleClock& clock, AdapterTable& adapters,
               PathFactory factory, Finished finished);
    ~SntpClient();
    SntpClient(const SntpClient&) = delete;
    SntpClient& operator=(const SntpClient&) = delete;

    [[nodiscard]] std::array<std::string, kServerCount>& servers() { return servers_; }
    [[nodiscard]] std::uint16_t port() const { return port_ != 0 ? port_ : 123; }
    void set_port(std::uint16_t port) { port_ = port; }
    [[nodiscard]] bool running() const { return running_; }

    // ntp_get(): start a sync on `adapter`. False when it fails at once (bad adapter, no channel, no
    // server left): the caller reports the error as LuatOS does (a posted NTP_ERROR).
    bool start(int adapter);
    // ntp_cleanup(): stop, release the channel, forget the server index.
    void cleanup();
    [[nodiscard]] NtpTm tm() const;

  private:
    bool connect_next();
    void send_request();
    void on_datagram(std::span<const std::uint8_t> datagram);
    void on_result(Result result);
    void on_timeout();
    void stop_timer();
    void stop_waiting();

    sys_task::EventLoop& loop_;
    sys_task::Logger& log_;
    ModuleClock& clock_;
    AdapterTable& adapters_;
    PathFactory factory_;
    Finished finished_;
    std::array<std::string, kServerCount> servers_ = {"ntp.aliyun.com", "ntp.ntsc.ac.cn",
                                                      "time1.cloud.tencent.com"};
    std::uint16_t port_ = 0;
    int adapter_ = -1;
    std::unique_ptr<NtpPath> path_;
    std::size_t next_server_ = 0;
    std::string host_;  // the server being asked
    bool running_ = false;
    sys_task::EventLoop::TimerId timer_ = 0;
    AdapterTable::ListenerId waiting_ = 0;  // for the adapter to come up
    std::uint64_t generation_ = 0;          // a posted send of an earlier server checks it
    // The module's idea of its boot instant (seconds and ms since 1970) and the network delay.
    std::uint64_t sysboot_diff_sec_ = 0;
    std::int32_t sysboot_diff_ms_ = 0;
    std::uint32_t network_delay_ms_ = 0;
    std::array<std::int32_t, 8> ndelay_{};  // NTP_NETWORK_DELAY_CMAX
    std::size_t ndelay_count_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace platform_air780ep
