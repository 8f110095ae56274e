// What the module's always-on domain keeps across a reset or a deep sleep: why the last boot happened
// (pm.lastReson), the deep-sleep timers (pm.dtimerStart) and a sleep in progress
// (docs/modules/pm.md). Owned by the Device; a new `luatos` run is a power-on and starts afresh.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace lua_bindings {

struct PowerState {
    // Why a run ended for a new boot (set by whoever ends it; a plain rtos.reboot() is kSoftware).
    enum class Cause { kSoftware, kWatchdog, kSleep, kPowerOff };
    // The EC718's deep-sleep timers, ids 0..6 (DEEPSLP_TIMER_ID6).
    static constexpr int kDtimers = 7;

    // ---- what this boot knows about the last one (pm.lastReson, pm.dtimerWkId) ----
    int wakeup_source = 0;    // slpManWakeSrc_e: 0 POR, 1 RTC (a deep-sleep timer), 2 IO
    int last_sleep_mode = 0;  // the pm.* mode slept in: 0 none, 3 DEEP, 4 HIB
    int poweron_reason = 0;   // LUAT_PM_POWERON_REASON: 0 normal, 3 software reset, 8 watchdog
    std::optional<int> woken_by_dtimer;

    // ---- the always-on timers: absolute deadlines on the device's uptime clock ----
    std::array<std::optional<std::uint64_t>, kDtimers> dtimer_deadline_ms{};

    // ---- set just before a run is ended on purpose ----
    std::optional<Cause> ending;
    int sleep_mode = 0;  // with kSleep: 3 DEEP or 4 HIB

    // The earliest running deep-sleep timer: its id and deadline.
    [[nodiscard]] std::optional<std::pair<int, std::uint64_t>> next_dtimer() const {
        std::optional<std::pair<int, std::uint64_t>> best;
        for (int id = 0; id < kDtimers; ++id) {
            const auto& d = dtimer_deadline_ms[static_cast<std::size_t>(id)];
            if (d && (!best || *d < best->second)) best = std::pair{id, *d};
        }
        return best;
    }
};

}  // namespace lua_bindings
