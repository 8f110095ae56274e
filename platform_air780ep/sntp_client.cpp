#include "platform_air780ep/sntp_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "lwip/pbuf.h"
#include "lwip/udp.h"
#include "platform_air780ep/dns_responder.hpp"
#include "platform_air780ep/lwip_stack.hpp"
#include "platform_air780ep/ntp_packet.hpp"

namespace platform_air780ep {

namespace {

// ---- socket.LWIP_GP ----

class LwipNtpPath final : public NtpPath {
  public:
    LwipNtpPath(LwipStack& stack, const HostMap& hosts) : stack_(stack), hosts_(hosts) {}
    ~LwipNtpPath() override { close(); }

    bool send(const std::string& host, std::uint16_t port, std::span<const std::uint8_t> packet,
              std::string& error) override {
        close();
        const HostMap::Route route = hosts_.route(host, port);
        const Ipv4 gateway = stack_.config().gateway;
        if (route.mapped) {
            // Where the map sends it, as the link's DNS (or, for a literal, the link) sees it.
            const std::string& target = route.host;
            if (!is_loopback_host(target)) {
                const bool literal = parse_ipv4(host).has_value();
                std::string reason;
                if (literal || !DnsResponder(hosts_, gateway).resolve(host, reason)) {
                    error = literal ? target + " is not reachable over the simulated cellular link" : reason;
                    return false;
                }
            }
        }
        // Unmapped names and addresses are the simulated network's own NTP server, at the gateway.
        pcb_ = udp_new_ip_type(IPADDR_TYPE_V4);
        if (pcb_ == nullptr) {
            error = "no memory for a UDP pcb";
            return false;
        }
        udp_recv(pcb_, &LwipNtpPath::lwip_recv, this);
        ip_addr_t ip = IPADDR4_INIT(lwip_htonl(gateway));
        if (udp_connect(pcb_, &ip, route.port) != ERR_OK) {
            error = "udp_connect failed";
            return false;
        }
        pbuf* p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(packet.size()), PBUF_RAM);
        if (p == nullptr) {
            error = "no memory for a datagram";
            return false;
        }
        pbuf_take(p, packet.data(), static_cast<u16_t>(packet.size()));
        const err_t err = udp_send(pcb_, p);
        pbuf_free(p);
        if (err != ERR_OK) {
            error = std::string("udp_send: ") + lwip_strerr(err);
            return false;
        }
        return true;
    }

    void close() override {
        if (pcb_ != nullptr) udp_remove(pcb_);
        pcb_ = nullptr;
    }

  private:
    static void lwip_recv(void* arg, udp_pcb*, pbuf* p, const ip_addr_t*, u16_t) {
        auto* self = static_cast<LwipNtpPath*>(arg);
        std::vector<std::uint8_t> bytes(p->tot_len);
        pbuf_copy_partial(p, bytes.data(), p->tot_len, 0);
        pbuf_free(p);
        if (self->receiver_) self->receiver_(bytes);
    }

    LwipStack& stack_;
    const HostMap& hosts_;
    udp_pcb* pcb_ = nullptr;
};

// ---- socket.ETH0 ----

class HostNtpPath final : public NtpPath {
  public:
    HostNtpPath(sys_task::EventLoop& loop, const HostMap& hosts, std::uint16_t local_ntp_port)
        : loop_(loop), hosts_(hosts), local_ntp_port_(local_ntp_port) {}
    ~HostNtpPath() override { close(); }

    bool send(const std::string& host, std::uint16_t port, std::span<const std::uint8_t> packet,
              std::string& error) override {
        close();
        const HostMap::Route route = hosts_.route(host, port);
        std::optional<Ipv4> address = make_ipv4(127, 0, 0, 1);
        std::uint16_t to_port = local_ntp_port_;
        if (route.mapped) {
            address = is_loopback_host(route.host) ? make_ipv4(127, 0, 0, 1) : parse_ipv4(route.host);
            to_port = route.port;
            if (!address) {
                error = "the host map sends " + host + " to " + route.host +
                        ": give an IPv4 address (or localhost) for an NTP server";
                return false;
            }
        }
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd_ < 0) {
            error = std::string("socket: ") + std::strerror(errno);
            return false;
        }
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(to_port);
        to.sin_addr.s_addr = htonl(*address);
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0 ||
            ::send(fd_, packet.data(), packet.size(), 0) < 0) {
            error = ipv4_to_string(*address) + ":" + std::to_string(to_port) + ": " + std::strerror(errno);
            close();
            return false;
        }
        watch_ = loop_.watch_fd(fd_, POLLIN, [this](short) { readable(); });
        return true;
    }

    void close() override {
        if (watch_ != 0) loop_.unwatch_fd(watch_);
        watch_ = 0;
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

  private:
    void readable() {
        std::uint8_t buf[512];
        while (fd_ >= 0) {
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n < 0) return;  // EAGAIN, or ECONNREFUSED from a dead port: the timeout decides
            if (receiver_) receiver_(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)));
        }
    }

    sys_task::EventLoop& loop_;
    const HostMap& hosts_;
    std::uint16_t local_ntp_port_;
    int fd_ = -1;
    sys_task::EventLoop::WatchId watch_ = 0;
};

// LuatOS's reading of a timestamp word (ntptime2u32): seconds to Unix time (0 stays 0), or a
// fraction to microseconds (/4295).
std::uint32_t unix_seconds_of(std::uint32_t t) {
    if (t == 0) return 0;
    return t > 0x83AA7E80U ? t - 0x83AA7E80U : t + 0x7C558180U;
}
std::uint32_t micros_of(std::uint32_t fraction) {
    return fraction / 4295;
}

}  // namespace

std::unique_ptr<NtpPath> make_lwip_ntp_path(LwipStack& stack, const HostMap& hosts) {
    return std::make_unique<LwipNtpPath>(stack, hosts);
}

std::unique_ptr<NtpPath> make_host_ntp_path(sys_task::EventLoop& loop, const HostMap& hosts,
                                            std::uint16_t local_ntp_port) {
    return std::make_unique<HostNtpPath>(loop, hosts, local_ntp_port);
}

SntpClient::SntpClient(sys_task::EventLoop& loop, sys_task::Logger& log, ModuleClock& clock,
                       AdapterTable& adapters, PathFactory factory, Finished finished)
    : loop_(loop),
      log_(log),
      clock_(clock),
      adapters_(adapters),
      factory_(std::move(factory)),
      finished_(std::move(finished)) {}

SntpClient::~SntpClient() {
    cleanup();
}

void SntpClient::cleanup() {
    running_ = false;
    stop_timer();
    stop_waiting();
    path_.reset();
    next_server_ = 0;
    ++generation_;
}

void SntpClient::stop_timer() {
    if (timer_ != 0) loop_.cancel_timer(timer_);
    timer_ = 0;
}

void SntpClient::stop_waiting() {
    if (waiting_ != 0) adapters_.remove_listener(waiting_);
    waiting_ = 0;
}

bool SntpClient::start(int adapter) {
    if (adapter < 0 || adapter >= kAdapterCount) return false;
    std::string error;
    path_ = factory_(adapter, error);
    if (!path_) {
        log_.error("sntp", "network_alloc_ctrl fail");
        if (!error.empty()) log_.debug("sntp", error);
        return false;
    }
    path_->set_receiver([this](std::span<const std::uint8_t> d) { on_datagram(d); });
    adapter_ = adapter;
    running_ = true;
    return connect_next();
}

bool SntpClient::connect_next() {
    if (next_server_ >= kServerCount) return false;
    host_ = servers_[next_server_++];
    log_.debug("sntp", "query " + host_);
    const std::uint64_t generation = ++generation_;
    // As LuatOS's network_connect: wait for the adapter if it is not up yet; the request goes out
    // once "connected" (never from inside this call).
    // The posted sends may outlive this client (a run that ends): they hold only a weak token.
    auto send_later = [this, generation, alive = std::weak_ptr<bool>(alive_)] {
        loop_.post([this, generation, alive] {
            if (alive.expired() || generation != generation_ || !running_) return;
            stop_waiting();
            send_request();
        });
    };
    if (adapters_.is_ready(adapter_)) {
        send_later();
    } else {
        stop_waiting();
        waiting_ = adapters_.add_listener([this, send_later](const AdapterInfo& info) {
            if (info.id == adapter_ && info.up) send_later();
        });
    }
    stop_timer();
    timer_ = loop_.add_timer(kTimeoutMs, [this] {
        timer_ = 0;
        on_timeout();
    });
    return true;
}

void SntpClient::send_request() {
    NtpTimestamp transmit;
    if (sysboot_diff_sec_ > 0) {
        // The client's own estimate of now, the mean delay added (LuatOS's transmit timestamp).
        const std::uint64_t up = clock_.uptime_ms();
        const std::uint64_t ms = (sysboot_diff_sec_ + up / 1000) * 1000 +
                                 static_cast<std::uint64_t>(sysboot_diff_ms_) + up % 1000 + network_delay_ms_;
        transmit.seconds = static_cast<std::uint32_t>(ms / 1000 - 0x7C558180U);
        transmit.fraction = static_cast<std::uint32_t>((ms % 1000) * 1000 * 4295);
    }
    const auto request = make_ntp_request(transmit);
    std::string error;
    if (!path_ || !path_->send(host_, port(), request, error)) {
        log_.debug("sntp", host_ + ": " + error);
        on_result(Result::kError);  // the network layer's failed connect (event Param1 set)
    }
}

void SntpClient::on_timeout() {
    if (!running_ || !path_) return;
    log_.warn("sntp", "timeout send ntp_error");
    on_result(Result::kError);
}

void SntpClient::on_datagram(std::span<const std::uint8_t> datagram) {
    if (!running_) return;
    const std::uint64_t up = clock_.uptime_ms();
    const std::uint32_t ll_sec = static_cast<std::uint32_t>(up / 1000);
    const std::uint32_t ll_ms = static_cast<std::uint32_t>(up % 1000);
    const auto packet = parse_ntp_packet(datagram);
    if (!packet) {
        log_.info("sntp", "响应包不合法 result 0 rx_len " + std::to_string(datagram.size()));
        return;
    }
    const std::uint32_t time = unix_seconds_of(packet->transmit.seconds);
    clock_.set_unix_seconds(time);

    const auto ms_of = [](NtpTimestamp t) {
        return static_cast<std::int64_t>(unix_seconds_of(t.seconds)) * 1000 + micros_of(t.fraction) / 1000;
    };
    const std::uint32_t ot_sec = unix_seconds_of(packet->originate.seconds);
    const std::int64_t ot = ms_of(packet->originate);
    const std::int64_t rt = ms_of(packet->receive);
    const std::uint32_t tt_sec = unix_seconds_of(packet->transmit.seconds);
    const std::uint32_t tt_ms = micros_of(packet->transmit.fraction) / 1000;
    const std::int64_t tt = ms_of(packet->transmit);
    const std::int64_t mt = (static_cast<std::int64_t>(sysboot_diff_sec_ & 0xFFFFFFFFU) + ll_sec) * 1000 +
                            sysboot_diff_ms_ + ll_ms;
    const auto total_diff_ms = static_cast<std::int32_t>(((rt - ot) + (mt - tt)) / 2);

    sysboot_diff_sec_ = static_cast<std::uint32_t>(tt_sec - ll_sec);
    if (tt_ms < ll_ms) {
        --sysboot_diff_sec_;
        sysboot_diff_ms_ = static_cast<std::int32_t>(ll_ms - tt_ms);
    } else {
        sysboot_diff_ms_ = static_cast<std::int32_t>(tt_ms - ll_ms);
    }
    if (ot_sec != 0) {
        // Not the first exchange: the mean of the last eight round trips corrects the estimate.
        if (ndelay_count_ == 0) ndelay_count_ = ndelay_.size();
        if (network_delay_ms_ == 0) {
            ndelay_.fill(total_diff_ms);
        } else {
            for (std::size_t i = 0; i + 1 < ndelay_.size(); ++i)
                ndelay_[i] = ndelay_[i + 1];
            ndelay_.back() = total_diff_ms;
        }
        std::int32_t sum = 0;
        for (std::size_t i = 0; i < ndelay_count_; ++i)
            sum += ndelay_[i];
        if (sum < 0) sum = 0;
        const auto mean = static_cast<std::uint32_t>(sum) / static_cast<std::uint32_t>(ndelay_count_);
        log_.debug("sntp",
                   "修正网络延时(ms) " + std::to_string(network_delay_ms_) + " -> " + std::to_string(mean));
        network_delay_ms_ = mean;
    }
    log_.debug("sntp", "Unix timestamp: " + std::to_string(static_cast<std::int32_t>(time)));
    on_result(Result::kUpdate);
}

void SntpClient::on_result(Result result) {
    if (result == Result::kError && next_server_ < kServerCount) {
        // No answer (or no way to ask): try the next server.
        if (next_server_ > 0 && path_) path_->close();
        if (timer_ != 0) {
            log_.debug("sntp", "timer在运行, 关闭之");
            stop_timer();
        }
        log_.debug("sntp", "前一个ntp服务器未响应,尝试下一个");
        if (connect_next()) return;
        log_.debug("sntp", "luat_sntp_connect -1");
    }
    // Done: the owner's message cleans up and tells the scripts. Nothing more from this sync.
    stop_timer();
    stop_waiting();
    if (path_) path_->close();
    ++generation_;
    finished_(result);
}

NtpTm SntpClient::tm() const {
    NtpTm t;
    t.ndelay = network_delay_ms_;
    t.ssec = sysboot_diff_sec_;
    t.sms = sysboot_diff_ms_;
    const std::uint64_t up = clock_.uptime_ms();
    t.lsec = up / 1000;
    t.lms = up % 1000;
    const std::uint64_t ms =
        (t.lsec + sysboot_diff_sec_) * 1000 + t.lms + static_cast<std::uint64_t>(sysboot_diff_ms_);
    t.tsec = ms / 1000;
    t.tms = (ms % 1000) & 0xFFFF;
    t.valid = sysboot_diff_sec_ > 0;
    return t;
}

}  // namespace platform_air780ep
