// spi: LuatOS's SPI library (luat/modules/luat_lib_spi.c, luat/weak/luat_spi_device.c) with the EC718
// port's buses (luat_spi_ec7xx.c in openLuat/luatos-soc-2024), on a board with nothing attached.
// docs/modules/spi.md.
//
// SPI0 and SPI1 exist. A transfer always completes (a master needs no answer); with no device on the
// bus MISO is not driven and every byte received is 0x00. A software bus (spi.createSoft) drives its
// CS, MOSI and CLK pins and samples its MISO pin on the board, so the outside world can hold MISO
// high (`gpio PIN 1`) and read 0xFF bytes.
#include <array>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/peripheral_util.hpp"

namespace lua_bindings {

namespace {

using platform_air780ep::PinMode;
using platform_air780ep::PinPull;

constexpr const char* kDeviceType = "SPI*";  // META_SPI
constexpr const char* kSoftType = "ESPI*";   // LUAT_ESPI_TYPE
constexpr const char* kZbuffType = "ZBUFF*";
constexpr int kBuses = 2;  // SPI_MAX on the EC718
constexpr int kNoPin = 255;

// luat_espi_t
struct SoftSpi {
    std::uint8_t cs = kNoPin;
    std::uint8_t mosi = 0;
    std::uint8_t miso = 0;
    std::uint32_t clk = 0;
    std::uint8_t cpha = 0;
    std::uint8_t cpol = 0;
    std::uint8_t dataw = 8;
    std::uint8_t bit_dict = 1;
    std::uint8_t master = 1;
    std::uint8_t mode = 0;
};

// luat_spi_device_t: the bus and its settings.
struct SpiDevice {
    std::uint8_t bus = 0;
    int cs = kNoPin;
    int cpha = 0;
    int cpol = 0;
    int dataw = 8;
    int bandrate = 20000000;
    int bit_dict = 1;
    int master = 1;
    int mode = 1;
};

struct SpiModule {
    explicit SpiModule(RunContext& r) : run(r), board(r.device().board()) {}
    RunContext& run;
    platform_air780ep::Board& board;
    std::array<int, kBuses> bus_mode{};  // g_s_luat_spi_mode: 0 half duplex until a setup says otherwise
    bool closing = false;                // the run is ending: the state goes, no __gc lines

    sys_task::Logger& log() { return run.device().logger(); }

    static bool exists(lua_Integer id) { return static_cast<int>(id) < kBuses; }

    // luat_gpio_mode(pin, mode, pull, level)
    void pin_mode(int pin, PinMode mode, PinPull pull, int level) {
        if (pin == kNoPin) return;
        if (mode == PinMode::kOutput) board.set_output(pin, level);
        board.configure_pin(pin, mode, pull);
    }

    // A hardware transfer of `n` bytes: nothing drives MISO.
    static std::string hw_bytes(std::size_t n) { return std::string(n, '\0'); }

    std::string soft_read(const SoftSpi& e, std::size_t n) const {
        const char byte = board.level(e.miso) != 0 ? static_cast<char>(0xFF) : '\0';
        return std::string(n, byte);
    }
    // After luat_spi_soft_send MOSI keeps the last bit sent; recv and xfer leave it high.
    void soft_done(const SoftSpi& e, const std::string& sent, bool sent_only) {
        if (sent_only && !sent.empty()) {
            board.set_output(e.mosi, static_cast<unsigned char>(sent.back()) & 1);
        } else {
            board.set_output(e.mosi, 1);
        }
    }
};

SpiModule& module_of(lua_State* L) {
    return upvalue_object<SpiModule>(L);
}

// The data argument of send/transfer: a string (or number), or a zbuff (none in this runtime: an
// argument error, as for any other userdata).
std::string data_arg(lua_State* L, int idx) {
    if (lua_isuserdata(L, idx)) luaL_checkudata(L, idx, kZbuffType);
    std::size_t len = 0;
    const char* s = luaL_checklstring(L, idx, &len);
    return std::string(s, len);
}

// spi.setup(id, cs, CPHA, CPOL, dataw, bandrate, bitdict, ms, mode) -> 0 | -1
int l_setup(lua_State* L) {
    SpiModule& m = module_of(L);
    const lua_Integer id = luaL_checkinteger(L, 1);
    luaL_optinteger(L, 2, kNoPin);
    luaL_optinteger(L, 3, 0);
    luaL_optinteger(L, 4, 0);
    luaL_optinteger(L, 5, 8);
    luaL_optinteger(L, 6, 2000000);
    luaL_optinteger(L, 7, 1);
    luaL_optinteger(L, 8, 1);
    const lua_Integer mode = luaL_optinteger(L, 9, 1);
    if (!SpiModule::exists(id)) {
        lua_pushinteger(L, -1);
        return 1;
    }
    if (id >= 0) m.bus_mode[static_cast<std::size_t>(id)] = static_cast<int>(mode);
    lua_pushinteger(L, 0);
    return 1;
}

// spi.createSoft(cs, mosi, miso, clk, CPHA, CPOL, dataw, bitdict, ms, mode) -> ESPI*
int l_create_soft(lua_State* L) {
    SpiModule& m = module_of(L);
    auto* e = static_cast<SoftSpi*>(lua_newuserdatauv(L, sizeof(SoftSpi), 0));
    *e = SoftSpi{};
    e->cs = static_cast<std::uint8_t>(luaL_optinteger(L, 1, kNoPin));
    e->mosi = static_cast<std::uint8_t>(luaL_checkinteger(L, 2));
    e->miso = static_cast<std::uint8_t>(luaL_checkinteger(L, 3));
    e->clk = static_cast<std::uint32_t>(luaL_checkinteger(L, 4));
    e->cpha = static_cast<std::uint8_t>(luaL_optinteger(L, 5, 0));
    e->cpol = static_cast<std::uint8_t>(luaL_optinteger(L, 6, 0));
    e->dataw = static_cast<std::uint8_t>(luaL_optinteger(L, 7, 8));
    e->bit_dict = static_cast<std::uint8_t>(luaL_optinteger(L, 8, 1));
    e->master = static_cast<std::uint8_t>(luaL_optinteger(L, 9, 1));
    e->mode = static_cast<std::uint8_t>(luaL_optinteger(L, 10, 0));
    m.pin_mode(e->cs, PinMode::kOutput, PinPull::kUp, 1);
    m.pin_mode(e->mosi, PinMode::kOutput, PinPull::kUp, 1);
    if (e->miso != kNoPin) m.pin_mode(e->miso, PinMode::kInput, PinPull::kNone, 0);
    const int clk = static_cast<int>(static_cast<std::uint8_t>(e->clk));
    if (e->cpol == 0) m.pin_mode(clk, PinMode::kOutput, PinPull::kDown, 0);
    if (e->cpol == 1) m.pin_mode(clk, PinMode::kOutput, PinPull::kUp, 1);
    luaL_setmetatable(L, kSoftType);
    return 1;
}

// spi.close(id | spi_device) -> 0
int l_close(lua_State* L) {
    if (lua_isinteger(L, 1)) luaL_checkinteger(L, 1);
    lua_pushinteger(L, 0);
    return 1;
}

// spi.transfer(id, send_data, send_len, recv_len) -> string | nothing
int l_transfer(lua_State* L) {
    SpiModule& m = module_of(L);
    std::string send = data_arg(L, 2);
    const auto length =
        static_cast<std::size_t>(luaL_optinteger(L, 3, static_cast<lua_Integer>(send.size())));
    if (length <= send.size()) send.resize(length);
    const lua_Integer recv_len = luaL_optinteger(L, 4, 1);
    if (send.empty()) {
        lua_pushliteral(L, "");
        return 1;
    }
    if (recv_len != 0 && !native_alloc_fits(m.run, recv_len)) return 0;
    const auto n = static_cast<std::size_t>(recv_len);
    if (lua_isinteger(L, 1)) {
        const lua_Integer id = luaL_checkinteger(L, 1);
        if (!SpiModule::exists(id) || n == 0) return 0;  // the port returns -1 / 0 received bytes
        const std::string r = SpiModule::hw_bytes(n);
        lua_pushlstring(L, r.data(), r.size());
        return 1;
    }
    SoftSpi& e = *static_cast<SoftSpi*>(luaL_checkudata(L, 1, kSoftType));
    const std::string r = m.soft_read(e, n);
    m.soft_done(e, send, false);
    lua_pushlstring(L, r.data(), r.size());
    return 1;
}

// spi.recv(id, size, buff) -> string | nothing
int l_recv(lua_State* L) {
    SpiModule& m = module_of(L);
    const int len = static_cast<int>(luaL_optinteger(L, 2, 1));
    if (len <= 0) return 0;
    if (lua_isuserdata(L, 3)) luaL_checkudata(L, 3, kZbuffType);
    luaL_Buffer b;
    luaL_buffinitsize(L, &b, static_cast<std::size_t>(len));
    std::size_t got = 0;
    int ret = 0;
    if (lua_isinteger(L, 1)) {
        ret = SpiModule::exists(luaL_checkinteger(L, 1)) ? len : -1;
        got = ret > 0 ? static_cast<std::size_t>(ret) : 0;
        if (got != 0) luaL_addlstring(&b, SpiModule::hw_bytes(got).data(), got);
    } else if (lua_isuserdata(L, 1)) {
        if (luaL_testudata(L, 1, kDeviceType) != nullptr) {
            ret = len;  // LuatOS counts the bytes but leaves them out of the result: ""
        } else if (auto* e = static_cast<SoftSpi*>(luaL_testudata(L, 1, kSoftType))) {
            ret = len;
            const std::string r = m.soft_read(*e, static_cast<std::size_t>(len));
            m.soft_done(*e, {}, false);
            luaL_addlstring(&b, r.data(), r.size());
        }
    }
    if (ret <= 0) return 0;
    luaL_pushresult(&b);
    return 1;
}

// spi.send(id, data, len) -> bytes sent | -1 | 0
int l_send(lua_State* L) {
    SpiModule& m = module_of(L);
    std::string data = data_arg(L, 2);
    if (lua_isinteger(L, 3)) {
        const auto len = static_cast<std::size_t>(luaL_checkinteger(L, 3));
        if (len < data.size()) data.resize(len);
    }
    if (data.empty()) {
        lua_pushinteger(L, 0);
        return 1;
    }
    if (lua_isinteger(L, 1)) {
        const lua_Integer id = luaL_checkinteger(L, 1);
        lua_pushinteger(L, SpiModule::exists(id) ? static_cast<lua_Integer>(data.size()) : -1);
        return 1;
    }
    SoftSpi& e = *static_cast<SoftSpi*>(luaL_checkudata(L, 1, kSoftType));
    m.soft_done(e, data, true);
    lua_pushinteger(L, 0);  // luat_spi_soft_send returns 0
    return 1;
}

SpiDevice& device_arg(lua_State* L) {
    // LuatOS takes lua_touserdata here and crashes on anything else; this checks the type.
    return *static_cast<SpiDevice*>(luaL_checkudata(L, 1, kDeviceType));
}

// spi.deviceSetup(id, cs, CPHA, CPOL, dataw, bandrate, bitdict, ms, mode) -> SPI*
int l_device_setup(lua_State* L) {
    SpiModule& m = module_of(L);
    SpiDevice d;
    d.bus = static_cast<std::uint8_t>(luaL_checkinteger(L, 1));
    d.cs = static_cast<int>(luaL_optinteger(L, 2, kNoPin));
    d.cpha = static_cast<int>(luaL_optinteger(L, 3, 0));
    d.cpol = static_cast<int>(luaL_optinteger(L, 4, 0));
    d.dataw = static_cast<int>(luaL_optinteger(L, 5, 8));
    d.bandrate = static_cast<int>(luaL_optinteger(L, 6, 20000000));
    d.bit_dict = static_cast<int>(luaL_optinteger(L, 7, 1));
    d.master = static_cast<int>(luaL_optinteger(L, 8, 1));
    d.mode = static_cast<int>(luaL_optinteger(L, 9, 1));
    auto* ud = static_cast<SpiDevice*>(lua_newuserdatauv(L, sizeof(SpiDevice), 0));
    *ud = d;
    if (SpiModule::exists(d.bus)) m.bus_mode[d.bus] = d.mode;
    if (d.cs != kNoPin) m.pin_mode(d.cs, PinMode::kOutput, PinPull::kUp, 1);
    luaL_setmetatable(L, kDeviceType);
    return 1;
}

// spi_device:close() -> true
int l_device_close(lua_State* L) {
    device_arg(L);
    lua_pushboolean(L, 1);
    return 1;
}

// The bytes of a device method's data argument; nullopt (after LuatOS's log line) for another type.
std::optional<std::string> device_data(lua_State* L, SpiModule& m) {
    if (lua_isuserdata(L, 2)) {
        luaL_checkudata(L, 2, kZbuffType);
        return std::string{};
    }
    if (lua_istable(L, 2)) {
        std::string out;
        const auto len = static_cast<std::size_t>(lua_rawlen(L, 2));
        for (std::size_t i = 0; i < len; ++i) {
            lua_rawgeti(L, 2, static_cast<lua_Integer>(1 + i));
            out += static_cast<char>(lua_tointeger(L, -1));
            lua_pop(L, 1);
        }
        return out;
    }
    if (lua_isstring(L, 2)) {
        std::size_t len = 0;
        const char* s = luaL_checklstring(L, 2, &len);
        return std::string(s, len);
    }
    m.log().error("spi", "spi_device transfer first arg error");
    return std::nullopt;
}

// spi_device:transfer(send_data, send_len, recv_len) -> string | nothing
int l_device_transfer(lua_State* L) {
    SpiModule& m = module_of(L);
    SpiDevice& d = device_arg(L);
    const std::optional<std::string> data = device_data(L, m);
    if (!data) return 0;
    std::size_t send_len = data->size();
    if (lua_isinteger(L, 3)) send_len = static_cast<std::size_t>(lua_tointeger(L, 3));
    const lua_Integer recv_len = luaL_optinteger(L, 4, 1);
    if (recv_len == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    if (!native_alloc_fits(m.run, recv_len)) return 0;
    if (!SpiModule::exists(d.bus)) return 0;
    // Full duplex clocks the longer of the two lengths both ways; half duplex sends, then receives.
    std::size_t n = static_cast<std::size_t>(recv_len);
    if (d.mode != 0 && send_len > n) n = send_len;
    if (!native_alloc_fits(m.run, static_cast<lua_Integer>(n))) return 0;
    const std::string r = SpiModule::hw_bytes(n);
    lua_pushlstring(L, r.data(), r.size());
    return 1;
}

// spi_device:send(data) -> bytes sent | -1
int l_device_send(lua_State* L) {
    SpiModule& m = module_of(L);
    SpiDevice& d = device_arg(L);
    const std::optional<std::string> data = device_data(L, m);
    if (!data) return 0;
    lua_pushinteger(L, SpiModule::exists(d.bus) ? static_cast<lua_Integer>(data->size()) : -1);
    return 1;
}

// spi_device:recv(size) -> string | nothing
int l_device_recv(lua_State* L) {
    SpiModule& m = module_of(L);
    SpiDevice& d = device_arg(L);
    const lua_Integer len = luaL_optinteger(L, 2, 1);
    if (len <= 0 || !native_alloc_fits(m.run, len) || !SpiModule::exists(d.bus)) return 0;
    const std::string r = SpiModule::hw_bytes(static_cast<std::size_t>(len));
    lua_pushlstring(L, r.data(), r.size());
    return 1;
}

// spi.xfer(id, txbuff, rxbuff, rx_len, topic) -> false: it takes zbuffs only, and this runtime has
// none.
int l_xfer(lua_State* L) {
    luaL_checklstring(L, 5, nullptr);
    luaL_optinteger(L, 4, 0);
    luaL_testudata(L, 2, kZbuffType);
    luaL_testudata(L, 3, kZbuffType);
    lua_pushboolean(L, 0);
    return 1;
}

// SPI* __index(obj, key): the four methods by name (upvalues 2..5), nothing for any other key.
int l_device_index(lua_State* L) {
    const std::string key = luaL_checkstring(L, 2);
    int up = 0;
    if (key == "close") up = 2;
    if (key == "transfer") up = 3;
    if (key == "send") up = 4;
    if (key == "recv") up = 5;
    if (up == 0) return 0;
    lua_pushvalue(L, lua_upvalueindex(up));
    return 1;
}

// SPI* __gc: LuatOS warns when a device object is collected (not when the run ends here).
int l_device_gc(lua_State* L) {
    SpiModule& m = module_of(L);
    if (m.closing) return 0;
    auto* d = static_cast<SpiDevice*>(lua_touserdata(L, 1));
    char line[160];
    std::snprintf(line, sizeof line, "spi_device对象正在被回收,相关内存将释放 %llX , spi id=%d",
                  static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(d)), d->bus);
    m.log().warn("spi", line);
    return 0;
}

}  // namespace

void install_spi(RunContext& run) {
    auto module = std::make_shared<SpiModule>(run);
    SpiModule* raw = module.get();
    // The device objects' __gc runs when the Lua state closes, after the closers: the module stays
    // (the closer holds it until the RunContext goes) and knows the run is ending.
    run.on_close([module] { module->closing = true; });
    lua_State* L = run.state();
    push_module_table(L, "spi");
    static const luaL_Reg kFunctions[] = {
        {"setup", l_setup},
        {"createSoft", l_create_soft},
        {"close", l_close},
        {"transfer", l_transfer},
        {"recv", l_recv},
        {"send", l_send},
        {"deviceSetup", l_device_setup},
        {"deviceTransfer", l_device_transfer},
        {"deviceSend", l_device_send},
        {"xfer", l_xfer},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, raw);
    static const IntConstant kConstants[] = {
        {"MSB", 1},   {"LSB", 0},   {"master", 1}, {"slave", 0}, {"full", 1},  {"half", 0},
        {"SPI_0", 0}, {"SPI_1", 1}, {"SPI_2", 2},  {"SPI_3", 3}, {"SPI_4", 4}, {"HSPI_0", 5},
    };
    set_int_constants(L, kConstants);
    lua_pop(L, 1);

    luaL_newmetatable(L, kDeviceType);
    lua_pushlightuserdata(L, raw);
    lua_pushcclosure(L, l_device_gc, 1);
    lua_setfield(L, -2, "__gc");
    lua_pushlightuserdata(L, raw);
    for (lua_CFunction fn : {l_device_close, l_device_transfer, l_device_send, l_device_recv}) {
        lua_pushlightuserdata(L, raw);
        lua_pushcclosure(L, fn, 1);
    }
    lua_pushcclosure(L, l_device_index, 5);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newmetatable(L, kSoftType);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
