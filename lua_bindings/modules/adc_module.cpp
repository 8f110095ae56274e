// adc: LuatOS's ADC library (luat/modules/luat_lib_adc.c) with the EC718 port's channels and ranges
// (luat_adc_ec7xx.c in openLuat/luatos-soc-2024), reading the simulated board's inputs.
// docs/modules/adc.md.
//
// Channels 0..3 are the AIO inputs; 4, adc.CH_VBAT (-2) and the old id 11 read the supply; adc.CH_CPU
// (-1) and the old id 10 the CPU temperature. A channel must be open to be read. Its range is taken at
// adc.open from the last adc.setRange; a range the EC718 has no divider for makes open fail.
#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

constexpr lua_Integer kChannelCpu = -1;   // LUAT_ADC_CH_CPU
constexpr lua_Integer kChannelVbat = -2;  // LUAT_ADC_CH_VBAT
constexpr lua_Integer kOldCpu = 10;
constexpr lua_Integer kOldVbat = 11;
constexpr std::size_t kSlotVbat = 4;
constexpr std::size_t kSlotCpu = 5;

// LUAT_ADC_RANGE_E (luat/include/luat_adc.h)
constexpr int kRange1_2 = 0;
constexpr int kRange1_4 = 1;
constexpr int kRange1_6 = 2;
constexpr int kRange1_9 = 3;
constexpr int kRange2_6 = 5;
constexpr int kRange3_8 = 8;
constexpr int kRange4_0 = 9;
constexpr int kRangeMax = 14;
constexpr int kVbatRange2_0 = 15;  // LUAT_ADC_VBAT_RANGE_2_0_RATIO .. 16_0 = 22
constexpr int kVbatRange16_0 = 22;
constexpr int kVbatRange5_3 = 20;

// The simulation's converter: 12 bits over 1.5 V at the ADC core (docs/modules/adc.md); the AIO
// pads take at most 3.6 V.
constexpr int kCoreFullScaleMv = 1500;
constexpr int kRawMax = 4095;
constexpr int kPadMaxMv = 3600;

// The divider (p1/p2) the EC718 port uses for a range, or nullopt when it has none for it.
std::optional<std::pair<int, int>> divider(int range) {
    switch (range) {
        case kRange1_2:
        case kRange1_4:
        case kRange1_6:
            return std::pair{1, 1};
        case kRange1_9:
            return std::pair{32, 16};
        case kRange2_6:
            return std::pair{32, 12};
        case kRange3_8:
            return std::pair{32, 4};  // as the port's table has it
        case kRange4_0:
        case kRangeMax:
            return std::pair{32, 8};
        default:
            break;
    }
    if (range >= kVbatRange2_0 && range <= kVbatRange16_0) {
        static constexpr int kVbatDivisor[] = {8, 7, 6, 5, 4, 3, 2, 1};
        return std::pair{32, kVbatDivisor[range - kVbatRange2_0]};
    }
    return std::nullopt;
}

struct Slot {
    bool open = false;  // the port's semaphore exists
    int range = kRange4_0;
    int p1 = 0;
    int p2 = 0;
};

struct AdcModule {
    explicit AdcModule(RunContext& r) : run(r) {
        slots[kSlotVbat].range = kVbatRange2_0;
        slots[kSlotCpu].range = kVbatRange5_3;
    }
    RunContext& run;
    std::array<Slot, 6> slots{};
};

AdcModule& module_of(lua_State* L) {
    return upvalue_object<AdcModule>(L);
}

bool exists(lua_Integer id) {
    return (id >= 0 && id < 5) || id == kChannelCpu || id == kChannelVbat || id == kOldCpu || id == kOldVbat;
}

std::size_t slot_of(lua_Integer id) {
    if (id == kChannelCpu || id == kOldCpu) return kSlotCpu;
    if (id == kChannelVbat || id == kOldVbat) return kSlotVbat;
    return static_cast<std::size_t>(id);
}

// luat_adc_read: the raw code and the value (mV, or thousandths of a degree for the CPU).
std::optional<std::pair<lua_Integer, lua_Integer>> read(AdcModule& m, lua_Integer id) {
    if (!exists(id)) return std::nullopt;
    const std::size_t s = slot_of(id);
    const Slot& slot = m.slots[s];
    if (!slot.open || slot.p2 == 0) return std::nullopt;  // the port waits on a semaphore open() made
    const platform_air780ep::Board& board = m.run.device().board();
    if (s == kSlotCpu) {
        // The port converts the thermal code to whole degrees and multiplies by 1000.
        const int celsius = board.cpu_celsius();
        const auto raw =
            static_cast<lua_Integer>(std::clamp((celsius + 273) * kRawMax / kCoreFullScaleMv, 0, kRawMax));
        return std::pair{raw, static_cast<lua_Integer>(celsius) * 1000};
    }
    int input_mv = s == kSlotVbat ? board.vbat_mv() : board.adc_input_mv(static_cast<int>(s));
    if (s != kSlotVbat) input_mv = std::min(input_mv, kPadMaxMv);
    input_mv = std::max(input_mv, 0);
    // The divider brings the input down to the core, which saturates at its full scale.
    const long long core_uv = std::min<long long>(static_cast<long long>(input_mv) * 1000 * slot.p2 / slot.p1,
                                                  kCoreFullScaleMv * 1000LL);
    const auto raw = static_cast<lua_Integer>(core_uv * kRawMax / (kCoreFullScaleMv * 1000LL));
    lua_Integer value = static_cast<lua_Integer>(core_uv * slot.p1 / slot.p2 / 1000);
    if (raw == 0 && s != kSlotVbat) value = 0;
    return std::pair{raw, value};
}

// adc.open(id) -> boolean
int l_open(lua_State* L) {
    AdcModule& m = module_of(L);
    const lua_Integer id = luaL_checkinteger(L, 1);
    bool ok = false;
    if (exists(id)) {
        Slot& slot = m.slots[slot_of(id)];
        if (const auto d = divider(slot.range)) {
            slot.p1 = d->first;
            slot.p2 = d->second;
            slot.open = true;
            ok = true;
        }
    }
    lua_pushboolean(L, ok ? 1 : 0);
    return 1;
}

// adc.setRange(range): the AIO channels' range from their next open
int l_set_range(lua_State* L) {
    AdcModule& m = module_of(L);
    const auto range = static_cast<int>(luaL_checkinteger(L, 1));
    for (std::size_t i = 0; i < 4; ++i)
        m.slots[i].range = range;
    return 0;
}

// adc.read(id) -> raw, value | 0xFF
int l_read(lua_State* L) {
    const auto r = read(module_of(L), luaL_checkinteger(L, 1));
    if (!r) {
        lua_pushinteger(L, 0xFF);
        return 1;
    }
    lua_pushinteger(L, r->first);
    lua_pushinteger(L, r->second);
    return 2;
}

// adc.get(id) -> value | -1
int l_get(lua_State* L) {
    const auto r = read(module_of(L), luaL_checkinteger(L, 1));
    lua_pushinteger(L, r ? r->second : -1);
    return 1;
}

// adc.close(id)
int l_close(lua_State* L) {
    AdcModule& m = module_of(L);
    const lua_Integer id = luaL_checkinteger(L, 1);
    if (exists(id)) m.slots[slot_of(id)].open = false;
    return 0;
}

}  // namespace

void install_adc(RunContext& run) {
    auto module = std::make_shared<AdcModule>(run);
    run.on_close([module]() mutable { module.reset(); });
    lua_State* L = run.state();
    push_module_table(L, "adc");
    static const luaL_Reg kFunctions[] = {
        {"open", l_open}, {"setRange", l_set_range}, {"read", l_read},
        {"get", l_get},   {"close", l_close},        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module.get());
    static const IntConstant kConstants[] = {
        {"ADC_RANGE_3_6", 1},
        {"ADC_RANGE_1_8", 0},
        {"ADC_RANGE_3_8", kRange3_8},
        {"ADC_RANGE_1_2", 0},
        {"ADC_RANGE_MAX", kRangeMax},
        {"ADC_RANGE_MIN", 0},
        {"CH_CPU", kChannelCpu},
        {"CH_VBAT", kChannelVbat},
        {"T1", 16},
        {"T2", 32},
    };
    set_int_constants(L, kConstants);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
