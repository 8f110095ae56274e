// The bench cases, written once over PeerClient and run by both C peers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "bench/peers/options.hpp"
#include "bench/peers/peer_client.hpp"

namespace bench {

using ClientFactory = std::function<std::unique_ptr<PeerClient>()>;

// Run `options.bench_case`, print its one JSON result line on stdout (plus, for startup, the event lines
// before it) and return the exit status: 0 when the case ran to its end, 1 when it failed (the line then
// has "ok": false and "error").
// `started_ns` is mono_ns() at the top of main(), for the start-up case.
int run_case(std::string_view impl, const Options& options, const ClientFactory& make_client,
             std::uint64_t started_ns);

// The start-up case's first line ({"event":"start"}), printed by main() before anything else is set up.
void announce_start(const Options& options, std::uint64_t started_ns);

}  // namespace bench
