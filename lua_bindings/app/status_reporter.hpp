// `luatos --status-fd N`: the device's state as compact lines on file descriptor N, for a supervisor
// (`luatos fleet`, docs/fleet.md) that runs many devices and shows one status line for all of them.
//
// Each line is the whole state, cumulative, so a line lost (the pipe full: writes never block the
// device) is repaired by the next one:
//
//     s a=1 m=1 up=12 dn=3 cn=2 ct=834 boot=1
//
// a: the default adapter is up (IP_READY; LWIP_GP goes down during a link outage); m: MQTT clients connected
// now; up: "sent" events (uplinks the engine finished: QoS 0 written, QoS 1 PUBACKed, QoS 2 completed); dn:
// "recv" events (downlinks); cn: CONNACKs accepted (reconnects = cn - 1 per client); ct: the device's uptime
// (ms) at its first CONNACK, -1 before; boot: main.lua starts (1 + reboots). A change is reported at most
// every 200 ms; the last line, written when the run is over, is `x code=N` (the exit status luatos returns).
//
// When the reader is gone (the supervisor died: the pipe's write end reports POLLERR) the device
// ends as on SIGTERM (exit status 143), so no device outlives its fleet.
//
// The option is hidden (not in --help): it is the supervisor's interface, not the user's. main.cpp
// takes it off the command line before the normal options are parsed.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lua_bindings/device/device.hpp"

namespace lua_bindings {

// Removes `--status-fd N` (or `--status-fd=N`) from `args`; the descriptor, or nullopt when the option
// is absent. False in `ok` with the reason in `error` for a bad value.
std::optional<int> take_status_fd(std::vector<std::string>& args, bool& ok, std::string& error);

class StatusReporter {
  public:
    // Hooks the device's adapters and MQTT hub (install the network first). Takes ownership of `fd`.
    StatusReporter(Device& device, int fd);
    ~StatusReporter();
    StatusReporter(const StatusReporter&) = delete;
    StatusReporter& operator=(const StatusReporter&) = delete;

    // The final state and `x code=N`, waiting (briefly) for room in the pipe.
    void finish(int exit_code);

  private:
    void changed();
    void flush();
    void write_line(const std::string& line, bool wait);

    Device& device_;
    int fd_;
    platform_air780ep::AdapterTable::ListenerId listener_ = 0;
    std::set<std::uint64_t> connected_;
    bool attached_ = false;
    std::uint64_t uplinks_ = 0;
    std::uint64_t downlinks_ = 0;
    std::uint64_t connacks_ = 0;
    std::int64_t first_connack_ms_ = -1;
    sys_task::EventLoop::TimerId flush_timer_ = 0;
    sys_task::EventLoop::WatchId reader_watch_ = 0;
};

}  // namespace lua_bindings
