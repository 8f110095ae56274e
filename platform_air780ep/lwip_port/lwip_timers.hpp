// lwIP's timers for the simulated module (lwipopts.h: LWIP_TIMERS_CUSTOM), run from the device's
// event loop by LwipStack: lwIP's own cyclic timers (TCP 250 ms, DNS and IP reassembly 1 s), but the
// process only wakes up for one when it has work to do.
//
// lwIP 2.1.3's timeouts.c runs the TCP timer every 250 ms while any connection exists, and the DNS
// and reassembly timers every second for ever: an idle connected device woke ~6 times a second
// (bench/README.md, "Fleet"). Here each timer keeps lwIP's cadence as a schedule, and:
//  - while it has work (TCP: a pcb with unacknowledged or unsent data, a delayed ACK, a pending FIN,
//    refused data, out-of-sequence data, persist probing, a poll callback, or a state other than
//    ESTABLISHED / CLOSE_WAIT / FIN_WAIT_2; DNS: a lookup in flight; reassembly: a datagram being
//    reassembled) it runs exactly as timeouts.c runs it: one call per due time, restarted from now
//    when late;
//  - while it has none, the loop sleeps until the next real deadline (TCP: a keepalive, the end of
//    FIN_WAIT_2 or TIME_WAIT; the others have none), and the calls skipped meanwhile are replayed,
//    in order, before lwIP sees anything else (the next frame in, or the loop's dispatch). So
//    tcp_ticks (from which lwIP measures round trips, RTOs, idle and keepalive times), the DNS
//    cache's TTLs and every per-connection counter end up exactly where lwIP's own timers would
//    have left them, without the wake-ups. A call skipped while idle only counts (that is what "no
//    work" means above); the one at a deadline does its work when the loop wakes up for it.
#pragma once

#include <cstdint>

#include "lwip/dns.h"

namespace platform_air780ep {

// Milliseconds on lwIP's clock (sys_now() is its low 32 bits): the monotonic clock, or the test's.
std::uint64_t lwip_clock_ms();
// Tests only: lwIP's clock reads `clock` instead (nullptr: the monotonic clock again). Time must
// never go back while lwIP runs.
void lwip_set_test_clock(std::uint64_t (*clock)());

// When lwIP next needs to run (lwip_clock_ms() time; in the past when overdue), UINT64_MAX: never.
std::uint64_t lwip_timers_next_due_ms();
// Run the timers due by lwip_clock_ms() and replay the skipped ones.
void lwip_timers_run();
// A stack went away (every pcb aborted): the TCP timer stops, as lwIP's own would at its next call.
void lwip_timers_stack_gone();

// dns_gethostbyname, counting the lookups in flight (the DNS timer runs while there is one).
err_t lwip_dns_lookup(const char* name, ip_addr_t* address, dns_found_callback found, void* arg);

// What the timers did (tests, the bench).
struct LwipTimerCounts {
    std::uint64_t tcp_calls = 0;           // tcp_tmr() calls at their due time
    std::uint64_t tcp_calls_replayed = 0;  // tcp_tmr() calls replayed after an idle stretch
    std::uint64_t dns_calls = 0;
    std::uint64_t dns_calls_replayed = 0;
    std::uint64_t reass_calls = 0;
    std::uint64_t reass_calls_replayed = 0;
    unsigned dns_in_flight = 0;
    bool tcp_running = false;  // lwIP wants its TCP timer (a connection exists)
    bool tcp_busy = false;     // and a connection has work for it now
};
LwipTimerCounts lwip_timer_counts();

}  // namespace platform_air780ep
