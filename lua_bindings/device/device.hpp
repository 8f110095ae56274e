// A simulated Air780EP running LuatOS scripts.
//
// The Device owns what a module keeps across reboots: the event loop (its clock is the uptime),
// the logger, the identity, the /luadb/ image, the network adapter table and the writable file
// system root. Each run of the scripts is a RunContext (Lua state, sys scheduler, modules);
// rtos.reboot() ends one and starts the next from main.lua, as the module restarts.
//
// Tests drive a Device in-process: build it from in-memory files, add a Logger sink to capture
// lines, run() for a bounded time, look at the exit code.
//
//     DeviceConfig cfg;  cfg.log_to_stdout = false;
//     platform_air780ep::LuadbImage image;  image.add("main.lua", "sys.taskInit(...) sys.run()");
//     Device dev(cfg, identity, std::move(image));
//     dev.logger().add_sink([&](std::string_view line) { lines.emplace_back(line); });
//     int code = dev.run(std::chrono::milliseconds(500));
//
// Later modules (mqtt, uart, socket channels) call add_module() before run(); the network, which must
// survive reboots (the lwIP stack, the socket channels, the MQTT hub), is given with set_network()
// (install_network() does both).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lua_bindings/device/lua_heap.hpp"
#include "lua_bindings/device/power_state.hpp"
#include "lua_bindings/device/run_context.hpp"
#include "platform_air780ep/adapter_table.hpp"
#include "platform_air780ep/board.hpp"
#include "platform_air780ep/identity.hpp"
#include "platform_air780ep/luadb_image.hpp"
#include "platform_air780ep/module_clock.hpp"
#include "sys_task/event_loop.hpp"
#include "sys_task/logger.hpp"
#include "sys_task/vm_exit.hpp"

namespace lua_bindings {

class DeviceNetwork;

struct DeviceConfig {
    std::size_t heap_budget = LuaHeap::kDefaultBudget;  // bytes of Lua heap
    std::string log_file;                               // also append every line here ("": none)
    bool log_to_stdout = true;
    bool boot_banner = true;              // the "I/main LuatOS@..." and "loadlibs" lines at each boot
    int tz_offset_minutes = 8 * 60;       // the module's time zone for os.date/os.time (UTC+8)
    std::filesystem::path data_dir;       // the writable file system ("": a temporary folder)
    std::uint64_t attach_delay_ms = 500;  // simulated network attach before IP_READY
};

class Device {
  public:
    Device(DeviceConfig config, platform_air780ep::Identity identity, platform_air780ep::LuadbImage image);
    ~Device();
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    // Run main.lua until the VM ends, rebooting when asked. Returns the exit code: os.exit's, 1
    // after a VM-ending error, 0 when `run_for` (device uptime) has passed.
    int run(std::optional<std::chrono::milliseconds> run_for = std::nullopt);

    // Add a Lua module, installed into every run after the built-in ones.
    void add_module(LuaModule module) { modules_.push_back(std::move(module)); }

    // Work that a run leaves under way and that deserves a bounded chance to finish: when a run ends
    // (os.exit, a VM error, rtos.reboot, --run-for) and its modules are gone, the event loop keeps
    // running while some `under_way()` says so, for at most the largest `budget_ms()`; `gave_up`
    // hears how long was waited if the budget ran out first. The network registers the last bytes
    // and FINs of the connections the scripts closed, so that a DISCONNECT written just before
    // os.exit() reaches the broker, as on the module, whose stack keeps running after close().
    struct RunEndDrain {
        std::function<bool()> under_way;
        std::function<std::uint64_t()> budget_ms;
        std::function<void(std::uint64_t waited_ms)> gave_up;
    };
    void add_run_end_drain(RunEndDrain drain) { drains_.push_back(std::move(drain)); }

    // The device's network, kept across runs and destroyed first with the Device (before the loop
    // and the logger it uses). nullptr until set.
    DeviceNetwork& set_network(std::unique_ptr<DeviceNetwork> network);
    DeviceNetwork* network() { return network_.get(); }

    sys_task::EventLoop& loop() { return loop_; }
    sys_task::Logger& logger() { return logger_; }
    sys_task::VmExit& vm_exit() { return vm_exit_; }
    platform_air780ep::AdapterTable& adapters() { return adapters_; }
    // What survives a reset or a deep sleep: the last boot's cause, the deep-sleep timers (pm.md).
    PowerState& power() { return power_; }
    // The board around the module: pins, ADC inputs, PWM, SMS network, Wi-Fi (docs/board.md).
    platform_air780ep::Board& board() { return board_; }
    // The wall time and time zone the module believes (its RTC; survives reboots): os.time, rtc.
    platform_air780ep::ModuleClock& clock() { return clock_; }
    [[nodiscard]] const platform_air780ep::Identity& identity() const { return identity_; }
    [[nodiscard]] const platform_air780ep::LuadbImage& image() const { return image_; }
    [[nodiscard]] const DeviceConfig& config() const { return config_; }
    [[nodiscard]] const std::filesystem::path& data_dir() const { return data_dir_; }
    // How many times main.lua was started (1 + reboots).
    [[nodiscard]] int boot_count() const { return boots_; }
    // The run in progress (nullptr between runs).
    RunContext* current_run() { return run_; }

  private:
    void print_banner();
    void reset_ram_fs();
    // After a run that ended with a reboot: record why, and sleep first if it was a deep sleep.
    // False when the device is to stop instead (--run-for or a signal came while it slept).
    bool prepare_next_boot(int& code);
    void drain_after_run();

    DeviceConfig config_;
    platform_air780ep::Identity identity_;
    platform_air780ep::LuadbImage image_;
    sys_task::EventLoop loop_;
    sys_task::Logger logger_;
    sys_task::VmExit vm_exit_;
    platform_air780ep::AdapterTable adapters_;
    platform_air780ep::Board board_;
    platform_air780ep::ModuleClock clock_;
    PowerState power_;
    std::filesystem::path data_dir_;
    bool owns_data_dir_ = false;
    std::vector<LuaModule> modules_;
    std::unique_ptr<DeviceNetwork> network_;
    std::vector<RunEndDrain> drains_;
    RunContext* run_ = nullptr;
    int boots_ = 0;
};

// The built-in modules of every run, in installation order (print/require/io/os, log, rtos, json...).
std::vector<LuaModule> builtin_modules();

}  // namespace lua_bindings
