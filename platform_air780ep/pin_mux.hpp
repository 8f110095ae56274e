// The EC718's pin multiplexing as the Air780EP firmware keeps it (docs/modules/pins.md): which
// functions each of the module's pins can take, and which pad and alternate function each
// peripheral signal is routed to (the state `pins.setup` changes and the peripherals read when
// they start).
//
// Facts from openLuat/luatos-soc-2024 interface/src/luat_pin_ec7xx.c: the Air780EP uses the
// chip's one table for the Air780EP family (43 pins), and the routing tables at power-on; which
// routes can be changed at all. A function is a 16-bit code: bits 0..3 the signal (RX/TX/RTS/CTS,
// SCL/SDA, PWM P/N...), 4..7 the peripheral's number, 8..12 its type (PeripheralType), for a GPIO
// the low byte is the GPIO number; 0xFFFF is "nothing".
//
// Plain data and bookkeeping: nothing on the simulated board moves when a route changes, as no
// script-visible behaviour of the module does (the UARTs, GPIOs and PWMs here are not wired by pad).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>

namespace platform_air780ep {

// LuatOS's peripheral types, numbered as luat_mcu.h numbers them (the names pins.setup knows).
enum class PeripheralType : std::uint8_t {
    kUart,
    kI2c,
    kSpi,
    kPwm,
    kCan,
    kGpio,
    kI2s,
    kSdio,
    kLcd,
    kCamera,
    kOnewire,
    kKeyboard,
    kEth,
    kQspi,
    kSim,
};
inline constexpr int kPeripheralTypeCount = 15;

inline constexpr std::uint16_t kNoFunction = 0xFFFF;
inline constexpr int kAltFunctionCount = 9;  // a pad's alternate functions 0..8
inline constexpr int kSignalCount = 6;       // the signals of one peripheral a route table holds

// One of the module's pins: its number on the module, the chip pad behind it and the function of
// each alternate setting.
struct ModulePin {
    int number = 0;
    int pad = 0;
    std::array<std::uint16_t, kAltFunctionCount> functions{};
};

// Where a signal goes: a pad and the alternate function that connects it; 0xFF/0xFF for none.
struct PadRoute {
    std::uint8_t pad = 0;
    std::uint8_t alt = 0;
    bool operator==(const PadRoute&) const = default;
};
inline constexpr PadRoute kNoRoute{0xFF, 0xFF};

using SignalRoutes = std::array<PadRoute, kSignalCount>;

class PinMux {
  public:
    PinMux() { reset(); }

    // The pin with this module number, or nullptr (the firmware's "not in the table").
    [[nodiscard]] static const ModulePin* find_pin(std::uint32_t number);
    // The first alternate setting of `pin` whose function is `code`, or nullopt.
    [[nodiscard]] static std::optional<int> alt_of(const ModulePin& pin, std::uint16_t code);

    // The routes of peripheral `id` of `type` (for a GPIO, `id` is the GPIO number: one route).
    // nullopt where the firmware has no table for it.
    [[nodiscard]] std::optional<SignalRoutes> routes(PeripheralType type, int id) const;
    // Replace them; false where the firmware refuses (the routes stay).
    bool set_routes(PeripheralType type, int id, const SignalRoutes& routes);

    // pins.close: the pad goes high-impedance.
    void close_pad(int pad) { closed_pads_.insert(pad); }
    [[nodiscard]] const std::set<int>& closed_pads() const { return closed_pads_; }

    // The power-on state (every boot).
    void reset();

  private:
    std::array<std::array<PadRoute, 4>, 4> uart_{};
    std::array<std::array<PadRoute, 2>, 2> i2c_{};
    std::array<std::array<PadRoute, 2>, 5> pwm_{};
    std::array<PadRoute, 4> gpio16_19_{};
    PadRoute onewire_{};
    std::set<int> closed_pads_;
};

}  // namespace platform_air780ep
