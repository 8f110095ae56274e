// wlan in scan-only form, as the EC718 firmware (LUAT_USE_WLAN_SCANONLY): docs/modules/wlan.md.
#include <catch2/catch.hpp>

#include "board_steps.hpp"
#include "script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;

namespace {

std::vector<platform_air780ep::WifiAccessPoint> aps(int n) {
    std::vector<platform_air780ep::WifiAccessPoint> out;
    for (int i = 0; i < n; ++i) {
        out.push_back(
            platform_air780ep::WifiAccessPoint{"ap" + std::to_string(i),
                                               {0x02, 0x00, 0x00, 0x00, 0x00, static_cast<std::uint8_t>(i)},
                                               -40 - i,
                                               1 + i % 13});
    }
    return out;
}

}  // namespace

TEST_CASE(
    "wlan: only init, scan and scanResult: the guides' `wlan and wlan.connect` takes the mobile branch") {
    auto r = run_script(R"LUA(
        local names = {}
        for k in pairs(wlan) do names[#names + 1] = k end
        table.sort(names)
        log.info("t", table.concat(names, " "), wlan.connect, wlan.setMode, wlan.getMac, wlan.STATION)
        if wlan and wlan.connect then log.info("t", "wifi branch") else log.info("t", "mobile branch") end
        log.info("t", wlan.init(), select('#', wlan.scan()), #wlan.scanResult())
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t init scan scanResult nil nil nil nil",
                                             "I/user.t mobile branch", "I/user.t true 0 0"});
}

TEST_CASE("wlan: a scan publishes WLAN_SCAN_DONE, scanResult lists what the board had then") {
    auto r =
        run_script(R"LUA(
        sys.subscribe("WLAN_SCAN_DONE", function(...)
            log.info("t", "done", select('#', ...))
            local results = wlan.scanResult()
            log.info("t", #results, #wlan.scanResult(1), #wlan.scanResult(100), #wlan.scanResult(25))
            local first = results[1]
            log.info("t", first.ssid, first.bssid:toHex(), first.channel, first.rssi, #first.bssid)
            log.info("t", results[20].ssid, results[20].rssi)
            os.exit(0)
        end)
        wlan.scan()
        sys.run()
    )LUA",
                   ScriptOptions{.setup = [](lua_bindings::Device& d) { d.board().set_scan_list(aps(45)); }});
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t done 0", "I/user.t 20 8 32 25",
                                             "I/user.t ap0 020000000000 0 -40 6", "I/user.t ap19 -59"});
}

TEST_CASE("wlan: results stay those of the last scan until the next one ends") {
    auto r = run_script(R"LUA(
        local scans = 0
        sys.subscribe("WLAN_SCAN_DONE", function()
            scans = scans + 1
            log.info("t", "scan", scans, #wlan.scanResult())
            if scans == 2 then os.exit(0) end
        end)
        sys.taskInit(function()
            wlan.scan()
            sys.waitUntil("WLAN_SCAN_DONE")
            sys.wait(100)
            log.info("t", "before the second scan", #wlan.scanResult())
            wlan.scan()
        end)
        sys.run()
    )LUA",
                        ScriptOptions{.setup = [](lua_bindings::Device& d) {
                            d.board().set_scan_list(aps(2));
                            // The neighbourhood changes as soon as the first scan has been read.
                            d.logger().add_sink([&d](std::string_view line) {
                                if (line == "I/user.t scan 1 2") d.board().set_scan_list(aps(9));
                            });
                        }});
    CHECK(lines_with(r, "I/user.t") ==
          Lines{"I/user.t scan 1 2", "I/user.t before the second scan 2", "I/user.t scan 2 9"});
}
