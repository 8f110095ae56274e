// crypto.crc16 / crc16_modbus / crc32 / crc8 / crc7 / crc_file / checksum (docs/modules/crypto.md,
// "Checksums"), with the module's argument handling: crc16's numbers go through luaL_optnumber and
// a C cast, crc8 reads its polynomial only when it is an integer, crc_file opens the file before
// it reads its other arguments.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "lua_bindings/modules/crypto/crc.hpp"
#include "lua_bindings/modules/crypto/crypto_internal.hpp"
#include "lua_bindings/modules/device_file.hpp"

namespace lua_bindings {

namespace {

struct Crc16Method {
    const char* name;
    std::uint16_t poly;
    std::uint16_t init;
    std::uint16_t final_xor;
    bool in_reverse;
    bool out_reverse;
};

constexpr Crc16Method kCrc16Methods[] = {
    {"IBM", 0x8005, 0x0000, 0x0000, true, false},   {"MAXIM", 0x8005, 0x0000, 0xFFFF, true, false},
    {"USB", 0x8005, 0xFFFF, 0xFFFF, true, false},   {"MODBUS", 0x8005, 0xFFFF, 0x0000, true, false},
    {"CCITT", 0x1021, 0x0000, 0x0000, true, false}, {"CCITT-FALSE", 0x1021, 0xFFFF, 0x0000, false, false},
    {"X25", 0x1021, 0xFFFF, 0xFFFF, true, false},   {"XMODEM", 0x1021, 0x0000, 0x0000, false, false},
    {"DNP", 0x3D65, 0x0000, 0xFFFF, true, false},   {"USER-DEFINED", 0x0000, 0x0000, 0x0000, false, false},
};

Crc16Method crc16_method(const char* name) {
    for (const auto& m : kCrc16Methods) {
        if (std::strcmp(m.name, name) == 0) return m;
    }
    return {name, 0, 0, 0, false, false};
}

// (uint16_t)(double) / (uint8_t)(double) as the module's ARM compiler does them: saturating to an
// unsigned 32-bit integer, then keeping the low bits.
std::uint32_t c_cast_u32(lua_Number v) {
    if (std::isnan(v) || v <= 0) return 0;
    if (v >= 4294967295.0) return 0xFFFFFFFFu;
    return static_cast<std::uint32_t>(v);
}

std::uint16_t opt_u16(lua_State* L, int arg, std::uint16_t def) {
    return static_cast<std::uint16_t>(c_cast_u32(luaL_optnumber(L, arg, def)));
}

// The bytes crc16 reads from argument 2: a zbuff from its cursor to its end, or the string
// (anything else reads as no data, as lua_tolstring gives the module nothing).
std::string crc16_data(lua_State* L) {
    if (lua_isuserdata(L, 2)) {
        luaL_checkudata(L, 2, "ZBUFF*");
        // Through the zbuff's own methods: used() is its cursor, len() its size, query() its bytes.
        auto call = [&](const char* method, int nargs_extra, lua_Integer a, lua_Integer b) {
            lua_getfield(L, 2, method);
            lua_pushvalue(L, 2);
            if (nargs_extra > 0) lua_pushinteger(L, a);
            if (nargs_extra > 1) lua_pushinteger(L, b);
            lua_call(L, 1 + nargs_extra, 1);
        };
        call("used", 0, 0, 0);
        const lua_Integer cursor = lua_tointeger(L, -1);
        call("len", 0, 0, 0);
        const lua_Integer size = lua_tointeger(L, -1);
        lua_pop(L, 2);
        if (size <= cursor) return {};
        call("query", 2, cursor, size - cursor);
        size_t n = 0;
        const char* s = lua_tolstring(L, -1, &n);
        std::string out = s != nullptr ? std::string(s, n) : std::string();
        lua_pop(L, 1);
        return out;
    }
    size_t n = 0;
    const char* s = lua_tolstring(L, 2, &n);
    return s != nullptr ? std::string(s, n) : std::string();
}

std::string_view check_view(lua_State* L, int arg) {
    size_t n = 0;
    const char* s = luaL_checklstring(L, arg, &n);
    return {s, n};
}

}  // namespace

// crypto.crc16(method, data [, poly, init, final, in_reverse, out_reverse])
int l_crc16(lua_State* L) {
    const char* method = luaL_checkstring(L, 1);
    const std::string data = crc16_data(L);
    const Crc16Method m = crc16_method(method);
    const std::uint16_t poly = opt_u16(L, 3, m.poly);
    const std::uint16_t init = opt_u16(L, 4, m.init);
    const std::uint16_t final_xor = opt_u16(L, 5, m.final_xor);
    const auto in_reverse = static_cast<std::uint8_t>(c_cast_u32(luaL_optnumber(L, 6, m.in_reverse ? 1 : 0)));
    const auto out_reverse =
        static_cast<std::uint8_t>(c_cast_u32(luaL_optnumber(L, 7, m.out_reverse ? 1 : 0)));
    std::uint16_t crc = crc16(data, init, final_xor, poly, in_reverse != 0);
    if (out_reverse != 0) crc = reverse16(crc);
    lua_pushinteger(L, crc);
    return 1;
}

// crypto.crc16_modbus(data [, start]): the start argument is accepted and ignored, as on the module.
int l_crc16_modbus(lua_State* L) {
    lua_pushinteger(L, crc16_modbus(check_view(L, 1)));
    return 1;
}

// crypto.crc32(data [, start = 0xFFFFFFFF, poly = 0x04C11DB7, end = 0xFFFFFFFF])
int l_crc32(lua_State* L) {
    const std::string_view data = check_view(L, 1);
    const auto start = static_cast<std::uint32_t>(luaL_optinteger(L, 2, 0xFFFFFFFF));
    const auto poly = static_cast<std::uint32_t>(luaL_optinteger(L, 3, 0x04C11DB7));
    const auto end = static_cast<std::uint32_t>(luaL_optinteger(L, 4, 0xFFFFFFFF));
    lua_pushinteger(L, crc32(data, start, poly) ^ end);
    return 1;
}

// crypto.crc8(data [, poly, start = 0, reverse = false]): without an integer poly, CRC-8 0x07 from 0.
int l_crc8(lua_State* L) {
    const std::string_view data = check_view(L, 1);
    if (!lua_isinteger(L, 2)) {
        lua_pushinteger(L, crc8(data, 0x00, 0x07, false));
        return 1;
    }
    const auto poly = static_cast<std::uint8_t>(lua_tointeger(L, 2));
    const auto start = static_cast<std::uint8_t>(luaL_optinteger(L, 3, 0));
    const bool reverse = lua_isboolean(L, 4) && lua_toboolean(L, 4) != 0;
    lua_pushinteger(L, crc8(data, start, poly, reverse));
    return 1;
}

// crypto.crc7(data [, poly = 0xE5, start = 0])
int l_crc7(lua_State* L) {
    const std::string_view data = check_view(L, 1);
    const auto poly = static_cast<std::uint8_t>(luaL_optinteger(L, 2, 0xE5));
    const auto start = static_cast<std::uint8_t>(luaL_optinteger(L, 3, 0));
    lua_pushinteger(L, crc7(data, poly, start));
    return 1;
}

// crypto.crc_file(mode, path, ...): "crc32"/"CRC32" (start, poly, end), "crc8"/"CRC8" (start,
// poly, reverse as an integer), "crc16_modbus" or any crc16 method (poly, init, final, in/out
// reverse). Nothing for a path shorter than 2 or a file that cannot be opened.
int l_crc_file(lua_State* L) {
    const std::string mode = luaL_checkstring(L, 1);
    size_t path_len = 0;
    const char* path = luaL_checklstring(L, 2, &path_len);
    if (path_len < 2) return 0;
    UniqueFile f(open_device_file(device_fs(RunContext::from_upvalue(L)), path, "rb"));
    if (!f) {
        module_log(L, sys_task::kLogInfo, "crypto", std::string("no such file ") + path);
        return 0;
    }
    auto for_each_chunk = [&](auto&& fn) {
        char buf[512];
        for (size_t n = 0; (n = std::fread(buf, 1, sizeof buf, f.get())) > 0;)
            fn(std::string_view(buf, n));
    };
    if (mode == "crc32" || mode == "CRC32") {
        auto crc = static_cast<std::uint32_t>(luaL_optinteger(L, 3, 0xFFFFFFFF));
        const auto poly = static_cast<std::uint32_t>(luaL_optinteger(L, 4, 0x04C11DB7));
        const auto end = static_cast<std::uint32_t>(luaL_optinteger(L, 5, 0xFFFFFFFF));
        for_each_chunk([&](std::string_view chunk) { crc = crc32(chunk, crc, poly); });
        lua_pushinteger(L, crc ^ end);
    } else if (mode == "crc8" || mode == "CRC8") {
        auto crc = static_cast<std::uint8_t>(luaL_optinteger(L, 3, 0x00));
        const auto poly = static_cast<std::uint8_t>(luaL_optinteger(L, 4, 0x07));
        const auto reverse = static_cast<std::uint8_t>(luaL_optinteger(L, 5, 0));
        for_each_chunk([&](std::string_view chunk) { crc = crc8(chunk, crc, poly, reverse != 0); });
        lua_pushinteger(L, crc);
    } else {
        const bool modbus = mode == "crc16_modbus" || mode == "CRC16_MODBUS";
        const Crc16Method m = crc16_method(modbus ? "MODBUS" : mode.c_str());
        const std::uint16_t poly = opt_u16(L, 3, m.poly);
        std::uint16_t crc = opt_u16(L, 4, m.init);
        const std::uint16_t final_xor = opt_u16(L, 5, m.final_xor);
        const auto in_reverse =
            static_cast<std::uint8_t>(c_cast_u32(luaL_optnumber(L, 6, m.in_reverse ? 1 : 0)));
        const auto out_reverse =
            static_cast<std::uint8_t>(c_cast_u32(luaL_optnumber(L, 7, m.out_reverse ? 1 : 0)));
        for_each_chunk(
            [&](std::string_view chunk) { crc = crc16(chunk, crc, 0x0000, poly, in_reverse != 0); });
        crc ^= final_xor;
        if (out_reverse != 0) crc = reverse16(crc);
        lua_pushinteger(L, crc);
    }
    return 1;
}

// crypto.checksum(data [, mode = 0]): 8-bit XOR of the bytes, or (mode 1) their 8-bit sum.
int l_checksum(lua_State* L) {
    const std::string_view data = check_view(L, 1);
    const int mode = static_cast<int>(luaL_optinteger(L, 2, 0));  // an int on the module
    std::uint8_t sum = 0;
    for (const char ch : data) {
        const auto b = static_cast<std::uint8_t>(ch);
        sum = mode == 1 ? static_cast<std::uint8_t>(sum + b) : static_cast<std::uint8_t>(sum ^ b);
    }
    lua_pushinteger(L, sum);
    return 1;
}

}  // namespace lua_bindings
