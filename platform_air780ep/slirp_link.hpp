// The simulated cellular link: lwIP's Ethernet frames go through the safety filter and the link
// model (delay, jitter, loss, bandwidth, outages) to the network side, where DNS queries to the
// gateway are answered from the host map and everything else enters libslirp (user-mode NAT, no
// root), which connects the gateway address to the host's 127.0.0.1. Frames from slirp come back
// through the link model and are handed to the guest (lwIP) from the event loop, never from inside
// a call into slirp or lwIP.
//
//   guest 10.0.2.15/24 --[filter]--> up pipe --> DNS responder | slirp (gateway 10.0.2.2 = host loopback)
//   guest <------------------------- down pipe <-- DNS answers | slirp
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "platform_air780ep/dns_responder.hpp"
#include "platform_air780ep/frame_filter.hpp"
#include "platform_air780ep/gateway_firewall.hpp"
#include "platform_air780ep/link_model.hpp"
#include "platform_air780ep/ntp_responder.hpp"
#include "platform_air780ep/slirp_connections.hpp"
#include "sys_task/event_loop.hpp"
#include "sys_task/logger.hpp"

struct Slirp;

namespace platform_air780ep {

// What the network stack sees of its link: frames out, frames in.
class FrameLink {
  public:
    using Receiver = std::function<void(std::span<const std::uint8_t> frame)>;
    // A frame from the guest. Never calls back into the guest.
    virtual void transmit(std::span<const std::uint8_t> frame) = 0;
    // Where frames for the guest go; called from the event loop only.
    virtual void set_receiver(Receiver receiver) = 0;

  protected:
    ~FrameLink() = default;
};

// Link up/down changes, for the device's IP_LOSE / IP_READY. Called from the event loop.
class LinkStateListener {
  public:
    virtual void on_link_down() = 0;
    virtual void on_link_up() = 0;

  protected:
    ~LinkStateListener() = default;
};

struct SlirpLinkConfig {
    Ipv4 network = make_ipv4(10, 0, 2, 0);
    Ipv4 netmask = make_ipv4(255, 255, 255, 0);
    Ipv4 gateway = make_ipv4(10, 0, 2, 2);  // slirp's host alias: the host's 127.0.0.1
    Ipv4 guest = make_ipv4(10, 0, 2, 15);
    std::array<std::uint8_t, 6> guest_mac = kGuestMac;  // told to slirp at start: nobody ARPs
    LinkSettings link;
};

class SlirpLink final : public sys_task::PollSource, public FrameLink {
  public:
    // nullptr, with the reason in `error`, if libslirp refuses to set up the link.
    static std::unique_ptr<SlirpLink> create(sys_task::EventLoop& loop, sys_task::Logger& log,
                                             const HostMap& hosts, const SlirpLinkConfig& config,
                                             std::string& error);
    ~SlirpLink() override;
    SlirpLink(const SlirpLink&) = delete;
    SlirpLink& operator=(const SlirpLink&) = delete;

    void transmit(std::span<const std::uint8_t> frame) override;
    void set_receiver(Receiver receiver) override { receiver_ = std::move(receiver); }
    // Sees every frame the link model delivers, either way (ARP and DNS included), at its delivery
    // time on the link's clock: what the network carried (the capture, link_capture.hpp). Dropped
    // frames never reach it. Empty: none.
    using Tap =
        std::function<void(LinkDirection dir, std::span<const std::uint8_t> frame, std::uint64_t now_us)>;
    void set_tap(Tap tap) { tap_ = std::move(tap); }

    // ---- control (tests, the control socket, the command line) ----
    void configure(const LinkSettings& settings);
    [[nodiscard]] const LinkSettings& settings() const { return model_.settings(); }
    void set_down();  // until set_up()
    void set_up();
    void outage(std::uint64_t duration_ms);  // down now, up again by itself
    [[nodiscard]] bool is_up() const { return model_.is_up(); }
    // --forward HOSTPORT=DEVICEPORT: TCP connections to the host's 127.0.0.1:host_port reach the
    // module's device_port (a socket.listen server); `udp`: datagrams to it reach a UDP socket bound
    // to device_port, and its replies go back to the sender. False, with the reason, if slirp refuses.
    bool add_forward(std::uint16_t host_port, std::uint16_t device_port, std::string& error,
                     bool udp = false);
    void add_listener(LinkStateListener* listener);
    // The simulated network's NTP server at the gateway's UDP port 123 (nullptr: none, the requests
    // go to slirp). It must outlive the link or be reset first.
    void set_ntp_responder(const NtpResponder* ntp) { ntp_ = ntp; }
    void remove_listener(LinkStateListener* listener);

    // ---- state ----
    [[nodiscard]] const SlirpLinkConfig& config() const { return config_; }
    [[nodiscard]] const FrameFilterCounts& filter_counts() const { return filter_.counts(); }
    [[nodiscard]] const LinkCounters& counters(LinkDirection dir) const { return model_.counters(dir); }
    [[nodiscard]] std::uint64_t dns_answered() const { return dns_answered_; }
    // Frames the gateway refused: to a port of this host the host map does not name.
    [[nodiscard]] std::uint64_t gateway_refused() const { return gateway_refused_; }
    // ARP frames offered to the link, either way. The link is point to point: this stays 0.
    [[nodiscard]] std::uint64_t arp_frames() const { return arp_frames_; }
    // One line: state, settings, counters (the control socket's `status`).
    [[nodiscard]] std::string status() const;
    // Microseconds on the link's clock (the event loop's uptime clock).
    [[nodiscard]] std::uint64_t now_us() const;
    // Frames on their way through the link model in that direction (sent, not yet delivered).
    [[nodiscard]] std::size_t in_flight(LinkDirection dir) const { return model_.in_flight(dir); }
    // Hand slirp a reset from the module for its connection from guest:source_port to
    // gateway:gateway_port, as if it had crossed the link (it does not: it stands for one the module
    // would send). slirp then closes the host socket and frees the connection's buffers.
    void reset_from_guest(std::uint16_t source_port, std::uint16_t gateway_port, std::uint32_t seq);
    // slirp's TCP connections to the host, as it reports them.
    [[nodiscard]] std::vector<SlirpTcpConnection> tcp_connections() const;
    // libslirp's slow timer (every 499 ms while it has a TCP connection, its poll timeout at most
    // 1 s) only counts while slirp is quiet: every connection ESTABLISHED with nothing queued either
    // way, no delayed ACK, no UDP or ICMP socket (they expire), no fragment being reassembled, no
    // slirp timer armed and nothing on the link model. Then the loop is not woken up for it: the
    // slow-timer calls skipped are replayed at their own times on slirp's clock before slirp sees
    // anything else, so its counters (idle time, keepalive) are as if it had run all along.
    [[nodiscard]] bool quiet() const { return quiet_; }
    [[nodiscard]] std::uint64_t slow_ticks_replayed() const { return slow_ticks_replayed_; }

    // ---- sys_task::PollSource ----
    void prepare(std::vector<pollfd>& fds, int& timeout_ms) override;
    void dispatch(std::span<const pollfd> fds) override;

  private:
    struct Timer;

    SlirpLink(sys_task::EventLoop& loop, sys_task::Logger& log, const HostMap& hosts,
              const SlirpLinkConfig& config);
    bool start(std::string& error);
    void introduce_guest();

    void to_network(std::span<const std::uint8_t> frame);
    void pump();
    // Frame buffers are reused: a storm moves one or two frames per message each way, and a fresh
    // 1.5 KiB vector each time was a malloc/free pair past glibc's per-thread cache.
    std::vector<std::uint8_t> frame_buffer(std::span<const std::uint8_t> bytes);
    void reuse(std::vector<std::uint8_t>&& buffer);
    void fire_slirp_timers();
    [[nodiscard]] bool slirp_is_quiet() const;
    void catch_up();  // replays the slow-timer calls skipped while quiet
    void deliver_state_changes();

    // libslirp callbacks (opaque = this)
    static ssize_t slirp_send_packet(const void* buf, size_t len, void* opaque);
    static void slirp_guest_error(const char* msg, void* opaque);
    static int64_t slirp_clock_get_ns(void* opaque);
    static void* slirp_timer_new(void (*cb)(void*), void* cb_opaque, void* opaque);
    static void slirp_timer_free(void* timer, void* opaque);
    static void slirp_timer_mod(void* timer, int64_t expire_time_ms, void* opaque);
    static void slirp_register_poll_fd(int fd, void* opaque);
    static void slirp_unregister_poll_fd(int fd, void* opaque);
    static void slirp_notify(void* opaque);
    static int slirp_add_poll(int fd, int events, void* opaque);
    static int slirp_get_revents(int idx, void* opaque);
    static int slirp_no_revents(int idx, void* opaque);

    sys_task::EventLoop& loop_;
    sys_task::Logger& log_;
    SlirpLinkConfig config_;
    FrameFilter filter_;
    DnsResponder dns_;
    const NtpResponder* ntp_ = nullptr;
    GatewayFirewall firewall_;
    LinkModel model_;
    Receiver receiver_;
    Tap tap_;
    std::vector<LinkStateListener*> listeners_;
    std::vector<std::unique_ptr<Timer>> timers_;
    Slirp* slirp_ = nullptr;
    std::uint64_t dns_answered_ = 0;
    std::uint64_t gateway_refused_ = 0;
    std::uint64_t arp_frames_ = 0;
    std::vector<std::vector<std::uint8_t>> spare_frames_;
    // poll() plumbing between prepare() and dispatch()
    std::vector<pollfd>* filling_ = nullptr;
    std::size_t fill_base_ = 0;
    std::span<const pollfd> polled_;
    // the quiet slow timer (quiet())
    bool quiet_ = false;
    std::int64_t last_poll_ms_ = 0;                  // slirp's clock at its last slirp_pollfds_poll
    std::optional<std::int64_t> clock_override_ms_;  // slirp's clock while replaying
    std::optional<std::int64_t> last_fragment_ms_;   // the last IP fragment handed to slirp
    std::uint64_t slow_ticks_replayed_ = 0;
};

}  // namespace platform_air780ep
