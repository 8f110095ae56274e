// TEST ONLY: a minimal non-blocking TCP Transport over a host socket, driven by the EventLoop, so that
// TlsStream can be tested against a real broker before the platform's HostTcpStream exists. It should
// be replaced by HostTcpStream (platform_air780ep) in these tests once that lands.
//
// Whatever host it is asked for, it connects to 127.0.0.1 (network safety; the host name matters
// only to TLS, for SNI and the certificate check). Writes are queued up to `send_capacity` bytes and
// sent when poll() says the socket is writable, as a real stack batches them; a small capacity makes
// the TLS layer meet "would block" in the middle of a record. Reads come straight from the socket,
// at most `read_chunk` bytes per read(), so unread data holds back the peer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "luat_mqtt/transport.hpp"
#include "sys_task/event_loop.hpp"

namespace tests {

class LoopbackTcpStream final : public luat_mqtt::Transport {
  public:
    struct Options {
        std::size_t send_capacity = 64 * 1024;
        std::size_t read_chunk = 64 * 1024;
        bool record_sent = false;  // keep a copy of every byte sent, for sent_bytes()
    };
    LoopbackTcpStream(sys_task::EventLoop& loop, Options options);
    explicit LoopbackTcpStream(sys_task::EventLoop& loop) : LoopbackTcpStream(loop, Options{}) {}
    ~LoopbackTcpStream() override;
    LoopbackTcpStream(const LoopbackTcpStream&) = delete;
    LoopbackTcpStream& operator=(const LoopbackTcpStream&) = delete;

    void set_listener(luat_mqtt::TransportListener* listener) override { listener_ = listener; }
    bool open(std::string_view host, std::uint16_t port) override;
    std::size_t write(std::span<const std::uint8_t> data) override;
    [[nodiscard]] std::size_t writable() const override;
    [[nodiscard]] std::size_t unsent() const override { return out_.size(); }
    std::size_t read(std::span<std::uint8_t> out) override;
    [[nodiscard]] std::size_t readable() const override;
    void close() override;
    [[nodiscard]] bool is_open() const override { return fd_ >= 0; }

    // Blocks (without reading, the loop not run) until the peer has shut its side down: then all it
    // sent is waiting in the socket. False after `timeout_ms`.
    bool wait_until_peer_finished(int timeout_ms) const;

    // Every byte handed to the socket, in order, when Options::record_sent (tests inspect TLS records).
    [[nodiscard]] const std::vector<std::uint8_t>& sent_bytes() const { return sent_; }

  private:
    void on_poll(short revents);
    void update_interest();
    bool flush();
    void fail(luat_mqtt::TransportError error, std::string_view detail);

    sys_task::EventLoop& loop_;
    Options options_;
    luat_mqtt::TransportListener* listener_ = nullptr;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    int fd_ = -1;
    std::uint64_t session_ = 0;  // a posted connect failure for an older open() is dropped
    sys_task::EventLoop::WatchId watch_ = 0;
    bool connecting_ = false;
    bool want_input_ = true;  // POLLIN is armed; disarmed after a readable callback until read() is called
    bool owner_waits_writable_ = false;
    std::vector<std::uint8_t> out_;
    std::vector<std::uint8_t> sent_;
};

}  // namespace tests
