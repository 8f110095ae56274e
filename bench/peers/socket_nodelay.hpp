// TCP_NODELAY for a library that opens its socket itself and has no option for it (Paho C).
//
// Every other party in the bench runs with Nagle's algorithm off (the broker with set_tcp_nodelay,
// libmosquitto with MOSQ_OPT_TCP_NODELAY, the runtime under test by design). Paho C 1.3 leaves it on, so
// a QoS 1 round trip waits ~40 ms for a delayed ACK and measures the kernel, not the library.
#pragma once

namespace bench {

// Set TCP_NODELAY on every TCP socket of this process connected to remote port `port`; returns how many.
int set_nodelay_on_connections_to(int port);

}  // namespace bench
