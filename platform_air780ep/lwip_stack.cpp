#include "platform_air780ep/lwip_stack.hpp"

#include <atomic>
#include <chrono>
#include <climits>

#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#include "platform_air780ep/lwip_port/lwip_timers.hpp"
#include "platform_air780ep/lwip_tcp_stream.hpp"

namespace platform_air780ep {

namespace {

// lwIP's process-wide state, and ours beside it: the one live stack, whether lwip_init() ran, and
// the stream tokens (unique for the whole process, so a callback left over from an earlier stack
// can never name a stream of a later one).
std::atomic<LwipStack*> g_current{nullptr};
bool g_lwip_initialised = false;
std::atomic<std::uint64_t> g_next_token{1};

ip4_addr_t to_lwip(Ipv4 address) {
    ip4_addr_t a;
    ip4_addr_set_u32(&a, lwip_htonl(address));
    return a;
}

void abort_all(struct tcp_pcb* const* list) {
    // tcp_abort unlinks the pcb from its list, so always take the head again.
    while (*list != nullptr)
        tcp_abort(*list);
}

}  // namespace

LwipStack* LwipStack::current() {
    return g_current.load();
}

std::unique_ptr<LwipStack> LwipStack::create(sys_task::EventLoop& loop, sys_task::Logger& log,
                                             FrameLink& link, const LwipStackConfig& config,
                                             std::string& error) {
    if (g_current.load() != nullptr) {
        error =
            "LwipStack: lwIP is process-global and another LwipStack is alive in this process; "
            "destroy it first (one simulated cellular stack per process)";
        return nullptr;
    }
    return std::unique_ptr<LwipStack>(new LwipStack(loop, log, link, config));
}

LwipStack::LwipStack(sys_task::EventLoop& loop, sys_task::Logger& log, FrameLink& link,
                     const LwipStackConfig& config)
    : loop_(loop), log_(log), link_(link), config_(config), netif_(std::make_unique<struct netif>()) {
    g_current.store(this);
    if (!g_lwip_initialised) {
        lwip_init();
        g_lwip_initialised = true;
    }
    const ip4_addr_t ip = to_lwip(config_.address);
    const ip4_addr_t mask = to_lwip(config_.netmask);
    const ip4_addr_t gw = to_lwip(config_.gateway);
    *netif_ = {};
    // Point to point (docs/network.md, "No ARP"): frames in are unwrapped to IP by input().
    netif_add(netif_.get(), &ip, &mask, &gw, this, &LwipStack::netif_init, ip4_input);
    netif_set_default(netif_.get());
    netif_set_link_up(netif_.get());
    netif_set_up(netif_.get());
    const ip_addr_t dns = IPADDR4_INIT(lwip_htonl(config_.dns_server));
    dns_setserver(0, &dns);

    link_.set_receiver([this](std::span<const std::uint8_t> frame) { input(frame); });
    loop_.add_poll_source(this);
    flush_hook_ = loop_.add_before_block([this] { flush_output(); });
}

LwipStack::~LwipStack() {
    loop_.remove_before_block(flush_hook_);
    loop_.remove_poll_source(this);
    link_.set_receiver(nullptr);
    // Streams that outlive the stack are closed now (their pcbs aborted, callbacks cleared).
    tokens_.clear();
    resolvers_.clear();
    while (!streams_.empty()) {
        LwipTcpStream* s = *streams_.begin();
        streams_.erase(streams_.begin());
        s->on_stack_gone();
    }
    // Connections that streams already let go of (closing, TIME_WAIT) die with the stack.
    abort_all(&tcp_active_pcbs);
    abort_all(&tcp_tw_pcbs);
    abort_all(&tcp_bound_pcbs);
    lwip_timers_stack_gone();
    netif_set_down(netif_.get());
    netif_remove(netif_.get());
    g_current.store(nullptr);
}

bool LwipStack::netif_up() const {
    return netif_is_up(netif_.get()) && netif_is_link_up(netif_.get());
}

LwipMemory LwipStack::memory() const {
    LwipMemory m;
    m.heap_used = lwip_stats.mem.used;
    m.heap_peak = lwip_stats.mem.max;
    m.tcp_pcbs = lwip_stats.memp[MEMP_TCP_PCB]->used;
    m.tcp_segments = lwip_stats.memp[MEMP_TCP_SEG]->used;
    m.pool_pbufs = lwip_stats.memp[MEMP_PBUF_POOL]->used;
    return m;
}

std::vector<TcpOutputInFlight> LwipStack::output_in_flight() const {
    std::vector<TcpOutputInFlight> out;
    for (const struct tcp_pcb* pcb = tcp_active_pcbs; pcb != nullptr; pcb = pcb->next) {
        // TF_CLOSEPEND: tcp_close could not queue the FIN yet (no memory); lwIP's timer retries.
        const bool unsent = pcb->unsent != nullptr || (pcb->flags & TF_CLOSEPEND) != 0;
        if (!unsent && pcb->unacked == nullptr) continue;
        const bool closing = pcb->state == FIN_WAIT_1 || pcb->state == CLOSING || pcb->state == LAST_ACK ||
                             (pcb->flags & TF_CLOSEPEND) != 0;
        const bool stalled = pcb->nrtx > 0 || pcb->persist_backoff > 0;
        out.push_back(TcpOutputInFlight{pcb->local_port, unsent, closing, stalled});
    }
    return out;
}

std::vector<TcpClosedByUs> LwipStack::closed_by_us() const {
    std::vector<TcpClosedByUs> out;
    for (const struct tcp_pcb* pcb = tcp_active_pcbs; pcb != nullptr; pcb = pcb->next) {
        if (pcb->state == FIN_WAIT_2)
            out.push_back(TcpClosedByUs{pcb->local_port, pcb->remote_port, pcb->snd_nxt});
    }
    for (const struct tcp_pcb* pcb = tcp_tw_pcbs; pcb != nullptr; pcb = pcb->next)
        out.push_back(TcpClosedByUs{pcb->local_port, pcb->remote_port, pcb->snd_nxt});
    return out;
}

void LwipStack::detach(LwipTcpStream* stream) {
    streams_.erase(stream);
    output_pending_.erase(stream);
    std::erase_if(tokens_, [stream](const auto& entry) { return entry.second == stream; });
}

std::uint64_t LwipStack::new_token(LwipTcpStream* stream) {
    const std::uint64_t token = g_next_token.fetch_add(1);
    tokens_.emplace(token, stream);
    return token;
}

LwipTcpStream* LwipStack::find_stream(std::uint64_t token) const {
    const auto it = tokens_.find(token);
    return it == tokens_.end() ? nullptr : it->second;
}

namespace {

void resolve_found(const char*, const ip_addr_t* address, void* arg) {
    LwipStack* stack = LwipStack::current();
    if (stack == nullptr) return;
    std::optional<Ipv4> result;
    if (address != nullptr) result = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(address)));
    stack->finish_resolve(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(arg)), result);
}

}  // namespace

bool LwipStack::resolve(const std::string& name, ResolveDone done, std::uint64_t& token, std::string& error) {
    token = g_next_token.fetch_add(1);
    resolvers_.emplace(token, std::move(done));
    ip_addr_t resolved;
    const err_t err = lwip_dns_lookup(name.c_str(), &resolved, &resolve_found,
                                      reinterpret_cast<void*>(static_cast<std::uintptr_t>(token)));
    if (err == ERR_OK) {
        const Ipv4 address = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(&resolved)));
        // Never from inside resolve(); the stack may be gone by then (tokens are unique per process).
        loop_.post([token, address] {
            if (LwipStack* stack = LwipStack::current()) stack->finish_resolve(token, address);
        });
    } else if (err != ERR_INPROGRESS) {
        resolvers_.erase(token);
        error = lwip_strerr(err);
        return false;
    }
    return true;
}

void LwipStack::finish_resolve(std::uint64_t token, std::optional<Ipv4> address) {
    const auto it = resolvers_.find(token);
    if (it == resolvers_.end()) return;  // cancelled, or the asker is gone
    ResolveDone done = std::move(it->second);
    resolvers_.erase(it);
    done(address);
}

void LwipStack::prepare(std::vector<pollfd>&, int& timeout_ms) {
    // Only a timer with work wakes the loop (lwip_timers.hpp); nothing runs here, so that what a
    // timer sends is seen by every source's next prepare().
    const std::uint64_t due = lwip_timers_next_due_ms();
    if (due == UINT64_MAX) return;
    const std::uint64_t now = lwip_clock_ms();
    const std::uint64_t sleep = due > now ? due - now : 0;
    if (timeout_ms < 0 || sleep < static_cast<std::uint64_t>(timeout_ms)) {
        timeout_ms = static_cast<int>(std::min<std::uint64_t>(sleep, INT_MAX));
    }
}

void LwipStack::dispatch(std::span<const pollfd>) {
    lwip_timers_run();
}

void LwipStack::flush_output() {
    // tcp_output never calls back into a stream, so the set cannot change under us.
    for (LwipTcpStream* s : output_pending_)
        s->flush_output();
    output_pending_.clear();
}

void LwipStack::input(std::span<const std::uint8_t> frame) {
    // Only IPv4 crosses a point to point link; anything else (an ARP from slirp) is not for us.
    if (frame.size() <= kEthHeaderLen || frame.size() > 0xFFFF || load_be16(frame, 12) != kEtherTypeIpv4) {
        ++frames_in_dropped_;
        return;
    }
    // Skipped timer calls first: what this frame does is measured from tcp_ticks (lwip_timers.hpp).
    lwip_timers_run();
    const std::span<const std::uint8_t> packet = frame.subspan(kEthHeaderLen);
    struct pbuf* p = pbuf_alloc(PBUF_RAW, static_cast<u16_t>(packet.size()), PBUF_POOL);
    if (p == nullptr) {
        ++frames_in_dropped_;  // out of buffers: the frame is lost, TCP recovers
        return;
    }
    pbuf_take(p, packet.data(), static_cast<u16_t>(packet.size()));
    ++frames_in_;
    if (netif_->input(p, netif_.get()) != ERR_OK) pbuf_free(p);
}

err_t LwipStack::netif_init(struct netif* nif) {
    auto* self = static_cast<LwipStack*>(nif->state);
    nif->name[0] = 'g';  // "gp": the LWIP_GP (cellular) adapter
    nif->name[1] = 'p';
    nif->hwaddr_len = ETH_HWADDR_LEN;
    std::copy(self->config_.mac.begin(), self->config_.mac.end(), nif->hwaddr);
    nif->mtu = 1500;
    // Point to point: no broadcast, no ARP; every IP packet goes to the gateway.
    nif->flags = 0;
    nif->output = &LwipStack::point_to_point_output;
    nif->linkoutput = &LwipStack::link_output;
    return ERR_OK;
}

err_t LwipStack::point_to_point_output(struct netif* nif, struct pbuf* p, const ip4_addr_t* /*next_hop*/) {
    auto* self = static_cast<LwipStack*>(nif->state);
    // The frame libslirp expects, from our address to its gateway's: what etharp_output would send
    // once the gateway were resolved, without ever asking.
    const std::array<std::uint8_t, 6> gateway_mac = slirp_gateway_mac(self->config_.gateway);
    eth_addr src;
    eth_addr dst;
    std::copy(self->config_.mac.begin(), self->config_.mac.end(), src.addr);
    std::copy(gateway_mac.begin(), gateway_mac.end(), dst.addr);
    return ethernet_output(nif, p, &src, &dst, ETHTYPE_IP);
}

err_t LwipStack::link_output(struct netif* nif, struct pbuf* p) {
    auto* self = static_cast<LwipStack*>(nif->state);
    self->out_frame_.resize(p->tot_len);
    pbuf_copy_partial(p, self->out_frame_.data(), p->tot_len, 0);
    ++self->frames_out_;
    self->link_.transmit(self->out_frame_);
    return ERR_OK;
}

}  // namespace platform_air780ep
