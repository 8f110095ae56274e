// A fake clock, and a rig that plays a scripted broker against a Session (no sockets).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "luat_mqtt/clock.hpp"
#include "luat_mqtt/event.hpp"
#include "luat_mqtt/session.hpp"
#include "support.hpp"

namespace tests {

// An event as the script would log it, e.g. "sent 3", "error conack 5", "recv a/b 'hi' id=0 q0 r0 d0".
std::string describe_event(const Event& e);
class FakeClock final : public Clock {
  public:
    [[nodiscard]] std::uint64_t now_ms() const override { return now; }
    std::uint64_t now = 0;
};

// A Session plus a scripted broker: what the session sends is read back as packets, what the broker
// "sends" is fed to the session.
class Rig {
  public:
    Rig() { s.auth("dev1", "", {}, true); }

    FakeClock clock;
    Session s{clock};
    std::vector<std::string> logs;  // diagnostic lines seen by events()

    // Drain the events, formatted (log lines go to `logs`).
    std::vector<std::string> events();
    // Drain the output queue as packets, described / raw.
    std::vector<std::string> sent();
    std::vector<ByteVec> sent_raw();
    // Drain the transport requests: "open" / "close".
    std::vector<std::string> requests();
    // The broker sends bytes; returns how many the session took.
    std::size_t broker(const ByteVec& bytes) { return s.feed(bytes); }
    template <class Packet>
    std::size_t broker_packet(const Packet& p) {
        return broker(encoded(p));
    }
    // Move time forward to `t`, handling each deadline at its own instant.
    void run_until(std::uint64_t t);
    void advance(std::uint64_t ms) { run_until(clock.now + ms); }
    // connect() + transport up + CONNECT sent + CONNACK(0) received. The events and the CONNECT are
    // drained; what the CONNACK made the session send (resends) is left in the output.
    void connect_ok(bool session_present = false);
};

}  // namespace tests
