// i2c: LuatOS's I2C library (luat/modules/luat_lib_i2c.c, components/i2c-tools/i2c_utils.c) with the
// EC718 port's bus (luat_i2c_ec7xx.c in openLuat/luatos-soc-2024), on a board with nothing attached.
// docs/modules/i2c.md.
//
// The hardware buses are I2C0 and I2C1. With no device, every address phase ends without an ACK, the
// driver returns -1 (-ERROR_NO_SUCH_ID) and the library gives what it gives then: false, "", nil,
// with its own debug lines. A software bus (i2c.createSoft) bit-bangs two board pins: it reads the ACK
// and the data from SDA as an input with pull-up, so it sees no ACK unless the outside world holds SDA
// low (`gpio PIN 0`), and then reads zero bytes.
#include <cstdio>
#include <map>
#include <memory>
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

constexpr const char* kSoftType = "EI2C*";  // LUAT_EI2C_TYPE
constexpr const char* kZbuffType = "ZBUFF*";
constexpr lua_Integer kBuses = 2;               // I2C_MAX on the EC718
constexpr int kNoAck = -1;                      // -ERROR_NO_SUCH_ID
constexpr lua_Integer kXferErrorCode = 0xFFFF;  // the driver's -1 in the upper half of its result word

// luat_ei2c_t
struct SoftI2c {
    std::int8_t sda = 0;
    std::int8_t scl = 0;
    std::int16_t udelay = 5;
};

struct I2cModule : std::enable_shared_from_this<I2cModule> {
    explicit I2cModule(RunContext& r) : run(r), board(r.device().board()) {}
    RunContext& run;
    platform_air780ep::Board& board;
    std::map<lua_Integer, bool> xfer_busy;

    sys_task::Logger& log() { return run.device().logger(); }

    // luat_gpio_mode(pin, OUTPUT, PULLUP, level)
    void output(int pin, int level) {
        board.set_output(pin, level);
        board.configure_pin(pin, PinMode::kOutput, PinPull::kUp);
    }
    // i2c_soft_wait_ack: SDA as input with pull-up, low means ACK. The pins end as LuatOS leaves them
    // (outputs, high), so their changes in between are not shown.
    bool ack(const SoftI2c& e) const { return board.level_as_input(e.sda, PinPull::kUp) == 0; }
    std::uint8_t read_byte(const SoftI2c& e) const {
        std::uint8_t v = 0;
        for (int i = 0; i < 8; ++i)
            v = static_cast<std::uint8_t>((v << 1) | board.level_as_input(e.sda, PinPull::kUp));
        return v;
    }
    int soft_send(const SoftI2c& e, std::size_t len) const {
        if (!ack(e)) return -1;  // the address
        for (std::size_t i = 0; i < len; ++i) {
            if (!ack(e)) return -1;
        }
        return 0;
    }
    int soft_recv(const SoftI2c& e, std::string* out, std::size_t len) const {
        if (!ack(e)) return -1;
        for (std::size_t i = 0; i < len; ++i) {
            const std::uint8_t b = read_byte(e);
            if (out != nullptr) *out += static_cast<char>(b);
        }
        return 0;
    }
};

I2cModule& module_of(lua_State* L) {
    return upvalue_object<I2cModule>(L);
}

SoftI2c& soft_of(lua_State* L) {
    return *static_cast<SoftI2c*>(luaL_checkudata(L, 1, kSoftType));
}

bool bus_exists(lua_Integer id) {
    return static_cast<int>(id) < kBuses;  // luat_i2c_exist(int id) compares the signed id only
}

// luat_i2c_send / luat_i2c_recv on a hardware bus: no device answers.
int hw_transfer(lua_Integer /*id*/) {
    return kNoAck;
}

// The bytes of i2c.send's data argument (integer, string, table or nothing).
std::size_t data_length(lua_State* L, int idx) {
    if (lua_isinteger(L, idx)) {
        luaL_checkinteger(L, idx);
        return 1;
    }
    if (lua_isstring(L, idx)) {
        std::size_t len = 0;
        luaL_checklstring(L, idx, &len);
        return len;
    }
    if (lua_istable(L, idx)) {
        const auto len = static_cast<std::size_t>(lua_rawlen(L, idx));
        for (std::size_t i = 0; i < len; ++i) {
            lua_rawgeti(L, idx, static_cast<lua_Integer>(1 + i));
            lua_pop(L, 1);
        }
        return len;
    }
    return 0;
}

// i2c.exist(id)
int l_exist(lua_State* L) {
    lua_pushboolean(L, bus_exists(luaL_checkinteger(L, 1)) ? 1 : 0);
    return 1;
}

// i2c.setup(id, speed, polling) -> 1 | 0
int l_setup(lua_State* L) {
    I2cModule& m = module_of(L);
    if (lua_isuserdata(L, 1)) {
        m.log().debug("i2c", "软件i2c不需要再执行i2c.setup");
        lua_pushinteger(L, 1);
        return 1;
    }
    const lua_Integer id = luaL_checkinteger(L, 1);
    luaL_optinteger(L, 2, 0);
    if (lua_isboolean(L, 3) && lua_toboolean(L, 3)) luaL_checkinteger(L, 1);  // polling mode
    lua_pushinteger(L, bus_exists(id) ? 1 : 0);
    return 1;
}

// i2c.config(id, key, value) -> true
int l_config(lua_State* L) {
    luaL_checkinteger(L, 1);
    luaL_checkinteger(L, 2);
    luaL_checkinteger(L, 3);
    lua_pushboolean(L, 1);
    return 1;
}

// i2c.createSoft(scl, sda, delay) -> EI2C*
int l_create_soft(lua_State* L) {
    I2cModule& m = module_of(L);
    auto* e = static_cast<SoftI2c*>(lua_newuserdatauv(L, sizeof(SoftI2c), 0));
    *e = SoftI2c{};
    e->scl = static_cast<std::int8_t>(luaL_checkinteger(L, 1));
    e->sda = static_cast<std::int8_t>(luaL_checkinteger(L, 2));
    if (lua_isinteger(L, 3)) {
        e->udelay = static_cast<std::int16_t>(luaL_checkinteger(L, 3));
        if (e->udelay < 1) e->udelay = 1;
    }
    // i2c_soft_setup: both lines outputs, then a STOP leaves them high.
    m.output(e->scl, 1);
    m.output(e->sda, 1);
    luaL_setmetatable(L, kSoftType);
    return 1;
}

// i2c.send(id, addr, data, stop) -> boolean
int l_send(lua_State* L) {
    I2cModule& m = module_of(L);
    const bool soft = lua_isuserdata(L, 1);
    lua_Integer id = 0;
    if (!soft) id = luaL_checkinteger(L, 1);
    luaL_checkinteger(L, 2);
    luaL_optnumber(L, 4, 1);
    const std::size_t len = data_length(L, 3);
    const int result = soft ? m.soft_send(soft_of(L), len) : hw_transfer(id);
    lua_pushboolean(L, result == 0 ? 1 : 0);
    return 1;
}

// i2c.recv(id, addr, len) -> string
int l_recv(lua_State* L) {
    I2cModule& m = module_of(L);
    const bool soft = lua_isuserdata(L, 1);
    lua_Integer id = 0;
    if (!soft) id = luaL_checkinteger(L, 1);
    luaL_checkinteger(L, 2);
    const int len = static_cast<int>(luaL_checkinteger(L, 3));
    if (!native_alloc_fits(m.run, len)) {
        m.log().error("i2c", "out of memory when malloc i2c recv buffer");
        lua_pushliteral(L, "");
        return 1;
    }
    std::string data;
    const int result = soft ? m.soft_recv(soft_of(L), &data, static_cast<std::size_t>(len)) : hw_transfer(id);
    if (result != 0) {
        m.log().debug("i2c", "i2c receive result " + std::to_string(result));
        data.clear();
    }
    lua_pushlstring(L, data.data(), data.size());
    return 1;
}

// i2c.writeReg(id, addr, reg, data, stop) -> boolean
int l_write_reg(lua_State* L) {
    I2cModule& m = module_of(L);
    const bool soft = lua_isuserdata(L, 1);
    lua_Integer id = 0;
    if (!soft) id = luaL_checkinteger(L, 1);
    luaL_checkinteger(L, 2);
    luaL_checkinteger(L, 3);
    std::size_t len = 0;
    luaL_checklstring(L, 4, &len);
    luaL_optnumber(L, 5, 1);
    const int result = soft ? m.soft_send(soft_of(L), len + 1) : hw_transfer(id);
    lua_pushboolean(L, result == 0 ? 1 : 0);
    return 1;
}

// i2c.readReg(id, addr, reg, len, stop) -> string
int l_read_reg(lua_State* L) {
    I2cModule& m = module_of(L);
    const bool soft = lua_isuserdata(L, 1);
    lua_Integer id = 0;
    if (!soft) id = luaL_checkinteger(L, 1);
    luaL_checkinteger(L, 2);
    luaL_checkinteger(L, 3);
    const int len = static_cast<int>(luaL_checkinteger(L, 4));
    luaL_optnumber(L, 5, 0);
    int result = soft ? m.soft_send(soft_of(L), 1) : hw_transfer(id);
    if (result != 0) {
        m.log().debug("i2c", "i2c send result " + std::to_string(result));
        lua_pushliteral(L, "");
        return 1;
    }
    if (!native_alloc_fits(m.run, len)) {
        m.log().error("i2c", "out of memory when malloc i2c readReg buffer");
        lua_pushliteral(L, "");
        return 1;
    }
    std::string data;
    result = soft ? m.soft_recv(soft_of(L), &data, static_cast<std::size_t>(len)) : hw_transfer(id);
    if (result != 0) {
        m.log().debug("i2c", "i2c receive result " + std::to_string(result));
        data.clear();
    }
    lua_pushlstring(L, data.data(), data.size());
    return 1;
}

// i2c.close(id)
int l_close(lua_State* L) {
    luaL_checkinteger(L, 1);
    return 0;
}

bool all_zero(const std::string& s, std::size_t n) {
    for (std::size_t i = 0; i < n && i < s.size(); ++i) {
        if (s[i] != 0) return false;
    }
    return true;
}

// i2c.readDHT12(id, addr) -> false | true, humidity, temperature
int l_read_dht12(lua_State* L) {
    I2cModule& m = module_of(L);
    const bool soft = lua_isuserdata(L, 1);
    lua_Integer id = 0;
    if (!soft) id = luaL_checkinteger(L, 1);
    luaL_optinteger(L, 2, 0x5C);
    int result = soft ? m.soft_send(soft_of(L), 1) : hw_transfer(id);
    if (result != 0) {
        m.log().debug("i2c", "DHT12 i2c bus write fail");
        lua_pushboolean(L, 0);
        return 1;
    }
    std::string buff;
    result = soft ? m.soft_recv(soft_of(L), &buff, 5) : hw_transfer(id);
    if (result != 0) {
        lua_pushboolean(L, 0);
        return 1;
    }
    buff.resize(5, '\0');
    if (all_zero(buff, 5)) {
        m.log().debug("i2c", "DHT12 DATA emtry");
        lua_pushboolean(L, 0);
        return 1;
    }
    const auto b = [&](int i) { return static_cast<std::uint8_t>(buff[static_cast<std::size_t>(i)]); };
    char line[48];
    std::snprintf(line, sizeof line, "DHT12 DATA %02X%02X%02X%02X%02X", b(0), b(1), b(2), b(3), b(4));
    m.log().debug("i2c", line);
    if (static_cast<std::uint8_t>(b(0) + b(1) + b(2) + b(3)) != b(4)) {
        m.log().debug("i2c", "DATA12 DATA crc not ok");
        lua_pushboolean(L, 0);
        return 1;
    }
    lua_pushboolean(L, 1);
    lua_pushinteger(L, b(0) * 10 + b(1));
    lua_pushinteger(L, b(2) > 127 ? (b(2) - 128) * -10 + b(3) : b(2) * 10 + b(3));
    return 3;
}

// i2c.readSHT30(id, addr) -> false | true, humidity, temperature
int l_read_sht30(lua_State* L) {
    I2cModule& m = module_of(L);
    luaL_optinteger(L, 2, 0x44);
    int result = 0;
    std::string buff;
    if (lua_isuserdata(L, 1)) {
        const SoftI2c& e = soft_of(L);
        m.soft_send(e, 2);
        result = m.soft_recv(e, &buff, 6);
    } else {
        const lua_Integer id = luaL_optinteger(L, 1, 0);
        hw_transfer(id);
        result = hw_transfer(id);
    }
    if (result != 0) {
        lua_pushboolean(L, 0);
        return 1;
    }
    buff.resize(6, '\0');
    if (all_zero(buff, 5)) {
        m.log().debug("i2c", "SHT30 DATA emtry");
        lua_pushboolean(L, 0);
        return 1;
    }
    // Plain chars, unsigned on the module's ARM core.
    const auto c = [&](int i) {
        return static_cast<double>(static_cast<unsigned char>(buff[static_cast<std::size_t>(i)]));
    };
    const double temp = (((c(0) * 256) + c(1)) * 175) / 6553.5 - 450;
    const double hum = (((c(3) * 256) + c(4)) * 100) / 6553.5;
    lua_pushboolean(L, 1);
    lua_pushinteger(L, static_cast<lua_Integer>(static_cast<int>(hum)));
    lua_pushinteger(L, static_cast<lua_Integer>(static_cast<int>(temp)));
    return 3;
}

// i2c.transfer(id, addr, txBuff, rxBuff, rxLen) -> ok, data | nil
int l_transfer(lua_State* L) {
    I2cModule& m = module_of(L);
    luaL_checkinteger(L, 2);
    std::size_t tx_len = 0;
    if (lua_isnil(L, 3)) {
        tx_len = 0;
    } else if (lua_isinteger(L, 3)) {
        luaL_checkinteger(L, 3);
        tx_len = 1;
    } else if (lua_isstring(L, 3)) {
        luaL_checklstring(L, 3, &tx_len);
    } else if (lua_istable(L, 3)) {
        data_length(L, 3);  // LuatOS counts a table into a shadowed variable: nothing is sent
    } else {
        luaL_checkudata(L, 3, kZbuffType);  // this runtime has no zbuff: an argument error
    }
    const bool rbuff = luaL_testudata(L, 4, kZbuffType) != nullptr;
    lua_Integer rx_len = 0;
    if (!lua_isnil(L, 5) && lua_isinteger(L, 5)) rx_len = luaL_checkinteger(L, 5);
    const bool rx = rx_len != 0 && !rbuff;
    if (rx && !native_alloc_fits(m.run, rx_len)) {
        m.log().error("i2c", "out of memory when malloc i2c transfer rx buffer");
        lua_pushboolean(L, 0);
        lua_pushnil(L);
        return 2;
    }
    int result = -1;
    std::string data;
    if (!lua_isuserdata(L, 1)) {
        result = hw_transfer(luaL_checkinteger(L, 1));
    } else {
        const SoftI2c& e = soft_of(L);
        if (tx_len != 0) m.soft_send(e, tx_len);
        result = m.soft_recv(e, rx ? &data : nullptr, rx ? static_cast<std::size_t>(rx_len) : 0);
    }
    lua_pushboolean(L, result == 0 ? 1 : 0);
    if (rx) {
        // LuatOS returns its receive buffer even when the transfer failed (uninitialised there).
        data.resize(static_cast<std::size_t>(rx_len), '\0');
        lua_pushlstring(L, data.data(), data.size());
    } else {
        lua_pushnil(L);
    }
    return 2;
}

// i2c.xfer(id, addr, txBuff, rxBuff, rxLen, topic, timeout) -> boolean; the topic is published with
// (id, false, error code) once the address phase found no device.
int l_xfer(lua_State* L) {
    I2cModule& m = module_of(L);
    std::size_t topic_len = 0;
    const char* topic = luaL_checklstring(L, 6, &topic_len);
    const lua_Integer id = luaL_checkinteger(L, 1);
    luaL_checkinteger(L, 2);
    luaL_testudata(L, 3, kZbuffType);
    luaL_testudata(L, 4, kZbuffType);
    luaL_optinteger(L, 7, 100);
    if (!bus_exists(id) || m.xfer_busy[id]) {
        lua_pushboolean(L, 0);
        return 1;
    }
    m.xfer_busy[id] = true;
    std::weak_ptr<I2cModule> weak = m.weak_from_this();
    m.run.post([weak, id, t = std::string(topic, topic_len)](lua_State* LL) {
        auto mod = weak.lock();
        if (!mod) return;
        mod->xfer_busy[id] = false;
        lua_pushlstring(LL, t.data(), t.size());
        lua_pushinteger(LL, id & 0xFFFF);
        lua_pushboolean(LL, 0);
        lua_pushinteger(LL, kXferErrorCode);
        call_sys_pub(LL, 4);
    });
    lua_pushboolean(L, 1);
    return 1;
}

// i2c.scan(id, speed): i2c_scan's table, every address "--" with nothing on the bus.
int l_scan(lua_State* L) {
    I2cModule& m = module_of(L);
    luaL_optinteger(L, 1, 0);
    luaL_optinteger(L, 2, 0);
    std::string table = "\nID  0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f\n";
    for (int row = 0; row < 8; ++row) {
        table += std::to_string(row) + "0: ";
        for (int col = 0; col < 16; ++col)
            table += "-- ";
        table += "\n";
    }
    m.log().debug("i2c", table);
    return 0;
}

}  // namespace

void install_i2c(RunContext& run) {
    auto module = std::make_shared<I2cModule>(run);
    run.on_close([module]() mutable { module.reset(); });
    lua_State* L = run.state();
    push_module_table(L, "i2c");
    static const luaL_Reg kFunctions[] = {
        {"exist", l_exist},
        {"setup", l_setup},
        {"config", l_config},
        {"createSoft", l_create_soft},
        {"send", l_send},
        {"recv", l_recv},
        {"transfer", l_transfer},
        {"writeReg", l_write_reg},
        {"readReg", l_read_reg},
        {"close", l_close},
        {"readDHT12", l_read_dht12},
        {"readSHT30", l_read_sht30},
        {"xfer", l_xfer},
        {"scan", l_scan},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module.get());
    static const IntConstant kConstants[] = {
        {"HSMODE", 3}, {"PLUS", 2}, {"FAST", 1}, {"SLOW", 0}, {"STOP_DELAY", 1},
    };
    set_int_constants(L, kConstants);
    lua_pop(L, 1);
    luaL_newmetatable(L, kSoftType);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
