// What libslirp says of its TCP connections (slirp_connection_info(), the text behind QEMU's
// `info usernet`), parsed: per connection its TCP state towards the guest, both ends, and the two
// queues: RecvQ = bytes the guest sent that slirp has not yet written to the host socket, SendQ =
// bytes read from the host socket not yet acknowledged by the guest.
//
// The run-end drain uses it to know that a closed connection's last bytes and FIN have really
// left the simulated link into the host's socket (lwIP only knows once slirp's ACK came back).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace platform_air780ep {

struct SlirpTcpConnection {
    std::string state;   // "ESTABLISHED", "CLOSE_WAIT", ... as slirp names its side's state
    std::string source;  // the guest's address for a connection the guest made ("*" if unknown)
    std::uint16_t source_port = 0;
    std::string destination;
    std::uint16_t destination_port = 0;
    std::size_t recv_q = 0;  // guest -> host bytes not yet written to the host socket
    std::size_t send_q = 0;  // host -> guest bytes not yet acknowledged by the guest

    // slirp has seen the guest's FIN (so every byte before it): its side is past ESTABLISHED.
    [[nodiscard]] bool guest_finished() const;
};

// The TCP lines of slirp_connection_info()'s text; other lines (header, UDP, ICMP) are skipped, and
// so is a line that does not have the expected shape.
std::vector<SlirpTcpConnection> parse_slirp_connection_info(std::string_view text);

}  // namespace platform_air780ep
