// bench_peer_mosquitto: the bench cases on libmosquitto (Debian's libmosquitto-dev), the reference peer.
// One JSON result line on stdout; see `--help` and bench/README.md.
#include <mosquitto.h>

#include <unistd.h>
#include <cstdio>
#include <memory>
#include <string>

#include "bench/peers/measure.hpp"
#include "bench/peers/mosquitto_client.hpp"
#include "bench/peers/options.hpp"
#include "bench/peers/peer_cases.hpp"

namespace {

// libmosquitto's process-wide set-up, for as long as main() runs.
struct MosquittoLibrary {
    MosquittoLibrary() { mosquitto_lib_init(); }
    ~MosquittoLibrary() { mosquitto_lib_cleanup(); }
    MosquittoLibrary(const MosquittoLibrary&) = delete;
    MosquittoLibrary& operator=(const MosquittoLibrary&) = delete;
};

}  // namespace

int main(int argc, char** argv) {
    const std::uint64_t started = bench::mono_ns();
    bench::Options options;
    if (std::string error;
        !bench::parse_options({argv + 1, static_cast<std::size_t>(argc - 1)}, options, error)) {
        std::fprintf(stderr, "bench_peer_mosquitto: %s\n%s", error.c_str(),
                     bench::usage_text("bench_peer_mosquitto").c_str());
        return 2;
    }
    if (options.help) {
        std::fputs(bench::usage_text("bench_peer_mosquitto").c_str(), stdout);
        return 0;
    }
    bench::announce_start(options, started);
    if (options.client_id.empty()) options.client_id = "bench-mosquitto-" + std::to_string(::getpid());
    const MosquittoLibrary library;
    const bench::ClientFactory make = [] { return std::make_unique<bench::MosquittoClient>(); };
    return bench::run_case("libmosquitto", options, make, started);
}
