// pins: the EC718's pin multiplexing (docs/modules/pins.md).
#include <catch2/catch.hpp>
#include <optional>

#include "platform_air780ep/pin_mux.hpp"
#include "script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;
using platform_air780ep::PadRoute;
using platform_air780ep::PeripheralType;
using platform_air780ep::PinMux;

namespace {

// Runs `main_lua`; the board's pin multiplexing as it was when the script logged "I/user.t snap".
struct MuxRun {
    ScriptResult result;
    std::optional<PinMux> snap;
};
MuxRun run_with_snap(const std::string& main_lua, ScriptOptions options = {}) {
    MuxRun out;
    options.setup = [&out](lua_bindings::Device& d) {
        d.logger().add_sink([&out, &d](std::string_view line) {
            if (line == "I/user.t snap") out.snap = d.board().pin_mux();
        });
    };
    out.result = run_script(main_lua, options);
    return out;
}

PadRoute route(const PinMux& m, PeripheralType type, int id, int signal) {
    return m.routes(type, id).value().at(static_cast<std::size_t>(signal));
}

}  // namespace

TEST_CASE("pins: the functions of the EC718 firmware") {
    auto r = run_script(module_names_script("pins"));
    CHECK(lines_but_vm_exit(r) == Lines{"I/user.t close debug loadjson setup"});
}

TEST_CASE(
    "pins: the uart demo's uart_mux calls - GPIO12/13 refused on pins 28/29, UART2 moves to pins 84/86") {
    auto r = run_with_snap(R"LUA(
        log.info("t", pins.setup(28, "GPIO12"), pins.setup(29, "GPIO13"))
        log.info("t", pins.setup(84, "UART2_RX"), pins.setup(86, "UART2_TX"))
        log.info("t", "snap")
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r.result) ==
          Lines{"D/pins luat_pin_set_iomux_info fail! pin 28 tp 5 id 0",
                "E/pins GPIO12不可配置，请确认硬件手册上该功能可以复用在2个及以上的pin",
                "D/pins luat_pin_set_iomux_info fail! pin 29 tp 5 id 0",
                "E/pins GPIO13不可配置，请确认硬件手册上该功能可以复用在2个及以上的pin",
                "I/user.t false false", "I/user.t true true", "I/user.t snap"});
    REQUIRE(r.snap);
    // Pins 84 and 86 are pads 25 and 26, UART2 on their alternate function 3; RTS/CTS stay.
    CHECK(route(*r.snap, PeripheralType::kUart, 2, 0) == PadRoute{25, 3});
    CHECK(route(*r.snap, PeripheralType::kUart, 2, 1) == PadRoute{26, 3});
    CHECK(route(*r.snap, PeripheralType::kUart, 2, 2) == PadRoute{23, 3});
    CHECK(route(*r.snap, PeripheralType::kUart, 2, 3) == PadRoute{24, 3});
}

TEST_CASE("pins: argument checks, and the names the EC718 build takes or refuses before its table") {
    auto r = run_script(R"LUA(
        log.info("t", pins.setup(-1, "GPIO16"), pins.setup(nil, "GPIO16"), pins.setup(97, {}), pins.setup(97, 1.5))
        log.info("t", pins.setup(97, 4), pins.setup(97, "GPI"), pins.setup(97, "PWM"), pins.setup(97, "16"))
        log.info("t", pins.setup(28, "SPI0_CLK"), pins.setup(28, "WAKEUP0"), pins.setup(28, "ADC0"),
                 pins.setup(28, "DBG_TX"), pins.setup(28, "USIM_CLK"), pins.setup(28, "CAN_STB"), pins.setup(28, "I2S0_MCLK"))
        log.info("t", pins.setup(1, "GPIO130"), pins.setup(1, "UART10_TX"))
        log.info("t", pins.setup(28, "GPIO"), pins.setup(28, "UART2_XX"), pins.setup(28, "FOO1"))
        log.info("t", pcall(pins.setup, 1.5, "GPIO16"))
        log.info("t", pcall(pins.close, "x"))
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r) ==
          Lines{"E/pins pin序号参数错误", "E/pins pin序号参数错误", "E/pins 参数错误", "E/pins 参数错误",
                "I/user.t false false false false",
                // an alternate-function number and names under 4 bytes: false, nothing logged
                "I/user.t false false false false",
                // names of fixed or self-routed functions: accepted, nothing changes
                "I/user.t true true true true true true true",
                // GPIO128 and up, UART10 and up: accepted before the pin is even looked up
                "I/user.t true true",
                // the rest after the last type name that matched is what the error names
                "E/pins 不是可配置的外设功能", "E/pins _XX不是可配置的外设功能",
                "E/pins FOO1不是可配置的外设功能", "I/user.t false false false",
                "I/user.t false bad argument #1 to 'pins.setup' (number has no integer representation)",
                "I/user.t false bad argument #1 to 'pins.close' (number expected, got string)"});
}

TEST_CASE("pins: each pin's functions from the Air780EP table, and the routes the firmware keeps fixed") {
    auto r = run_with_snap(R"LUA(
        log.info("t", pins.setup(38, "GPIO16"), pins.setup(66, "GPIO19"), pins.setup(67, "I2C1_SCL"),
                 pins.setup(22, "PWM1n"), pins.setup(53, "UART3_RX"), pins.setup(102, "PWM3"))
        log.info("t", pins.setup(97, "GPIO17"), pins.setup(1, "GPIO16"), pins.setup(17, "ONEWIRE"))
        log.info("t", pins.setup(17, "UART1_RX"), pins.setup(28, "UART0_RX"), pins.setup(16, "PWM5n"))
        log.info("t", pins.setup(28, "UART16_RX"))
        log.info("t", "snap")
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r.result) ==
          Lines{"I/user.t true true true true true true", "E/pins GPIO17不是pin97的可配置功能",
                "E/pins pin1不支持修改", "E/pins ONEWIRE不是pin17的可配置功能", "I/user.t false false false",
                // UART1 is fixed; UART0_RX's code is the one each pin's unlisted ninth setting has
                "D/pins luat_pin_set_iomux_info fail! pin 17 tp 0 id 1",
                "E/pins UART1_RX不可配置，请确认硬件手册上该功能可以复用在2个及以上的pin",
                "D/pins luat_pin_set_iomux_info fail! pin 28 tp 0 id 0",
                "E/pins UART0_RX不可配置，请确认硬件手册上该功能可以复用在2个及以上的pin",
                "D/pins luat_pin_set_iomux_info fail! pin 16 tp 3 id 5",
                "E/pins PWM5n不可配置，请确认硬件手册上该功能可以复用在2个及以上的pin",
                "I/user.t false false false",
                // the unit number is a 4-bit field: UART16 is UART0
                "D/pins luat_pin_set_iomux_info fail! pin 28 tp 0 id 0",
                "E/pins UART16_RX不可配置，请确认硬件手册上该功能可以复用在2个及以上的pin", "I/user.t false",
                "I/user.t snap"});
    REQUIRE(r.snap);
    CHECK(route(*r.snap, PeripheralType::kGpio, 16, 0) == PadRoute{31, 0});
    CHECK(route(*r.snap, PeripheralType::kGpio, 19, 0) == PadRoute{14, 4});
    CHECK(route(*r.snap, PeripheralType::kI2c, 1, 0) == PadRoute{13, 3});
    CHECK(route(*r.snap, PeripheralType::kPwm, 1, 1) == PadRoute{16, 4});
    CHECK(route(*r.snap, PeripheralType::kUart, 3, 0) == PadRoute{40, 3});
    CHECK(route(*r.snap, PeripheralType::kPwm, 3, 0) == PadRoute{45, 5});
    CHECK(route(*r.snap, PeripheralType::kUart, 1, 0) == PadRoute{33, 1});  // unchanged
}

TEST_CASE("pins: debug logs the parsed function and the call, a byte or a boolean switches it") {
    auto r = run_script(R"LUA(
        log.info("t", pins.debug(), pins.debug(256), pins.debug(1), pins.debug(1.0), pins.debug("x"))
        log.info("t", pins.setup(84, "UART2_RX"), pins.setup(84, "GPIO200"))
        log.info("t", pins.debug(false))
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r) == Lines{"I/user.t false false true true true", "D/pins UART2_RX find 0,2,0",
                                        "D/pins luat_pins_setup pin 84 func UART2_RX fid 0 pid 2",
                                        "D/pins GPIO200 find 5,12,8", "I/user.t true true",
                                        "I/user.t false"});
}

TEST_CASE("pins: close takes a pin of the table high-impedance") {
    auto r = run_with_snap(R"LUA(
        log.info("t", pins.close(28), pins.close(84), pins.close(1), pins.close())
        log.info("t", "snap")
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r.result) == Lines{"E/pins pin1不支持修改", "E/pins pin序号参数错误",
                                               "I/user.t true true false false", "I/user.t snap"});
    REQUIRE(r.snap);
    CHECK(r.snap->closed_pads() == std::set<int>{25, 27});
}

TEST_CASE("pins: loadjson applies [pin, func] pairs, with LuatOS's codes and warnings") {
    ScriptOptions options;
    options.files = {
        {"good.json",
         R"({"pins_debug": 0, "iovolt": 2500, "pins": [[84, "UART2_RX"], [1, "GPIO1"], "x", [28], ["a", "b"], [86, 5], [86, "UART2_TX"]]})"},
        {"nopins.json", R"({"pin": []})"},
        {"empty.json", R"({"pins": []})"},
        {"bad.json", R"({"pins": [)"},
        {"p.bin", "x"},
        {"p.txt", "x"},
        {"big.json", std::string(16 * 1024 + 1, ' ')},
        {"debug.json", R"({"PINS_DEBUG": true, "pins": [[97, "GPIO16"]]})"},
    };
    auto r = run_with_snap(R"LUA(
        log.info("t", pins.loadjson("/luadb/good.json"))
        log.info("t", "snap")
        log.info("t", pins.loadjson("/luadb/nopins.json"))
        log.info("t", pins.loadjson("/luadb/empty.json"))
        log.info("t", pins.loadjson("/luadb/bad.json"))
        log.info("t", pins.loadjson("/luadb/p.bin"))
        log.info("t", pins.loadjson("/luadb/p.txt"))
        log.info("t", pins.loadjson("/luadb/big.json"))
        log.info("t", pins.loadjson("/luadb/none.json"))
        local ok, code = pins.loadjson("/luadb/debug.json")
        log.info("t", ok, code, pins.debug())
        os.exit(0)
    )LUA",
                           options);
    CHECK(lines_but_vm_exit(r.result) ==
          Lines{"W/pm iovolt: out of range 0 2500", "E/pins pin1不支持修改",
                "W/pins pins 1 GPIO1 setup failed", "W/pins pins item[2] is not array",
                "W/pins pins item[3] is not vaild!!!", "W/pins pins item[4] pin is not number",
                "W/pins pins item[5] func is not string", "I/user.t true 0", "I/user.t snap",
                "E/pins json without pins item!!!", "I/user.t false -101", "E/pins invaild pins item!!!",
                "I/user.t false -102", "E/pins not valid json /luadb/bad.json", "I/user.t false -100",
                "E/pins not support bin file yet", "I/user.t false -5",
                "E/pins unknown file type /luadb/p.txt", "I/user.t false -100",
                "W/pins /luadb/big.json too large!!", "I/user.t false -2",
                "W/pins /luadb/none.json not exist!!", "I/user.t false -1",
                // cJSON finds names ignoring case and reads true as 1
                "I/pins pins debug模式开启", "D/pins GPIO16 find 5,1,0",
                "D/pins luat_pins_setup pin 97 func GPIO16 fid 0 pid 1", "I/user.t true 0 true"});
    REQUIRE(r.snap);
    CHECK(route(*r.snap, PeripheralType::kUart, 2, 0) == PadRoute{25, 3});
    CHECK(route(*r.snap, PeripheralType::kUart, 2, 1) == PadRoute{26, 3});
}

TEST_CASE(
    "pins: /luadb/pins_air780ep.json is applied at boot, and every boot starts from the power-on routes") {
    ScriptOptions options;
    options.files = {{"pins_air780ep.json", R"({"pins": [[84, "UART2_RX"]]})"}};
    auto r = run_with_snap(R"LUA(
        log.info("t", "snap")
        os.exit(0)
    )LUA",
                           options);
    CHECK(lines_but_vm_exit(r.result) ==
          Lines{"D/pins /luadb/pins_air780ep.json 加载和配置完成", "I/user.t snap"});
    REQUIRE(r.snap);
    CHECK(route(*r.snap, PeripheralType::kUart, 2, 0) == PadRoute{25, 3});

    PinMux mux;
    REQUIRE(mux.set_routes(PeripheralType::kUart, 2, {PadRoute{25, 3}, PadRoute{26, 3}}));
    mux.close_pad(25);
    mux.reset();
    CHECK(route(mux, PeripheralType::kUart, 2, 0) == PadRoute{27, 3});
    CHECK(mux.closed_pads().empty());
}

TEST_CASE("pins: the pin table - module pins 16..107 on the EC718's pads, unlisted numbers absent") {
    const auto* p28 = PinMux::find_pin(28);
    REQUIRE(p28 != nullptr);
    CHECK(p28->pad == 27);
    CHECK(PinMux::alt_of(*p28, 0x50C) == 0);  // GPIO12
    CHECK(PinMux::alt_of(*p28, 0x020) == 3);  // UART2_RX
    CHECK(PinMux::alt_of(*p28, 0x032) == 5);  // UART3_RTS
    CHECK(PinMux::alt_of(*p28, 0x000) == 8);  // the unlisted ninth setting
    CHECK(PinMux::find_pin(1) == nullptr);
    CHECK(PinMux::find_pin(0x10000u + 28) == nullptr);
    int count = 0;
    for (std::uint32_t n = 0; n < 200; ++n)
        count += PinMux::find_pin(n) != nullptr;
    CHECK(count == 43);
}
