// lwIP's timers (platform_air780ep/lwip_port/lwip_timers.hpp) on simulated time: an idle connection
// does not wake the loop, the skipped timer calls are replayed (tcp_ticks keeps up with the clock),
// a retransmission after an idle stretch comes after exactly its RTO, and a keepalive comes at its
// deadline with no wake-up in between. The peer is this test, answering lwIP's frames by hand.
#include <catch2/catch.hpp>
#include <climits>
#include <cstdint>
#include <memory>
#include <vector>

#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "platform_air780ep/frame_codec.hpp"
#include "platform_air780ep/lwip_port/lwip_timers.hpp"
#include "platform_air780ep/lwip_stack.hpp"
#include "platform_air780ep/slirp_link.hpp"
#include "sys_task/event_loop.hpp"
#include "sys_task/logger.hpp"

using namespace platform_air780ep;

namespace {

using Bytes = std::vector<std::uint8_t>;

std::uint64_t g_now = 0;
std::uint64_t sim_clock() {
    return g_now;
}

constexpr std::uint16_t kPeerPort = 1883;
constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kAck = 0x10;

// A link that only records what lwIP sends; the test delivers the peer's frames itself.
struct RecordingLink final : FrameLink {
    std::vector<Bytes> sent;
    Receiver receiver;
    void transmit(std::span<const std::uint8_t> frame) override {
        sent.emplace_back(frame.begin(), frame.end());
    }
    void set_receiver(Receiver r) override { receiver = std::move(r); }
};

struct Segment {
    std::uint16_t src_port = 0;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint8_t flags = 0;
    std::size_t payload = 0;
};

Segment parse(const Bytes& frame) {
    const std::span<const std::uint8_t> f(frame);
    const std::size_t ip = kEthHeaderLen;
    const std::size_t ihl = (f[ip] & 0x0F) * 4U;
    const std::size_t tcp = ip + ihl;
    const std::size_t doff = (f[tcp + 12] >> 4) * 4U;
    Segment s;
    s.src_port = load_be16(f, tcp);
    s.seq = load_be32(f, tcp + 4);
    s.ack = load_be32(f, tcp + 8);
    s.flags = f[tcp + 13];
    s.payload = load_be16(f, ip + 2) - ihl - doff;
    return s;
}

// The peer's segment (lwIP checks no checksums: lwipopts.h CHECKSUM_CHECK_*).
Bytes peer_segment(std::uint16_t to_port, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags) {
    Bytes f(kEthHeaderLen + 40, 0);
    const std::span<std::uint8_t> b(f);
    std::copy(kGuestMac.begin(), kGuestMac.end(), f.begin());
    const auto gw_mac = slirp_gateway_mac(make_ipv4(10, 0, 2, 2));
    std::copy(gw_mac.begin(), gw_mac.end(), f.begin() + 6);
    store_be16(b, 12, kEtherTypeIpv4);
    const std::size_t ip = kEthHeaderLen;
    f[ip] = 0x45;
    store_be16(b, ip + 2, 40);
    f[ip + 8] = 64;
    f[ip + 9] = 6;
    store_be32(b, ip + 12, make_ipv4(10, 0, 2, 2));
    store_be32(b, ip + 16, make_ipv4(10, 0, 2, 15));
    const std::size_t tcp = ip + 20;
    store_be16(b, tcp, kPeerPort);
    store_be16(b, tcp + 2, to_port);
    store_be32(b, tcp + 4, seq);
    store_be32(b, tcp + 8, ack);
    f[tcp + 12] = 5 << 4;
    f[tcp + 13] = flags;
    store_be16(b, tcp + 14, 0xFFFF);
    return f;
}

// One stack on simulated time, and one connection of lwIP's raw API to the test's peer.
struct Rig {
    sys_task::EventLoop loop;
    sys_task::Logger log{loop.start_time()};
    RecordingLink link;
    std::unique_ptr<LwipStack> stack;
    struct tcp_pcb* pcb = nullptr;
    std::uint16_t local_port = 0;
    std::uint32_t our_next = 0;  // our next sequence number (what the peer acknowledges)
    std::uint32_t peer_next = 5000;
    std::size_t wakeups = 0;

    Rig() {
        g_now = lwip_clock_ms();  // lwIP's clock never goes back: simulated time starts from now
        lwip_set_test_clock(&sim_clock);
        log.set_stdout(false);
        std::string error;
        stack = LwipStack::create(loop, log, link, {}, error);
        REQUIRE(stack);
        pcb = tcp_new();
        REQUIRE(pcb != nullptr);
        ip_addr_t peer = IPADDR4_INIT(lwip_htonl(make_ipv4(10, 0, 2, 2)));
        REQUIRE(tcp_connect(pcb, &peer, kPeerPort,
                            [](void*, struct tcp_pcb*, err_t) -> err_t { return ERR_OK; }) == ERR_OK);
        REQUIRE(link.sent.size() == 1);
        const Segment syn = parse(link.sent.back());
        REQUIRE(syn.flags == kSyn);
        local_port = pcb->local_port;
        our_next = syn.seq + 1;
        deliver(peer_segment(local_port, peer_next, our_next, kSyn | kAck));
        ++peer_next;
        REQUIRE(pcb->state == ESTABLISHED);
        // One byte out and acknowledged at once: the round trip lwIP measures from its SYN ends.
        REQUIRE(tcp_write(pcb, "x", 1, TCP_WRITE_FLAG_COPY) == ERR_OK);
        REQUIRE(tcp_output(pcb) == ERR_OK);
        deliver(peer_segment(local_port, peer_next, our_next + 1, kAck));
        ++our_next;
        REQUIRE(pcb->rttest == 0);
        REQUIRE(pcb->unacked == nullptr);
    }
    ~Rig() {
        if (pcb != nullptr) tcp_abort(pcb);
        stack.reset();
        lwip_set_test_clock(nullptr);
    }
    void deliver(const Bytes& frame) { link.receiver(frame); }
    // What the event loop would block for: -1 is "until something else happens".
    int timeout() {
        std::vector<pollfd> fds;
        int t = -1;
        stack->prepare(fds, t);
        return t;
    }
    // One loop iteration: sleep as long as lwIP asks (never with nothing due), then run its timers.
    void wake() {
        const int t = timeout();
        REQUIRE(t >= 0);
        g_now += static_cast<std::uint64_t>(t);
        ++wakeups;
        stack->dispatch({});
    }
};

}  // namespace

TEST_CASE("lwIP timers: an idle connection sleeps, and the skipped calls are replayed") {
    Rig rig;
    // Connected, nothing in flight, no keepalive: nothing for the loop to wake up for.
    const LwipTimerCounts idle = lwip_timer_counts();
    CHECK(idle.tcp_running);
    CHECK_FALSE(idle.tcp_busy);
    CHECK(rig.timeout() == -1);

    // A minute later (the loop woke up for something else): lwIP's clock of ticks has kept up,
    // as if its 250 ms timer had run all along, and nothing was sent meanwhile.
    const std::size_t sent = rig.link.sent.size();
    const std::uint32_t ticks = tcp_ticks;
    g_now += 60'000;
    rig.stack->dispatch({});
    const LwipTimerCounts after = lwip_timer_counts();
    CHECK(after.tcp_calls_replayed - idle.tcp_calls_replayed == 240);
    CHECK(after.tcp_calls == idle.tcp_calls);
    CHECK(tcp_ticks - ticks == 120);
    CHECK(rig.link.sent.size() == sent);
    CHECK(rig.timeout() == -1);

    // Data out: the timer runs every 250 ms again; the peer's ACK after 1 s is measured as 1 s.
    const char data[] = "0123456789";
    REQUIRE(tcp_write(rig.pcb, data, 10, TCP_WRITE_FLAG_COPY) == ERR_OK);
    REQUIRE(tcp_output(rig.pcb) == ERR_OK);
    REQUIRE(rig.link.sent.size() == sent + 1);
    CHECK(lwip_timer_counts().tcp_busy);
    const std::uint32_t sent_at = tcp_ticks;
    const std::uint64_t calls = lwip_timer_counts().tcp_calls;
    const std::uint64_t write_time = g_now;
    while (tcp_ticks - sent_at < 2)
        rig.wake();
    // One tcp_tmr() a wake-up, every 250 ms, as lwIP's own timer (2 slow ticks: 3 or 4 calls).
    CHECK(lwip_timer_counts().tcp_calls - calls == rig.wakeups);
    CHECK(g_now - write_time == rig.wakeups * TCP_TMR_INTERVAL);
    CHECK(rig.wakeups >= 3);
    CHECK(rig.wakeups <= 4);
    const std::int16_t sa = rig.pcb->sa;
    rig.deliver(peer_segment(rig.local_port, rig.peer_next, rig.our_next + 10, kAck));
    rig.our_next += 10;
    // lwIP's RTT estimator (tcp_in.c: sa += m - sa / 8) took a sample of 2 ticks: the second.
    CHECK(rig.pcb->sa == sa + 2 - (sa >> 3));
    CHECK(rig.pcb->rtime == -1);
    CHECK(rig.timeout() == -1);
    CHECK_FALSE(lwip_timer_counts().tcp_busy);
}

TEST_CASE("lwIP timers: after an idle stretch a lost segment is retransmitted after exactly its RTO") {
    Rig rig;
    g_now += 600'000;  // ten idle minutes
    rig.stack->dispatch({});
    const char data[] = "abc";
    REQUIRE(tcp_write(rig.pcb, data, 3, TCP_WRITE_FLAG_COPY) == ERR_OK);
    REQUIRE(tcp_output(rig.pcb) == ERR_OK);
    const Segment first = parse(rig.link.sent.back());
    REQUIRE(first.payload == 3);
    const std::size_t sent = rig.link.sent.size();
    const std::uint32_t sent_at = tcp_ticks;
    const auto rto = static_cast<std::uint32_t>(rig.pcb->rto);
    REQUIRE(rto > 0);
    // No answer: the loop wakes every 250 ms until the retransmission, rto slow ticks later.
    while (rig.link.sent.size() == sent) {
        rig.wake();
        REQUIRE(rig.wakeups < 1000);
    }
    const Segment again = parse(rig.link.sent.back());
    CHECK(again.seq == first.seq);
    CHECK(again.payload == 3);
    CHECK(tcp_ticks - sent_at == rto);
    CHECK(rig.pcb->nrtx == 1);
    CHECK(lwip_timer_counts().tcp_busy);
}

TEST_CASE("lwIP timers: a keepalive comes at its deadline, with no wake-up before it") {
    Rig rig;
    ip_set_option(rig.pcb, SOF_KEEPALIVE);
    const std::uint32_t last_in = rig.pcb->tmr;  // the SYN-ACK
    const std::uint64_t idle_from = g_now;
    const std::size_t sent = rig.link.sent.size();
    // One wake-up: at the slow tick where the idle time first exceeds keep_idle (tcp.c).
    const int t = rig.timeout();
    REQUIRE(t > 0);
    rig.wake();
    REQUIRE(rig.link.sent.size() == sent + 1);
    const Segment probe = parse(rig.link.sent.back());
    CHECK(probe.seq == rig.our_next - 1);  // a keepalive: one below the next sequence number
    CHECK(probe.payload == 0);
    CHECK(tcp_ticks - last_in == rig.pcb->keep_idle / TCP_SLOW_INTERVAL + 1);
    CHECK(g_now - idle_from > rig.pcb->keep_idle);
    CHECK(g_now - idle_from <= rig.pcb->keep_idle + TCP_SLOW_INTERVAL + TCP_TMR_INTERVAL);
    CHECK(rig.pcb->keep_cnt_sent == 1);
    // The peer answers: the idle time starts again, the next keepalive is keep_idle away again.
    rig.deliver(peer_segment(rig.local_port, rig.peer_next, rig.our_next, kAck));
    CHECK(rig.pcb->keep_cnt_sent == 0);
    CHECK(rig.timeout() > static_cast<int>(rig.pcb->keep_idle));
    CHECK(rig.wakeups == 1);
}

TEST_CASE("lwIP timers: TIME_WAIT ends 2 MSL after it began though nothing wakes the loop before") {
    Rig rig;
    // We close first; the peer acknowledges the FIN and sends its own: TIME_WAIT.
    REQUIRE(tcp_close(rig.pcb) == ERR_OK);
    struct tcp_pcb* closed = rig.pcb;
    rig.pcb = nullptr;  // lwIP owns it now
    const Segment fin = parse(rig.link.sent.back());
    REQUIRE((fin.flags & kFin) != 0);
    rig.deliver(peer_segment(rig.local_port, rig.peer_next, fin.seq + 1, kFin | kAck));
    REQUIRE(tcp_tw_pcbs == closed);
    CHECK_FALSE(lwip_timer_counts().tcp_busy);
    const std::uint64_t from = g_now;
    while (tcp_tw_pcbs != nullptr) {
        rig.wake();
        REQUIRE(rig.wakeups < 10);
    }
    CHECK(rig.wakeups == 1);
    CHECK(g_now - from > 2 * TCP_MSL);
    CHECK(g_now - from <= 2 * TCP_MSL + TCP_SLOW_INTERVAL + TCP_TMR_INTERVAL);
    CHECK_FALSE(lwip_timer_counts().tcp_running);
    CHECK(rig.timeout() == -1);
}
