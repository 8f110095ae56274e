// uart: LuatOS's serial port API (luat_lib_uart.c) on pseudo-terminals (platform_air780ep::UartPort).
//
//   uart.setup(id, baud=115200, databits=8, stopbits=1, parity=uart.None, bitorder=uart.LSB,
//              bufsz=1024, ...) -> 0, or -1 for a UART the module does not have. The port's pty path
//              is logged (and a fixed symlink made with `luatos --uart ID=PATH`).
//   uart.on(id, "receive"|"recv"|"sent", fn): fn(id, len) / fn(id), in the main context as native
//              messages; a non-function clears. "no such uart id" for a UART the module lacks.
//   uart.read(id [, len=1024]) -> string ("" when nothing is buffered)
//   uart.read(id, len, buff) -> bytes read into the zbuff at its cursor (up to its capacity), which moves
//   uart.write(id, data [, len]) -> bytes written; a zbuff sends from its cursor to its capacity
//   uart.tx(id, buff [, start=0 [, len=used]]) -> bytes written from the zbuff (0 for anything else)
//   uart.rx(id, buff) -> bytes appended to the zbuff at its used count, growing it to take them all
//   uart.close(id), uart.exist(id), uart.rxSize(id) / uart.rx_size(id), uart.rxClear(id)
//   constants None/NONE 0, Odd/ODD 1, Even/EVEN 2, LSB 0, MSB 1, VUART_0 32.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_network.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/network_modules.hpp"
#include "lua_bindings/modules/zbuff/zbuff.hpp"
#include "platform_air780ep/uart_port.hpp"

namespace lua_bindings {

namespace {

constexpr lua_Integer kParityNone = 0;
constexpr lua_Integer kParityOdd = 1;
constexpr lua_Integer kParityEven = 2;
constexpr lua_Integer kVirtualUart0 = 32;        // the USB virtual serial port
constexpr lua_Integer kMaxReadLength = 0x10000;  // LuatOS's LUAT_UART_RX_MAX_LEN
constexpr std::uint64_t kSentPollMs = 10;        // while a terminal has not taken everything

bool uart_exists(lua_Integer id) {
    return (id >= 0 && id <= 3) || id == kVirtualUart0;
}

struct UartModule {
    struct Port {
        std::unique_ptr<platform_air780ep::UartPort> port;
        int receive_ref = LUA_NOREF;
        int sent_ref = LUA_NOREF;
        bool sent_pending = false;  // a "sent" callback is waiting for the output to drain
    };

    UartModule(RunContext& r, DeviceNetwork& n) : run(r), network(n) {}

    RunContext& run;
    DeviceNetwork& network;
    std::map<lua_Integer, Port> ports;  // callbacks may come before setup, so by id

    void call(lua_Integer id, int ref, std::optional<std::size_t> len) {
        lua_State* L = run.scheduler().running_state();
        if (L == nullptr || ref == LUA_NOREF) return;
        const int top = lua_gettop(L);
        lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
        if (lua_isfunction(L, -1)) {
            lua_pushinteger(L, id);
            if (len) lua_pushinteger(L, static_cast<lua_Integer>(*len));
            lua_call(L, len ? 2 : 1, 0);  // an error ends sys.run(), as in LuatOS
        }
        lua_settop(L, top);
    }

    void on_receive(lua_Integer id, std::size_t count) {
        auto it = ports.find(id);
        if (it != ports.end()) call(id, it->second.receive_ref, count);
    }

    // "sent" once what was written has left for the terminal.
    void schedule_sent(lua_Integer id, std::uint64_t delay_ms) {
        run.add_timer(std::chrono::milliseconds(delay_ms), [this, id] {
            auto it = ports.find(id);
            if (it == ports.end() || !it->second.sent_pending) return;
            if (it->second.port && it->second.port->pending_output() > 0) {
                schedule_sent(id, kSentPollMs);
                return;
            }
            it->second.sent_pending = false;
            call(id, it->second.sent_ref, std::nullopt);
        });
    }
};

UartModule& module_of(lua_State* L) {
    return upvalue_object<UartModule>(L);
}

platform_air780ep::UartPort* port_of(lua_State* L, lua_Integer id) {
    UartModule& m = module_of(L);
    auto it = m.ports.find(id);
    return it == m.ports.end() ? nullptr : it->second.port.get();
}

const char* parity_name(lua_Integer parity) {
    switch (parity) {
        case kParityOdd:
            return "O";
        case kParityEven:
            return "E";
        default:
            return "N";
    }
}

// uart.setup(id, baud, databits, stopbits, parity, bitorder, bufsz, rs485_gpio, rs485_level, rs485_delay)
int l_setup(lua_State* L) {
    UartModule& m = module_of(L);
    sys_task::Logger& log = m.run.device().logger();
    const lua_Integer id = luaL_checkinteger(L, 1);
    const lua_Integer baud = luaL_optinteger(L, 2, 115200);
    const lua_Integer databits = luaL_optinteger(L, 3, 8);
    const lua_Number stopbits = luaL_optnumber(L, 4, 1);
    const lua_Integer parity = luaL_optinteger(L, 5, kParityNone);
    luaL_optinteger(L, 6, 0);  // bit order: a pty carries bytes
    const lua_Integer bufsz = luaL_optinteger(L, 7, 1024);
    luaL_optinteger(L, 8, 0xffffffff);  // RS-485 direction pin, level, delay: no pins here
    luaL_optinteger(L, 9, 0);
    luaL_optinteger(L, 10, 0);
    if (!uart_exists(id)) {
        log.error("uart",
                  "uart" + std::to_string(id) + " does not exist (the Air780EP has 0..3 and VUART_0)");
        lua_pushinteger(L, -1);
        return 1;
    }
    UartModule::Port& p = m.ports[id];
    if (!p.port) {
        platform_air780ep::UartOptions options;
        const auto link = m.network.options().uart_links.find(static_cast<int>(id));
        if (link != m.network.options().uart_links.end()) options.link_path = link->second;
        options.baud = baud > 0 && baud <= 0xFFFFFFFF ? static_cast<std::uint32_t>(baud) : 115200;
        options.rx_capacity = static_cast<std::size_t>(std::clamp<lua_Integer>(bufsz, 1024, kMaxReadLength));
        std::string error;
        p.port =
            platform_air780ep::UartPort::create(m.run.device().loop(), static_cast<int>(id), options, error);
        if (!p.port) {
            log.error("uart", "uart" + std::to_string(id) + ": no pseudo-terminal: " + error);
            lua_pushinteger(L, -1);
            return 1;
        }
        UartModule* module = &m;
        p.port->set_receive_handler([module, id](std::size_t count) { module->on_receive(id, count); });
    }
    char frame[32];
    std::snprintf(frame, sizeof frame, "%lld%s%g", static_cast<long long>(databits), parity_name(parity),
                  static_cast<double>(stopbits));
    std::string line = "uart" + std::to_string(id) + " is " + p.port->device_path();
    if (!p.port->link_path().empty()) line += " (" + p.port->link_path() + ")";
    line += ", " + std::to_string(baud) + " " + frame;
    log.info("uart", line);
    lua_pushinteger(L, 0);
    return 1;
}

// uart.on(id, event, fn)
int l_on(lua_State* L) {
    UartModule& m = module_of(L);
    const lua_Integer id = luaL_checkinteger(L, 1);
    if (!uart_exists(id)) {
        lua_pushliteral(L, "no such uart id");
        return 1;
    }
    const std::string event = luaL_checkstring(L, 2);
    UartModule::Port& p = m.ports[id];
    int* slot = nullptr;
    if (event == "receive" || event == "recv") {
        slot = &p.receive_ref;
    } else if (event == "sent") {
        slot = &p.sent_ref;
    } else {
        return 0;
    }
    if (*slot != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, *slot);
    *slot = LUA_NOREF;
    if (lua_isfunction(L, 3)) {
        lua_pushvalue(L, 3);
        *slot = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    return 0;
}

// uart.read(id [, len [, buff]])
int l_read(lua_State* L) {
    const lua_Integer id = luaL_checkinteger(L, 1);
    lua_Integer len = luaL_optinteger(L, 2, 1024);
    platform_air780ep::UartPort* port = port_of(L, id);
    if (lua_isuserdata(L, 3)) {  // into the zbuff at its cursor, at most up to its capacity
        Zbuff& buff = check_zbuff(L, 3);
        std::span<std::uint8_t> room = buff.unused();
        room = room.first(std::min<std::size_t>(room.size(), static_cast<std::uint32_t>(len)));
        const std::size_t n = port != nullptr && !room.empty() ? port->read(room) : 0;
        buff.commit(n);
        lua_pushinteger(L, static_cast<lua_Integer>(n));
        return 1;
    }
    if (len < 1 || port == nullptr || port->available() == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    if (len > kMaxReadLength) {
        module_of(L).run.device().logger().error("uart", "uart read length too much " + std::to_string(len) +
                                                             ", change to " + std::to_string(kMaxReadLength));
        len = kMaxReadLength;
    }
    std::vector<std::uint8_t> buf(std::min<std::size_t>(static_cast<std::size_t>(len), port->available()));
    const std::size_t n = port->read(buf);
    lua_pushlstring(L, reinterpret_cast<const char*>(buf.data()), n);
    return 1;
}

// Writes to UART `id` (0 when it is not set up) and arms its "sent" callback; pushes the count.
int write_bytes(lua_State* L, lua_Integer id, std::span<const std::uint8_t> bytes) {
    UartModule& m = module_of(L);
    const std::uint8_t none = 0;
    if (bytes.empty()) bytes = {&none, 0};  // a freed zbuff has no data pointer at all
    auto it = m.ports.find(id);
    if (it == m.ports.end() || !it->second.port) {
        lua_pushinteger(L, 0);
        return 1;
    }
    const std::size_t n = it->second.port->write(bytes);
    if (it->second.sent_ref != LUA_NOREF && !it->second.sent_pending) {
        it->second.sent_pending = true;
        m.schedule_sent(id, 0);
    }
    lua_pushinteger(L, static_cast<lua_Integer>(n));
    return 1;
}

// uart.write(id, data [, len]) -> bytes written
int l_write(lua_State* L) {
    const lua_Integer id = luaL_checkinteger(L, 1);
    std::span<const std::uint8_t> bytes;
    if (lua_isuserdata(L, 2)) {  // a zbuff: from its cursor to its capacity, as LuatOS sends it
        bytes = check_zbuff(L, 2).unused();
    } else {
        std::size_t size = 0;
        const char* data = luaL_checklstring(L, 2, &size);
        bytes = {reinterpret_cast<const std::uint8_t*>(data), size};
    }
    if (lua_isinteger(L, 3)) {
        // LuatOS keeps the limit in a size_t: a negative one is huge and limits nothing
        const auto limit = static_cast<std::uint32_t>(lua_tointeger(L, 3));
        if (limit < bytes.size()) bytes = bytes.first(limit);
    }
    return write_bytes(L, id, bytes);
}

// uart.tx(id, buff [, start=0 [, len=used]]) -> bytes written: the zbuff's bytes from `start`, cut at its
// capacity; 0 for a start at or past the capacity, or anything that is not userdata
int l_tx(lua_State* L) {
    const lua_Integer id = luaL_checkinteger(L, 1);
    if (!lua_isuserdata(L, 2)) {
        lua_pushinteger(L, 0);
        return 1;
    }
    Zbuff& buff = check_zbuff(L, 2);
    // size_t on the module: negatives are huge
    const auto start = static_cast<std::uint32_t>(luaL_optinteger(L, 3, 0));
    const auto len = static_cast<std::uint32_t>(luaL_optinteger(L, 4, static_cast<lua_Integer>(buff.used())));
    if (start >= buff.capacity()) {
        lua_pushinteger(L, 0);
        return 1;
    }
    const std::size_t count = std::min<std::size_t>(len, buff.capacity() - start);
    return write_bytes(L, id, std::span<const std::uint8_t>(buff.data()).subspan(start, count));
}

// uart.rx(id, buff) -> bytes read: everything buffered, appended at the zbuff's used count (the zbuff
// grows when it has too little room; if it cannot, what fits); 0 for anything that is not userdata
int l_rx(lua_State* L) {
    const lua_Integer id = luaL_checkinteger(L, 1);
    if (!lua_isuserdata(L, 2)) {
        lua_pushinteger(L, 0);
        return 1;
    }
    Zbuff& buff = check_zbuff(L, 2);
    platform_air780ep::UartPort* port = port_of(L, id);
    const std::size_t available = port != nullptr ? port->available() : 0;
    if (available > buff.capacity() - buff.used()) buff.resize(buff.capacity() + available);
    const std::span<std::uint8_t> room = buff.unused().first(std::min(buff.unused().size(), available));
    const std::size_t n = !room.empty() ? port->read(room) : 0;
    buff.commit(n);
    lua_pushinteger(L, static_cast<lua_Integer>(n));
    return 1;
}

// uart.close(id): the pty goes; callbacks stay registered, as LuatOS keeps them.
int l_close(lua_State* L) {
    UartModule& m = module_of(L);
    const lua_Integer id = luaL_checkinteger(L, 1);
    auto it = m.ports.find(id);
    if (it != m.ports.end()) {
        it->second.port.reset();
        it->second.sent_pending = false;
    }
    return 0;
}

// uart.exist(id) -> boolean
int l_exist(lua_State* L) {
    lua_pushboolean(L, uart_exists(luaL_checkinteger(L, 1)) ? 1 : 0);
    return 1;
}

// uart.rxSize(id) -> bytes buffered
int l_rx_size(lua_State* L) {
    platform_air780ep::UartPort* port = port_of(L, luaL_checkinteger(L, 1));
    lua_pushinteger(L, port != nullptr ? static_cast<lua_Integer>(port->available()) : 0);
    return 1;
}

// uart.rxClear(id)
int l_rx_clear(lua_State* L) {
    platform_air780ep::UartPort* port = port_of(L, luaL_checkinteger(L, 1));
    if (port != nullptr) {
        std::vector<std::uint8_t> sink(port->available());
        port->read(sink);
    }
    return 0;
}

}  // namespace

void install_uart(RunContext& run, DeviceNetwork& network) {
    auto module = std::make_shared<UartModule>(run, network);
    run.on_close([module]() mutable { module.reset(); });  // the ptys close with the run

    lua_State* L = run.state();
    push_module_table(L, "uart");
    static const luaL_Reg kFunctions[] = {
        {"setup", l_setup},    {"on", l_on},           {"read", l_read},        {"write", l_write},
        {"tx", l_tx},          {"rx", l_rx},           {"close", l_close},      {"exist", l_exist},
        {"rxSize", l_rx_size}, {"rx_size", l_rx_size}, {"rxClear", l_rx_clear}, {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module.get());
    static const IntConstant kConstants[] = {
        {"None", kParityNone},      {"NONE", kParityNone}, {"Odd", kParityOdd}, {"ODD", kParityOdd},
        {"Even", kParityEven},      {"EVEN", kParityEven}, {"LSB", 0},          {"MSB", 1},
        {"VUART_0", kVirtualUart0},
    };
    set_int_constants(L, kConstants);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
