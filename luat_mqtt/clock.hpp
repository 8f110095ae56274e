// The time source of a session: device uptime in milliseconds (EventLoop::now_ms() on the device,
// a fake clock in tests).
#pragma once

#include <cstdint>

namespace luat_mqtt {

class Clock {
  public:
    [[nodiscard]] virtual std::uint64_t now_ms() const = 0;

  protected:
    ~Clock() = default;
};

}  // namespace luat_mqtt
