// pwm: LuatOS's PWM library (luat/modules/luat_lib_pwm.c) over the EC718 port's driver
// (luat_pwm_ec7xx.c in openLuat/luatos-soc-2024), driving the simulated board's PWM outputs.
// docs/modules/pwm.md.
//
// The driver keeps each channel's frequency and duty: a setup on a running channel with the same
// values does nothing, a new duty or frequency only updates the timer. LuatOS's quirks are kept: the
// duty is scaled in place by pwm.start (so pwm.setFreq right after pwm.start scales it twice and the
// channel stops producing a waveform, the bug the Air780EPM demo warns about), pwm.setup logs at
// error level, pwm.capture is not supported by the EC718.
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

constexpr int kDriverChannels = platform_air780ep::kPwmChannelCount;  // PWM_CH_MAX
constexpr int kConfSlots = 12;                                        // confs[12]
constexpr std::uint64_t kMaxFreq = 13000000;

// luat_pwm_conf_t
struct Conf {
    lua_Integer channel = 0;
    std::uint64_t period = 0;  // Hz (size_t in LuatOS)
    std::uint64_t pulse = 0;
    std::uint64_t pnum = 0;
    std::uint64_t precision = 100;
};

// g_s_pwm_table: what the driver remembers of a channel.
struct DriverChannel {
    std::uint64_t freq = 0;
    std::uint64_t last_pulse_rate = 0;
    std::uint64_t pulse_total = 0;
};

struct PwmModule : std::enable_shared_from_this<PwmModule> {
    explicit PwmModule(RunContext& r) : run(r), board(r.device().board()) {}
    ~PwmModule() {
        for (auto& t : pulse_timers) {
            if (t != 0) run.device().loop().cancel_timer(t);
        }
    }

    RunContext& run;
    platform_air780ep::Board& board;
    std::array<DriverChannel, kDriverChannels> driver{};
    std::array<std::optional<Conf>, kConfSlots> confs{};
    std::uint64_t state = 0;  // s_state: channels started
    std::array<sys_task::EventLoop::TimerId, kDriverChannels> pulse_timers{};

    static bool valid(lua_Integer ch) { return ch >= 0 && ch < kDriverChannels && ch != 3; }

    void output(lua_Integer ch, std::uint64_t duty) {
        const auto c = static_cast<std::size_t>(ch);
        const DriverChannel& d = driver[c];
        platform_air780ep::PwmOutput out;
        out.on = true;
        out.freq_hz = static_cast<std::uint32_t>(d.freq);
        out.duty_permille = static_cast<std::uint32_t>(std::min<std::uint64_t>(duty, 0xFFFFFFFFu));
        out.pulses = static_cast<std::uint32_t>(d.pulse_total);
        board.set_pwm(static_cast<int>(ch), out);
    }

    // luat_pwm_open: (re)start the timer of a channel.
    int open(lua_Integer ch, std::uint64_t freq, std::uint64_t pulse, std::uint64_t pnum) {
        if (!valid(ch) || freq > kMaxFreq) return -1;
        const auto c = static_cast<std::size_t>(ch);
        if (pulse > 1000) pulse = 1000;
        driver[c] = DriverChannel{freq, pulse, pnum};
        output(ch, pulse);
        if (pulse_timers[c] != 0) run.device().loop().cancel_timer(pulse_timers[c]);
        pulse_timers[c] = 0;
        if (pnum != 0 && freq != 0) {
            // The timer stops by itself after pnum periods (the channel stays configured).
            const std::uint64_t ms = (pnum * 1000 + freq - 1) / freq;
            std::weak_ptr<PwmModule> weak = weak_from_this();
            pulse_timers[c] = run.device().loop().add_timer(ms, [weak, ch] {
                auto m = weak.lock();
                if (!m) return;
                m->pulse_timers[static_cast<std::size_t>(ch)] = 0;
                m->board.set_pwm(static_cast<int>(ch), platform_air780ep::PwmOutput{});
            });
        }
        return 0;
    }

    // luat_pwm_setup: scales conf.pulse to thousandths in place, as the port does.
    int setup(Conf& conf) {
        const lua_Integer ch = conf.channel;
        if (ch >= kDriverChannels || ch == 3) return -1;
        switch (conf.precision) {
            case 100:
                conf.pulse *= 10;
                break;
            case 256:
                conf.pulse = (conf.pulse * 1000) >> 8;
                break;
            case 1000:
                break;
            default:
                return -1;
        }
        if (ch < 0) return -1;  // luat_pwm_open refuses it (the port reads its table first)
        DriverChannel& d = driver[static_cast<std::size_t>(ch)];
        if (conf.pulse != 0 && d.freq != 0 && conf.pnum == 0 && d.pulse_total == 0) {
            if (d.freq == conf.period && d.last_pulse_rate == conf.pulse) return 0;
            if (d.freq != conf.period) d.freq = conf.period;
            d.last_pulse_rate = conf.pulse;  // luat_pwm_update_dutycycle: no clamp
            output(ch, conf.pulse);
            return 0;
        }
        return open(ch, conf.period, conf.pulse, conf.pnum);
    }

    int close(lua_Integer ch) {
        if (!valid(ch)) return -1;
        const auto c = static_cast<std::size_t>(ch);
        driver[c] = DriverChannel{};
        if (pulse_timers[c] != 0) run.device().loop().cancel_timer(pulse_timers[c]);
        pulse_timers[c] = 0;
        board.set_pwm(static_cast<int>(ch), platform_air780ep::PwmOutput{});
        return 0;
    }

    void set_state(lua_Integer ch, bool on) {
        if (ch < 0 || ch >= 64) return;
        const std::uint64_t bit = 1ULL << ch;
        state = on ? (state | bit) : (state & ~bit);
    }
};

PwmModule& module_of(lua_State* L) {
    return upvalue_object<PwmModule>(L);
}

// Negative Lua integers reach LuatOS's size_t fields as huge values.
std::uint64_t as_size(lua_Integer v) {
    return static_cast<std::uint64_t>(v);
}

Conf read_conf(lua_State* L) {
    Conf conf;
    conf.channel = luaL_checkinteger(L, 1);
    conf.period = as_size(luaL_checkinteger(L, 2));
    const lua_Number pulse = luaL_optnumber(L, 3, 0);
    conf.pulse =
        pulse <= 0 ? 0 : (pulse >= 1e18 ? 1000000000000000000ULL : static_cast<std::uint64_t>(pulse));
    if (lua_isnumber(L, 4)) conf.pnum = as_size(luaL_checkinteger(L, 4));
    if (lua_isnumber(L, 5)) conf.precision = as_size(luaL_checkinteger(L, 5));
    return conf;
}

// pwm.open(channel, period, pulse, pnum, precision) -> boolean
int l_open(lua_State* L) {
    PwmModule& m = module_of(L);
    Conf conf = read_conf(L);
    const int ret = m.setup(conf);
    if (ret == 0) m.set_state(conf.channel, true);
    lua_pushboolean(L, ret == 0 ? 1 : 0);
    return 1;
}

// pwm.close(channel)
int l_close(lua_State* L) {
    PwmModule& m = module_of(L);
    const lua_Integer ch = luaL_checkinteger(L, 1);
    m.close(ch);
    m.set_state(ch, false);
    return 0;
}

// pwm.capture(channel, freq) -> false: the EC718 port has no capture
int l_capture(lua_State* L) {
    luaL_checkinteger(L, 1);
    luaL_checkinteger(L, 2);
    lua_pushboolean(L, 0);
    return 1;
}

// pwm.setup(channel, period, pulse, pnum, precision) -> true | nothing
int l_setup(lua_State* L) {
    PwmModule& m = module_of(L);
    const Conf conf = read_conf(L);
    m.run.device().logger().error("pwm", "pwm_setup channel " + std::to_string(conf.channel));
    if (conf.channel > 5 || conf.channel < 0) return 0;
    m.confs[static_cast<std::size_t>(conf.channel)] = conf;
    lua_pushboolean(L, 1);
    return 1;
}

// check_channel: the channel with a pwm.setup, or -1 (logged when setup is missing).
lua_Integer check_channel(lua_State* L) {
    PwmModule& m = module_of(L);
    const lua_Integer ch = luaL_checkinteger(L, 1);
    if (ch >= kConfSlots || ch < 0) return -1;
    if (!m.confs[static_cast<std::size_t>(ch)]) {
        m.run.device().logger().error("pwm", "请先调用pwm.setup!! " + std::to_string(ch));
        return -1;
    }
    return ch;
}

// pwm.start(channel) -> boolean | nothing
int l_start(lua_State* L) {
    PwmModule& m = module_of(L);
    const lua_Integer ch = check_channel(L);
    if (ch < 0) return 0;
    const int ret = m.setup(*m.confs[static_cast<std::size_t>(ch)]);
    if (ret == 0) m.set_state(ch, true);
    lua_pushboolean(L, ret == 0 ? 1 : 0);
    return 1;
}

// pwm.stop(channel) -> true | nothing
int l_stop(lua_State* L) {
    PwmModule& m = module_of(L);
    const lua_Integer ch = check_channel(L);
    if (ch < 0) return 0;
    m.close(ch);
    m.confs[static_cast<std::size_t>(ch)].reset();
    m.set_state(ch, false);
    lua_pushboolean(L, 1);
    return 1;
}

// pwm.setDuty / pwm.setFreq: change the saved setup; re-apply it when the channel runs.
int update(lua_State* L, bool duty) {
    PwmModule& m = module_of(L);
    const lua_Integer ch = check_channel(L);
    if (ch < 0) return 0;
    Conf& saved = *m.confs[static_cast<std::size_t>(ch)];
    const std::uint64_t value = as_size(luaL_checkinteger(L, 2));
    if (duty) {
        saved.pulse = value;
    } else {
        saved.period = value;
    }
    Conf conf = saved;
    if ((m.state & (1ULL << ch)) != 0) {
        lua_pushboolean(L, m.setup(conf) == 0 ? 1 : 0);
    } else {
        lua_pushboolean(L, 1);
    }
    return 1;
}

int l_set_duty(lua_State* L) {
    return update(L, true);
}

int l_set_freq(lua_State* L) {
    return update(L, false);
}

}  // namespace

void install_pwm(RunContext& run) {
    auto module = std::make_shared<PwmModule>(run);
    run.on_close([module]() mutable { module.reset(); });
    lua_State* L = run.state();
    push_module_table(L, "pwm");
    static const luaL_Reg kFunctions[] = {
        {"open", l_open},        {"close", l_close},      {"capture", l_capture},
        {"setup", l_setup},      {"start", l_start},      {"stop", l_stop},
        {"setDuty", l_set_duty}, {"setFreq", l_set_freq}, {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module.get());
    lua_pop(L, 1);
}

}  // namespace lua_bindings
