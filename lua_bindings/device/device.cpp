#include "device.hpp"

#include <stdlib.h>

#include <algorithm>
#include <system_error>

#include "lua_bindings/device/device_fs.hpp"
#include "lua_bindings/device/device_network.hpp"

namespace lua_bindings {

namespace fs = std::filesystem;

namespace {

// A fresh private folder for the device's writable file system.
fs::path make_temp_data_dir() {
    std::string pattern = (fs::temp_directory_path() / "luatos-device-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return {};
    return fs::path(pattern);
}

}  // namespace

Device::Device(DeviceConfig config, platform_air780ep::Identity identity, platform_air780ep::LuadbImage image)
    : config_(std::move(config)),
      identity_(std::move(identity)),
      image_(std::move(image)),
      logger_(loop_.start_time()),
      vm_exit_(loop_),
      adapters_(platform_air780ep::AdapterTable::air780ep()),
      board_(logger_),
      clock_(loop_, config_.tz_offset_minutes),
      modules_(builtin_modules()) {
    logger_.set_stdout(config_.log_to_stdout);
    std::string error;
    if (!config_.log_file.empty() && !logger_.open_file(config_.log_file, error)) {
        logger_.error("main", "cannot open the log file " + config_.log_file + ": " + error);
    }
    if (config_.data_dir.empty()) {
        data_dir_ = make_temp_data_dir();
        owns_data_dir_ = !data_dir_.empty();
    } else {
        data_dir_ = config_.data_dir;
        std::error_code ec;
        fs::create_directories(data_dir_, ec);
    }
}

// /ram/ is RAM: empty at every boot, gone when the device is.
void Device::reset_ram_fs() {
    if (data_dir_.empty()) return;
    std::error_code ec;
    const fs::path ram = DeviceFs::ram_root(data_dir_);
    fs::remove_all(ram, ec);
    fs::create_directories(ram, ec);
}

Device::~Device() {
    network_.reset();
    std::error_code ec;
    if (!data_dir_.empty()) fs::remove_all(DeviceFs::ram_root(data_dir_), ec);
    if (owns_data_dir_) {
        fs::remove_all(data_dir_, ec);
    }
}

DeviceNetwork& Device::set_network(std::unique_ptr<DeviceNetwork> network) {
    network_ = std::move(network);
    return *network_;
}

void Device::print_banner() {
    if (!config_.boot_banner) return;
    logger_.info("main", "LuatOS@Air780EP base 26.04 bsp V2035 64bit");
    logger_.info("main", "ROM Build: " __DATE__ " " __TIME__);
}

void Device::drain_after_run() {
    auto under_way = [this] {
        return std::any_of(drains_.begin(), drains_.end(),
                           [](const RunEndDrain& d) { return d.under_way(); });
    };
    if (!under_way()) return;
    std::uint64_t budget = 0;
    for (const RunEndDrain& d : drains_)
        budget = std::max(budget, d.budget_ms());
    const std::uint64_t start = loop_.now_ms();
    // The run's own messages find their run gone and do nothing; the platform's poll sources,
    // timers and before-block hooks (lwIP, the link, slirp) carry on.
    loop_.reset_stop();
    while (under_way()) {
        const std::uint64_t waited = loop_.now_ms() - start;
        if (waited >= budget) {
            for (const RunEndDrain& d : drains_) {
                if (d.under_way() && d.gave_up) d.gave_up(waited);
            }
            return;
        }
        loop_.run_once(static_cast<int>(budget - waited));
    }
}

bool Device::prepare_next_boot(int& code) {
    PowerState& p = power_;
    const PowerState::Cause cause = p.ending.value_or(PowerState::Cause::kSoftware);
    p.ending.reset();
    p.woken_by_dtimer.reset();
    p.wakeup_source = 0;
    p.last_sleep_mode = 0;
    switch (cause) {
        case PowerState::Cause::kSoftware:
            p.poweron_reason = 3;  // LUAT_PM_POWERON_REASON_SWRESET
            return true;
        case PowerState::Cause::kWatchdog:
            p.poweron_reason = 8;  // LUAT_PM_POWERON_REASON_WDT
            return true;
        case PowerState::Cause::kSleep:
        case PowerState::Cause::kPowerOff:
            break;
    }
    // Asleep (or off): nothing runs until a deep-sleep timer expires (never when powered off);
    // --run-for and the signals still end the process, through vm_exit.
    vm_exit_.clear();
    loop_.reset_stop();
    adapters_.reset_all_down();
    for (;;) {
        const auto next = cause == PowerState::Cause::kSleep ? p.next_dtimer() : std::nullopt;
        const std::uint64_t now = loop_.now_ms();
        if (next && next->second <= now) {
            p.dtimer_deadline_ms[static_cast<std::size_t>(next->first)].reset();
            p.woken_by_dtimer = next->first;
            p.wakeup_source = 1;  // WAKEUP_FROM_RTC
            p.last_sleep_mode = p.sleep_mode;
            p.poweron_reason = 0;
            return true;
        }
        loop_.run_once(next ? static_cast<int>(std::min<std::uint64_t>(next->second - now, 60000)) : 60000);
        if (vm_exit_.pending()) {
            code = vm_exit_.code();
            return false;
        }
    }
}

int Device::run(std::optional<std::chrono::milliseconds> run_for) {
    std::optional<std::uint64_t> deadline;
    sys_task::EventLoop::TimerId run_for_timer = 0;
    if (run_for) {
        const auto ms = static_cast<std::uint64_t>(run_for->count() > 0 ? run_for->count() : 0);
        deadline = loop_.now_ms() + ms;
        run_for_timer = loop_.add_timer(ms, [this] { vm_exit_.request(sys_task::VmExit::Kind::kExit, 0); });
    }
    // The same end for a script that never lets the loop come round (the busy-script guard).
    const sys_task::BusyGuard::CheckId run_for_check = vm_exit_.busy().add_check([this, deadline] {
        if (deadline && loop_.now_ms() >= *deadline) vm_exit_.request(sys_task::VmExit::Kind::kExit, 0);
    });
    int code = 0;
    for (;;) {
        if (deadline && loop_.now_ms() >= *deadline && boots_ > 0) {
            code = 0;  // --run-for passed while the scripts were rebooting
            break;
        }
        loop_.reset_stop();
        vm_exit_.clear();
        adapters_.reset_all_down();
        // The module's pins and PWM restart; what the outside world drives stays.
        board_.reset_module_state();
        reset_ram_fs();
        logger_.set_level(sys_task::kLogDebug);  // a restart forgets log.setLevel, as the module does
        ++boots_;
        print_banner();
        if (boots_ == 1) {
            for (const std::string& w : image_.warnings())
                logger_.warn("luadb", w);
        }
        RunOutcome outcome;
        {
            RunContext run(*this);
            run_ = &run;
            outcome = run.execute(modules_);
            run_ = nullptr;
        }
        drain_after_run();
        if (outcome.kind == RunOutcome::Kind::kReboot && prepare_next_boot(code)) continue;
        if (outcome.kind == RunOutcome::Kind::kReboot) break;
        code = outcome.exit_code;
        break;
    }
    if (run_for_timer != 0) loop_.cancel_timer(run_for_timer);
    vm_exit_.busy().remove_check(run_for_check);
    loop_.reset_stop();
    vm_exit_.clear();
    return code;
}

}  // namespace lua_bindings
