#include "platform_air780ep/pin_mux.hpp"

#include <algorithm>

namespace platform_air780ep {

namespace {

// The Air780EP family's pins (luat_pin_ec7xx.c, the table luat_pin_init installs on every EC718
// model): module pin number, chip pad, the function of alternate settings 0..8. The firmware's rows
// list eight settings; the ninth is left zero there, which is the code of UART0_RX, so a search for
// that code finds setting 8 on every pin that has no other.
constexpr ModulePin kPins[] = {
    {97, 11, {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x510, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {100, 12, {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x511, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {67, 13, {0xFFFF, 0xFFFF, 0x100, 0x110, 0x512, 0x300, 0xFFFF, 0xFFFF, 0x000}},
    {66, 14, {0xFFFF, 0xFFFF, 0x101, 0x111, 0x513, 0x310, 0xFFFF, 0xFFFF, 0x000}},
    {82, 15, {0x500, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {22, 16, {0x501, 0xFFFF, 0xFFFF, 0x012, 0x311, 0x300, 0xFFFF, 0xFFFF, 0x000}},
    {23, 17, {0x502, 0xFFFF, 0xFFFF, 0x013, 0xFFFF, 0x310, 0xFFFF, 0xFFFF, 0x000}},
    {54, 18, {0x503, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x320, 0xFFFF, 0xFFFF, 0x000}},
    {80, 19, {0x504, 0xFFFF, 0x111, 0x012, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {81, 20, {0x505, 0xFFFF, 0x110, 0x013, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {55, 21, {0x506, 0xFFFF, 0x020, 0x012, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {56, 22, {0x507, 0xFFFF, 0x021, 0x013, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {83, 23, {0x508, 0x203, 0x111, 0x022, 0x002, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {85, 24, {0x509, 0x200, 0x110, 0x023, 0x003, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {84, 25, {0x50A, 0x201, 0xFFFF, 0x020, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {86, 26, {0x50B, 0x202, 0xFFFF, 0x021, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {28, 27, {0x50C, 0x213, 0x012, 0x020, 0xFFFF, 0x032, 0xFFFF, 0xFFFF, 0x000}},
    {29, 28, {0x50D, 0x210, 0x013, 0x021, 0xFFFF, 0x033, 0xFFFF, 0xFFFF, 0x000}},
    {58, 29, {0x50E, 0x211, 0x101, 0x030, 0xFFFF, 0x300, 0xFFFF, 0xFFFF, 0x000}},
    {57, 30, {0x50F, 0x212, 0x100, 0x031, 0xFFFF, 0x310, 0xFFFF, 0xFFFF, 0x000}},
    {38, 31, {0x510, 0x000, 0x101, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {39, 32, {0x511, 0x001, 0x100, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {17, 33, {0x512, 0x010, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {18, 34, {0x513, 0x011, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {30, 35, {0x51D, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x300, 0xFFFF, 0xFFFF, 0x000}},
    {31, 36, {0x51E, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x310, 0xFFFF, 0xFFFF, 0x000}},
    {32, 37, {0x51F, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x320, 0xFFFF, 0xFFFF, 0x000}},
    {33, 38, {0x520, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x330, 0xFFFF, 0xFFFF, 0x000}},
    {26, 39, {0x521, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x340, 0xFFFF, 0xFFFF, 0x000}},
    {53, 40, {0x522, 0xFFFF, 0x101, 0x030, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {52, 41, {0x523, 0xFFFF, 0x100, 0x031, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {49, 42, {0x524, 0xFFFF, 0x110, 0x002, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {50, 43, {0x525, 0xFFFF, 0x111, 0x003, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {51, 44, {0x526, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x000}},
    {102, 45, {0x514, 0xFFFF, 0xFFFF, 0x341, 0xFFFF, 0x330, 0xFFFF, 0xFFFF, 0x000}},
    {107, 46, {0x515, 0xFFFF, 0xFFFF, 0x331, 0xFFFF, 0x340, 0xFFFF, 0xFFFF, 0x000}},
    {19, 47, {0x516, 0xFFFF, 0xFFFF, 0x341, 0xFFFF, 0x350, 0xFFFF, 0xFFFF, 0x000}},
    {99, 48, {0x517, 0xFFFF, 0xFFFF, 0x311, 0xFFFF, 0x300, 0xFFFF, 0xFFFF, 0x000}},
    {20, 49, {0x518, 0xFFFF, 0xFFFF, 0x301, 0xFFFF, 0x310, 0xFFFF, 0xFFFF, 0x000}},
    {106, 50, {0x519, 0xFFFF, 0xFFFF, 0x331, 0xFFFF, 0x320, 0xFFFF, 0xFFFF, 0x000}},
    {25, 51, {0x51A, 0xFFFF, 0xFFFF, 0x321, 0xFFFF, 0x330, 0xFFFF, 0xFFFF, 0x000}},
    {16, 52, {0x51B, 0xFFFF, 0xFFFF, 0x351, 0xFFFF, 0x340, 0xFFFF, 0xFFFF, 0x000}},
    {78, 53, {0x51C, 0xFFFF, 0xFFFF, 0x341, 0xFFFF, 0x350, 0xFFFF, 0xFFFF, 0x000}},
};

}  // namespace

const ModulePin* PinMux::find_pin(std::uint32_t number) {
    for (const ModulePin& p : kPins) {
        if (static_cast<std::uint32_t>(p.number) == number) return &p;
    }
    return nullptr;
}

std::optional<int> PinMux::alt_of(const ModulePin& pin, std::uint16_t code) {
    for (int alt = 0; alt < kAltFunctionCount; ++alt) {
        if (pin.functions[static_cast<std::size_t>(alt)] == code) return alt;
    }
    return std::nullopt;
}

void PinMux::reset() {
    // The power-on routes of the EC718 build (no Air8000 / Air780EPM adjustment applies to the
    // Air780EP). UART0 is the firmware's log port: its table is all zeros and cannot be changed.
    uart_ = {};
    uart_[1] = {PadRoute{33, 1}, PadRoute{34, 1}, PadRoute{16, 3}, PadRoute{17, 3}};
    uart_[2] = {PadRoute{27, 3}, PadRoute{28, 3}, PadRoute{23, 3}, PadRoute{24, 3}};
    uart_[3] = {PadRoute{29, 3}, PadRoute{30, 3}, PadRoute{27, 5}, PadRoute{28, 5}};
    i2c_[0] = {PadRoute{29, 1}, PadRoute{30, 1}};
    i2c_[1] = {PadRoute{13, 3}, PadRoute{14, 3}};
    pwm_[0] = {PadRoute{16, 5}, kNoRoute};
    pwm_[1] = {PadRoute{49, 5}, kNoRoute};
    pwm_[2] = {PadRoute{50, 5}, kNoRoute};
    pwm_[3] = {kNoRoute, kNoRoute};
    pwm_[4] = {PadRoute{52, 5}, kNoRoute};
    gpio16_19_ = {PadRoute{11, 4}, PadRoute{13, 4}, PadRoute{33, 0}, PadRoute{34, 0}};
    onewire_ = PadRoute{17, 4};
    closed_pads_.clear();
}

namespace {

template <std::size_t N>
SignalRoutes widen(const std::array<PadRoute, N>& in) {
    SignalRoutes out{};
    std::copy(in.begin(), in.end(), out.begin());
    return out;
}

template <std::size_t N>
void narrow(const SignalRoutes& in, std::array<PadRoute, N>& out) {
    std::copy_n(in.begin(), N, out.begin());
}

}  // namespace

std::optional<SignalRoutes> PinMux::routes(PeripheralType type, int id) const {
    switch (type) {
        case PeripheralType::kUart:
            if (id < 0 || id >= 4) return std::nullopt;
            return widen(uart_[static_cast<std::size_t>(id)]);
        case PeripheralType::kI2c:
            if (id < 0 || id >= 2) return std::nullopt;
            return widen(i2c_[static_cast<std::size_t>(id)]);
        case PeripheralType::kPwm:
            // The firmware accepts timer 5 here (it has six timers) though its table has five
            // rows; setting timer 5 is refused below, so what it reads for it never matters.
            if (id < 0 || id >= 6) return std::nullopt;
            if (id == 5) return SignalRoutes{kNoRoute, kNoRoute};
            return widen(pwm_[static_cast<std::size_t>(id)]);
        case PeripheralType::kGpio: {
            SignalRoutes out{};
            // Only GPIO16..19 have a table; any other GPIO sits on its own pad (setting 0), and
            // its route cannot be changed.
            if (id >= 16 && id <= 19)
                out[0] = gpio16_19_[static_cast<std::size_t>(id - 16)];
            else
                out[0] = PadRoute{0xFF, 0};
            return out;
        }
        case PeripheralType::kOnewire: {
            SignalRoutes out{};
            out[0] = onewire_;
            return out;
        }
        default:
            return std::nullopt;  // CAN only on the EC718M, no table for the others
    }
}

bool PinMux::set_routes(PeripheralType type, int id, const SignalRoutes& routes) {
    switch (type) {
        case PeripheralType::kUart:
            if (id < 2 || id >= 4) return false;  // UART0 (log) and UART1 (LPUART) stay
            narrow(routes, uart_[static_cast<std::size_t>(id)]);
            return true;
        case PeripheralType::kI2c:
            if (id < 0 || id >= 2) return false;
            narrow(routes, i2c_[static_cast<std::size_t>(id)]);
            return true;
        case PeripheralType::kPwm:
            if (id < 0 || id >= 5) return false;
            narrow(routes, pwm_[static_cast<std::size_t>(id)]);
            return true;
        case PeripheralType::kGpio:
            if (id < 16 || id > 19) return false;
            gpio16_19_[static_cast<std::size_t>(id - 16)] = routes[0];
            return true;
        case PeripheralType::kOnewire:
            onewire_ = routes[0];
            return true;
        default:
            return false;
    }
}

}  // namespace platform_air780ep
