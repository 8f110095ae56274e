// A UDP socket of one adapter (socket.LWIP_GP: LwipUdpSocket; socket.ETH0: HostUdpSocket), for the
// `socket` module's UDP links (docs/modules/socket.md, docs/network.md "UDP").
//
// open() binds a local port and sets the default peer (host:port, the host map applied, a name
// resolved as the adapter's TCP streams resolve it); the outcome arrives later as
// on_datagram_open(). Datagrams are received from any source into a bounded queue (the oldest stay,
// new ones are dropped when it is full, as a stack's receive mailbox does). Only destinations the
// gateway rule allows are sent to: this host (127.0.0.0/8, `localhost`) or what the host map names.
// Listener callbacks are deferred to the event loop, never made from inside a call of the owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "platform_air780ep/frame_codec.hpp"

namespace platform_air780ep {

struct Datagram {
    std::vector<std::uint8_t> data;
    Ipv4 from = 0;  // as this adapter sees it (over LWIP_GP: the gateway)
    std::uint16_t port = 0;
};

class DatagramListener {
  public:
    // open() finished: `ok`, or the reason it failed (unknown name, unreachable address...).
    virtual void on_datagram_open(bool ok, std::string_view detail) = 0;
    virtual void on_datagram_readable() = 0;

  protected:
    ~DatagramListener() = default;
};

class DatagramSocket {
  public:
    static constexpr std::size_t kQueueLimit = 64;  // datagrams waiting to be read

    virtual ~DatagramSocket() = default;
    virtual void set_listener(DatagramListener* listener) = 0;
    // Bind `local_port` (0: any) and resolve host:port as the default peer (an address with port 0:
    // no default peer, open at once, as LuatOS leaves such a socket unconnected). False, with the reason
    // in `error`, when it cannot even start (already open, no socket); later failures arrive as
    // on_datagram_open(false, why).
    virtual bool open(std::string_view host, std::uint16_t port, std::uint16_t local_port,
                      std::string& error) = 0;
    // Send one datagram to the default peer, or to `to` (an IPv4 address the script gave, the host map
    // applied to it) with `to_port`. False, with the reason, if it is not open, the destination is
    // not allowed or the stack has no memory.
    virtual bool send(std::span<const std::uint8_t> data, std::optional<Ipv4> to, std::uint16_t to_port,
                      std::string& error) = 0;
    [[nodiscard]] virtual bool open_done() const = 0;  // bound and the default peer known
    // The default peer's address as this adapter reaches it, once known.
    [[nodiscard]] virtual std::optional<Ipv4> peer() const = 0;
    virtual void close() = 0;

    [[nodiscard]] bool has_datagram() const { return !queue_.empty(); }
    [[nodiscard]] std::size_t next_size() const { return queue_.empty() ? 0 : queue_.front().data.size(); }
    std::optional<Datagram> receive() {
        if (queue_.empty()) return std::nullopt;
        Datagram d = std::move(queue_.front());
        queue_.pop_front();
        return d;
    }
    [[nodiscard]] std::uint64_t dropped() const { return dropped_; }

  protected:
    // Queue a received datagram; true if it was kept.
    bool enqueue(Datagram d) {
        if (queue_.size() >= kQueueLimit) {
            ++dropped_;
            return false;
        }
        queue_.push_back(std::move(d));
        return true;
    }
    void clear_queue() { queue_.clear(); }

  private:
    std::deque<Datagram> queue_;
    std::uint64_t dropped_ = 0;
};

}  // namespace platform_air780ep
