#include "tests/tls/support/tls_world.hpp"

#include <stdexcept>

#include "platform_air780ep/host_tcp_stream.hpp"

namespace tests {

std::vector<BrokerListener> tls_listeners(const TestPki& pki) {
    auto tls = [&pki](const std::string& cert, bool require_certificate) {
        std::string conf = "cafile " + pki.path("ca.pem").string() + "\n" + "certfile " +
                           pki.path(cert).string() + "\n" + "keyfile " + pki.path("server.key").string() +
                           "\n" + "tls_version tlsv1.2\n";
        if (require_certificate) conf += "require_certificate true\n";
        return conf;
    };
    return {{"plain", ""},
            {"tls", tls("server.pem", false)},
            {"mtls", tls("server.pem", true)},
            {"expired", tls("expired.pem", false)}};
}

std::shared_ptr<const platform_air780ep::TlsConfig> must_build(const platform_air780ep::TlsOptions& options) {
    std::vector<std::string> warnings;
    std::string error;
    std::shared_ptr<const platform_air780ep::TlsConfig> config =
        platform_air780ep::TlsConfig::create(options, warnings, error);
    if (!config) throw std::runtime_error("TlsConfig refused: " + error);
    return config;
}

std::shared_ptr<const platform_air780ep::TlsConfig> must_insecure() {
    std::string error;
    std::shared_ptr<const platform_air780ep::TlsConfig> config =
        platform_air780ep::TlsConfig::create_insecure(error);
    if (!config) throw std::runtime_error("TlsConfig refused: " + error);
    return config;
}

platform_air780ep::HostMap tls_test_hosts() {
    platform_air780ep::HostMap hosts;
    for (const char* name : {"localhost", "broker.wrong-name.test", "wrong.name.test", "broker.emqx.io",
                             "lbsmqtt.airm2m.com", "127.0.0.2"})
        hosts.add(name, platform_air780ep::HostTarget{"127.0.0.1", std::nullopt});
    return hosts;
}

TlsClient::TlsClient(sys_task::EventLoop& event_loop,
                     std::shared_ptr<const platform_air780ep::TlsConfig> config)
    : loop(event_loop),
      stream(std::make_unique<platform_air780ep::TlsStream>(
          event_loop, std::move(config),
          std::make_unique<platform_air780ep::HostTcpStream>(event_loop, hosts))),
      probe(*stream) {}

TlsClient::TlsClient(sys_task::EventLoop& event_loop,
                     std::shared_ptr<const platform_air780ep::TlsConfig> config,
                     LoopbackTcpStream::Options tcp_options)
    : loop(event_loop),
      tcp(new LoopbackTcpStream(event_loop, tcp_options)),
      stream(std::make_unique<platform_air780ep::TlsStream>(event_loop, std::move(config),
                                                            std::unique_ptr<luat_mqtt::Transport>(tcp))),
      probe(*stream) {}

bool TlsClient::connect(const std::string& host, std::uint16_t port) {
    const std::size_t before = probe.events.size();
    if (!probe.open(host, port)) throw std::runtime_error("open() refused");
    run_until(loop, [&] { return probe.events.size() > before; });
    return probe.connected();
}

std::string TlsClient::exchange(const Bytes& request) {
    probe.send(request);
    std::optional<Bytes> reply;
    run_until(loop, [&] {
        reply = take_packet(probe.received);
        return reply.has_value() || probe.closed();
    });
    if (reply) return hex(*reply);
    return "closed: " + probe.close_detail;
}

}  // namespace tests
