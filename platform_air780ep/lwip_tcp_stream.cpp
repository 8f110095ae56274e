#include "platform_air780ep/lwip_tcp_stream.hpp"

#include <algorithm>

#include "lwip/dns.h"
#include "lwip/err.h"
#include "lwip/tcp.h"
#include "platform_air780ep/lwip_port/lwip_timers.hpp"
#include "platform_air780ep/lwip_stack.hpp"

namespace platform_air780ep {

using luat_mqtt::TransportError;

namespace {

constexpr std::size_t kMaxLwipChunk = 0xFFFF;  // tcp_write / tcp_recved take a u16_t length

void dns_found(const char*, const ip_addr_t* address, void* arg) {
    LwipStack* stack = LwipStack::current();
    if (stack == nullptr) return;
    const auto token = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(arg));
    LwipTcpStream* stream = stack->find_stream(token);
    if (stream == nullptr) return;  // closed, or re-opened since: the answer is stale
    std::optional<Ipv4> result;
    if (address != nullptr) result = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(address)));
    stream->on_dns_answer(token, result);
}

}  // namespace

LwipTcpStream::LwipTcpStream(LwipStack& stack, const HostMap& hosts)
    : stack_(&stack), hosts_(hosts), notices_(stack.loop(), [this] { return !rx_.empty(); }) {
    stack_->attach(this);
}

LwipTcpStream::~LwipTcpStream() {
    close();
    if (stack_ != nullptr) stack_->detach(this);
}

bool LwipTcpStream::open(std::string_view host, std::uint16_t port) {
    if (is_open() || stack_ == nullptr) return false;
    if (state_ == State::kEnded) close();
    const HostForm form = classify_host(host);
    const HostMap::Route route = hosts_.route(host, form, port);
    host_ = std::string(host);
    port_ = route.port;
    remote_ = host_ + ":" + std::to_string(port_);
    token_ = stack_->new_token(this);
    state_ = State::kResolving;

    // A name no DNS query can be made for fails at once, saying why (docs/network.md, "Literal
    // addresses and names"), instead of waiting out the connect timeout.
    if (form.kind == HostForm::Kind::kInvalid) {
        end(TransportError::kDnsFailed, "cannot resolve '" + host_ + "': " + form.reason);
        return true;
    }
    // Literal addresses (in any form lwIP's ipaddr_aton reads) need no DNS; a mapped literal goes
    // where the map says. This host's loopback is the gateway, which slirp connects to the host's
    // 127.0.0.1; no other address is reachable over the simulated link (its filter would drop the
    // SYNs), so say so at once rather than after a minute of retransmissions. Names are asked of
    // the link's DNS, which applies the host map itself.
    const Ipv4 gateway = stack_->config().gateway;
    if (form.kind == HostForm::Kind::kLiteral) {
        const std::string target = route.mapped ? route.host : ipv4_to_string(form.address);
        const auto address = is_loopback_host(target) ? std::optional<Ipv4>(gateway) : parse_ipv4(target);
        if (address == gateway) {
            start_connect(gateway);
        } else {
            end(TransportError::kConnectFailed,
                "connect to " + remote_ + ": " + target +
                    " is not reachable over the simulated cellular link (only "
                    "this host is: map it with --host " +
                    host_ + "=127.0.0.1[:PORT])");
        }
        return true;
    }
    ip_addr_t resolved;
    const err_t err = lwip_dns_lookup(host_.c_str(), &resolved, &dns_found,
                                      reinterpret_cast<void*>(static_cast<std::uintptr_t>(token_)));
    if (err == ERR_OK) {
        start_connect(lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(&resolved))));
    } else if (err != ERR_INPROGRESS) {
        end(TransportError::kDnsFailed, "cannot resolve '" + host_ + "': " + lwip_strerr(err));
    }
    return true;
}

void LwipTcpStream::on_dns_answer(std::uint64_t token, std::optional<Ipv4> address) {
    if (token != token_ || state_ != State::kResolving) return;
    if (!address) {
        end(TransportError::kDnsFailed, "DNS has no address for '" + host_ + "'");
        return;
    }
    start_connect(*address);
}

void LwipTcpStream::start_connect(Ipv4 address) {
    remote_ = host_ + ":" + std::to_string(port_) + " (" + ipv4_to_string(address) + ")";
    pcb_ = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (pcb_ == nullptr) {
        end(TransportError::kNoResources, "no memory for a TCP connection");
        return;
    }
    tcp_arg(pcb_, this);
    tcp_err(pcb_, &LwipTcpStream::lwip_error);
    tcp_recv(pcb_, &LwipTcpStream::lwip_recv);
    tcp_sent(pcb_, &LwipTcpStream::lwip_sent);
    tcp_nagle_disable(pcb_);  // writes are batched per loop iteration already
    ip_addr_t ip = IPADDR4_INIT(lwip_htonl(address));
    state_ = State::kConnecting;
    const err_t err = tcp_connect(pcb_, &ip, port_, &LwipTcpStream::lwip_connected);
    if (err != ERR_OK) {
        end(err == ERR_MEM ? TransportError::kNoResources : TransportError::kConnectFailed,
            "connect to " + remote_ + " failed: " + lwip_strerr(err));
    }
}

void LwipTcpStream::adopt(struct tcp_pcb* pcb, std::string remote) {
    pcb_ = pcb;
    remote_ = std::move(remote);
    token_ = stack_->new_token(this);
    tcp_arg(pcb_, this);
    tcp_err(pcb_, &LwipTcpStream::lwip_error);
    tcp_recv(pcb_, &LwipTcpStream::lwip_recv);
    tcp_sent(pcb_, &LwipTcpStream::lwip_sent);
    tcp_nagle_disable(pcb_);
    state_ = State::kConnected;
}

std::size_t LwipTcpStream::write(std::span<const std::uint8_t> data) {
    if (state_ != State::kConnected || pcb_ == nullptr) return 0;
    std::size_t total = 0;
    while (total < data.size()) {
        const std::size_t n = std::min({data.size() - total, writable(), kMaxLwipChunk});
        if (n == 0) break;
        const err_t err = tcp_write(pcb_, data.data() + total, static_cast<u16_t>(n), TCP_WRITE_FLAG_COPY);
        if (err != ERR_OK) break;  // ERR_MEM: the send queue is full for now
        total += n;
    }
    if (total > 0) stack_->request_output(this);
    if (total < data.size()) want_writable_ = true;
    return total;
}

std::size_t LwipTcpStream::writable() const {
    if (state_ != State::kConnected || pcb_ == nullptr) return 0;
    if (tcp_sndqueuelen(pcb_) >= TCP_SND_QUEUELEN - 1) return 0;
    return tcp_sndbuf(pcb_);
}

std::size_t LwipTcpStream::unsent() const {
    if (pcb_ == nullptr || state_ != State::kConnected) return 0;
    // snd_buf itself: tcp_sndbuf() caps it at 0xFFFF, which a 64 KiB buffer never gets back to.
    return TCP_SND_BUF - pcb_->snd_buf;
}

std::size_t LwipTcpStream::read(std::span<std::uint8_t> out) {
    const std::size_t n = rx_.take(out);
    if (n > 0 && pcb_ != nullptr) {
        // Reopen the window by what the owner took.
        for (std::size_t left = n; left > 0;) {
            const std::size_t chunk = std::min(left, kMaxLwipChunk);
            tcp_recved(pcb_, static_cast<u16_t>(chunk));
            left -= chunk;
        }
    }
    if (rx_.empty()) {
        rx_.release();
        if (peer_finished_ && state_ == State::kConnected) {
            end(TransportError::kPeerClosed, "closed by peer " + remote_, true);
        }
    }
    return n;
}

void LwipTcpStream::close() {
    notices_.clear();
    if (pcb_ != nullptr) release_pcb(true);
    if (stack_ != nullptr && token_ != 0) stack_->drop_token(token_);
    token_ = 0;
    rx_.clear();
    rx_.release();
    peer_finished_ = false;
    want_writable_ = false;
    state_ = State::kIdle;
}

void LwipTcpStream::flush_output() {
    if (pcb_ != nullptr) tcp_output(pcb_);
}

void LwipTcpStream::on_stack_gone() {
    // The stack already dropped our token; abort what lwIP still has of us.
    token_ = 0;
    if (state_ != State::kIdle && state_ != State::kEnded) {
        end(TransportError::kReset, "the network stack shut down");
    } else if (pcb_ != nullptr) {
        release_pcb(false);
    }
    stack_ = nullptr;
}

void LwipTcpStream::end(TransportError error, std::string detail, bool graceful) {
    if (pcb_ != nullptr) release_pcb(graceful);
    state_ = State::kEnded;
    want_writable_ = false;
    // Bytes that arrived before the end (a reset right after the server's last packet, a TLS alert
    // before the hang-up) are still announced and readable before the close is reported.
    notices_.ended(error, std::move(detail));
}

void LwipTcpStream::release_pcb(bool graceful) {
    struct tcp_pcb* pcb = std::exchange(pcb_, nullptr);
    if (stack_ != nullptr) stack_->cancel_output(this);
    tcp_arg(pcb, nullptr);
    tcp_recv(pcb, nullptr);
    tcp_sent(pcb, nullptr);
    tcp_err(pcb, nullptr);
    if (graceful) {
        // Give back the window of bytes nobody will read, so lwIP closes with a FIN, not a reset.
        for (std::size_t left = rx_.size(); left > 0;) {
            const std::size_t chunk = std::min(left, kMaxLwipChunk);
            tcp_recved(pcb, static_cast<u16_t>(chunk));
            left -= chunk;
        }
        if (tcp_close(pcb) == ERR_OK) return;
    }
    tcp_abort(pcb);
    aborted_pcb_ = true;
}

// ---- lwIP callbacks (arg = the stream; cleared before the pcb is let go) ----

err_t LwipTcpStream::lwip_connected(void* arg, struct tcp_pcb*, err_t) {
    auto* self = static_cast<LwipTcpStream*>(arg);
    self->state_ = State::kConnected;
    self->notices_.connected();
    return ERR_OK;
}

err_t LwipTcpStream::lwip_recv(void* arg, struct tcp_pcb*, struct pbuf* p, err_t err) {
    auto* self = static_cast<LwipTcpStream*>(arg);
    if (p == nullptr) {
        // FIN: the peer sends no more. Reported once every byte before it has been read.
        self->peer_finished_ = true;
        if (self->rx_.empty()) {
            self->aborted_pcb_ = false;
            self->end(TransportError::kPeerClosed, "closed by peer " + self->remote_, true);
            // lwIP must not touch a pcb we aborted from inside its callback.
            if (std::exchange(self->aborted_pcb_, false)) return ERR_ABRT;
        }
        return ERR_OK;
    }
    if (err != ERR_OK) {
        pbuf_free(p);
        return ERR_OK;
    }
    for (struct pbuf* q = p; q != nullptr; q = q->next) {
        self->rx_.append(std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(q->payload), q->len));
    }
    pbuf_free(p);
    self->notices_.readable();
    return ERR_OK;
}

err_t LwipTcpStream::lwip_sent(void* arg, struct tcp_pcb*, u16_t) {
    auto* self = static_cast<LwipTcpStream*>(arg);
    if (self->want_writable_ && self->writable() > 0) {
        self->want_writable_ = false;
        self->notices_.writable();
    }
    return ERR_OK;
}

void LwipTcpStream::lwip_error(void* arg, err_t err) {
    auto* self = static_cast<LwipTcpStream*>(arg);
    self->pcb_ = nullptr;  // lwIP has freed it already
    if (self->stack_ != nullptr) self->stack_->cancel_output(self);
    const bool connecting = self->state_ == State::kConnecting;
    TransportError error = TransportError::kReset;
    std::string detail;
    switch (err) {
        case ERR_RST:
            error = connecting ? TransportError::kConnectFailed : TransportError::kReset;
            detail = connecting ? "connection to " + self->remote_ + " refused (reset)"
                                : "connection to " + self->remote_ + " reset by peer";
            break;
        case ERR_ABRT:
            error = TransportError::kTimeout;
            detail = std::string(connecting ? "connect to " : "connection to ") + self->remote_ +
                     " timed out (no answer to retransmissions)";
            break;
        case ERR_CLSD:
            error = TransportError::kPeerClosed;
            detail = "connection to " + self->remote_ + " closed";
            break;
        case ERR_MEM:
            error = TransportError::kNoResources;
            detail = "out of memory on connection to " + self->remote_;
            break;
        default:
            detail = "connection to " + self->remote_ + " failed: " + lwip_strerr(err);
            break;
    }
    self->end(error, std::move(detail));
}

}  // namespace platform_air780ep
