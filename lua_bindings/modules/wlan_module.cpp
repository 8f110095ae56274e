// wlan: LuatOS's Wi-Fi library (components/wlan/luat_lib_wlan.c) as the EC718 firmware builds it,
// with LUAT_USE_WLAN_SCANONLY (luat_conf_bsp.h in openLuat/luatos-soc-2024): wlan.init, wlan.scan,
// wlan.scanResult and nothing else, so `wlan.connect` is nil and the guides' `if wlan and
// wlan.connect then` takes the mobile branch. docs/modules/wlan.md.
//
// The modem's scan (luat_wlan_ec7xx.c) takes kScanMs here; it then keeps what the board's scan list
// held at that moment and publishes WLAN_SCAN_DONE. The EC718 port does not pass the channel on:
// every result has channel 0.
#include <algorithm>
#include <memory>
#include <vector>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/peripheral_util.hpp"

namespace lua_bindings {

namespace {

constexpr std::uint64_t kScanMs = 1000;
constexpr std::size_t kModemMaxAps = 40;  // the scan request's maxBssidNum

struct WlanModule : std::enable_shared_from_this<WlanModule> {
    explicit WlanModule(RunContext& r) : run(r) {}
    ~WlanModule() {
        for (const auto id : timers)
            run.device().loop().cancel_timer(id);
    }
    RunContext& run;
    bool scanned = false;  // pWifiScanInfo exists
    std::vector<platform_air780ep::WifiAccessPoint> results;
    std::vector<sys_task::EventLoop::TimerId> timers;

    void scan_done() {
        results = run.device().board().scan_list();
        if (results.size() > kModemMaxAps) results.resize(kModemMaxAps);
        scanned = true;
        run.post([](lua_State* L) {
            lua_pushliteral(L, "WLAN_SCAN_DONE");
            call_sys_pub(L, 1);
        });
    }
};

WlanModule& module_of(lua_State* L) {
    return upvalue_object<WlanModule>(L);
}

// wlan.init() -> true (the EC718 port: "only wifi-scan supported")
int l_init(lua_State* L) {
    lua_pushboolean(L, 1);
    return 1;
}

// wlan.scan(): asynchronous; WLAN_SCAN_DONE follows
int l_scan(lua_State* L) {
    WlanModule& m = module_of(L);
    std::weak_ptr<WlanModule> weak = m.weak_from_this();
    auto id = std::make_shared<sys_task::EventLoop::TimerId>(0);
    *id = m.run.device().loop().add_timer(kScanMs, [weak, id] {
        auto mod = weak.lock();
        if (!mod) return;
        std::erase(mod->timers, *id);
        mod->scan_done();
    });
    m.timers.push_back(*id);
    return 0;
}

// wlan.scanResult([limit=20]) -> {{ssid, bssid, channel, rssi}, ...}; the limit is held to 8..32
int l_scan_result(lua_State* L) {
    WlanModule& m = module_of(L);
    lua_Integer limit = luaL_optinteger(L, 1, 20);
    limit = std::clamp<lua_Integer>(limit, 8, 32);
    lua_newtable(L);
    if (!m.scanned) return 1;
    const std::size_t n = std::min(m.results.size(), static_cast<std::size_t>(limit));
    for (std::size_t i = 0; i < n; ++i) {
        const platform_air780ep::WifiAccessPoint& ap = m.results[i];
        lua_newtable(L);
        const std::string ssid = ap.ssid.substr(0, 32);
        lua_pushstring(L, ssid.c_str());  // a C string in LuatOS: it ends at a NUL byte
        lua_setfield(L, -2, "ssid");
        lua_pushlstring(L, reinterpret_cast<const char*>(ap.bssid.data()), ap.bssid.size());
        lua_setfield(L, -2, "bssid");
        lua_pushinteger(L, 0);
        lua_setfield(L, -2, "channel");
        lua_pushinteger(L, static_cast<std::int16_t>(ap.rssi));
        lua_setfield(L, -2, "rssi");
        lua_seti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    return 1;
}

}  // namespace

void install_wlan(RunContext& run) {
    auto module = std::make_shared<WlanModule>(run);
    run.on_close([module]() mutable { module.reset(); });
    lua_State* L = run.state();
    push_module_table(L, "wlan");
    static const luaL_Reg kFunctions[] = {
        {"init", l_init},
        {"scan", l_scan},
        {"scanResult", l_scan_result},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module.get());
    lua_pop(L, 1);
}

}  // namespace lua_bindings
