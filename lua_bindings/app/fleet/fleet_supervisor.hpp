// The fleet supervisor (docs/fleet.md): one `luatos` process per device, started at the ramp with its
// identity, folder, log file, control socket and status pipe; one epoll loop that reads the status
// pipes, reaps the children, prints a status line a second, serves the fleet's control socket
// (forwarding commands to the chosen devices' own control sockets) and ends with the summary.
//
// Why processes: lwIP's state is process-global (one LwipStack per process), and a process per
// device costs ~740 KB PSS with the static executable's pages shared (bench/README.md, "Fleet").
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lua_bindings/app/fleet/fleet_device.hpp"
#include "lua_bindings/app/fleet/fleet_options.hpp"
#include "lua_bindings/app/fleet/fleet_summary.hpp"

namespace lua_bindings {

class FleetSupervisor {
  public:
    // The plan, the fleet folder (devices.csv), the loop and the control socket; nullptr with the
    // reason when one of them cannot be set up. `executable` is the luatos each device runs.
    static std::unique_ptr<FleetSupervisor> create(FleetConfig config, std::string executable,
                                                   std::string& error);
    ~FleetSupervisor();
    FleetSupervisor(const FleetSupervisor&) = delete;
    FleetSupervisor& operator=(const FleetSupervisor&) = delete;

    // Until every device has ended (or the fleet was stopped by a signal); the exit status.
    int run();

  private:
    struct ControlClient;
    struct Forward;
    struct ForwardJob;

    FleetSupervisor(FleetConfig config, std::string executable);
    bool setup(std::string& error);
    bool listen_control(std::string& error);

    void spawn(FleetDevice& d);
    void read_status(FleetDevice& d);
    void close_status(FleetDevice& d);
    void reap();
    void on_signal();
    void stop_all(int sig);
    void report_death(const FleetDevice& d);
    void print_status(bool final_line);

    void accept_control();
    void on_control(std::uint64_t id);
    void drop_control(std::uint64_t id);
    // Runs the client's complete lines until one waits for the devices' answers.
    void run_command(ControlClient& client);
    void on_forward(std::uint64_t id);
    void finish_forward(std::uint64_t id, std::string answer);
    void complete_job(std::uint64_t job_id);
    void expire_jobs();

    void watch(int fd, std::uint64_t tag);
    [[nodiscard]] double elapsed_s() const;

    FleetConfig config_;
    std::string executable_;
    std::vector<FleetDevice> devices_;
    std::map<pid_t, std::size_t> by_pid_;
    std::size_t next_spawn_ = 0;
    std::size_t live_ = 0;
    int epoll_ = -1;
    int signal_fd_ = -1;
    int control_fd_ = -1;
    bool stopping_ = false;
    int stop_signals_ = 0;
    int stop_signal_ = 0;
    bool tty_ = false;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_status_;
    FleetTotals last_totals_;
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, std::unique_ptr<ControlClient>> clients_;
    std::map<std::uint64_t, std::unique_ptr<Forward>> forwards_;
    std::map<std::uint64_t, std::unique_ptr<ForwardJob>> jobs_;
};

}  // namespace lua_bindings
