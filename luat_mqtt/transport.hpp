// The transport interface: a non-blocking byte stream (plain TCP, or TLS over TCP) that the platform
// provides and the MQTT client drives. Modelled on coreMQTT's transport_interface.h, made event
// driven because the module's network stack (lwIP raw API) is callback based.
//
// The engine itself is sans-IO; only the glue that connects an engine session to a stream uses this.
// Nothing here knows about Lua, lwIP, sockets or mbedTLS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace luat_mqtt {

// Why a stream failed or ended. The MQTT client maps these to LuatOS events.
enum class TransportError {
    kNone = 0,
    kDnsFailed,      // the host name did not resolve
    kConnectFailed,  // refused / reset / unreachable while connecting
    kTlsHandshake,   // the TLS handshake failed (bad certificate, name mismatch, alert...)
    kPeerClosed,     // orderly close by the peer (FIN)
    kReset,          // the connection was reset or aborted after it was up
    kTimeout,        // the stack gave up (retransmissions exhausted)
    kNoResources,    // out of memory / buffers in the stack
    kLocalClose,     // closed by our side
};

const char* to_string(TransportError e);

// Callbacks from a stream to its owner. They are called from the device's event loop, never from
// inside a call the owner made into the stream (no re-entrancy): e.g. write() never calls on_closed().
class TransportListener {
  public:
    virtual void on_transport_connected() = 0;  // open() completed: the stream is usable
    virtual void on_transport_readable() = 0;   // new bytes can be read()
    virtual void on_transport_writable() = 0;   // space freed after write() accepted less than asked
    // The stream failed or ended; it is closed and must not be used except for close()/destruction.
    // `detail` is a human-readable reason for the log (e.g. mbedTLS's verify message).
    virtual void on_transport_closed(TransportError error, std::string_view detail) = 0;

  protected:
    ~TransportListener() = default;
};

class Transport {
  public:
    virtual ~Transport() = default;

    virtual void set_listener(TransportListener* listener) = 0;
    // Start connecting (name resolution included). Returns false only if the attempt cannot even be
    // started (already open, no resources); every later failure arrives as on_transport_closed().
    virtual bool open(std::string_view host, std::uint16_t port) = 0;
    // Queue bytes for sending. Returns how many were accepted (0..data.size()); accepted bytes are
    // sent in order (the stream may batch them until the event loop is about to block).
    virtual std::size_t write(std::span<const std::uint8_t> data) = 0;
    // How many bytes write() would accept now.
    [[nodiscard]] virtual std::size_t writable() const = 0;
    // Bytes accepted by write() but not yet acknowledged/handed to the network.
    [[nodiscard]] virtual std::size_t unsent() const = 0;
    // Copy up to out.size() received bytes; returns the count (0: nothing buffered). Data not read
    // stays buffered and holds back the peer (TCP window), so a reader can take only what it can hold.
    virtual std::size_t read(std::span<std::uint8_t> out) = 0;
    [[nodiscard]] virtual std::size_t readable() const = 0;
    // Close now (best effort flush). No listener callback follows. open() may be called again.
    virtual void close() = 0;
    [[nodiscard]] virtual bool is_open() const = 0;
};

}  // namespace luat_mqtt
