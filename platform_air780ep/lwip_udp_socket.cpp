#include "platform_air780ep/lwip_udp_socket.hpp"

#include <cstring>

#include "lwip/err.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"
#include "platform_air780ep/lwip_stack.hpp"

namespace platform_air780ep {

namespace {

void lwip_recv(void* arg, struct udp_pcb*, struct pbuf* p, const ip_addr_t* addr, u16_t port) {
    if (p == nullptr) return;
    Datagram d;
    d.data.resize(p->tot_len);
    pbuf_copy_partial(p, d.data.data(), p->tot_len, 0);
    pbuf_free(p);
    d.from = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(addr)));
    d.port = port;
    static_cast<LwipUdpSocket*>(arg)->deliver(std::move(d));
}

}  // namespace

LwipUdpSocket::LwipUdpSocket(LwipStack& stack, const HostMap& hosts) : stack_(stack), hosts_(hosts) {}

LwipUdpSocket::~LwipUdpSocket() {
    close();
}

std::optional<Ipv4> LwipUdpSocket::reach(const std::string& literal, std::uint16_t port,
                                         std::string& error) const {
    const HostMap::Route route = hosts_.route(literal, port);
    const std::string& target = route.mapped ? route.host : literal;
    const Ipv4 gateway = stack_.config().gateway;
    const auto address = is_loopback_host(target) ? std::optional<Ipv4>(gateway) : parse_ipv4(target);
    if (address == gateway) return gateway;
    error = target +
            " is not reachable over the simulated cellular link (only this host is: map it with --host " +
            literal + "=127.0.0.1[:PORT])";
    return std::nullopt;
}

bool LwipUdpSocket::open(std::string_view host, std::uint16_t port, std::uint16_t local_port,
                         std::string& error) {
    if (pcb_ != nullptr) {
        error = "already open";
        return false;
    }
    pcb_ = udp_new_ip_type(IPADDR_TYPE_V4);
    if (pcb_ == nullptr) {
        error = "no memory for a UDP socket";
        return false;
    }
    const err_t bound = udp_bind(pcb_, IP4_ADDR_ANY, local_port);
    if (bound != ERR_OK) {
        error = "cannot bind UDP port " + std::to_string(local_port) + ": " + lwip_strerr(bound);
        udp_remove(pcb_);
        pcb_ = nullptr;
        return false;
    }
    udp_recv(pcb_, &lwip_recv, this);
    host_ = std::string(host);
    if (port == 0 && parse_ipv4(host_)) {
        // A remote port of 0 leaves the socket unconnected (LuatOS's lwIP adapter clears
        // UDP_FLAGS_CONNECTED): bound, no default peer, open; udpsrv.lua's server mode.
        port_ = 0;
        finish_open(true, "");
        return true;
    }
    port_ = hosts_.route(host, port).port;
    if (parse_ipv4(host_)) {
        std::string why;
        const auto address = reach(host_, port, why);
        if (address) peer_ = address;
        finish_open(address.has_value(), why);
        return true;
    }
    std::string why;
    auto answered = [this](std::optional<Ipv4> address) {
        dns_token_ = 0;
        if (address) peer_ = address;
        finish_open(address.has_value(), address ? "" : "DNS has no address for '" + host_ + "'");
    };
    if (!stack_.resolve(host_, std::move(answered), dns_token_, why)) {
        finish_open(false, "cannot resolve '" + host_ + "': " + why);
    }
    return true;
}

void LwipUdpSocket::finish_open(bool ok, std::string detail) {
    std::weak_ptr<int> alive = alive_;
    stack_.loop().post([this, alive, ok, detail = std::move(detail)] {
        if (alive.expired() || listener_ == nullptr) return;
        listener_->on_datagram_open(ok, detail);
    });
}

bool LwipUdpSocket::send(std::span<const std::uint8_t> data, std::optional<Ipv4> to, std::uint16_t to_port,
                         std::string& error) {
    if (pcb_ == nullptr) {
        error = "not open";
        return false;
    }
    Ipv4 destination = 0;
    std::uint16_t port = port_;
    if (to) {
        const std::string literal = ipv4_to_string(*to);
        const auto address = reach(literal, to_port, error);
        if (!address) return false;
        destination = *address;
        port = hosts_.route(literal, to_port).port;
    } else if (peer_) {
        destination = *peer_;
    } else {
        error = "no destination";
        return false;
    }
    if (data.size() > 0xFFFF - 28) {
        error = "datagram too long";
        return false;
    }
    struct pbuf* p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(data.size()), PBUF_RAM);
    if (p == nullptr) {
        error = "no memory for a datagram";
        return false;
    }
    if (!data.empty()) std::memcpy(p->payload, data.data(), data.size());
    ip_addr_t ip = IPADDR4_INIT(lwip_htonl(destination));
    const err_t err = udp_sendto(pcb_, p, &ip, port);
    pbuf_free(p);
    if (err != ERR_OK) {
        error = std::string("udp send: ") + lwip_strerr(err);
        return false;
    }
    return true;
}

void LwipUdpSocket::close() {
    if (dns_token_ != 0) stack_.cancel_resolve(dns_token_);
    dns_token_ = 0;
    if (pcb_ != nullptr) udp_remove(pcb_);
    pcb_ = nullptr;
    peer_.reset();
    clear_queue();
    alive_ = std::make_shared<int>(0);  // callbacks already posted find the old one gone
    readable_posted_ = false;
}

std::uint16_t LwipUdpSocket::local_port() const {
    return pcb_ == nullptr ? 0 : pcb_->local_port;
}

void LwipUdpSocket::deliver(Datagram d) {
    if (enqueue(std::move(d))) notify_readable();
}

void LwipUdpSocket::notify_readable() {
    if (readable_posted_) return;
    readable_posted_ = true;
    std::weak_ptr<int> alive = alive_;
    stack_.loop().post([this, alive] {
        if (alive.expired()) return;
        readable_posted_ = false;
        if (listener_ != nullptr && has_datagram()) listener_->on_datagram_readable();
    });
}

}  // namespace platform_air780ep
