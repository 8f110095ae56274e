// gpio: LuatOS's GPIO library (luat/modules/luat_lib_gpio.c) with the EC718 port's behaviour, on the
// simulated board (platform_air780ep/board.hpp). docs/modules/gpio.md.
//
// Interrupts come from the board: when the outside world drives a pin (`--control`: `gpio 24 0`), the
// edge is checked against the pin's trigger, the debounce applied as LuatOS's handler applies it, and
// the callback of gpio.setup runs as a native message in the main context with (level, pin).
#include <array>
#include <bitset>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

using platform_air780ep::Board;
using platform_air780ep::PinMode;
using platform_air780ep::PinPull;

constexpr int kPinMax = platform_air780ep::kGpioCount;  // LUAT_GPIO_PIN_MAX
constexpr int kPadMax = platform_air780ep::kGpioPadCount;

// Luat_GPIO_* (luat/include/luat_gpio_legacy.h)
constexpr lua_Integer kLow = 0;
constexpr lua_Integer kHigh = 1;
constexpr lua_Integer kModeOutput = 0;
constexpr lua_Integer kPullDefault = 0;
constexpr lua_Integer kPullUp = 1;
constexpr lua_Integer kPullDown = 2;
constexpr lua_Integer kRising = 0;
constexpr lua_Integer kFalling = 1;
constexpr lua_Integer kBoth = 2;
constexpr lua_Integer kHighIrq = 3;
constexpr lua_Integer kLowIrq = 4;
constexpr lua_Integer kGpioNone = 0xff;  // LUAT_GPIO_NONE
constexpr std::uint8_t kNoIrq = 0xff;
constexpr std::uint64_t kTicksPerUs = 26;  // luat_mcu_us_period on the EC718

// EC718 ids of the special pads (platform_define.h: HAL_WAKEUP_0 = HAL_GPIO_MAX = 39 ...).
constexpr lua_Integer kWakeup0 = 39;
constexpr lua_Integer kWakeup1 = 40;
constexpr lua_Integer kWakeup2 = 41;
constexpr lua_Integer kWakeup3 = 42;
constexpr lua_Integer kWakeup4 = 43;
constexpr lua_Integer kWakeup5 = 44;
constexpr lua_Integer kWakeupCharge = 45;
constexpr lua_Integer kWakeupPwrKey = 46;
constexpr lua_Integer kAudioPaEnable = 22;  // HAL_GPIO_22

PinPull pull_of(lua_Integer pull) {
    if (pull == kPullUp) return PinPull::kUp;
    if (pull == kPullDown) return PinPull::kDown;
    return PinPull::kNone;
}

// What the interrupt of a pin does (the callback LuatOS gives luat_gpio_setup).
enum class IrqHandler : std::uint8_t { kNone, kCallback, kCount, kCapture };

// LuatOS's gpio_ctx_t, one per pin.
struct PinContext {
    int ref = 0;  // the callback in the registry; 0: none
    IrqHandler handler = IrqHandler::kNone;
    bool debounce_timer = false;  // mode 1 has its timer
    sys_task::EventLoop::TimerId pending = 0;
    std::uint32_t irq_count = 0;
    std::uint32_t latest_tick = 0;
    std::uint16_t conf_tick = 0;
    std::uint8_t debounce_mode = 0;
    std::uint8_t latest_state = 0;
    std::uint8_t irq_type = 0;
};

struct GpioModule : std::enable_shared_from_this<GpioModule> {
    GpioModule(RunContext& r) : run(r), board(r.device().board()) {}
    ~GpioModule() {
        board.remove_input_listener(listener);
        for (PinContext& p : pins) {
            if (p.pending != 0) run.device().loop().cancel_timer(p.pending);
        }
    }

    RunContext& run;
    Board& board;
    Board::ListenerId listener = 0;
    std::array<PinContext, kPinMax> pins{};
    std::bitset<kPinMax> out_levels;  // gpio_out_levels: what gpio.set/toggle last wrote
    lua_Integer default_pull = kPullDefault;
    lua_Integer capture_level = 0;  // cap_target_level
    std::uint64_t rising_tick = 0;
    std::uint64_t falling_tick = 0;

    sys_task::Logger& log() { return run.device().logger(); }

    std::uint64_t tick64() const {
        const auto elapsed = std::chrono::steady_clock::now() - run.device().loop().start_time();
        return static_cast<std::uint64_t>(
                   std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()) *
               kTicksPerUs / 1000;
    }

    // The edge the hardware would see on `pin` now reading `level`.
    bool triggers(int pin, int level) const {
        switch (pins[static_cast<std::size_t>(pin)].irq_type) {
            case kRising:
                return level == 1;
            case kFalling:
                return level == 0;
            case kBoth:
                return true;
            // Level interrupts fire when the level is entered; the wake-up pads have none.
            case kHighIrq:
                return pin < kPadMax && level == 1;
            case kLowIrq:
                return pin < kPadMax && level == 0;
            default:
                return false;
        }
    }

    void on_input(int pin, int level) {
        PinContext& p = pins[static_cast<std::size_t>(pin)];
        if (p.handler == IrqHandler::kNone || !triggers(pin, level)) return;
        switch (p.handler) {
            case IrqHandler::kCount:
                ++p.irq_count;
                break;
            case IrqHandler::kCallback:
                irq_default(pin, level);
                break;
            case IrqHandler::kCapture:
                capture_irq(pin);
                break;
            default:
                break;
        }
    }

    // luat_gpio_irq_default: the debounce, then the message to l_gpio_handler.
    void irq_default(int pin, int level) {
        PinContext& p = pins[static_cast<std::size_t>(pin)];
        if (p.conf_tick > 0) {
            if (p.debounce_mode == 0) {
                const auto ticks = static_cast<std::uint32_t>(run.device().loop().now_ms());
                const std::uint32_t diff =
                    ticks > p.latest_tick ? ticks - p.latest_tick : p.latest_tick - ticks;
                if (diff < p.conf_tick) return;
                p.latest_tick = ticks;
            } else if (p.debounce_mode == 1) {
                if (!p.debounce_timer) return;
                p.latest_state = static_cast<std::uint8_t>(board.level(pin));
                if (p.pending != 0) run.device().loop().cancel_timer(p.pending);
                std::weak_ptr<GpioModule> weak = weak_from_this();
                p.pending = run.device().loop().add_timer(p.conf_tick, [weak, pin] {
                    if (auto m = weak.lock()) m->debounce_expired(pin);
                });
                return;
            }
        }
        std::weak_ptr<GpioModule> weak = weak_from_this();
        run.post([weak, pin, level](lua_State* L) {
            if (auto m = weak.lock()) m->call(L, pin, level, pin);
        });
    }

    void debounce_expired(int pin) {
        pins[static_cast<std::size_t>(pin)].pending = 0;
        std::weak_ptr<GpioModule> weak = weak_from_this();
        run.post([weak, pin](lua_State* L) {
            auto m = weak.lock();
            if (!m) return;
            PinContext& p = m->pins[static_cast<std::size_t>(pin)];
            if (p.ref == 0) return;
            if (p.latest_state != m->board.level(pin)) return;  // the level changed meanwhile
            if (p.debounce_mode != 0) {
                switch (p.irq_type) {
                    case kRising:
                    case kHighIrq:
                        if (p.latest_state == 0) return;
                        break;
                    case kFalling:
                    case kLowIrq:
                        if (p.latest_state != 0) return;
                        break;
                    default:
                        break;
                }
            }
            m->call(L, pin, p.latest_state, pin);
        });
    }

    // luat_caplevel_irq_cb: time the level between two edges, flipping the trigger each time.
    void capture_irq(int pin) {
        PinContext& p = pins[static_cast<std::size_t>(pin)];
        bool report = false;
        if (p.irq_type == kRising) {
            rising_tick = tick64();
            p.irq_type = kFalling;
            report = capture_level != 1;
        } else {
            falling_tick = tick64();
            p.irq_type = kRising;
            report = capture_level == 1;
        }
        board.configure_pin(pin, PinMode::kInterrupt, PinPull::kNone);
        if (!report) return;
        std::weak_ptr<GpioModule> weak = weak_from_this();
        run.post([weak, pin](lua_State* L) {
            auto m = weak.lock();
            if (!m) return;
            const std::uint64_t diff =
                m->capture_level == 1 ? m->falling_tick - m->rising_tick : m->rising_tick - m->falling_tick;
            m->call(L, pin, static_cast<lua_Integer>(static_cast<std::uint32_t>(diff / kTicksPerUs)),
                    static_cast<lua_Integer>(static_cast<std::uint32_t>(diff % kTicksPerUs)));
        });
    }

    // Calls the pin's callback with two integers (l_gpio_handler / l_caplevel_handler).
    void call(lua_State* L, int pin, lua_Integer a, lua_Integer b) {
        const int ref = pins[static_cast<std::size_t>(pin)].ref;
        if (ref == 0) return;
        lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            return;
        }
        lua_pushinteger(L, a);
        lua_pushinteger(L, b);
        lua_call(L, 2, 0);
    }

    void set_level(lua_Integer pin, lua_Integer value) {
        const int level = static_cast<std::uint8_t>(value) != 0 ? 1 : 0;  // GPIO_Output takes a byte
        if (pin >= 0 && pin < kPadMax) board.set_output(static_cast<int>(pin), level);
        if (pin >= 0 && pin < kPinMax) out_levels.set(static_cast<std::size_t>(pin), level != 0);
    }

    void release_ref(lua_State* L, PinContext& p) {
        if (p.ref != 0) luaL_unref(L, LUA_REGISTRYINDEX, p.ref);
        p.ref = 0;
    }

    void stop_debounce_timer(PinContext& p) {
        if (p.pending != 0) run.device().loop().cancel_timer(p.pending);
        p.pending = 0;
        p.debounce_timer = false;
    }
};

GpioModule& module_of(lua_State* L) {
    return upvalue_object<GpioModule>(L);
}

void warn_range(lua_State* L, lua_Integer pin) {
    char line[64];
    std::snprintf(line, sizeof line, "id out of range 0 ~ %d, but %lld", kPinMax,
                  static_cast<long long>(pin));
    module_of(L).log().warn("gpio", line);
}

int l_count(lua_State* L);
int l_set(lua_State* L);
int l_get(lua_State* L);

// A closure like LuatOS's: the module and the pin as upvalues 1 and 2.
void push_pin_closure(lua_State* L, lua_CFunction fn, lua_Integer pin) {
    lua_pushlightuserdata(L, &module_of(L));
    lua_pushinteger(L, pin);
    lua_pushcclosure(L, fn, 2);
}

bool pin_upvalue(lua_State* L, lua_Integer& pin) {
    if (!lua_isinteger(L, lua_upvalueindex(2))) return false;
    pin = lua_tointeger(L, lua_upvalueindex(2));
    return true;
}

// gpio.setup(pin, mode, pull, irq, alt)
int l_setup(lua_State* L) {
    GpioModule& m = module_of(L);
    const lua_Integer pin = luaL_checkinteger(L, 1);
    if (pin < 0 || pin >= kPinMax) {
        warn_range(L, pin);
        return 0;
    }
    PinContext& p = m.pins[static_cast<std::size_t>(pin)];
    p.irq_type = kNoIrq;
    PinMode mode = PinMode::kInput;
    IrqHandler handler = IrqHandler::kNone;
    int new_ref = 0;
    int initial = 0;
    if (lua_isfunction(L, 2)) {
        mode = PinMode::kInterrupt;
        if (lua_tocfunction(L, 2) == l_count) {
            m.release_ref(L, p);
            handler = IrqHandler::kCount;
            m.log().debug("gpio", "pin " + std::to_string(pin) + " use irq count mode");
        } else {
            lua_pushvalue(L, 2);
            new_ref = luaL_ref(L, LUA_REGISTRYINDEX);
            handler = IrqHandler::kCallback;
        }
        p.irq_type = static_cast<std::uint8_t>(luaL_optinteger(L, 4, kBoth));
    } else if (lua_isinteger(L, 2)) {
        mode = PinMode::kOutput;
        initial = luaL_checkinteger(L, 2) == 0 ? 0 : 1;
    }
    const lua_Integer pull = luaL_optinteger(L, 3, m.default_pull);
    if (lua_isinteger(L, 5)) luaL_checkinteger(L, 5);  // the alternate function: no pads to move here
    if (mode == PinMode::kInterrupt) {
        if (p.ref != 0 && p.ref != new_ref) luaL_unref(L, LUA_REGISTRYINDEX, p.ref);
        p.ref = new_ref;
    }
    p.handler = handler;
    const int pin_id = static_cast<int>(pin);
    if (mode == PinMode::kOutput) m.board.set_output(pin_id, initial);
    m.board.configure_pin(pin_id, mode, pull_of(pull));
    lua_settop(L, 1);
    push_pin_closure(L, mode == PinMode::kOutput ? l_set : l_get, pin);
    return 1;
}

// gpio.caplevel(pin, level, func)
int l_caplevel(lua_State* L) {
    GpioModule& m = module_of(L);
    const lua_Integer pin = luaL_checkinteger(L, 1);
    if (pin < 0 || pin >= kPinMax) {
        warn_range(L, pin);
        return 0;
    }
    m.capture_level = luaL_checkinteger(L, 2);
    const std::uint8_t irq = m.capture_level == 1 ? kRising : kFalling;
    if (!lua_isfunction(L, 3)) return 0;
    PinContext& p = m.pins[static_cast<std::size_t>(pin)];
    lua_pushvalue(L, 3);
    const int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (p.ref != 0 && p.ref != ref) luaL_unref(L, LUA_REGISTRYINDEX, p.ref);
    p.irq_type = irq;
    p.ref = ref;
    p.handler = IrqHandler::kCapture;
    m.board.configure_pin(static_cast<int>(pin), PinMode::kInterrupt, PinPull::kNone);
    lua_settop(L, 1);
    push_pin_closure(L, l_get, pin);
    return 1;
}

// gpio.set(pin, value), or the closure of gpio.setup(pin, 0|1): set(value)
int l_set(lua_State* L) {
    lua_Integer pin = 0;
    lua_Integer value = 0;
    if (pin_upvalue(L, pin)) {
        value = luaL_checkinteger(L, 1);
    } else {
        pin = luaL_checkinteger(L, 1);
        value = luaL_checkinteger(L, 2);
    }
    module_of(L).set_level(pin, value);
    return 0;
}

// gpio.get(pin), or the closure of an input / interrupt pin: get()
int l_get(lua_State* L) {
    lua_Integer pin = 0;
    if (!pin_upvalue(L, pin)) pin = luaL_checkinteger(L, 1);
    int value = 0;
    if (pin != 255 && pin >= 0 && pin < kPinMax) {
        GpioModule& m = module_of(L);
        // A pin the module drives reads 0 (LuatOS: "gpio.get() always gives 0 in output mode").
        if (!(m.board.mode(static_cast<int>(pin)) == PinMode::kOutput && pin < kPadMax)) {
            value = m.board.level(static_cast<int>(pin)) & 1;
        }
    }
    lua_pushinteger(L, value);
    return 1;
}

// gpio.close(pin)
int l_close(lua_State* L) {
    GpioModule& m = module_of(L);
    const lua_Integer pin = luaL_checkinteger(L, 1);
    if (pin < 0 || pin >= kPinMax) return 0;
    PinContext& p = m.pins[static_cast<std::size_t>(pin)];
    m.board.configure_pin(static_cast<int>(pin), PinMode::kUnused, PinPull::kNone);
    p.handler = IrqHandler::kNone;
    m.release_ref(L, p);
    if (p.debounce_timer) {
        p.conf_tick = 0;
        m.stop_debounce_timer(p);
    }
    return 0;
}

// gpio.setDefaultPull(val)
int l_set_default_pull(lua_State* L) {
    GpioModule& m = module_of(L);
    const lua_Integer value = luaL_checkinteger(L, 1);
    const bool ok = value >= 0 && value <= 2;
    if (ok) m.default_pull = value;
    lua_pushboolean(L, ok ? 1 : 0);
    return 1;
}

// gpio.toggle(pin), or toggle() on an output closure
int l_toggle(lua_State* L) {
    GpioModule& m = module_of(L);
    lua_Integer pin = 0;
    if (!pin_upvalue(L, pin)) pin = luaL_checkinteger(L, 1);
    if (pin < 0 || pin >= kPinMax) {
        m.log().warn("gpio", "pin id out of range (0-127)");
        return 0;
    }
    const bool was = m.out_levels.test(static_cast<std::size_t>(pin));
    m.set_level(pin, was ? kLow : kHigh);
    return 0;
}

// gpio.pulse(pin, level, len, delay)
int l_pulse(lua_State* L) {
    GpioModule& m = module_of(L);
    lua_Integer pin = 0;
    int base = 2;
    if (pin_upvalue(L, pin)) {
        base = 1;
    } else {
        pin = luaL_checkinteger(L, 1);
    }
    std::string level;
    if (lua_isinteger(L, base)) {
        level.assign(1, static_cast<char>(luaL_checkinteger(L, base)));
    } else if (lua_isstring(L, base)) {
        std::size_t len = 0;
        const char* s = luaL_checklstring(L, base, &len);
        level.assign(s, len);
    } else {
        // LuatOS hands a NULL pattern to the pulse driver here and the module crashes.
        return luaL_argerror(L, base, "integer or string expected");
    }
    const lua_Integer bits = luaL_checkinteger(L, base + 1);
    luaL_checkinteger(L, base + 2);  // the delay loop count: timing is not simulated
    if (pin < 0 || pin >= kPinMax) {
        m.log().debug("gpio", "pin id out of range (0-127)");
        return 0;
    }
    if (bits > 0) {
        m.board.pulse(
            static_cast<int>(pin),
            std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(level.data()), level.size()),
            static_cast<std::size_t>(bits));
    }
    return 0;
}

// gpio.debounce(pin, ms, mode)
int l_debounce(lua_State* L) {
    GpioModule& m = module_of(L);
    const auto pin = static_cast<std::uint8_t>(luaL_checkinteger(L, 1));
    const auto timeout = static_cast<std::uint16_t>(luaL_checkinteger(L, 2));
    const auto mode = static_cast<std::uint8_t>(luaL_optinteger(L, 3, 0));
    if (pin >= kPinMax) {
        m.log().warn("gpio", "MUST pin < " + std::to_string(kPinMax));
        return 0;
    }
    PinContext& p = m.pins[pin];
    p.conf_tick = timeout;
    p.latest_tick = 0;
    p.debounce_mode = mode;
    if ((mode == 0 && p.debounce_timer) || timeout == 0) {
        m.stop_debounce_timer(p);
    } else if (mode == 1 && !p.debounce_timer && timeout > 0) {
        p.debounce_timer = true;
    }
    return 0;
}

// gpio.count(pin): the interrupts counted since the last call
int l_count(lua_State* L) {
    GpioModule& m = module_of(L);
    const auto pin = static_cast<std::uint8_t>(luaL_checkinteger(L, 1));
    if (pin >= kPinMax) {
        warn_range(L, pin);
        lua_pushinteger(L, 0);
        return 1;
    }
    PinContext& p = m.pins[pin];
    lua_pushinteger(L, static_cast<lua_Integer>(p.irq_count));
    p.irq_count = 0;
    return 1;
}

}  // namespace

void install_gpio(RunContext& run) {
    auto module = std::make_shared<GpioModule>(run);
    std::weak_ptr<GpioModule> weak = module;
    module->listener = module->board.add_input_listener([weak](int pin, int level) {
        if (auto m = weak.lock()) m->on_input(pin, level);
    });
    run.on_close([module]() mutable { module.reset(); });

    lua_State* L = run.state();
    push_module_table(L, "gpio");
    static const luaL_Reg kFunctions[] = {
        {"setup", l_setup},   {"set", l_set},
        {"get", l_get},       {"close", l_close},
        {"toggle", l_toggle}, {"debounce", l_debounce},
        {"pulse", l_pulse},   {"setDefaultPull", l_set_default_pull},
        {"count", l_count},   {"caplevel", l_caplevel},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module.get());
    static const IntConstant kConstants[] = {
        {"NONE", kGpioNone},
        {"LOW", kLow},
        {"HIGH", kHigh},
        {"OUTPUT", kModeOutput},
        {"PULLUP", kPullUp},
        {"PULLDOWN", kPullDown},
        {"RISING", kRising},
        {"FALLING", kFalling},
        {"BOTH", kBoth},
        {"HIGH_IRQ", kHighIrq},
        {"LOW_IRQ", kLowIrq},
        {"WAKEUP0", kWakeup0},
        {"VBUS", kWakeup1},
        {"WAKEUP1", kWakeup1},
        {"USIM_DET", kWakeup2},
        {"WAKEUP2", kWakeup2},
        {"WAKEUP3", kWakeup3},
        {"WAKEUP4", kWakeup4},
        {"WAKEUP5", kWakeup5},
        {"WAKEUP6", kWakeupCharge},
        {"CHG_DET", kWakeupCharge},
        {"AUDIOPA_EN", kAudioPaEnable},
        {"PWR_KEY", kWakeupPwrKey},
    };
    set_int_constants(L, kConstants);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
