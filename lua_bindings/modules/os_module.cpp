// os, as on the module: os.date uses the module's time zone (UTC+8 unless configured), whatever the
// host's zone is, and os.time{...} reads its table as UTC as LuatOS does; os.exit(code) ends the run
// (flushing the log) instead of the host process; files are on the device file system (/luadb/
// read-only); nothing of the host: no shell (execute), no tmpname, no setlocale, getenv gives nil,
// clock is the module's uptime (docs/modules/os.md lists each).
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_fs.hpp"
#include "lua_bindings/device/ram_fs.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/device_file.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

// strftime conversions Lua 5.4 accepts (LUA_STRFTIMEOPTIONS for C99).
constexpr const char* kStrftimeOptions =
    "aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%"
    "||"
    "EcECExEXEyEY"
    "OdOeOHOIOmOMOSOuOUOVOwOWOy";

long zone_seconds(lua_State* L) {
    return static_cast<long>(RunContext::from_upvalue(L).device().clock().zone_minutes()) * 60;
}

// The module's wall time (its RTC, which rtc.set, socket.sntp and the network set), not the host's.
std::time_t now_seconds(lua_State* L) {
    return static_cast<std::time_t>(RunContext::from_upvalue(L).device().clock().unix_seconds());
}

const char* zone_name(long offset_s, char* buf, std::size_t size) {
    if (offset_s == 8 * 3600) return "CST";  // China Standard Time, the module's usual zone
    const long m = (offset_s < 0 ? -offset_s : offset_s) / 60;
    std::snprintf(buf, size, "UTC%c%ld:%02ld", offset_s < 0 ? '-' : '+', m / 60, m % 60);
    return buf;
}

std::time_t time_arg(lua_State* L, int arg) {
    if (lua_isnoneornil(L, arg)) return now_seconds(L);
    return static_cast<std::time_t>(luaL_checkinteger(L, arg));
}

void set_field(lua_State* L, const char* key, int value) {
    lua_pushinteger(L, value);
    lua_setfield(L, -2, key);
}

void set_all_fields(lua_State* L, const std::tm& tm) {
    set_field(L, "year", tm.tm_year + 1900);
    set_field(L, "month", tm.tm_mon + 1);
    set_field(L, "day", tm.tm_mday);
    set_field(L, "hour", tm.tm_hour);
    set_field(L, "min", tm.tm_min);
    set_field(L, "sec", tm.tm_sec);
    set_field(L, "yday", tm.tm_yday + 1);
    set_field(L, "wday", tm.tm_wday + 1);
    lua_pushboolean(L, tm.tm_isdst > 0 ? 1 : 0);
    lua_setfield(L, -2, "isdst");
}

const char* check_option(lua_State* L, const char* conv, std::ptrdiff_t convlen, char* buff) {
    const char* option = kStrftimeOptions;
    int oplen = 1;
    for (; *option != '\0' && oplen <= convlen; option += oplen) {
        if (*option == '|') {
            ++oplen;
        } else if (std::memcmp(conv, option, static_cast<std::size_t>(oplen)) == 0) {
            std::memcpy(buff, conv, static_cast<std::size_t>(oplen));
            buff[oplen] = '\0';
            return conv + oplen;
        }
    }
    luaL_argerror(L, 1, lua_pushfstring(L, "invalid conversion specifier '%%%s'", conv));
    return conv;
}

int l_date(lua_State* L) {
    size_t slen = 0;
    const char* s = luaL_optlstring(L, 1, "%c", &slen);
    std::time_t t = time_arg(L, 2);
    const char* se = s + slen;
    std::tm tm{};
    char zone_buf[16];
    if (*s == '!') {
        ++s;
        gmtime_r(&t, &tm);
    } else {
        const long offset = zone_seconds(L);
        const std::time_t shifted = t + offset;
        gmtime_r(&shifted, &tm);
        tm.tm_gmtoff = offset;
        tm.tm_zone = zone_name(offset, zone_buf, sizeof zone_buf);
    }
    if (std::strcmp(s, "*t") == 0) {
        lua_createtable(L, 0, 9);
        set_all_fields(L, tm);
        return 1;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    char cc[4];
    cc[0] = '%';
    while (s < se) {
        if (*s != '%') {
            luaL_addchar(&b, *s++);
        } else {
            char* buff = luaL_prepbuffsize(&b, 250);
            ++s;
            s = check_option(L, s, se - s, cc + 1);
            const size_t reslen = std::strftime(buff, 250, cc, &tm);
            luaL_addsize(&b, reslen);
        }
    }
    luaL_pushresult(&b);
    return 1;
}

// Lua 5.3's getfield (LuatOS's loslib.c): a field within +-INT_MAX/2, or its default.
int get_field(lua_State* L, const char* key, int d, int delta) {
    constexpr lua_Integer kMaxDateField = INT32_MAX / 2;
    int isnum = 0;
    const int t = lua_getfield(L, -1, key);
    lua_Integer res = lua_tointegerx(L, -1, &isnum);
    if (isnum == 0) {
        if (t != LUA_TNIL) return luaL_error(L, "field '%s' is not an integer", key);
        if (d < 0) return luaL_error(L, "field '%s' missing in date table", key);
        res = d;
    } else {
        if (!(-kMaxDateField <= res && res <= kMaxDateField)) {
            return luaL_error(L, "field '%s' is out-of-bound", key);
        }
        res -= delta;
    }
    lua_pop(L, 1);
    return static_cast<int>(res);
}

// os.time([t]): now, or the table read as UTC (the module's mktime has no time zone: LuatOS's
// loslib.c), fields read in LuatOS's order (sec, min, hour, day, year, then `mon`, rtc's name,
// before `month`); the table is normalised.
int l_time(lua_State* L) {
    if (lua_isnoneornil(L, 1)) {
        lua_pushinteger(L, static_cast<lua_Integer>(now_seconds(L)));
        return 1;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    std::tm tm{};
    tm.tm_sec = get_field(L, "sec", 0, 0);
    tm.tm_min = get_field(L, "min", 0, 0);
    tm.tm_hour = get_field(L, "hour", 12, 0);
    tm.tm_mday = get_field(L, "day", -1, 0);
    tm.tm_year = get_field(L, "year", -1, 1900);
    if (lua_getfield(L, 1, "mon") != LUA_TNIL) {
        tm.tm_mon = static_cast<int>(lua_tointeger(L, -1) - 1);  // not checked, as LuatOS
        lua_pop(L, 1);
    } else {
        lua_settop(L, 1);
        tm.tm_mon = get_field(L, "month", -1, 1);
    }
    const std::time_t t = timegm(&tm);
    if (t == static_cast<std::time_t>(-1)) {
        return luaL_error(L, "time result cannot be represented in this installation");
    }
    set_all_fields(L, tm);  // normalised, as os.time does
    lua_pushinteger(L, static_cast<lua_Integer>(t));
    return 1;
}

int l_exit(lua_State* L) {
    int code = EXIT_SUCCESS;
    if (lua_isboolean(L, 1)) {
        code = lua_toboolean(L, 1) != 0 ? EXIT_SUCCESS : EXIT_FAILURE;
    } else {
        code = static_cast<int>(luaL_optinteger(L, 1, EXIT_SUCCESS));
    }
    return RunContext::from_upvalue(L).device().vm_exit().raise(L, sys_task::VmExit::Kind::kExit, code);
}

int read_only_result(lua_State* L, const char* path) {
    errno = EROFS;
    return luaL_fileresult(L, 0, path);
}

// /ram/ refuses what luat_fs_mem.c refuses: removing a folder, or a file that is open; renaming a
// file that is open or a folder that holds one. Its refusals of open files log a warning.
bool ram_refuses(RunContext& ctx, const DeviceFs::Resolved& r, const char* action) {
    if (!r.in_ram()) return false;
    const std::optional<std::filesystem::path> open = ram_fs::open_file_at(r.host_path);
    if (open) {
        const std::filesystem::path root = DeviceFs::ram_root(ctx.device().data_dir());
        ctx.device().logger().warn(
            "fs", std::string(action) + ": file " + ram_fs::node_name(root, *open) + " is still open");
        errno = EBUSY;
        return true;
    }
    std::error_code ec;
    if (std::string_view(action) == "remove" && std::filesystem::is_directory(r.host_path, ec)) {
        errno = EISDIR;
        return true;
    }
    return false;
}

int l_remove(lua_State* L) {
    const char* path = luaL_checkstring(L, 1);
    RunContext& ctx = RunContext::from_upvalue(L);
    const DeviceFs::Resolved r = device_fs(ctx).resolve(path);
    if (r.kind == DeviceFs::Resolved::Kind::kImage) return read_only_result(L, path);
    if (ram_refuses(ctx, r, "remove")) return luaL_fileresult(L, 0, path);
    return luaL_fileresult(L, std::remove(r.host_path.c_str()) == 0, path);
}

int l_rename(lua_State* L) {
    const char* from = luaL_checkstring(L, 1);
    const char* to = luaL_checkstring(L, 2);
    RunContext& ctx = RunContext::from_upvalue(L);
    const DeviceFs fs = device_fs(ctx);
    const DeviceFs::Resolved a = fs.resolve(from);
    const DeviceFs::Resolved b = fs.resolve(to);
    if (a.kind == DeviceFs::Resolved::Kind::kImage) return read_only_result(L, from);
    if (b.kind == DeviceFs::Resolved::Kind::kImage) return read_only_result(L, to);
    if (ram_refuses(ctx, a, "rename")) return luaL_fileresult(L, 0, nullptr);
    if (b.in_ram() && !ram_fs::path_fits(b.device_path)) {
        errno = ENAMETOOLONG;
        return luaL_fileresult(L, 0, nullptr);
    }
    return luaL_fileresult(L, std::rename(a.host_path.c_str(), b.host_path.c_str()) == 0, nullptr);
}

// os.getenv(name): nil; a module has no environment (and the host's is not the script's business).
int l_getenv(lua_State* L) {
    luaL_checkstring(L, 1);
    lua_pushnil(L);
    return 1;
}

// os.clock(): whole seconds of the module's uptime (LuatOS: luat_mcu_tick64_ms() / 1000), not the
// host process's CPU time.
int l_clock(lua_State* L) {
    const std::uint64_t ms = RunContext::from_upvalue(L).device().clock().uptime_ms();
    lua_pushinteger(L, static_cast<lua_Integer>(ms / 1000));
    return 1;
}

}  // namespace

void install_os(RunContext& ctx) {
    lua_State* L = ctx.state();
    lua_getglobal(L, "os");
    static const luaL_Reg kFunctions[] = {
        {"date", l_date},     {"time", l_time},     {"exit", l_exit},   {"remove", l_remove},
        {"rename", l_rename}, {"getenv", l_getenv}, {"clock", l_clock}, {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    // No shell, no host temporary names, no process-wide locale (it would change every device's
    // number conversions): absent, as on the module (loslib.c has them only on Linux/Windows).
    for (const char* name : {"execute", "tmpname", "setlocale"}) {
        lua_pushnil(L);
        lua_setfield(L, -2, name);
    }
    lua_pop(L, 1);
}

}  // namespace lua_bindings
