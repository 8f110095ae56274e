// The wall time the simulated module believes: its RTC (docs/modules/rtc.md). It runs on the
// device's uptime clock from a base that rtc.set, an NTP sync (socket.sntp) or the network's time at
// attach (mobile.syncTime, on by default) set; os.time/os.date and rtc.get read it. It belongs to the
// Device and survives reboots, as the EC718's always-on RTC does. Before anything sets it, it reads
// the host's clock (a fresh module reads 1970 until attach: docs/differences.md).
//
// Also the module's time zone, in LuatOS's quarter hours (rtc.timezone; 32 = UTC+8), which
// os.date/os.time use.
#pragma once

#include <cstdint>

#include "sys_task/event_loop.hpp"

namespace platform_air780ep {

class ModuleClock {
  public:
    // `zone_minutes`: the configured time zone (the device's --tz).
    ModuleClock(const sys_task::EventLoop& loop, int zone_minutes);

    // Milliseconds since 1970-01-01 UTC, as the module believes.
    [[nodiscard]] std::int64_t unix_ms() const;
    [[nodiscard]] std::int64_t unix_seconds() const;
    void set_unix_ms(std::int64_t ms);
    void set_unix_seconds(std::int64_t seconds) { set_unix_ms(seconds * 1000); }
    // How many times something set the clock (0: still the host's time from power-up).
    [[nodiscard]] std::uint64_t sets() const { return sets_; }

    [[nodiscard]] int zone_minutes() const { return zone_minutes_; }
    [[nodiscard]] int zone_quarters() const { return zone_minutes_ / 15; }
    void set_zone_quarters(int quarters) { zone_minutes_ = quarters * 15; }

    // mobile.syncTime: whether the network's time at attach sets the clock (on by default).
    [[nodiscard]] bool network_sync() const { return network_sync_; }
    void set_network_sync(bool on) { network_sync_ = on; }

    // Uptime in milliseconds (the device's monotonic clock, mcu.tick64's).
    [[nodiscard]] std::uint64_t uptime_ms() const { return loop_.now_ms(); }

  private:
    const sys_task::EventLoop& loop_;
    std::int64_t base_unix_ms_;     // the wall time at base_uptime_ms_
    std::uint64_t base_uptime_ms_;  // uptime when the base was set
    int zone_minutes_;
    std::uint64_t sets_ = 0;
    bool network_sync_ = true;
};

// The host's wall clock, in milliseconds since 1970-01-01 UTC.
std::int64_t host_unix_ms();

}  // namespace platform_air780ep
