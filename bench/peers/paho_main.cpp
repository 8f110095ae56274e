// bench_peer_paho: the bench cases on Paho C (Debian's libpaho-mqtt-dev, the MQTTClient API).
// One JSON result line on stdout; see `--help` and bench/README.md.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "bench/peers/measure.hpp"
#include "bench/peers/options.hpp"
#include "bench/peers/paho_client.hpp"
#include "bench/peers/peer_cases.hpp"

int main(int argc, char** argv) {
    const std::uint64_t started = bench::mono_ns();
    bench::Options options;
    if (std::string error;
        !bench::parse_options({argv + 1, static_cast<std::size_t>(argc - 1)}, options, error)) {
        std::fprintf(stderr, "bench_peer_paho: %s\n%s", error.c_str(),
                     bench::usage_text("bench_peer_paho").c_str());
        return 2;
    }
    if (options.help) {
        std::fputs(bench::usage_text("bench_peer_paho").c_str(), stdout);
        return 0;
    }
    if (!options.tls_ca.empty()) {
        std::fprintf(stderr, "bench_peer_paho: built on libpaho-mqtt3c, without TLS\n");
        return 2;
    }
    bench::announce_start(options, started);
    if (options.client_id.empty()) options.client_id = "bench-paho-" + std::to_string(::getpid());
    const bench::ClientFactory make = [] { return std::make_unique<bench::PahoClient>(); };
    return bench::run_case("paho", options, make, started);
}
