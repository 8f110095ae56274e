#include "platform_air780ep/module_clock.hpp"

#include <chrono>

namespace platform_air780ep {

std::int64_t host_unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

ModuleClock::ModuleClock(const sys_task::EventLoop& loop, int zone_minutes)
    : loop_(loop),
      base_unix_ms_(host_unix_ms()),
      base_uptime_ms_(loop.now_ms()),
      zone_minutes_(zone_minutes) {}

std::int64_t ModuleClock::unix_ms() const {
    return base_unix_ms_ + static_cast<std::int64_t>(loop_.now_ms() - base_uptime_ms_);
}

std::int64_t ModuleClock::unix_seconds() const {
    const std::int64_t ms = unix_ms();
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

void ModuleClock::set_unix_ms(std::int64_t ms) {
    base_unix_ms_ = ms;
    base_uptime_ms_ = loop_.now_ms();
    ++sets_;
}

}  // namespace platform_air780ep
