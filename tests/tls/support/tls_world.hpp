// Test-only: a PKI, a mosquitto with TLS listeners, an event loop, and TLS clients over the
// platform's HostTcpStream (or, to force partial writes and short reads, the loopback test stream),
// for the TlsStream tests and the TLS bench.
//
// Listeners: "plain" (MQTT over TCP), "tls" (server.pem), "mtls" (server.pem, require_certificate),
// "expired" (expired.pem); all TLS 1.2, trusting ca.pem for client certificates.
#pragma once

#include <memory>
#include <string>

#include "platform_air780ep/host_map.hpp"
#include "platform_air780ep/tls/tls_config.hpp"
#include "platform_air780ep/tls/tls_stream.hpp"
#include "sys_task/event_loop.hpp"
#include "tests/support/mosquitto.hpp"
#include "tests/tls/support/loopback_tcp_stream.hpp"
#include "tests/tls/support/stream_probe.hpp"
#include "tests/tls/support/test_pki.hpp"

namespace tests {

std::vector<BrokerListener> tls_listeners(const TestPki& pki);

struct TlsWorld {
    explicit TlsWorld(KeyKind kind = KeyKind::kEcP256, bool broker_logs_everything = true,
                      const std::vector<std::string>& extra_server_names = {})
        : pki(kind, extra_server_names), broker(tls_listeners(pki), broker_logs_everything) {}
    TestPki pki;
    TestBroker broker;
    sys_task::EventLoop loop;
};

// A config that must be accepted (throws with the error otherwise: a fixture that cannot be set up
// fails its test).
std::shared_ptr<const platform_air780ep::TlsConfig> must_build(const platform_air780ep::TlsOptions& options);
// `ssl = true`'s config (throws if it cannot be made).
std::shared_ptr<const platform_air780ep::TlsConfig> must_insecure();

// The names the TLS tests connect to, all sent to this host's 127.0.0.1 by the host map, so that no
// lookup leaves the machine (127.0.0.2 too: an address the certificate does not carry).
platform_air780ep::HostMap tls_test_hosts();

// A TlsStream over the platform's HostTcpStream (the socket.ETH0 transport), or over a
// LoopbackTcpStream with the given options, with a probe as its listener.
class TlsClient {
  public:
    TlsClient(sys_task::EventLoop& loop, std::shared_ptr<const platform_air780ep::TlsConfig> config);
    TlsClient(sys_task::EventLoop& loop, std::shared_ptr<const platform_air780ep::TlsConfig> config,
              LoopbackTcpStream::Options tcp_options);
    // Opens and runs the loop until the handshake ends either way; returns probe.connected().
    bool connect(const std::string& host, std::uint16_t port);
    // Sends `request` and waits for one complete MQTT packet: its hex, or "closed: <detail>".
    std::string exchange(const Bytes& request);

    sys_task::EventLoop& loop;
    platform_air780ep::HostMap hosts = tls_test_hosts();
    LoopbackTcpStream* tcp = nullptr;  // owned by stream; only with LoopbackTcpStream::Options
    std::unique_ptr<platform_air780ep::TlsStream> stream;
    StreamProbe probe;
};

}  // namespace tests
