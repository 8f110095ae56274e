// mobile: the cellular identity, signal and registration of the simulated module, its flight mode,
// APN, cell information and the SIM events (docs/modules/mobile.md). The signal follows the link
// profile; registration follows LWIP_GP (the data link).
#include <cstdint>
#include <memory>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_network.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/module_identity.hpp"

namespace lua_bindings {

namespace {

// LUAT_MOBILE_STATUS_*
enum RegisterStatus : lua_Integer {
    kUnregister = 0,
    kRegistered = 1,
    kSearching = 2,
};

// The serving cell of the simulated network: China Mobile (MCC 460, MNC 00), LTE FDD band 3.
constexpr lua_Integer kMcc = 460;
constexpr lua_Integer kMnc = 0;
constexpr lua_Integer kEarfcn = 1300;
constexpr lua_Integer kBand = 3;
constexpr lua_Integer kPci = 123;
constexpr lua_Integer kTac = 0x5A3C;
constexpr lua_Integer kEci = 0x0B5C1A3;  // eNodeB 0xB5C1 << 8 | cell 0xA3
constexpr lua_Integer kBandwidth = 20;   // MHz (100 resource blocks)
// How long the module takes to measure the cells after mobile.reqCellInfo (within its timeout).
constexpr std::uint64_t kCellSearchMs = 2000;

struct Signal {
    lua_Integer csq, rssi, rsrp, rsrq, snr;
};

// The signal the module reports on each link profile (CSQ = (RSSI + 113) / 2); no cellular link
// (in-process runs): a good signal.
Signal signal_for(const std::string& profile) {
    if (profile == "ideal") return {31, -51, -70, -5, 25};
    if (profile == "cat1") return {18, -77, -95, -11, 8};
    if (profile == "poor4g") return {9, -95, -112, -16, 0};
    return {24, -65, -85, -9, 15};  // "good"
}

// Per run: what a reset forgets.
struct MobileRun {
    RunContext* ctx = nullptr;
    bool flight_mode = false;  // without a DeviceNetwork
    bool ipv6 = false;
    std::string user_apn;
    bool cell_info_ready = false;
};

MobileRun& run_of(lua_State* L) {
    return upvalue_object<MobileRun>(L);
}
Device& device(lua_State* L) {
    return run_of(L).ctx->device();
}

void push_string(lua_State* L, const std::string& s) {
    lua_pushlstring(L, s.data(), s.size());
}

bool registered(lua_State* L) {
    return device(L).adapters().is_ready(platform_air780ep::kAdapterLwipGp);
}

bool in_flight_mode(lua_State* L) {
    DeviceNetwork* net = device(L).network();
    return net != nullptr ? net->flight_mode() : run_of(L).flight_mode;
}

Signal signal(lua_State* L) {
    DeviceNetwork* net = device(L).network();
    return signal_for(net != nullptr ? net->link_profile() : std::string());
}

// mobile.imei([sim index]) etc.: the index is checked like LuatOS's luaL_optinteger.
int l_imei(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    push_string(L, device(L).identity().imei);
    return 1;
}

int l_imsi(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    push_string(L, device(L).identity().imsi);
    return 1;
}

int l_iccid(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    push_string(L, device(L).identity().iccid);
    return 1;
}

// The signal of the serving cell; in flight mode the radio is off (CSQ 99 "unknown", the rest 0).
int push_signal(lua_State* L, lua_Integer Signal::*field) {
    if (in_flight_mode(L)) {
        lua_pushinteger(L, field == &Signal::csq ? 99 : 0);
        return 1;
    }
    lua_pushinteger(L, signal(L).*field);
    return 1;
}
int l_csq(lua_State* L) {
    return push_signal(L, &Signal::csq);
}
int l_rssi(lua_State* L) {
    return push_signal(L, &Signal::rssi);
}
int l_rsrp(lua_State* L) {
    return push_signal(L, &Signal::rsrp);
}
int l_rsrq(lua_State* L) {
    return push_signal(L, &Signal::rsrq);
}
int l_snr(lua_State* L) {
    return push_signal(L, &Signal::snr);
}

// mobile.simid([id [, sim0 first]]) -> the SIM in use: the module has one SIM, in slot 0. Setting
// logs as the module does; 0, 1 and 2 (automatic) are accepted.
int l_simid(lua_State* L) {
    if (lua_isinteger(L, 1)) {
        const lua_Integer id = luaL_checkinteger(L, 1);
        const int ret = id >= 0 && id <= 2 ? 0 : -1;
        device(L).logger().info("mobile",
                                "sim set to " + std::to_string(id) + " , ret " + std::to_string(ret));
    }
    lua_pushinteger(L, 0);
    return 1;
}

// mobile.status(): registered while the data link is attached, unregistered in flight mode, else
// searching.
int l_status(lua_State* L) {
    lua_pushinteger(L, registered(L) ? kRegistered : in_flight_mode(L) ? kUnregister : kSearching);
    return 1;
}

// mobile.syncTime([on]): whether the network's time at attach sets the clock (on at each boot).
int l_sync_time(lua_State* L) {
    auto& clock = device(L).clock();
    if (lua_isboolean(L, 1)) clock.set_network_sync(lua_toboolean(L, 1) != 0);
    lua_pushboolean(L, clock.network_sync() ? 1 : 0);
    return 1;
}

// mobile.flymode([index [, on [, async]]]) -> was it in flight mode before this call
int l_flymode(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    const bool was = in_flight_mode(L);
    if (lua_isboolean(L, 2)) {
        const bool on = lua_toboolean(L, 2) != 0;
        MobileRun& run = run_of(L);
        if (DeviceNetwork* net = device(L).network()) {
            net->set_flight_mode(on);
        } else {
            run.flight_mode = on;
            auto& adapters = device(L).adapters();
            if (on) {
                adapters.set_up(platform_air780ep::kAdapterLwipGp, false);
            } else if (was) {
                RunContext& ctx = *run.ctx;
                ctx.add_timer(std::chrono::milliseconds(ctx.device().config().attach_delay_ms),
                              [&ctx, r = &run] {
                                  if (!r->flight_mode)
                                      ctx.device().adapters().set_up(platform_air780ep::kAdapterLwipGp, true);
                              });
            }
        }
        if (on) run.cell_info_ready = false;
    }
    lua_pushboolean(L, was ? 1 : 0);
    return 1;
}

// mobile.reset(): the protocol stack restarts: the data link goes down and attaches again.
int l_reset(lua_State* L) {
    const bool was = in_flight_mode(L);
    lua_settop(L, 0);
    lua_pushinteger(L, 0);
    lua_pushboolean(L, 1);
    l_flymode(L);
    lua_settop(L, 0);
    if (!was) {
        lua_pushinteger(L, 0);
        lua_pushboolean(L, 0);
        l_flymode(L);
    }
    return 0;
}

// mobile.apn([index [, cid [, apn, user, password [, ip type [, auth [, delete]]]]]]) -> the APN of
// the active bearer, nil before the attach. A new APN given here is used from the next attach.
int l_apn(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    luaL_optinteger(L, 2, 0);
    MobileRun& run = run_of(L);
    const std::string current = run.user_apn.empty() ? "cmnet" : run.user_apn;
    if (lua_isstring(L, 3)) {
        std::size_t len = 0;
        const char* apn = luaL_checklstring(L, 3, &len);
        luaL_checkstring(L, 4);
        luaL_checkstring(L, 5);
        luaL_optinteger(L, 6, 1);
        luaL_optinteger(L, 7, 3);
        run.user_apn.assign(apn, len);
    } else if (lua_isboolean(L, 8) && lua_toboolean(L, 8) != 0) {
        run.user_apn.clear();
    }
    if (registered(L)) {
        push_string(L, current);
    } else {
        lua_pushnil(L);
    }
    return 1;
}

// mobile.ipv6([on]) -> does the default bearer ask for IPv6 (off by default)
int l_ipv6(lua_State* L) {
    if (lua_type(L, 1) == LUA_TBOOLEAN) run_of(L).ipv6 = lua_toboolean(L, 1) != 0;
    lua_pushboolean(L, run_of(L).ipv6 ? 1 : 0);
    return 1;
}

int l_muid(lua_State* L) {
    const std::string muid = module_muid(device(L).identity());
    device(L).logger().info("mobile", "l_mobile_muid called");
    device(L).logger().info("mobile", "l_mobile_muid ret=" + std::to_string(muid.size()));
    if (muid.empty()) {
        lua_pushnil(L);
    } else {
        push_string(L, muid);
    }
    return 1;
}

// mobile.number([index]) -> the SIM's phone number: an IoT SIM has none stored (nil)
int l_number(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    lua_pushnil(L);
    return 1;
}

int push_cell_value(lua_State* L, lua_Integer value) {
    lua_pushinteger(L, registered(L) ? value : -1);
    return 1;
}
int l_eci(lua_State* L) {
    return push_cell_value(L, kEci);
}
int l_tac(lua_State* L) {
    return push_cell_value(L, kTac);
}
int l_enbid(lua_State* L) {
    return push_cell_value(L, kEci >> 8);
}

void set_int(lua_State* L, const char* name, lua_Integer v) {
    lua_pushinteger(L, v);
    lua_setfield(L, -2, name);
}

// mobile.scell() -> the serving cell's table, nothing before the attach
int l_scell(lua_State* L) {
    if (!registered(L)) return 0;
    const Signal s = signal(L);
    lua_newtable(L);
    set_int(L, "mcc", kMcc);
    set_int(L, "mnc", kMnc);
    set_int(L, "earfcn", kEarfcn);
    set_int(L, "pci", kPci);
    set_int(L, "band", kBand);
    set_int(L, "eci", kEci);
    set_int(L, "cid", kEci);
    set_int(L, "tac", kTac);
    set_int(L, "snr", s.snr);
    set_int(L, "rsrp", s.rsrp);
    set_int(L, "rsrq", s.rsrq);
    set_int(L, "rssi", s.rssi);
    return 1;
}

// mobile.getCellInfo() -> {serving cell, neighbours...} from the last search (mobile.reqCellInfo)
int l_get_cell_info(lua_State* L) {
    lua_newtable(L);
    if (!run_of(L).cell_info_ready || !registered(L)) {
        if (registered(L)) {
            device(L).logger().warn("mobile", "请先调用 mobile.reqCellInfo()!!");
        } else {
            device(L).logger().info("mobile", "lte cell info not found");
        }
        return 1;
    }
    const Signal s = signal(L);
    lua_newtable(L);
    set_int(L, "pci", kPci);
    set_int(L, "cid", kEci);
    set_int(L, "earfcn", kEarfcn);
    set_int(L, "rsrp", s.rsrp);
    set_int(L, "rsrq", s.rsrq);
    set_int(L, "rssi", s.rssi);
    set_int(L, "tdd", 0);
    set_int(L, "snr", s.snr);
    set_int(L, "mcc", kMcc);
    set_int(L, "mnc", kMnc);
    set_int(L, "tac", kTac);
    set_int(L, "band", kBand);
    set_int(L, "ulbandwidth", kBandwidth);
    set_int(L, "dlbandwidth", kBandwidth);
    lua_seti(L, -2, 1);
    // One neighbour on the same frequency, a little weaker.
    lua_newtable(L);
    set_int(L, "pci", kPci + 1);
    set_int(L, "cid", kEci + 1);
    set_int(L, "earfcn", kEarfcn);
    set_int(L, "rsrp", s.rsrp - 8);
    set_int(L, "rsrq", s.rsrq - 3);
    set_int(L, "mcc", kMcc);
    set_int(L, "mnc", kMnc);
    set_int(L, "snr", s.snr - 6);
    set_int(L, "tac", kTac);
    lua_seti(L, -2, 2);
    return 1;
}

// mobile.reqCellInfo([timeout = 15 s, 5..60]): a cell search; CELL_INFO_UPDATE when it is done
int l_req_cell_info(lua_State* L) {
    lua_Integer timeout = luaL_optinteger(L, 1, 15);
    if (timeout > 60) timeout = 60;
    if (timeout < 5) timeout = 5;
    MobileRun& run = run_of(L);
    RunContext& ctx = *run.ctx;
    ctx.add_timer(std::chrono::milliseconds(kCellSearchMs), [&ctx, r = &run] {
        if (!ctx.device().adapters().is_ready(platform_air780ep::kAdapterLwipGp))
            return;  // no cell to measure
        r->cell_info_ready = true;
        ctx.scheduler().post_publish("CELL_INFO_UPDATE");
    });
    return 0;
}

// mobile.config(item, value) -> boolean: the protocol stack's settings (MOBILE_CONF_*); item 0 fails
int l_config(lua_State* L) {
    const lua_Integer item = luaL_optinteger(L, 1, 0);
    luaL_optinteger(L, 2, 0);
    lua_pushboolean(L, item >= 1 && item <= 13 ? 1 : 0);
    return 1;
}

// mobile.simPin([id [, operation [, old [, new]]]]) -> boolean: without an operation, is the SIM
// ready; the simulated SIM has no PIN, so every operation succeeds.
int l_sim_pin(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    luaL_optinteger(L, 2, -1);
    lua_pushboolean(L, 1);
    return 1;
}

// mobile.rtime(...) and mobile.setAuto(...): RRC release and periodic-work tuning; nothing to return.
int l_rtime(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    luaL_optinteger(L, 4, 0);
    return 0;
}
int l_set_auto(lua_State* L) {
    luaL_optinteger(L, 1, 0);
    luaL_optinteger(L, 2, 0);
    luaL_optinteger(L, 3, 0);
    if (lua_isinteger(L, 5)) luaL_optinteger(L, 5, 0);
    return 0;
}

}  // namespace

void install_mobile(RunContext& ctx) {
    lua_State* L = ctx.state();
    auto run = std::make_shared<MobileRun>();
    run->ctx = &ctx;
    ctx.on_close([run] {});  // keeps the per-run state as long as the run
    // The SIM answers shortly after power-on, before the network attach (SIM_IND "RDY").
    ctx.add_timer(std::chrono::milliseconds(ctx.device().config().attach_delay_ms / 2),
                  [&ctx] { ctx.scheduler().post_publish("SIM_IND", {std::string("RDY")}); });
    push_module_table(L, "mobile");
    static const luaL_Reg kFunctions[] = {
        {"imei", l_imei},
        {"imsi", l_imsi},
        {"iccid", l_iccid},
        {"number", l_number},
        {"muid", l_muid},
        {"apn", l_apn},
        {"ipv6", l_ipv6},
        {"csq", l_csq},
        {"rssi", l_rssi},
        {"rsrq", l_rsrq},
        {"rsrp", l_rsrp},
        {"snr", l_snr},
        {"eci", l_eci},
        {"tac", l_tac},
        {"scell", l_scell},
        {"enbid", l_enbid},
        {"flymode", l_flymode},
        {"simid", l_simid},
        {"simPin", l_sim_pin},
        {"rtime", l_rtime},
        {"setAuto", l_set_auto},
        {"getCellInfo", l_get_cell_info},
        {"reqCellInfo", l_req_cell_info},
        {"reset", l_reset},
        {"config", l_config},
        {"status", l_status},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, run.get());
    static const IntConstant kConstants[] = {
        {"UNREGISTER", 0},
        {"REGISTERED", 1},
        {"SEARCH", 2},
        {"DENIED", 3},
        {"UNKNOW", 4},
        {"REGISTERED_ROAMING", 5},
        {"SMS_ONLY_REGISTERED", 6},
        {"SMS_ONLY_REGISTERED_ROAMING", 7},
        {"EMERGENCY_REGISTERED", 8},
        {"CSFB_NOT_PREFERRED_REGISTERED", 9},
        {"CSFB_NOT_PREFERRED_REGISTERED_ROAMING", 10},
        {"CONF_RESELTOWEAKNCELL", 1},
        {"CONF_STATICCONFIG", 2},
        {"CONF_QUALITYFIRST", 3},
        {"CONF_USERDRXCYCLE", 4},
        {"CONF_T3324MAXVALUE", 5},
        {"CONF_PSM_MODE", 6},
        {"CONF_CE_MODE", 7},
        {"CONF_SIM_WC_MODE", 8},
        {"CONF_FAKE_CELL_BARTIME", 9},
        {"CONF_RESET_TO_FACTORY", 10},
        {"CONF_USB_ETHERNET", 11},
        {"CONF_DISABLE_NCELL_MEAS", 12},
        {"CONF_MAX_TX_POWER", 13},
        {"PIN_VERIFY", 0},
        {"PIN_CHANGE", 1},
        {"PIN_ENABLE", 2},
        {"PIN_DISABLE", 3},
        {"PIN_UNBLOCK", 4},
    };
    set_int_constants(L, kConstants);
    static const luaL_Reg kTimeFunctions[] = {{"syncTime", l_sync_time}, {nullptr, nullptr}};
    set_funcs(L, kTimeFunctions, run.get());
    lua_pop(L, 1);
    ctx.device().clock().set_network_sync(true);  // the firmware's switch starts on at each boot
}

}  // namespace lua_bindings
