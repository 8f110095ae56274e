#include "platform_air780ep/slirp_link.hpp"

#include <libslirp.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <memory>

namespace platform_air780ep {

namespace {

in_addr to_in_addr(Ipv4 address) {
    in_addr a{};
    a.s_addr = htonl(address);
    return a;
}

// libslirp's slirp.c TIMEOUT_SLOW: its slow timer runs when this much passed on its clock.
constexpr std::int64_t kSlirpSlowMs = 499;
// ip.h's IPFRAGTTL (60 slow ticks): how long slirp keeps an incomplete datagram; with a margin.
constexpr std::int64_t kSlirpFragmentLifeMs = 60 * 500 + 1000;
// Replays after one quiet stretch, at most (~9 h of slow ticks): past the last timer that counts.
constexpr std::uint64_t kMaxSlowReplays = 1U << 16;

bool is_ip_fragment(std::span<const std::uint8_t> frame) {
    return frame.size() >= kEthHeaderLen + 20 && load_be16(frame, 12) == kEtherTypeIpv4 &&
           (load_be16(frame, kEthHeaderLen + 6) & 0x3FFF) != 0;  // more fragments, or an offset
}

bool is_arp(std::span<const std::uint8_t> frame) {
    return frame.size() >= kEthHeaderLen && load_be16(frame, 12) == kEtherTypeArp;
}

short to_poll_events(int slirp_events) {
    short events = 0;
    if ((slirp_events & SLIRP_POLL_IN) != 0) events |= POLLIN;
    if ((slirp_events & SLIRP_POLL_OUT) != 0) events |= POLLOUT;
    if ((slirp_events & SLIRP_POLL_PRI) != 0) events |= POLLPRI;
    if ((slirp_events & SLIRP_POLL_ERR) != 0) events |= POLLERR;
    if ((slirp_events & SLIRP_POLL_HUP) != 0) events |= POLLHUP;
    return events;
}

int to_slirp_events(short revents) {
    int events = 0;
    if ((revents & POLLIN) != 0) events |= SLIRP_POLL_IN;
    if ((revents & POLLOUT) != 0) events |= SLIRP_POLL_OUT;
    if ((revents & POLLPRI) != 0) events |= SLIRP_POLL_PRI;
    if ((revents & (POLLERR | POLLNVAL)) != 0) events |= SLIRP_POLL_ERR;
    if ((revents & POLLHUP) != 0) events |= SLIRP_POLL_HUP;
    return events;
}

// Frames moved per dispatch before the loop gets a chance to poll again (frames that stay due
// make the next poll() return at once, so nothing waits).
constexpr int kMaxPumpRounds = 64;

// Frame buffers kept for reuse: what one pump round moves in a storm (more are simply freed).
constexpr std::size_t kSpareFrames = 32;

}  // namespace

struct SlirpLink::Timer {
    void (*cb)(void*);
    void* cb_opaque;
    std::optional<std::int64_t> expire_ms;
};

std::unique_ptr<SlirpLink> SlirpLink::create(sys_task::EventLoop& loop, sys_task::Logger& log,
                                             const HostMap& hosts, const SlirpLinkConfig& config,
                                             std::string& error) {
    std::unique_ptr<SlirpLink> link(new SlirpLink(loop, log, hosts, config));
    if (!link->start(error)) return nullptr;
    return link;
}

SlirpLink::SlirpLink(sys_task::EventLoop& loop, sys_task::Logger& log, const HostMap& hosts,
                     const SlirpLinkConfig& config)
    : loop_(loop),
      log_(log),
      config_(config),
      filter_(config.gateway),
      dns_(hosts, config.gateway),
      firewall_(hosts, config.gateway),
      model_(config.link) {}

bool SlirpLink::start(std::string& error) {
    SlirpConfig cfg{};
    cfg.version = 4;
    cfg.restricted = 0;
    cfg.in_enabled = true;
    cfg.vnetwork = to_in_addr(config_.network);
    cfg.vnetmask = to_in_addr(config_.netmask);
    cfg.vhost = to_in_addr(config_.gateway);
    cfg.in6_enabled = false;
    cfg.vdhcp_start = to_in_addr(config_.guest);
    cfg.vnameserver = to_in_addr(config_.gateway);
    cfg.disable_dns = true;   // our DnsResponder answers, from the host map
    cfg.disable_dhcp = true;  // the module's address is static
    static constexpr SlirpCb kCallbacks = {
        .send_packet = &SlirpLink::slirp_send_packet,
        .guest_error = &SlirpLink::slirp_guest_error,
        .clock_get_ns = &SlirpLink::slirp_clock_get_ns,
        .timer_new = &SlirpLink::slirp_timer_new,
        .timer_free = &SlirpLink::slirp_timer_free,
        .timer_mod = &SlirpLink::slirp_timer_mod,
        .register_poll_fd = &SlirpLink::slirp_register_poll_fd,
        .unregister_poll_fd = &SlirpLink::slirp_unregister_poll_fd,
        .notify = &SlirpLink::slirp_notify,
        .init_completed = nullptr,
        .timer_new_opaque = nullptr,
    };
    slirp_ = slirp_new(&cfg, &kCallbacks, this);
    if (slirp_ == nullptr) {
        error = "libslirp: cannot create the simulated link";
        return false;
    }
    introduce_guest();
    loop_.add_poll_source(this);
    return true;
}

// The link is point to point (docs/network.md, "No ARP"): lwIP never sends ARP, so slirp learns the
// module's Ethernet address here, from one gratuitous ARP handed to it directly (not over the link),
// and never has to ask (it keeps the entry for its lifetime).
void SlirpLink::introduce_guest() {
    std::vector<std::uint8_t> arp(kEthHeaderLen + 28, 0);
    std::fill_n(arp.begin(), 6, 0xFF);
    std::copy(config_.guest_mac.begin(), config_.guest_mac.end(), arp.begin() + 6);
    store_be16(arp, 12, kEtherTypeArp);
    const std::size_t a = kEthHeaderLen;
    store_be16(arp, a, 1);  // Ethernet
    store_be16(arp, a + 2, kEtherTypeIpv4);
    arp[a + 4] = 6;
    arp[a + 5] = 4;
    store_be16(arp, a + 6, 1);  // request, sender = target: gratuitous
    std::copy(config_.guest_mac.begin(), config_.guest_mac.end(), arp.begin() + a + 8);
    store_be32(arp, a + 14, config_.guest);
    store_be32(arp, a + 24, config_.guest);
    slirp_input(slirp_, arp.data(), static_cast<int>(arp.size()));
}

SlirpLink::~SlirpLink() {
    if (slirp_ == nullptr) return;  // start() failed: nothing was registered
    loop_.remove_poll_source(this);
    slirp_cleanup(slirp_);  // may still call timer_free / unregister_poll_fd on us
}

std::uint64_t SlirpLink::now_us() const {
    const auto elapsed = std::chrono::steady_clock::now() - loop_.start_time();
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
}

std::vector<std::uint8_t> SlirpLink::frame_buffer(std::span<const std::uint8_t> bytes) {
    std::vector<std::uint8_t> buffer;
    if (!spare_frames_.empty()) {
        buffer = std::move(spare_frames_.back());
        spare_frames_.pop_back();
    }
    buffer.assign(bytes.begin(), bytes.end());
    return buffer;
}

void SlirpLink::reuse(std::vector<std::uint8_t>&& buffer) {
    if (spare_frames_.size() < kSpareFrames && buffer.capacity() > 0)
        spare_frames_.push_back(std::move(buffer));
}

void SlirpLink::transmit(std::span<const std::uint8_t> frame) {
    if (is_arp(frame)) ++arp_frames_;
    if (!filter_.admit(frame)) return;
    model_.submit(LinkDirection::kUp, frame_buffer(frame), now_us(), !is_arp(frame));
}

void SlirpLink::configure(const LinkSettings& settings) {
    model_.configure(settings);
    log_.info("link", "settings " + settings.describe());
}

void SlirpLink::set_down() {
    model_.set_down();
    log_.info("link", "down");
}

void SlirpLink::set_up() {
    model_.set_up();
    log_.info("link", "up");
}

void SlirpLink::outage(std::uint64_t duration_ms) {
    model_.set_down(now_us() + duration_ms * 1000);
    log_.info("link", "down for " + std::to_string(duration_ms) + " ms");
}

bool SlirpLink::add_forward(std::uint16_t host_port, std::uint16_t device_port, std::string& error,
                            bool udp) {
    catch_up();
    if (slirp_add_hostfwd(slirp_, udp ? 1 : 0, to_in_addr(make_ipv4(127, 0, 0, 1)), host_port,
                          to_in_addr(config_.guest), device_port) != 0) {
        error = std::string("cannot forward ") + (udp ? "UDP " : "") +
                "127.0.0.1:" + std::to_string(host_port) + " to the module's port " +
                std::to_string(device_port) + " (the host port is taken?)";
        return false;
    }
    firewall_.allow_server_port(device_port, udp);
    return true;
}

void SlirpLink::add_listener(LinkStateListener* listener) {
    listeners_.push_back(listener);
}

void SlirpLink::remove_listener(LinkStateListener* listener) {
    std::erase(listeners_, listener);
}

std::string SlirpLink::status() const {
    const LinkCounters& up = model_.counters(LinkDirection::kUp);
    const LinkCounters& down = model_.counters(LinkDirection::kDown);
    std::string s = is_up() ? "link up" : "link down";
    if (!is_up() && model_.outage_end_us()) {
        const std::uint64_t now = now_us();
        const std::uint64_t end = *model_.outage_end_us();
        s += " (outage, " + std::to_string(end > now ? (end - now + 999) / 1000 : 0) + " ms left)";
    }
    s += " " + settings().describe();
    auto dir = [](const char* name, const LinkCounters& c) {
        return std::string(" ") + name + ": frames=" + std::to_string(c.frames) +
               " delivered=" + std::to_string(c.delivered) + " lost=" + std::to_string(c.lost) +
               " down=" + std::to_string(c.down) + " queue_full=" + std::to_string(c.queue_full);
    };
    s += dir("up", up) + dir("down", down);
    s += " filter: passed=" + std::to_string(filter_.counts().passed) +
         " dropped=" + std::to_string(filter_.counts().dropped) +
         " dns_answered=" + std::to_string(dns_answered_) +
         " gateway_refused=" + std::to_string(gateway_refused_) + " arp=" + std::to_string(arp_frames_);
    return s;
}

void SlirpLink::reset_from_guest(std::uint16_t source_port, std::uint16_t gateway_port, std::uint32_t seq) {
    catch_up();
    TcpResetSpec spec;
    spec.source_mac = config_.guest_mac;
    spec.destination_mac = slirp_gateway_mac(config_.gateway);
    spec.source = config_.guest;
    spec.destination = config_.gateway;
    spec.source_port = source_port;
    spec.destination_port = gateway_port;
    spec.seq = seq;
    const std::vector<std::uint8_t> frame = make_tcp_reset(spec);
    slirp_input(slirp_, frame.data(), static_cast<int>(frame.size()));
}

std::vector<SlirpTcpConnection> SlirpLink::tcp_connections() const {
    // The text is g_malloc'ed; GLib's allocator is the system malloc (since GLib 2.46), so free()
    // releases it without making this library link GLib itself.
    const std::unique_ptr<char, decltype(&std::free)> text(slirp_connection_info(slirp_), &std::free);
    return text ? parse_slirp_connection_info(text.get()) : std::vector<SlirpTcpConnection>{};
}

void SlirpLink::to_network(std::span<const std::uint8_t> frame) {
    if (dns_.is_query(frame)) {
        auto answer = dns_.answer(frame);
        if (!answer) return;  // malformed: dropped, as a resolver would
        ++dns_answered_;
        if (answer->address) {
            log_.debug("dns", answer->name + " -> " + ipv4_to_string(*answer->address) + " (" +
                                  answer->reason + ")");
        } else {
            log_.warn("dns", "no address for " + answer->name + ": " + answer->reason);
        }
        model_.submit(LinkDirection::kDown, std::move(answer->frame), now_us());
        return;
    }
    if (ntp_ != nullptr && ntp_->is_request(frame)) {
        if (auto reply = ntp_->answer(frame))
            model_.submit(LinkDirection::kDown, std::move(*reply), now_us());
        return;
    }
    if (auto refusal = firewall_.check(frame)) {
        ++gateway_refused_;
        if (refusal->log) {
            log_.warn("link", "gateway refused " + refusal->destination +
                                  ": the host map names no such destination (--host NAME=127.0.0.1:" +
                                  std::to_string(refusal->port) + " opens it)");
        }
        if (!refusal->reply.empty()) model_.submit(LinkDirection::kDown, std::move(refusal->reply), now_us());
        return;
    }
    if (is_ip_fragment(frame)) last_fragment_ms_ = static_cast<std::int64_t>(now_us() / 1000);
    slirp_input(slirp_, frame.data(), static_cast<int>(frame.size()));
}

void SlirpLink::pump() {
    for (int round = 0; round < kMaxPumpRounds; ++round) {
        const std::uint64_t now = now_us();
        model_.advance(now);
        bool moved = false;
        while (auto frame = model_.take_due(LinkDirection::kUp, now)) {
            if (tap_) tap_(LinkDirection::kUp, *frame, now);
            to_network(*frame);
            reuse(std::move(*frame));
            moved = true;
        }
        while (auto frame = model_.take_due(LinkDirection::kDown, now)) {
            if (tap_) tap_(LinkDirection::kDown, *frame, now);
            if (receiver_) receiver_(*frame);
            reuse(std::move(*frame));
            moved = true;
        }
        if (!moved) break;
    }
}

void SlirpLink::fire_slirp_timers() {
    const std::int64_t now_ms = static_cast<std::int64_t>(now_us() / 1000);
    // A callback may add, modify or free timers: look the list up again after each one.
    for (bool fired = true; fired;) {
        fired = false;
        for (auto& t : timers_) {
            if (t->expire_ms && *t->expire_ms <= now_ms) {
                t->expire_ms.reset();
                t->cb(t->cb_opaque);
                fired = true;
                break;
            }
        }
    }
}

void SlirpLink::deliver_state_changes() {
    for (const bool up : model_.take_state_changes()) {
        const auto listeners = listeners_;  // a listener may remove itself
        for (LinkStateListener* l : listeners) {
            if (std::find(listeners_.begin(), listeners_.end(), l) == listeners_.end()) continue;
            if (up) {
                l->on_link_up();
            } else {
                l->on_link_down();
            }
        }
    }
}

void SlirpLink::prepare(std::vector<pollfd>& fds, int& timeout_ms) {
    const int wanted = timeout_ms;  // before slirp's own timers
    std::uint32_t slirp_timeout = timeout_ms < 0 ? UINT32_MAX : static_cast<std::uint32_t>(timeout_ms);
    filling_ = &fds;
    fill_base_ = fds.size();
    slirp_pollfds_fill(slirp_, &slirp_timeout, &SlirpLink::slirp_add_poll, this);
    filling_ = nullptr;
    timeout_ms = slirp_timeout > INT_MAX ? -1 : static_cast<int>(slirp_timeout);

    auto lower_to = [&timeout_ms](std::int64_t ms) {
        ms = std::max<std::int64_t>(ms, 0);
        if (timeout_ms < 0 || ms < timeout_ms)
            timeout_ms = static_cast<int>(std::min<std::int64_t>(ms, INT_MAX));
    };
    if (model_.has_state_changes()) timeout_ms = 0;
    const std::uint64_t now = now_us();
    if (auto next = model_.next_event_us()) {
        // Round up: waking before a frame is due would only spin.
        lower_to(*next > now ? static_cast<std::int64_t>((*next - now + 999) / 1000) : 0);
    }
    const std::int64_t now_ms = static_cast<std::int64_t>(now / 1000);
    bool timer_armed = false;
    for (const auto& t : timers_) {
        if (t->expire_ms) {
            lower_to(*t->expire_ms - now_ms);
            timer_armed = true;
        }
    }
    // Only slirp's slow timer (or its 1 s cap) would wake the loop up, and it has nothing to do
    // but count: sleep as long as the others want, and replay it afterwards (quiet()).
    quiet_ = false;
    const bool slirp_sets_timeout = (wanted < 0 || wanted > timeout_ms) && timeout_ms >= kSlirpSlowMs &&
                                    static_cast<std::uint32_t>(timeout_ms) == slirp_timeout;
    if (slirp_sets_timeout && !timer_armed && !model_.has_state_changes() && !model_.next_event_us() &&
        (!last_fragment_ms_ || now_ms - *last_fragment_ms_ > kSlirpFragmentLifeMs) && slirp_is_quiet()) {
        timeout_ms = wanted;
        quiet_ = true;
    }
}

bool SlirpLink::slirp_is_quiet() const {
    const std::unique_ptr<char, decltype(&std::free)> text(slirp_connection_info(slirp_), &std::free);
    if (!text) return false;
    const std::string_view info(text.get());
    // Every line but the header is a socket; each must be a TCP connection parse_slirp_connection_info
    // understands (UDP and ICMP sockets expire on slirp's clock).
    std::size_t sockets = 0;
    for (std::size_t at = info.find('\n'); at != std::string_view::npos && at + 1 < info.size();
         at = info.find('\n', at + 1))
        ++sockets;
    const std::vector<SlirpTcpConnection> tcp = parse_slirp_connection_info(info);
    if (tcp.size() != sockets) return false;
    return std::all_of(tcp.begin(), tcp.end(), [](const SlirpTcpConnection& c) {
        // ESTABLISHED with nothing queued: no retransmission, persist or FIN timer; a forward's
        // listening socket has no timer at all.
        return (c.state == "ESTABLISHED" || c.state == "HOST_FORWARD") && c.recv_q == 0 && c.send_q == 0;
    });
}

void SlirpLink::catch_up() {
    if (!quiet_) return;
    quiet_ = false;
    const auto now_ms = static_cast<std::int64_t>(now_us() / 1000);
    // slirp_pollfds_poll runs the slow timer when 499 ms have passed on slirp's clock since it last
    // did (at or before the last poll): once per step here, as if the loop had woken for each.
    std::uint64_t n = 0;
    for (std::int64_t at = last_poll_ms_ + kSlirpSlowMs; at <= now_ms && n < kMaxSlowReplays;
         at += kSlirpSlowMs, ++n) {
        clock_override_ms_ = at;
        slirp_pollfds_poll(slirp_, 0, &SlirpLink::slirp_no_revents, this);
        last_poll_ms_ = at;
    }
    clock_override_ms_.reset();
    slow_ticks_replayed_ += n;
}

void SlirpLink::dispatch(std::span<const pollfd> fds) {
    catch_up();
    polled_ = fds;
    last_poll_ms_ = static_cast<std::int64_t>(now_us() / 1000);
    slirp_pollfds_poll(slirp_, 0, &SlirpLink::slirp_get_revents, this);
    polled_ = {};
    fire_slirp_timers();
    pump();
    deliver_state_changes();
}

// ---- libslirp callbacks ----

ssize_t SlirpLink::slirp_send_packet(const void* buf, size_t len, void* opaque) {
    auto* self = static_cast<SlirpLink*>(opaque);
    const auto* bytes = static_cast<const std::uint8_t*>(buf);
    std::span<const std::uint8_t> frame(bytes, len);
    if (is_arp(frame)) ++self->arp_frames_;
    self->model_.submit(LinkDirection::kDown, self->frame_buffer(frame), self->now_us(), !is_arp(frame));
    return static_cast<ssize_t>(len);
}

void SlirpLink::slirp_guest_error(const char* msg, void* opaque) {
    static_cast<SlirpLink*>(opaque)->log_.warn("link", std::string("slirp: ") + msg);
}

int64_t SlirpLink::slirp_clock_get_ns(void* opaque) {
    const auto* self = static_cast<SlirpLink*>(opaque);
    if (self->clock_override_ms_) return *self->clock_override_ms_ * 1'000'000;
    return static_cast<int64_t>(self->now_us() * 1000);
}

void* SlirpLink::slirp_timer_new(void (*cb)(void*), void* cb_opaque, void* opaque) {
    auto* self = static_cast<SlirpLink*>(opaque);
    self->timers_.push_back(std::make_unique<Timer>(Timer{cb, cb_opaque, std::nullopt}));
    return self->timers_.back().get();
}

void SlirpLink::slirp_timer_free(void* timer, void* opaque) {
    auto* self = static_cast<SlirpLink*>(opaque);
    std::erase_if(self->timers_, [timer](const std::unique_ptr<Timer>& t) { return t.get() == timer; });
}

void SlirpLink::slirp_timer_mod(void* timer, int64_t expire_time_ms, void*) {
    static_cast<Timer*>(timer)->expire_ms = expire_time_ms;
}

void SlirpLink::slirp_register_poll_fd(int, void*) {}

void SlirpLink::slirp_unregister_poll_fd(int, void*) {}

void SlirpLink::slirp_notify(void*) {}

int SlirpLink::slirp_add_poll(int fd, int events, void* opaque) {
    auto* self = static_cast<SlirpLink*>(opaque);
    self->filling_->push_back(pollfd{fd, to_poll_events(events), 0});
    return static_cast<int>(self->filling_->size() - 1 - self->fill_base_);
}

int SlirpLink::slirp_no_revents(int, void*) {
    return 0;
}

int SlirpLink::slirp_get_revents(int idx, void* opaque) {
    auto* self = static_cast<SlirpLink*>(opaque);
    if (idx < 0 || static_cast<std::size_t>(idx) >= self->polled_.size()) return 0;
    return to_slirp_events(self->polled_[static_cast<std::size_t>(idx)].revents);
}

}  // namespace platform_air780ep
