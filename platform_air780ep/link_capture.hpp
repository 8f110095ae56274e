// LinkCapture: the simulated cellular link (socket.LWIP_GP) written to a pcap file, for Wireshark or
// `tshark -r`. Every frame the link model delivers, both directions, at its delivery time on the
// device clock: what the network carried, after delay, jitter, bandwidth and outages. Frames the
// link model drops (loss, a full queue, the link down) and frames the safety filter refuses are not
// in it; an outage therefore shows as a gap (docs/debugging.md).
//
// Started by `--pcap FILE` or the control command `pcap start FILE`, stopped by `pcap stop` (or when
// the device goes). The file is flushed once per event-loop turn, before the loop may block: one
// write for a burst of frames, and a whole file whenever the device waits.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "platform_air780ep/control_server.hpp"
#include "platform_air780ep/pcap_writer.hpp"
#include "platform_air780ep/slirp_link.hpp"
#include "sys_task/logger.hpp"

namespace platform_air780ep {

class LinkCapture {
  public:
    LinkCapture(sys_task::EventLoop& loop, SlirpLink& link, sys_task::Logger& log)
        : loop_(loop), link_(link), log_(log) {}
    ~LinkCapture() { stop(); }
    LinkCapture(const LinkCapture&) = delete;
    LinkCapture& operator=(const LinkCapture&) = delete;

    // Capture into `path` from now on (a capture already running is stopped first; the file is
    // replaced). False, with the reason in `error`, when the file cannot be created.
    bool start(const std::string& path, std::string& error);
    // Closes the file; nothing when no capture runs.
    void stop();
    [[nodiscard]] bool running() const { return writer_ != nullptr; }
    // "pcap on FILE (N frames)" or "pcap off".
    [[nodiscard]] std::string status() const;

  private:
    void on_frame(std::span<const std::uint8_t> frame, std::uint64_t now_us);
    void flush();

    sys_task::EventLoop& loop_;
    SlirpLink& link_;
    sys_task::Logger& log_;
    std::unique_ptr<PcapWriter> writer_;
    sys_task::EventLoop::HookId flush_hook_ = 0;
};

// The control-socket command `pcap`: `pcap start FILE`, `pcap stop`, and `pcap` alone for the state.
void add_capture_commands(ControlServer& server, LinkCapture& capture);

}  // namespace platform_air780ep
