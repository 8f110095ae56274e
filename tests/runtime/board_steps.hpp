// Test support: the outside world acting on a device's board while its scripts run. Each step runs
// `delay` after the previous one ran (the first after the device was made), so the device's clock
// between two steps is at least their delay whatever the machine's load, and their order is fixed.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "lua_bindings/device/device.hpp"

namespace tests {

struct BoardStep {
    std::chrono::milliseconds delay;
    std::function<void(platform_air780ep::Board&)> act;
};

// For ScriptOptions::setup / DeviceOptions::setup.
inline std::function<void(lua_bindings::Device&)> board_steps(std::vector<BoardStep> steps) {
    return [steps = std::move(steps)](lua_bindings::Device& device) {
        auto shared = std::make_shared<std::vector<BoardStep>>(steps);
        auto next = std::make_shared<std::function<void(std::size_t)>>();
        // Each pending timer holds the chain (the chain itself only a weak reference to itself), so it
        // lives until its last step has run.
        *next = [&device, shared,
                 weak = std::weak_ptr<std::function<void(std::size_t)>>(next)](std::size_t i) {
            if (i >= shared->size()) return;
            device.loop().add_timer(static_cast<std::uint64_t>((*shared)[i].delay.count()),
                                    [&device, shared, chain = weak.lock(), i] {
                                        (*shared)[i].act(device.board());
                                        if (chain) (*chain)(i + 1);
                                    });
        };
        (*next)(0);
    };
}

// Drive or release a pin (the `gpio PIN 0|1|z` command).
inline std::function<void(platform_air780ep::Board&)> drive(int pin, std::optional<int> level) {
    return [pin, level](platform_air780ep::Board& b) { b.drive(pin, level); };
}

}  // namespace tests
