// pins: the pin multiplexing of the Air780EP (EC718P), docs/modules/pins.md.
//   pins.setup(pin, "FUNC" | altfun) -> boolean   route a peripheral signal (or a GPIO) to a pin
//   pins.close(pin) -> boolean                     the pin's pad goes high-impedance
//   pins.loadjson(path) -> boolean, code           apply a Luatools pin configuration file
//   pins.debug([on]) -> boolean                    more log lines from the calls above
// Read from LuatOS components/pins (luat_lib_pins.c, luat_pins.c) and the EC718's tables in
// openLuat/luatos-soc-2024 interface/src/luat_pin_ec7xx.c (platform_air780ep/pin_mux.hpp). The
// routes are kept on the board (Board::pin_mux()); nothing else on the simulated board follows them,
// as nothing a script sees does.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/device_file.hpp"
#include "lua_bindings/modules/json/json_codec.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/module_identity.hpp"
#include "lua_bindings/modules/peripheral_util.hpp"

namespace lua_bindings {

namespace {

using platform_air780ep::PeripheralType;
using platform_air780ep::PinMux;

constexpr char kTag[] = "pins";
constexpr std::uint16_t kBadFunction = 0xFFFF;

// A Lua string as the firmware's "%.*s" prints it: up to its first NUL.
std::string c_text(std::string_view s) {
    return std::string(s.substr(0, std::min(s.find('\0'), s.size())));
}

// A function code's fields (pin_mux.hpp).
int signal_of(std::uint16_t code) {
    return code & 0xF;
}
int unit_of(std::uint16_t code) {
    return (code >> 4) & 0xF;
}
int type_of(std::uint16_t code) {
    return (code >> 8) & 0x1F;
}

// The text of a function name still to read, as the firmware walks it: past its end it reads the
// string's terminating NUL, so comparisons and character tests stop there.
struct NameCursor {
    std::string_view name;
    std::size_t pos = 0;

    [[nodiscard]] char at(std::size_t k) const { return pos + k < name.size() ? name[pos + k] : '\0'; }
    [[nodiscard]] bool starts_with(std::string_view word) const {
        for (std::size_t k = 0; k < word.size(); ++k) {
            if (at(k) != word[k]) return false;
        }
        return true;
    }
    // Whether `word` lies in the rest (up to a NUL), the firmware's bounded substring search.
    [[nodiscard]] bool contains(std::string_view word) const {
        std::string_view rest = name.substr(std::min(pos, name.size()));
        rest = rest.substr(0, std::min(rest.find('\0'), rest.size()));
        return rest.find(word) != std::string_view::npos;
    }
    [[nodiscard]] bool any_of(std::initializer_list<std::string_view> words) const {
        return std::any_of(words.begin(), words.end(), [this](std::string_view w) { return contains(w); });
    }
    [[nodiscard]] bool digit() const { return at(0) >= '0' && at(0) <= '9'; }
};

// The signal names, in the groups whose position gives the signal number (RX/SCL/MOSI are signal
// 0 of their peripheral, TX/SDA/MISO signal 1...).
const std::initializer_list<std::string_view> kGroup0 = {"RX", "SCL", "MOSI", "PHY_INT"};
const std::initializer_list<std::string_view> kGroup1 = {"TX", "SDA", "MISO", "MDC"};
const std::initializer_list<std::string_view> kGroup2 = {"RTS", "CLK", "BCLK", "MDIO"};
const std::initializer_list<std::string_view> kGroup3 = {"CTS", "CS", "LRCLK", "REFCLK"};
const std::initializer_list<std::string_view> kGroup4 = {"MCLK", "CMD", "IO", "DAT"};
const std::initializer_list<std::string_view> kGroup5 = {"SCLK", "RST"};

constexpr std::string_view kTypeNames[platform_air780ep::kPeripheralTypeCount] = {
    "UART", "I2C",    "SPI",     "PWM",      "CAN", "GPIO", "I2S", "SDIO",
    "LCD",  "CAMERA", "ONEWIRE", "KEYBORAD", "ETH", "QSPI", "USIM"};

struct PinsModule {
    explicit PinsModule(RunContext& r) : run(r) {}
    RunContext& run;
    std::uint8_t debug = 0;  // the firmware's pins debug switch, off at each boot

    sys_task::Logger& log() { return run.device().logger(); }
    PinMux& mux() { return run.device().board().pin_mux(); }

    std::uint16_t parse_function(std::string_view name);
    bool setup(std::uint16_t pin, std::string_view name);
    int load_file(const std::string& path);
    int load_json(lua_State* L);
};

// The first group (in `tries` order) with a name in the rest gives the signal number.
struct SignalTry {
    const std::initializer_list<std::string_view>* group;
    int signal;
};

std::uint16_t with_signal(std::uint16_t code, int signal) {
    return static_cast<std::uint16_t>((code & ~0xF) | (signal & 0xF));
}

// The function code a name like "UART2_RX", "GPIO12", "PWM4" or "I2C1_SDA" stands for, or 0xFFFF
// (logged). The walk is the firmware's: a type name that matches is consumed, and when the rest
// names no signal the search goes on with the next types from there.
std::uint16_t PinsModule::parse_function(std::string_view name) {
    NameCursor c{name};
    std::uint16_t code = 0;
    for (int type = 0; type < platform_air780ep::kPeripheralTypeCount; ++type) {
        code = static_cast<std::uint16_t>((code & ~0x1F00) | (type << 8));
        const std::string_view type_name = kTypeNames[type];
        if (!c.starts_with(type_name)) continue;
        c.pos += type_name.size();
        const auto t = static_cast<PeripheralType>(type);
        if (t != PeripheralType::kGpio) {
            int unit = 0;  // a 4-bit field: each step keeps its low bits, as the firmware's
            while (c.digit()) {
                unit = (unit * 10 + (c.at(0) - '0')) & 0xF;
                ++c.pos;
            }
            code = static_cast<std::uint16_t>((code & ~0xF0) | (unit << 4));
        }
        auto first_signal = [&](std::initializer_list<SignalTry> tries) -> std::optional<int> {
            for (const SignalTry& s : tries) {
                if (c.any_of(*s.group)) return s.signal;
            }
            return std::nullopt;
        };
        std::optional<int> signal;
        switch (t) {
            case PeripheralType::kUart:
            case PeripheralType::kSpi:
                signal = first_signal({{&kGroup0, 0}, {&kGroup1, 1}, {&kGroup2, 2}, {&kGroup3, 3}});
                break;
            case PeripheralType::kI2c:
                signal = first_signal({{&kGroup0, 0}, {&kGroup1, 1}});
                break;
            case PeripheralType::kPwm:
                if (c.at(0) == '\0')
                    signal = 0;
                else if (c.at(0) == 'n')
                    signal = 1;
                break;
            case PeripheralType::kCan:
                signal = first_signal({{&kGroup0, 0}, {&kGroup1, 1}, {&kGroup2, 2}});
                break;
            case PeripheralType::kGpio:
                if (c.digit()) {
                    int number = 0;
                    while (c.digit()) {
                        number = number * 10 + (c.at(0) - '0');
                        ++c.pos;
                    }
                    code = static_cast<std::uint16_t>(code | (number & 0xFF));
                    signal = signal_of(code);  // already in the code
                }
                break;
            case PeripheralType::kI2s:
                signal =
                    first_signal({{&kGroup0, 0}, {&kGroup1, 1}, {&kGroup2, 2}, {&kGroup3, 3}, {&kGroup4, 4}});
                break;
            case PeripheralType::kSdio:
                if (c.contains("_DATA")) {
                    if (c.at(5) >= '0' && c.at(5) <= '3') signal = c.at(5) - '0';
                    break;
                }
                signal = first_signal({{&kGroup4, 4}, {&kGroup5, 5}});
                break;
            case PeripheralType::kOnewire:
                if (c.at(0) == '\0') signal = 0;
                break;
            case PeripheralType::kEth:
                // The character tests look at fixed offsets of the rest, wherever the word was found.
                if (c.contains("_RXD")) {
                    if (c.at(4) == 'V')
                        signal = 4;
                    else if (c.at(4) == '0' || c.at(4) == '1')
                        signal = c.at(4) - '0' + 5;
                    if (signal) break;
                }
                if (c.contains("_TXD") && (c.at(4) == '0' || c.at(4) == '1')) {
                    signal = c.at(4) - '0' + 7;
                    break;
                }
                if (c.contains("_TXEN")) {
                    signal = 9;
                    break;
                }
                signal = first_signal({{&kGroup0, 0}, {&kGroup1, 1}, {&kGroup3, 3}, {&kGroup2, 2}});
                break;
            case PeripheralType::kSim:
                if (unit_of(code) != 0) code = static_cast<std::uint16_t>((code & ~0xF0) | (1 << 4));
                signal = first_signal({{&kGroup2, 1}, {&kGroup4, 0}, {&kGroup5, 2}});
                break;
            default:
                break;  // LCD, camera, keyboard, QSPI: no signal names here
        }
        if (signal) {
            if (t != PeripheralType::kGpio) code = with_signal(code, *signal);
            if (debug) {
                log().debug(kTag, c_text(name) + " find " + std::to_string(type_of(code)) + "," +
                                      std::to_string(unit_of(code)) + "," + std::to_string(signal_of(code)));
            }
            return code;
        }
    }
    log().error(kTag, c_text(name.substr(std::min(c.pos, name.size()))) + "不是可配置的外设功能");
    return kBadFunction;
}

// The EC718 build's pins.setup with a function name (true when the route is set or the name is
// one it accepts without doing anything).
bool PinsModule::setup(std::uint16_t pin, std::string_view name) {
    if (name.size() < 4) return false;  // silently, before any other check
    NameCursor c{name};
    // Names Luatools' configurations carry for fixed pins or peripherals the EC718 routes by
    // itself: accepted, nothing changes. "WAKEU" and "ADC" are compared as prefixes of that length.
    for (std::string_view fixed : {"DBG_", "LCD_", "USIM_", "VBUS", "USB_", "CHG_", "CAM_", "SPI", "WAKEU",
                                   "ADC", "PWR_KEY", "I2S", "CAN_STB"}) {
        if (c.starts_with(fixed)) return true;
    }
    const std::uint16_t code = parse_function(name);
    if (code == kBadFunction) return false;
    const auto type = static_cast<PeripheralType>(type_of(code));
    if (type == PeripheralType::kGpio && (code & 0xFF) >= 128) return true;
    if (type == PeripheralType::kUart && unit_of(code) >= 10) return true;
    const std::string text = c_text(name);
    if (debug) {
        log().debug(kTag, "luat_pins_setup pin " + std::to_string(pin) + " func " + text + " fid " +
                              std::to_string(signal_of(code)) + " pid " + std::to_string(unit_of(code)));
    }
    const platform_air780ep::ModulePin* p = PinMux::find_pin(pin);
    if (p == nullptr) {
        log().error(kTag, "pin" + std::to_string(pin) + "不支持修改");
        return false;
    }
    const std::optional<int> alt = PinMux::alt_of(*p, code);
    if (!alt) {
        log().error(kTag, text + "不是pin" + std::to_string(pin) + "的可配置功能");
        return false;
    }
    const int id = type == PeripheralType::kGpio ? (code & 0xFF) : unit_of(code);
    const std::string where = " pin " + std::to_string(pin) + " tp " + std::to_string(type_of(code)) +
                              " id " + std::to_string(unit_of(code));
    if (std::optional<platform_air780ep::SignalRoutes> routes = mux().routes(type, id)) {
        const int slot = type == PeripheralType::kGpio ? 0 : signal_of(code);
        if (slot < platform_air780ep::kSignalCount) {
            (*routes)[static_cast<std::size_t>(slot)] = platform_air780ep::PadRoute{
                static_cast<std::uint8_t>(p->pad), static_cast<std::uint8_t>(*alt)};
        }
        if (mux().set_routes(type, id, *routes)) return true;
        log().debug(kTag, "luat_pin_set_iomux_info fail!" + where);
    } else {
        log().debug(kTag, "luat_pin_get_iomux_info fail!" + where);
    }
    log().error(kTag, text + "不可配置，请确认硬件手册上该功能可以复用在2个及以上的pin");
    return false;
}

// cJSON's valueint: a number as an int (saturated), 1 for true, 0 for anything else.
int json_int(lua_State* L, int idx) {
    if (lua_isboolean(L, idx)) return lua_toboolean(L, idx);
    if (lua_type(L, idx) != LUA_TNUMBER) return 0;
    const double v = lua_tonumber(L, idx);
    if (v >= 2147483647.0) return 2147483647;
    if (v <= -2147483648.0) return -2147483647 - 1;
    return static_cast<int>(v);
}

// A decoded JSON array: a table whose keys are exactly 1..n (an empty table counts as one).
bool json_is_array(lua_State* L, int idx) {
    if (!lua_istable(L, idx)) return false;
    const lua_Unsigned n = lua_rawlen(L, idx);
    lua_Unsigned keys = 0;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        ++keys;
    }
    return keys == n;
}

// Push the member `key` of the object at `idx` (cJSON looks names up ignoring case), or nothing:
// returns whether it pushed.
bool json_member(lua_State* L, int idx, std::string_view key) {
    if (!lua_istable(L, idx) || json_is_array(L, idx)) return false;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        if (lua_type(L, -2) == LUA_TSTRING) {
            std::size_t n = 0;
            const char* k = lua_tolstring(L, -2, &n);
            const std::string_view ks(k, n);
            if (ks.size() == key.size() && std::equal(ks.begin(), ks.end(), key.begin(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) ==
                           std::tolower(static_cast<unsigned char>(b));
                })) {
                lua_remove(L, -2);
                return true;
            }
        }
        lua_pop(L, 1);
    }
    return false;
}

// The configuration at the top of the stack: {"pins_debug": n, "iovolt": mV, "pins": [[pin, "FUNC"], ...]}.
int PinsModule::load_json(lua_State* L) {
    const int root = lua_gettop(L);
    if (json_member(L, root, "pins_debug")) {
        debug = static_cast<std::uint8_t>(json_int(L, -1));
        lua_pop(L, 1);
        if (debug) log().info(kTag, "pins debug模式开启");
    }
    if (json_member(L, root, "iovolt")) {
        const int mv = json_int(L, -1);
        lua_pop(L, 1);
        // The I/O voltage of every GPIO, as pm.ioVol(pm.IOVOL_ALL_GPIO, mV) sets it: the EC718
        // refuses 2001..2649 mV.
        if (mv >= 1800 && mv <= 3300 && mv > 2000 && mv < 2650) {
            log().warn("pm", "iovolt: out of range 0 " + std::to_string(mv));
        }
    }
    if (!json_member(L, root, "pins")) {
        log().error(kTag, "json without pins item!!!");
        return -101;
    }
    const int pins = lua_gettop(L);
    // cJSON counts the children of an array or an object; anything else has none.
    lua_Integer count = 0;
    if (lua_istable(L, pins)) {
        lua_pushnil(L);
        while (lua_next(L, pins) != 0) {
            lua_pop(L, 1);
            ++count;
        }
    }
    if (count < 1) {
        log().error(kTag, "invaild pins item!!!");
        return -102;
    }
    const bool is_array = json_is_array(L, pins);
    lua_Integer i = 0;
    auto check_item = [&](int item) {
        const std::string at = "pins item[" + std::to_string(i) + "]";
        if (!json_is_array(L, item)) {
            log().warn(kTag, at + " is not array");
            return;
        }
        lua_rawgeti(L, item, 1);
        lua_rawgeti(L, item, 2);
        if (lua_isnil(L, -2) || lua_isnil(L, -1)) {
            log().warn(kTag, at + " is not vaild!!!");
        } else if (lua_type(L, -2) != LUA_TNUMBER) {
            log().warn(kTag, at + " pin is not number");
        } else if (lua_type(L, -1) != LUA_TSTRING) {
            log().warn(kTag, at + " func is not string");
        } else {
            const auto pin = static_cast<std::uint16_t>(json_int(L, -2));
            const std::string func = c_text(lua_tostring(L, -1));  // a C string there
            if (!setup(pin, func))
                log().warn(kTag, "pins " + std::to_string(pin) + " " + func + " setup failed");
        }
        lua_pop(L, 2);
    };
    if (is_array) {
        for (i = 0; i < count; ++i) {
            lua_rawgeti(L, pins, i + 1);
            check_item(lua_gettop(L));
            lua_pop(L, 1);
        }
    } else {
        // An object's members (cJSON takes them in document order; a decoded table has none).
        lua_pushnil(L);
        while (lua_next(L, pins) != 0) {
            check_item(lua_gettop(L));
            lua_pop(L, 1);
            ++i;
        }
    }
    return 0;
}

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int PinsModule::load_file(const std::string& path) {
    const DeviceFs fs = device_fs(run);
    UniqueFile f(open_device_file(fs, path.c_str(), "rb"));
    long size = 0;
    if (f && std::fseek(f.get(), 0, SEEK_END) == 0) size = std::max(0L, std::ftell(f.get()));
    if (size < 1) {
        log().warn(kTag, path + " not exist!!");
        return -1;
    }
    if (size > 16 * 1024) {
        log().warn(kTag, path + " too large!!");
        return -2;
    }
    if (!native_alloc_fits(run, size)) {
        log().warn(kTag, "no memory for loading " + path);
        return -3;
    }
    std::string data(static_cast<std::size_t>(size), '\0');
    std::rewind(f.get());
    if (std::fread(data.data(), 1, data.size(), f.get()) != data.size()) {
        log().warn(kTag, "read " + path + " failed");
        return -4;
    }
    f.reset();
    if (ends_with(path, ".bin")) {
        log().error(kTag, "not support bin file yet");
        return -5;
    }
    if (!ends_with(path, ".json")) {
        log().error(kTag, "unknown file type " + path);
        return -100;
    }
    lua_State* L = run.state();
    const int top = lua_gettop(L);
    std::string error;
    if (!decode_json(L, data, error)) {
        log().error(kTag, "not valid json " + path);
        return -100;
    }
    const int ret = load_json(L);
    lua_settop(L, top);
    return ret;
}

PinsModule& module_of(lua_State* L) {
    return upvalue_object<PinsModule>(L);
}

// The pin argument: luaL_optinteger into the firmware's int (-1 when absent), logged when negative.
std::optional<int> pin_arg(lua_State* L, PinsModule& m) {
    const int pin = static_cast<int>(luaL_optinteger(L, 1, -1));
    if (pin < 0) {
        m.log().error(kTag, "pin序号参数错误");
        return std::nullopt;
    }
    return pin;
}

// pins.setup(pin, func): func a name, or an alternate-function number, which the EC718 build
// refuses at once (its name check comes first and a number has no name).
int l_setup(lua_State* L) {
    PinsModule& m = module_of(L);
    bool ok = false;
    if (const std::optional<int> pin = pin_arg(L, m)) {
        if (lua_type(L, 2) == LUA_TSTRING) {
            std::size_t n = 0;
            const char* name = luaL_checklstring(L, 2, &n);
            ok = m.setup(static_cast<std::uint16_t>(*pin), std::string_view(name, n));
        } else if (lua_isinteger(L, 2)) {
            luaL_checkinteger(L, 2);
        } else {
            m.log().error(kTag, "参数错误");
        }
    }
    lua_pushboolean(L, ok ? 1 : 0);
    return 1;
}

int l_close(lua_State* L) {
    PinsModule& m = module_of(L);
    bool ok = false;
    if (const std::optional<int> pin = pin_arg(L, m)) {
        if (const platform_air780ep::ModulePin* p = PinMux::find_pin(static_cast<std::uint32_t>(*pin))) {
            m.mux().close_pad(p->pad);
            ok = true;
        } else {
            m.log().error(kTag, "pin" + std::to_string(*pin) + "不支持修改");
        }
    }
    lua_pushboolean(L, ok ? 1 : 0);
    return 1;
}

int l_loadjson(lua_State* L) {
    const std::string path = luaL_checkstring(L, 1);
    const int ret = module_of(L).load_file(path);
    lua_pushboolean(L, ret == 0 ? 1 : 0);
    lua_pushinteger(L, ret);
    return 2;
}

// pins.debug([on]): an integer (kept as a byte) or a boolean sets the switch; anything else leaves
// it. Returns whether it is on.
int l_debug(lua_State* L) {
    PinsModule& m = module_of(L);
    if (lua_isinteger(L, 1)) {
        m.debug = static_cast<std::uint8_t>(luaL_checkinteger(L, 1));
    } else if (lua_isboolean(L, 1)) {
        m.debug = static_cast<std::uint8_t>(lua_toboolean(L, 1));
    }
    lua_pushboolean(L, m.debug);
    return 1;
}

// At boot the firmware applies /luadb/pins_<model>.json, trying the model's name as it is, then in
// capitals (all but the last character), then in small letters.
void autoload(PinsModule& m) {
    std::string name = kModelName;
    const DeviceFs fs = device_fs(m.run);
    auto exists = [&fs](const std::string& path) {
        return UniqueFile(open_device_file(fs, path.c_str(), "rb")) != nullptr;
    };
    std::string path = "/luadb/pins_" + name + ".json";
    if (!exists(path)) {
        for (std::size_t i = 0; i + 1 < name.size(); ++i)
            name[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[i])));
        path = "/luadb/pins_" + name + ".json";
        if (!exists(path)) {
            for (char& ch : name)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            path = "/luadb/pins_" + name + ".json";
        }
    }
    // Without any such file the firmware logs "<path> not exist!!" among its boot lines; the
    // runtime's boot lines leave it out (docs/modules/pins.md).
    if (!exists(path)) return;
    if (m.load_file(path) == 0) m.log().debug(kTag, path + " 加载和配置完成");
}

}  // namespace

void install_pins(RunContext& run) {
    auto module = std::make_shared<PinsModule>(run);
    run.on_close([module]() mutable { module.reset(); });
    lua_State* L = run.state();
    push_module_table(L, "pins");
    static const luaL_Reg kFunctions[] = {
        {"setup", l_setup}, {"close", l_close}, {"loadjson", l_loadjson},
        {"debug", l_debug}, {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module.get());
    lua_pop(L, 1);
    autoload(*module);
}

}  // namespace lua_bindings
