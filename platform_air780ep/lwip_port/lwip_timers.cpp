// lwIP's timers, woken up for only when they have work (lwip_timers.hpp). The rules of when a
// timer has work follow lwIP 2.1.3's tcp_fasttmr / tcp_slowtmr (core/tcp.c), dns_tmr (core/dns.c)
// and ip_reass_tmr (core/ipv4/ip4_frag.c) line by line; the cadences follow core/timeouts.c.
#include "lwip_timers.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>

#include "lwip/ip4_frag.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"

namespace platform_air780ep {

namespace {

constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();
// dns.c's DNS_MAX_TTL (private there): no cached answer lives longer, in seconds = dns_tmr calls.
constexpr std::uint64_t kDnsMaxTtl = 604800;

std::uint64_t (*g_test_clock)() = nullptr;
std::uint64_t g_clock_offset = 0;  // keeps the clock monotonic after a test clock ran ahead

std::uint64_t steady_ms() {
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

// One of lwIP's cyclic timers: when its next call is due, and whether it runs at all.
struct Cadence {
    std::uint64_t due = 0;
    std::uint32_t interval = 0;
    bool on = false;
};

struct Timers {
    Cadence tcp{0, TCP_TMR_INTERVAL, false};
    Cadence dns{0, DNS_TMR_INTERVAL, false};
    Cadence reass{0, IP_TMR_INTERVAL, false};
    // tcp.c's `tcp_timer` (static there): tcp_tmr() runs tcp_slowtmr() on the calls that make it odd.
    // Only tcp_tmr() changes it and only we call tcp_tmr(), so this copy never disagrees.
    std::uint8_t tcp_timer = 0;
    LwipTimerCounts counts;
};
Timers g;

// ---- TCP: tcp_fasttmr / tcp_slowtmr (tcp.c) ----

// tcp.c's own (private there) keepalive durations.
#if LWIP_TCP_KEEPALIVE
std::uint32_t keep_dur(const struct tcp_pcb* pcb) {
    return pcb->keep_cnt * pcb->keep_intvl;
}
std::uint32_t keep_intvl(const struct tcp_pcb* pcb) {
    return pcb->keep_intvl;
}
#else
std::uint32_t keep_dur(const struct tcp_pcb*) {
    return TCP_MAXIDLE;
}
std::uint32_t keep_intvl(const struct tcp_pcb*) {
    return TCP_KEEPINTVL_DEFAULT;
}
#endif

// True when a call of tcp_tmr() may do more for this active pcb than count: anything tcp_fasttmr
// acts on, a running retransmission or persist timer, data not sent yet (the poll branch of
// tcp_slowtmr calls tcp_output every pollinterval), out-of-sequence data (its timeout is measured
// from the last segment in), a poll callback, and the states whose timeouts run from the timer.
bool tcp_pcb_has_work(const struct tcp_pcb* pcb) {
    if (pcb->state != ESTABLISHED && pcb->state != CLOSE_WAIT && pcb->state != FIN_WAIT_2) return true;
    if ((pcb->flags & (TF_ACK_DELAY | TF_ACK_NOW | TF_CLOSEPEND | TF_NAGLEMEMERR)) != 0) return true;
    if (pcb->refused_data != nullptr || pcb->unsent != nullptr || pcb->unacked != nullptr) return true;
#if TCP_QUEUE_OOSEQ
    if (pcb->ooseq != nullptr) return true;
#endif
    if (pcb->rtime >= 0 || pcb->persist_backoff > 0 || pcb->nrtx >= TCP_MAXRTX) return true;
#if LWIP_CALLBACK_API
    if (pcb->poll != nullptr) return true;
#endif
    return false;
}

bool tcp_has_work() {
    for (const struct tcp_pcb* pcb = tcp_active_pcbs; pcb != nullptr; pcb = pcb->next)
        if (tcp_pcb_has_work(pcb)) return true;
    return false;
}

// tcp_slowtmr increments tcp_ticks, then fires when (tcp_ticks - pcb->tmr) > limit: the number of
// slow calls from now until that happens.
std::uint32_t slow_calls_until(const struct tcp_pcb* pcb, std::uint32_t limit) {
    const auto elapsed = static_cast<std::uint32_t>(tcp_ticks - pcb->tmr);
    return elapsed > limit ? 1 : limit + 1 - elapsed;
}

// For an idle TCP: the fewest slow calls until one does something (a keepalive, the end of
// FIN_WAIT_2 or TIME_WAIT), or 0 for none.
std::uint32_t tcp_slow_calls_to_deadline() {
    std::uint32_t best = 0;
    auto consider = [&best](std::uint32_t calls) {
        if (best == 0 || calls < best) best = calls;
    };
    for (const struct tcp_pcb* pcb = tcp_active_pcbs; pcb != nullptr; pcb = pcb->next) {
        if (pcb->state == FIN_WAIT_2 && (pcb->flags & TF_RXCLOSED) != 0)
            consider(slow_calls_until(pcb, TCP_FIN_WAIT_TIMEOUT / TCP_SLOW_INTERVAL));
        if (ip_get_option(pcb, SOF_KEEPALIVE) && (pcb->state == ESTABLISHED || pcb->state == CLOSE_WAIT)) {
            const auto drop =
                static_cast<std::uint32_t>((pcb->keep_idle + keep_dur(pcb)) / TCP_SLOW_INTERVAL);
            const auto probe = static_cast<std::uint32_t>(
                (pcb->keep_idle + pcb->keep_cnt_sent * keep_intvl(pcb)) / TCP_SLOW_INTERVAL);
            consider(slow_calls_until(pcb, std::min(drop, probe)));
        }
    }
    for (const struct tcp_pcb* pcb = tcp_tw_pcbs; pcb != nullptr; pcb = pcb->next)
        consider(slow_calls_until(pcb, 2 * TCP_MSL / TCP_SLOW_INTERVAL));
    return best;
}

// When the TCP timer next needs to run.
std::uint64_t tcp_next_due() {
    if (!g.tcp.on) return kNever;
    if (tcp_has_work()) return g.tcp.due;
    const std::uint32_t slow = tcp_slow_calls_to_deadline();
    if (slow == 0) return kNever;
    // Calls of tcp_tmr() up to and including the slow one that reaches the deadline.
    const bool next_is_slow = ((g.tcp_timer + 1) & 1) != 0;
    const std::uint64_t calls = next_is_slow ? 2ULL * slow - 1 : 2ULL * slow;
    return g.tcp.due + (calls - 1) * g.tcp.interval;
}

void tcp_call() {
    tcp_tmr();
    ++g.tcp_timer;
    // timeouts.c's tcpip_tcp_timer: the timer stops when no connection is left.
    if (tcp_active_pcbs == nullptr && tcp_tw_pcbs == nullptr) g.tcp.on = false;
}

// ---- DNS and reassembly ----

bool reassembling() {
#if IP_REASSEMBLY && MEMP_STATS
    return lwip_stats.memp[MEMP_REASSDATA]->used > 0;
#else
    return true;  // cannot tell: always run it
#endif
}

// Runs one cadence up to `now`. A call due while `has_work()` holds runs as timeouts.c runs it:
// once, the next one `interval` after it (after `now` when late: lwIP does not catch up on its own
// late calls; the TCP timer is even restarted from its firing time, `from_now`). A call due while
// there is no work was skipped by the loop's sleep: it is replayed now, in order (at most
// `replay_cap` of them: beyond that a replayed call provably does nothing more).
template <class HasWork, class Call>
void run_cadence(Cadence& c, std::uint64_t now, bool from_now, std::uint64_t replay_cap, HasWork has_work,
                 Call call, std::uint64_t& calls, std::uint64_t& replayed) {
    std::uint64_t replays = 0;
    while (c.on && c.due <= now) {
        if (has_work()) {
            call();
            ++calls;
            c.due = from_now ? now + c.interval : c.due + c.interval;
            if (c.due <= now) c.due = now + c.interval;
        } else if (replays < replay_cap) {
            call();
            ++replayed;
            ++replays;
            c.due += c.interval;
        } else {
            c.due += c.interval * ((now - c.due) / c.interval + 1);
        }
    }
}

void run_dns(std::uint64_t now) {
    // dns_tmr with nothing in flight only counts the cached answers' TTLs down; after kDnsMaxTtl
    // calls every cached answer has expired.
    run_cadence(
        g.dns, now, false, kDnsMaxTtl + 1, [] { return g.counts.dns_in_flight > 0; }, [] { dns_tmr(); },
        g.counts.dns_calls, g.counts.dns_calls_replayed);
}

struct Lookup {
    dns_found_callback found;
    void* arg;
};

void lookup_done(const char* name, const ip_addr_t* address, void* arg) {
    const Lookup lookup = *static_cast<Lookup*>(arg);
    delete static_cast<Lookup*>(arg);
    --g.counts.dns_in_flight;
    lookup.found(name, address, lookup.arg);
}

}  // namespace

std::uint64_t lwip_clock_ms() {
    if (g_test_clock != nullptr) return g_test_clock();
    return steady_ms() + g_clock_offset;
}

void lwip_set_test_clock(std::uint64_t (*clock)()) {
    // Back on the monotonic clock after a test's: never earlier than the test's last time.
    if (clock == nullptr && g_test_clock != nullptr) {
        const std::uint64_t last = g_test_clock();
        const std::uint64_t real = steady_ms() + g_clock_offset;
        if (last > real) g_clock_offset += last - real;
    }
    g_test_clock = clock;
}

std::uint64_t lwip_timers_next_due_ms() {
    std::uint64_t due = tcp_next_due();
    if (g.counts.dns_in_flight > 0) due = std::min(due, g.dns.due);
    if (reassembling()) due = std::min(due, g.reass.due);
    return due;
}

void lwip_timers_run() {
    const std::uint64_t now = lwip_clock_ms();
    PBUF_CHECK_FREE_OOSEQ();
    run_cadence(g.tcp, now, true, kNever, tcp_has_work, tcp_call, g.counts.tcp_calls,
                g.counts.tcp_calls_replayed);
    // ip_reass_tmr with nothing being reassembled does nothing at all: no replay.
    run_cadence(
        g.reass, now, false, 0, reassembling, [] { ip_reass_tmr(); }, g.counts.reass_calls,
        g.counts.reass_calls_replayed);
    run_dns(now);
}

void lwip_timers_stack_gone() {
    if (tcp_active_pcbs == nullptr && tcp_tw_pcbs == nullptr) g.tcp.on = false;
}

err_t lwip_dns_lookup(const char* name, ip_addr_t* address, dns_found_callback found, void* arg) {
    run_dns(lwip_clock_ms());  // the cache's TTLs as lwIP's timer would have left them
    auto* lookup = new Lookup{found, arg};
    ++g.counts.dns_in_flight;
    const err_t err = dns_gethostbyname(name, address, &lookup_done, lookup);
    if (err != ERR_INPROGRESS) {
        --g.counts.dns_in_flight;
        delete lookup;
    }
    return err;
}

LwipTimerCounts lwip_timer_counts() {
    LwipTimerCounts counts = g.counts;
    counts.tcp_running = g.tcp.on;
    counts.tcp_busy = g.tcp.on && tcp_has_work();
    return counts;
}

}  // namespace platform_air780ep

// ---- what lwIP calls (LWIP_TIMERS_CUSTOM: timeouts.c leaves these to the port) ----

extern "C" u32_t sys_now(void) {
    return static_cast<u32_t>(platform_air780ep::lwip_clock_ms());
}

extern "C" void sys_timeouts_init(void) {
    using platform_air780ep::g;
    const std::uint64_t now = platform_air780ep::lwip_clock_ms();
    g.dns.due = now + g.dns.interval;
    g.dns.on = true;
    g.reass.due = now + g.reass.interval;
    g.reass.on = true;
}

// TCP_REG calls it for every pcb registered: as timeouts.c's, it starts the TCP timer if it is off.
extern "C" void tcp_timer_needed(void) {
    using platform_air780ep::g;
    if (!g.tcp.on && (tcp_active_pcbs != nullptr || tcp_tw_pcbs != nullptr)) {
        g.tcp.on = true;
        g.tcp.due = platform_air780ep::lwip_clock_ms() + g.tcp.interval;
    }
}
