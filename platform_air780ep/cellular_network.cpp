#include "platform_air780ep/cellular_network.hpp"

#include <algorithm>
#include <cmath>

namespace platform_air780ep {

std::unique_ptr<CellularNetwork> CellularNetwork::create(sys_task::EventLoop& loop, sys_task::Logger& log,
                                                         const HostMap& hosts, const SlirpLinkConfig& config,
                                                         std::string& error) {
    std::unique_ptr<SlirpLink> link = SlirpLink::create(loop, log, hosts, config, error);
    if (!link) return nullptr;
    std::unique_ptr<LwipStack> stack = LwipStack::create(loop, log, *link, {}, error);
    if (!stack) return nullptr;
    return std::unique_ptr<CellularNetwork>(
        new CellularNetwork(loop, hosts, std::move(link), std::move(stack)));
}

namespace {

// How often, at most, slirp's connection list is read for connections to release (lwIP's TCP timer
// keeps the loop turning while such connections exist, so a check comes soon after each close).
constexpr std::uint64_t kReleaseIntervalMs = 100;

}  // namespace

CellularNetwork::CellularNetwork(sys_task::EventLoop& loop, const HostMap& hosts,
                                 std::unique_ptr<SlirpLink> link, std::unique_ptr<LwipStack> stack)
    : loop_(loop), hosts_(hosts), link_(std::move(link)), stack_(std::move(stack)) {
    release_hook_ = loop_.add_before_block([this] {
        const std::uint64_t now = loop_.now_ms();
        if (now < next_release_ms_) return;
        next_release_ms_ = now + kReleaseIntervalMs;
        release_closed();
    });
}

CellularNetwork::~CellularNetwork() {
    loop_.remove_before_block(release_hook_);
    stack_.reset();  // the stack sends into the link: it goes first
}

std::size_t CellularNetwork::release_closed() {
    const std::vector<TcpClosedByUs> closed = stack_->closed_by_us();
    if (closed.empty()) return 0;
    const std::string guest = stack_->address();
    std::size_t released = 0;
    for (const SlirpTcpConnection& c : link_->tcp_connections()) {
        if (c.source != guest || c.state != "CLOSE_WAIT" || c.recv_q > 0) continue;
        const auto it = std::find_if(closed.begin(), closed.end(), [&](const TcpClosedByUs& t) {
            return t.local_port == c.source_port && t.remote_port == c.destination_port;
        });
        if (it == closed.end()) continue;
        link_->reset_from_guest(c.source_port, c.destination_port, it->snd_nxt);
        ++released;
    }
    return released;
}

bool CellularNetwork::output_in_flight() {
    if (!link_->is_up()) return false;
    const std::vector<TcpOutputInFlight> pending = stack_->output_in_flight();
    const std::vector<SlirpTcpConnection> slirp = link_->tcp_connections();
    for (const SlirpTcpConnection& c : slirp) {
        if (c.recv_q > 0) return true;  // arrived, not yet written to the host socket
    }
    const std::string guest = stack_->address();
    for (const TcpOutputInFlight& p : pending) {
        // A connection already retransmitting into silence (the one a dead link left behind, found
        // dead by MQTT's keepalive) would not finish within any budget worth waiting.
        if (p.stalled) continue;
        if (p.unsent || !p.closing) return true;
        const auto it = std::find_if(slirp.begin(), slirp.end(), [&](const SlirpTcpConnection& c) {
            return c.source_port == p.local_port && c.source == guest;
        });
        // No connection left in slirp for it: nothing more can reach the host.
        if (it != slirp.end() && !it->guest_finished()) return true;
    }
    return false;
}

std::uint64_t CellularNetwork::drain_budget_ms() const {
    const LinkSettings& s = link_->settings();
    const double round_trip = s.up.delay_ms + s.up.jitter_ms + s.down.delay_ms + s.down.jitter_ms;
    return 500 + static_cast<std::uint64_t>(std::ceil(round_trip));
}

}  // namespace platform_air780ep
