// The simulated module's TCP/IP stack: lwIP 2.1.3 (NO_SYS=1, raw API) on one Ethernet netif
// attached to a FrameLink (the simulated cellular link).
//
// lwIP keeps its state in process globals, so there is at most one LwipStack per process: a second
// one is refused (create() gives nullptr and says why) while the first lives. The stack object owns
// lwIP's use: it brings the netif up, feeds it the frames the link delivers, runs lwIP's timers from
// the event loop (a PollSource whose timeout is the next timer with work to do:
// lwip_port/lwip_timers.hpp), flushes the TCP output that streams batch during an iteration in the
// loop's before-block hook, and on destruction aborts every connection and takes the netif down, so
// a later LwipStack starts clean.
//
// lwIP itself is initialised once per process (lwip_init cannot be undone); its clock, sys_now()
// (lwip_timers.hpp), is the monotonic clock, never going backwards across stack instances.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "platform_air780ep/frame_codec.hpp"
#include "platform_air780ep/slirp_link.hpp"
#include "sys_task/event_loop.hpp"
#include "sys_task/logger.hpp"

struct netif;
struct pbuf;
struct ip4_addr;

namespace platform_air780ep {

class LwipTcpStream;

struct LwipStackConfig {
    Ipv4 address = make_ipv4(10, 0, 2, 15);
    Ipv4 netmask = make_ipv4(255, 255, 255, 0);
    Ipv4 gateway = make_ipv4(10, 0, 2, 2);
    Ipv4 dns_server = make_ipv4(10, 0, 2, 2);
    std::array<std::uint8_t, 6> mac = kGuestMac;
};

// lwIP's own accounting (MEM_STATS/MEMP_STATS), in bytes and counts.
struct LwipMemory {
    std::size_t heap_used = 0;  // every lwIP allocation (pcbs, segments, pbufs) now
    std::size_t heap_peak = 0;
    std::size_t tcp_pcbs = 0;
    std::size_t tcp_segments = 0;
    std::size_t pool_pbufs = 0;  // received frames lwIP still holds
};

struct TcpClosedByUs {
    std::uint16_t local_port = 0;
    std::uint16_t remote_port = 0;
    std::uint32_t snd_nxt = 0;  // the next sequence number of ours: where a reset of ours must be
};

// A TCP connection whose output has not all been acknowledged by the peer yet (for the run-end drain).
struct TcpOutputInFlight {
    std::uint16_t local_port = 0;
    bool unsent = false;   // bytes or the FIN not yet handed to the link
    bool closing = false;  // closed on our side: the FIN is queued or sent (FIN_WAIT_1, CLOSING, LAST_ACK)
    // lwIP is retransmitting (a whole RTO passed without an answer) or probing a zero window: the peer
    // has stopped listening, whatever happens next.
    bool stalled = false;
};

class LwipStack final : public sys_task::PollSource {
  public:
    // nullptr, with the reason in `error`, if another LwipStack exists in this process.
    static std::unique_ptr<LwipStack> create(sys_task::EventLoop& loop, sys_task::Logger& log,
                                             FrameLink& link, const LwipStackConfig& config,
                                             std::string& error);
    ~LwipStack() override;
    LwipStack(const LwipStack&) = delete;
    LwipStack& operator=(const LwipStack&) = delete;

    // The live instance, for lwIP's C callbacks (nullptr when there is none).
    static LwipStack* current();

    [[nodiscard]] const LwipStackConfig& config() const { return config_; }
    [[nodiscard]] std::string address() const { return ipv4_to_string(config_.address); }
    [[nodiscard]] bool netif_up() const;
    [[nodiscard]] LwipMemory memory() const;
    [[nodiscard]] std::uint64_t frames_in() const { return frames_in_; }
    [[nodiscard]] std::uint64_t frames_out() const { return frames_out_; }
    [[nodiscard]] std::uint64_t frames_in_dropped() const { return frames_in_dropped_; }
    [[nodiscard]] sys_task::EventLoop& loop() { return loop_; }
    // Every TCP connection of lwIP's (the streams' and those they let go of while closing) that has
    // bytes or a FIN not yet acknowledged by the peer.
    [[nodiscard]] std::vector<TcpOutputInFlight> output_in_flight() const;
    // Connections this side closed whose FIN the peer acknowledged (FIN_WAIT_2, TIME_WAIT): nothing
    // of ours is on its way any more, and lwIP would answer anything the peer sends with a reset.
    [[nodiscard]] std::vector<TcpClosedByUs> closed_by_us() const;
    [[nodiscard]] sys_task::Logger& log() { return log_; }

    // ---- for LwipTcpStream ----
    // Every stream is attached for its lifetime (a stack that dies first closes it).
    void attach(LwipTcpStream* stream) { streams_.insert(stream); }
    void detach(LwipTcpStream* stream);
    // A token names a stream in lwIP callbacks whose argument may outlive it (DNS has no cancel):
    // a stale token finds nothing.
    std::uint64_t new_token(LwipTcpStream* stream);
    void drop_token(std::uint64_t token) { tokens_.erase(token); }
    [[nodiscard]] LwipTcpStream* find_stream(std::uint64_t token) const;
    [[nodiscard]] std::size_t stream_count() const { return streams_.size(); }
    // tcp_output() for this stream when the loop is about to block (one burst, not one per write).
    void request_output(LwipTcpStream* stream) { output_pending_.insert(stream); }
    void cancel_output(LwipTcpStream* stream) { output_pending_.erase(stream); }

    // ---- for other users of lwIP's DNS client (LwipUdpSocket) ----
    // Ask lwIP's DNS client for `name`; `done` runs from the event loop with the answer (nullopt: no
    // address), unless cancel_resolve(token) came first. False, with lwIP's reason in `error`, when
    // the lookup cannot start (`done` is then never called).
    using ResolveDone = std::function<void(std::optional<Ipv4>)>;
    bool resolve(const std::string& name, ResolveDone done, std::uint64_t& token, std::string& error);
    void cancel_resolve(std::uint64_t token) { resolvers_.erase(token); }
    void finish_resolve(std::uint64_t token, std::optional<Ipv4> address);

    // ---- sys_task::PollSource: lwIP's timers ----
    void prepare(std::vector<pollfd>& fds, int& timeout_ms) override;
    void dispatch(std::span<const pollfd> fds) override;

  private:
    LwipStack(sys_task::EventLoop& loop, sys_task::Logger& log, FrameLink& link,
              const LwipStackConfig& config);
    static signed char netif_init(struct netif* nif);
    static signed char link_output(struct netif* nif, struct pbuf* p);
    // netif->output of a point to point link: frames every packet to the gateway, no ARP.
    static signed char point_to_point_output(struct netif* nif, struct pbuf* p,
                                             const struct ip4_addr* next_hop);
    void input(std::span<const std::uint8_t> frame);
    void flush_output();

    sys_task::EventLoop& loop_;
    sys_task::Logger& log_;
    FrameLink& link_;
    LwipStackConfig config_;
    std::unique_ptr<struct netif> netif_;
    std::set<LwipTcpStream*> streams_;
    std::map<std::uint64_t, LwipTcpStream*> tokens_;
    std::set<LwipTcpStream*> output_pending_;
    std::map<std::uint64_t, ResolveDone> resolvers_;
    std::vector<std::uint8_t> out_frame_;
    sys_task::EventLoop::HookId flush_hook_ = 0;
    std::uint64_t frames_in_ = 0;
    std::uint64_t frames_out_ = 0;
    std::uint64_t frames_in_dropped_ = 0;
};

}  // namespace platform_air780ep
