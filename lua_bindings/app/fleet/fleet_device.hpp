// What the fleet supervisor knows of one device: its plan (index, identity, folder, link profile), its
// process, and the last state it reported on its status pipe (lua_bindings/app/status_reporter.hpp).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lua_bindings {

struct FleetDevice {
    // The plan.
    std::size_t index = 0;  // global, over every shard
    std::string imei;
    std::string unique_id_hex;
    std::string link_profile;  // "" without --link-mix
    std::string dir;           // DIR/<index>: data/, luatos.log, stderr.txt, ctl

    // The process.
    pid_t pid = -1;
    int status_fd = -1;   // our end of its status pipe, -1 once closed
    std::string pending;  // a status line not complete yet
    bool started = false;
    bool ended = false;
    int exit_code = -1;       // the exit status, or 128 + signal
    bool stopped = false;     // we asked it to stop (SIGTERM): its 143 is not a crash
    std::string spawn_error;  // the process could not be started

    // The last state it reported.
    bool attached = false;
    std::uint64_t mqtt = 0;  // clients connected now
    std::uint64_t uplinks = 0;
    std::uint64_t downlinks = 0;
    std::uint64_t connacks = 0;
    std::int64_t connect_ms = -1;  // its uptime at the first CONNACK
    int boots = 0;

    [[nodiscard]] bool running() const { return started && !ended; }
    [[nodiscard]] bool crashed() const {
        return ended && (!spawn_error.empty() ||
                         (exit_code != 0 && !(stopped && (exit_code == 143 || exit_code == 130))));
    }
    [[nodiscard]] std::uint64_t reconnects() const { return connacks > 1 ? connacks - 1 : 0; }
    // Apply one status line ("s a=1 m=1 up=3 ..." or "x code=0"); unknown keys are ignored.
    void apply_status(std::string_view line);
};

}  // namespace lua_bindings
