// Test-only: a PKI, a mosquitto with TLS listeners, an event loop, and TLS clients over the
// loopback test stream, for the TlsStream tests and the TLS bench.
//
// Listeners: "plain" (MQTT over TCP), "tls" (server.pem), "mtls" (server.pem, require_certificate),
// "expired" (expired.pem); all TLS 1.2, trusting ca.pem for client certificates.
#pragma once

#include <memory>
#include <string>

#include "platform_air780ep/tls/tls_config.hpp"
#include "platform_air780ep/tls/tls_stream.hpp"
#include "sys_task/event_loop.hpp"
#include "tests/tls/support/loopback_tcp_stream.hpp"
#include "tests/tls/support/stream_probe.hpp"
#include "tests/tls/support/test_broker.hpp"
#include "tests/tls/support/test_pki.hpp"

namespace luat::test {

std::vector<BrokerListener> tls_listeners(const TestPki& pki);

struct TlsWorld {
    explicit TlsWorld(KeyKind kind = KeyKind::kEcP256, bool broker_logs_everything = true,
                      const std::vector<std::string>& extra_server_names = {})
        : pki(kind, extra_server_names), broker(tls_listeners(pki), broker_logs_everything) {}
    TestPki pki;
    TestBroker broker;
    sys::EventLoop loop;
};

// Builds a config that must be accepted (throws with the error otherwise).
std::shared_ptr<const platform::TlsConfig> must_build(const platform::TlsOptions& options);

// A TlsStream over a LoopbackTcpStream, with a probe as its listener.
class TlsClient {
  public:
    TlsClient(sys::EventLoop& loop, std::shared_ptr<const platform::TlsConfig> config,
              LoopbackTcpStream::Options tcp_options = {});
    // Opens and runs the loop until the handshake ends either way; returns probe.connected().
    bool connect(const std::string& host, std::uint16_t port);
    // Sends `request` and waits for one complete MQTT packet: its hex, or "closed: <detail>".
    std::string exchange(const Bytes& request);

    sys::EventLoop& loop;
    LoopbackTcpStream* tcp;  // owned by stream
    std::unique_ptr<platform::TlsStream> stream;
    StreamProbe probe;
};

}  // namespace luat::test
