// pm: the EC718's power management as LuatOS has it: sleep requests (light sleep keeps the script
// running; deep sleep and PSM+ end the run as a reset does, the deep-sleep timers wake it), the
// deep-sleep timers, the reasons of the last boot, power switches and IO voltage
// (docs/modules/pm.md).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

// LUAT_PM_SLEEP_MODE_*
constexpr int kModeIdle = 1;
constexpr int kModeLight = 2;
constexpr int kModeDeep = 3;
constexpr int kModeHib = 4;
// The EC718's names of the modes in its log lines (slpStateText).
constexpr const char* kModeText[] = {"Actv", "Idle", "Slp1", "Slp2", "Hibn"};

// LUAT_PM_POWER_*
enum PowerId : lua_Integer {
    kUsb = 0,
    kGps = 1,
    kGpsAnt = 2,
    kCamera = 3,
    kDacEn = 4,
    kPowerKeyMode = 5,
    kWorkMode = 6,
    kLdoCtl = 7,
    kWifiStaDtim = 8,
    kWifiApDtim = 9,
    kWifi = 10,
    kVoteBase = 16,
};

// The system is idle enough for a deep sleep when nothing is queued and no timer is due within this
// long (the EC718 enters Sleep2/Hibernate from its idle task when the next OS timer is far enough).
constexpr std::uint64_t kSleepIdleMs = 1000;

bool valid_dtimer(lua_Integer id) {
    return id >= 0 && id < PowerState::kDtimers;
}

// The deep-sleep timers while the module is awake: they run in the always-on domain, not among the
// OS timers, so they are a poll source (which lowers the loop's wait) rather than loop timers (which
// would keep the module from sleeping). One that expires is done, its id is the wake-up id, and
// DTIMER_WAKEUP is published (appTimerExpFunc and luat_dtimer_cb).
class DtimerSource final : public sys_task::PollSource {
  public:
    explicit DtimerSource(RunContext& ctx) : ctx_(ctx) {}
    void prepare(std::vector<pollfd>& /*fds*/, int& timeout_ms) override {
        const auto next = ctx_.device().power().next_dtimer();
        if (!next) return;
        const std::uint64_t now = ctx_.device().loop().now_ms();
        const auto remain = static_cast<long long>(next->second > now ? next->second - now : 0);
        if (timeout_ms < 0 || remain < timeout_ms) timeout_ms = static_cast<int>(remain);
    }
    void dispatch(std::span<const pollfd> /*fds*/) override {
        if (ctx_.device().vm_exit().pending()) return;  // the run is ending: the timer outlives it
        PowerState& p = ctx_.device().power();
        const std::uint64_t now = ctx_.device().loop().now_ms();
        while (const auto next = p.next_dtimer()) {
            if (next->second > now) break;
            p.dtimer_deadline_ms[static_cast<std::size_t>(next->first)].reset();
            p.woken_by_dtimer = next->first;
            ctx_.device().logger().info("pm", "DeepTimer Wakeup by id=" + std::to_string(next->first));
            ctx_.scheduler().post_publish("DTIMER_WAKEUP", {static_cast<lua_Integer>(next->first)});
        }
    }

  private:
    RunContext& ctx_;
};

// Per run (the module's RAM: a reset forgets it).
struct PmRun {
    explicit PmRun(RunContext& c) : ctx(&c), dtimers(c) {}
    RunContext* ctx;
    int request_mode = kModeIdle;  // lastRequestMode, SLP_IDLE_STATE at start-up
    sys_task::EventLoop::HookId hook = 0;
    DtimerSource dtimers;
};

PmRun& run_of(lua_State* L) {
    return upvalue_object<PmRun>(L);
}
Device& device(lua_State* L) {
    return run_of(L).ctx->device();
}
sys_task::Logger& logger(lua_State* L) {
    return device(L).logger();
}

// Deep sleep or hibernate: the run ends as a reset; Device::run sleeps until a deep-sleep timer.
void enter_sleep(PmRun& run) {
    Device& dev = run.ctx->device();
    PowerState& p = dev.power();
    p.ending = PowerState::Cause::kSleep;
    p.sleep_mode = run.request_mode;
    const std::string mode = run.request_mode == kModeHib ? "Hibn" : "Slp2";
    if (const auto next = p.next_dtimer()) {
        const std::uint64_t now = dev.loop().now_ms();
        dev.logger().info("pm", "sleep " + mode + ", dtimer " + std::to_string(next->first) +
                                    " wakes up in " +
                                    std::to_string(next->second > now ? next->second - now : 0) + " ms");
    } else {
        dev.logger().info("pm", "sleep " + mode + ", no wake-up source");
    }
    dev.vm_exit().request(sys_task::VmExit::Kind::kReboot, 0);
    // Requested from a before-block hook: a queued message keeps this iteration from waiting.
    dev.loop().post([] {});
}

void check_idle(PmRun& run) {
    if (run.request_mode < kModeDeep) return;  // light sleep: the script keeps running
    Device& dev = run.ctx->device();
    if (dev.vm_exit().pending() || dev.loop().queued_slots() != 0) return;
    const auto next = dev.loop().ms_until_next_timer();
    if (next && *next < kSleepIdleMs) return;
    enter_sleep(run);
}

// pm.request(mode) -> boolean
int l_request(lua_State* L) {
    const lua_Integer mode = luaL_checkinteger(L, 1);
    PmRun& run = run_of(L);
    if (mode < 0 || mode > kModeHib) {
        logger(L).warn("pm", "bad mode=" + std::to_string(mode));
        lua_pushboolean(L, 0);
        return 1;
    }
    logger(L).info("pm",
                   std::string("request mode=") + kModeText[mode] + ", prev=" + kModeText[run.request_mode]);
    run.request_mode = static_cast<int>(mode);
    lua_pushboolean(L, 1);
    return 1;
}

// pm.force(mode) -> 0, or -2 for a bad mode
int l_force(lua_State* L) {
    const lua_Integer mode = luaL_checkinteger(L, 1);
    PmRun& run = run_of(L);
    if (mode < 0 || mode > kModeHib) {
        logger(L).warn("pm", "bad mode=" + std::to_string(mode));
        lua_pushinteger(L, -2);
        return 1;
    }
    logger(L).info("pm", "force request mode=" + std::to_string(mode) +
                             ", prev mode=" + std::to_string(run.request_mode));
    run.request_mode = static_cast<int>(mode);
    lua_pushinteger(L, 0);
    return 1;
}

// pm.check() -> requested mode is NONE, requested mode (luat_pm_check logs the sleep state; LuatOS
// calls it twice)
int l_check(lua_State* L) {
    const int mode = run_of(L).request_mode;
    for (int i = 0; i < 2; ++i) {
        logger(L).info("pm", "bsp sleep state 4, 4, 4, " + std::to_string(mode) + ", 0, 0");
        logger(L).info("pm", "bsp sleep mode " + std::to_string(mode) + ", " + kModeText[mode]);
    }
    lua_pushboolean(L, mode == 0 ? 1 : 0);
    lua_pushinteger(L, mode);
    return 2;
}

// pm.dtimerStart(id, ms) -> boolean
int l_dtimer_start(lua_State* L) {
    const lua_Integer id = luaL_checkinteger(L, 1);
    const lua_Integer timeout = luaL_checkinteger(L, 2);
    if (!valid_dtimer(id)) {
        lua_pushboolean(L, 0);
        return 1;
    }
    Device& dev = device(L);
    const auto ms = static_cast<std::uint32_t>(timeout);  // the timer takes a 32-bit count
    dev.power().dtimer_deadline_ms[static_cast<std::size_t>(id)] = dev.loop().now_ms() + ms;
    lua_pushboolean(L, 1);
    return 1;
}

int l_dtimer_stop(lua_State* L) {
    const lua_Integer id = luaL_checkinteger(L, 1);
    if (valid_dtimer(id)) device(L).power().dtimer_deadline_ms[static_cast<std::size_t>(id)].reset();
    return 0;
}

std::uint64_t remain_ms(Device& dev, int id) {
    const auto& d = dev.power().dtimer_deadline_ms[static_cast<std::size_t>(id)];
    const std::uint64_t now = dev.loop().now_ms();
    return d && *d > now ? *d - now : 0;
}

// pm.dtimerCheck(id) -> true, remaining ms | false. A timer within 500 ms of its end is stopped.
int l_dtimer_check(lua_State* L) {
    const lua_Integer id = luaL_checkinteger(L, 1);
    if (!valid_dtimer(id)) {
        lua_pushboolean(L, 0);
        return 1;
    }
    Device& dev = device(L);
    auto& d = dev.power().dtimer_deadline_ms[static_cast<std::size_t>(id)];
    const std::uint64_t remain = remain_ms(dev, static_cast<int>(id));
    logger(L).debug("pm",
                    "dtimer check id " + std::to_string(id) + ", remain " + std::to_string(remain) + " ms");
    if (d && remain <= 500) d.reset();
    if (!d) {
        lua_pushboolean(L, 0);
        return 1;
    }
    lua_pushboolean(L, 1);
    lua_pushinteger(L, static_cast<lua_Integer>(remain));
    return 2;
}

// pm.dtimerList() -> {[id + 1] = remaining ms} of the running timers
int l_dtimer_list(lua_State* L) {
    Device& dev = device(L);
    lua_createtable(L, PowerState::kDtimers, 0);
    for (int id = 0; id < PowerState::kDtimers; ++id) {
        if (!dev.power().dtimer_deadline_ms[static_cast<std::size_t>(id)]) continue;
        const std::uint64_t remain = remain_ms(dev, id);
        if (remain == 0) continue;
        lua_pushinteger(L, static_cast<lua_Integer>(remain));
        lua_seti(L, -2, id + 1);
    }
    return 1;
}

// pm.dtimerWkId() -> the deep-sleep timer that woke the module, or -1
int l_dtimer_wakeup_id(lua_State* L) {
    const auto& id = device(L).power().woken_by_dtimer;
    lua_pushinteger(L, id ? *id : -1);
    return 1;
}

// pm.lastReson() -> wake-up source, sleep mode it woke from, power-on reason, pad (always 0 on the EC718)
int l_last_reason(lua_State* L) {
    const PowerState& p = device(L).power();
    lua_pushinteger(L, p.wakeup_source);
    lua_pushinteger(L, p.last_sleep_mode);
    lua_pushinteger(L, p.poweron_reason);
    lua_pushinteger(L, 0);
    return 4;
}

// pm.shutdown(): the module powers off; nothing runs any more (until --run-for ends the process).
int l_shutdown(lua_State* L) {
    Device& dev = device(L);
    dev.power().ending = PowerState::Cause::kPowerOff;
    dev.logger().info("pm", "power off");
    return dev.vm_exit().raise(L, sys_task::VmExit::Kind::kReboot, 0);
}

int l_reboot(lua_State* L) {
    return device(L).vm_exit().raise(L, sys_task::VmExit::Kind::kReboot, 0);
}

// A boolean or an integer switch (lua_tointeger: anything else is 0).
int onoff_arg(lua_State* L, int idx) {
    if (lua_isboolean(L, idx)) return lua_toboolean(L, idx);
    return static_cast<int>(lua_tointeger(L, idx));
}

// luat_pm_power_ctrl of the EC718: 0 on success, -1 for a switch it does not have.
int power_ctrl(PmRun& run, lua_Integer id, int onoff) {
    switch (id) {
        case kUsb:
        case kGps:
        case kPowerKeyMode:
        case kLdoCtl:
            return 0;
        case kWorkMode:
            run.request_mode = onoff == 0 ? kModeIdle : onoff == 3 ? kModeHib : kModeLight;
            return 0;
        default:
            return -1;
    }
}

// pm.power(id, onoff) -> boolean
int l_power(lua_State* L) {
    const lua_Integer id = luaL_checkinteger(L, 1);
    const int onoff = onoff_arg(L, 2);
    lua_pushboolean(L, power_ctrl(run_of(L), id, onoff) == 0 ? 1 : 0);
    return 1;
}

// pm.ioVol([id = pm.IOVOL_ALL_GPIO [, mV = 3300]]) -> boolean: 1650..2000 and 2650..3400 mV (values
// beyond are clamped); between 2000 and 2650 is refused.
int l_io_vol(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    lua_Integer mv = 3300;
    if (lua_isboolean(L, 2)) {
        mv = lua_toboolean(L, 2);
    } else if (lua_isinteger(L, 2)) {
        mv = luaL_checkinteger(L, 2);
    }
    const bool refused = mv <= 3400 && mv < 2650 && mv > 2000;
    if (refused) {
        logger(L).warn("pm", "iovolt: out of range " + std::to_string(luaL_optinteger(L, 1, 0)) + " " +
                                 std::to_string(mv));
    }
    lua_pushboolean(L, refused ? 0 : 1);
    return 1;
}

// pm.wakeupPin(pin | {pins} [, level = 0]) -> true (the EC718 port logs "not support yet" per pin)
int l_wakeup_pin(lua_State* L) {
    luaL_optinteger(L, 2, 0);
    if (lua_istable(L, 1)) {
        const auto n = static_cast<lua_Integer>(lua_rawlen(L, 1));
        for (lua_Integer i = 1; i <= n; ++i) {
            lua_geti(L, 1, i);
            luaL_checkinteger(L, -1);
            lua_pop(L, 1);
            logger(L).warn("pm", "not support yet");
        }
    } else if (lua_isnumber(L, 1)) {
        luaL_checkinteger(L, 1);
        logger(L).warn("pm", "not support yet");
    }
    lua_pushboolean(L, 1);
    return 1;
}

// pm.keep([id = 16 [, onoff]]) -> the result of a vote switch the EC718 does not have: -1
int l_keep(lua_State* L) {
    lua_Integer id = luaL_optinteger(L, 1, 16);
    if (id < 0 || id > 15) id = 16;
    lua_pushinteger(L, power_ctrl(run_of(L), id + kVoteBase, onoff_arg(L, 2)));
    return 1;
}

}  // namespace

void install_pm(RunContext& ctx) {
    lua_State* L = ctx.state();
    auto run = std::make_shared<PmRun>(ctx);
    Device& dev = ctx.device();
    run->hook = dev.loop().add_before_block([r = run.get()] { check_idle(*r); });
    ctx.on_close([run, &dev] {
        dev.loop().remove_before_block(run->hook);
        dev.loop().remove_poll_source(&run->dtimers);
    });

    // What the EC718 logs at start-up after a deep-sleep timer woke it (luat_pm_init).
    const PowerState& p = dev.power();
    if (p.wakeup_source == 1 && p.woken_by_dtimer) {
        const std::string id = std::to_string(*p.woken_by_dtimer);
        dev.logger().info("pm", "DeepTimer Wakeup by id=" + id);
        dev.logger().info("pm", std::string("poweron: Wakup ") +
                                    (p.last_sleep_mode == kModeHib ? "Hib" : "Sleep2") + " by RTC " + id);
        ctx.scheduler().post_publish("DTIMER_WAKEUP", {static_cast<lua_Integer>(*p.woken_by_dtimer)});
    }
    dev.loop().add_poll_source(&run->dtimers);

    push_module_table(L, "pm");
    static const luaL_Reg kFunctions[] = {
        {"request", l_request},
        {"dtimerStart", l_dtimer_start},
        {"dtimerStop", l_dtimer_stop},
        {"dtimerCheck", l_dtimer_check},
        {"dtimerList", l_dtimer_list},
        {"dtimerWkId", l_dtimer_wakeup_id},
        {"force", l_force},
        {"check", l_check},
        {"lastReson", l_last_reason},
        {"shutdown", l_shutdown},
        {"reboot", l_reboot},
        {"power", l_power},
        {"ioVol", l_io_vol},
        {"wakeupPin", l_wakeup_pin},
        {"keep", l_keep},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, run.get());
    static const IntConstant kConstants[] = {
        {"NONE", 0},
        {"IDLE", kModeIdle},
        {"LIGHT", kModeLight},
        {"DEEP", kModeDeep},
        {"HIB", kModeHib},
        {"USB", kUsb},
        {"GPS", kGps},
        {"GPS_ANT", kGpsAnt},
        {"CAMERA", kCamera},
        {"DAC_EN", kDacEn},
        {"LDO_CTL", kLdoCtl},
        {"PWK_MODE", kPowerKeyMode},
        {"WORK_MODE", kWorkMode},
        {"IOVOL_ALL_GPIO", 0},
        {"IOVOL_SDIO", 1},
        {"IOVOL_LCD", 2},
        {"IOVOL_CAMA", 3},
        {"IOVOL_CAMD", 4},
        {"ID_NATIVE", 0},
        {"ID_WIFI", 1},
        {"WIFI", kWifi},
        {"WIFI_STA_DTIM", kWifiStaDtim},
        {"WIFI_AP_DTIM", kWifiApDtim},
    };
    set_int_constants(L, kConstants);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
