#include "platform_air780ep/tcp_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lwip/tcp.h"
#include "platform_air780ep/host_tcp_stream.hpp"
#include "platform_air780ep/lwip_stack.hpp"
#include "platform_air780ep/lwip_tcp_stream.hpp"

namespace platform_air780ep {

namespace {

err_t lwip_accept(void* arg, struct tcp_pcb* pcb, err_t err) {
    if (err != ERR_OK || pcb == nullptr) return ERR_VAL;
    return static_cast<LwipTcpListener*>(arg)->on_accept(pcb);
}

const HostMap& no_hosts() {
    // Accepted streams never open(): their host map is never read. One empty map per process is
    // immutable, not state.
    static const HostMap kEmpty;
    return kEmpty;
}

}  // namespace

LwipTcpListener::~LwipTcpListener() {
    if (listen_pcb_ != nullptr) tcp_close(listen_pcb_);
}

bool LwipTcpListener::listen(std::uint16_t port, std::string& error) {
    struct tcp_pcb* pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (pcb == nullptr) {
        error = "no memory for a listening socket";
        return false;
    }
    ip_set_option(pcb, SOF_REUSEADDR);  // as LuatOS's lwIP adapter sets on its pcbs
    const err_t bound = tcp_bind(pcb, IP4_ADDR_ANY, port);
    if (bound != ERR_OK) {
        tcp_close(pcb);
        error = "cannot bind port " + std::to_string(port) + (bound == ERR_USE ? ": in use" : "");
        return false;
    }
    listen_pcb_ = tcp_listen_with_backlog(pcb, 1);
    if (listen_pcb_ == nullptr) {
        tcp_close(pcb);
        error = "cannot listen on port " + std::to_string(port);
        return false;
    }
    tcp_arg(listen_pcb_, this);
    tcp_accept(listen_pcb_, &lwip_accept);
    return true;
}

signed char LwipTcpListener::on_accept(struct tcp_pcb* pcb) {
    if (pending_) {  // busy: LuatOS's adapter closes a second client while one waits
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    const Ipv4 address = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip)));
    auto stream = std::make_unique<LwipTcpStream>(stack_, no_hosts());
    stream->adopt(pcb, ipv4_to_string(address) + ":" + std::to_string(pcb->remote_port));
    pending_ = AcceptedConnection{std::move(stream), address, pcb->remote_port};
    std::weak_ptr<int> alive = alive_;
    stack_.loop().post([this, alive] {
        if (!alive.expired() && pending_ && on_connection_) on_connection_();
    });
    return ERR_OK;
}

std::optional<AcceptedConnection> LwipTcpListener::take() {
    std::optional<AcceptedConnection> out = std::move(pending_);
    pending_.reset();
    return out;
}

HostTcpListener::~HostTcpListener() {
    if (watch_ != 0) loop_.unwatch_fd(watch_);
    if (fd_ >= 0) ::close(fd_);
}

bool HostTcpListener::listen(std::uint16_t device_port, std::string& error) {
    const std::uint16_t port = ports_ != nullptr ? ports_->tcp_port(device_port) : device_port;
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return false;
    }
    const int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd_, 8) != 0) {
        error = "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno);
        ::close(fd_);
        fd_ = -1;
        return false;
    }
    watch_ = loop_.watch_fd(fd_, POLLIN, [this](short) { on_readable(); });
    return true;
}

void HostTcpListener::on_readable() {
    sockaddr_in from{};
    socklen_t len = sizeof from;
    const int c = ::accept4(fd_, reinterpret_cast<sockaddr*>(&from), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0) return;
    if (pending_) {  // busy, as on the module
        ::close(c);
        return;
    }
    const Ipv4 address = ntohl(from.sin_addr.s_addr);
    const std::uint16_t port = ntohs(from.sin_port);
    auto stream = std::make_unique<HostTcpStream>(loop_, no_hosts());
    stream->adopt(c, ipv4_to_string(address) + ":" + std::to_string(port));
    pending_ = AcceptedConnection{std::move(stream), address, port};
    if (on_connection_) on_connection_();
}

std::optional<AcceptedConnection> HostTcpListener::take() {
    std::optional<AcceptedConnection> out = std::move(pending_);
    pending_.reset();
    return out;
}

}  // namespace platform_air780ep
