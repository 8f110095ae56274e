// rtc, as LuatOS's luat/modules/luat_lib_rtc.c on the EC718 (luatos-soc-2024
// interface/src/luat_rtc_ec7xx.c): the module's clock (Device::clock(), ModuleClock) in UTC, its
// time zone in quarter hours, no RTC alarm (timerStart/timerStop answer false). docs/modules/rtc.md.
#include <cstdint>
#include <ctime>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

RunContext& run_of(lua_State* L) {
    return RunContext::from_upvalue(L);
}

void warn(lua_State* L, const std::string& text) {
    run_of(L).device().logger().warn("rtc", text);
}

bool is_leap(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// Days from 1970-01-01 to year-month-day (proleptic Gregorian; month 1..12).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// The date fields LuatOS reads from a table: nullopt (after its warning) for a missing one.
struct DateFields {
    int year, mon, day, hour, min, sec;
};
std::optional<DateFields> read_fields(lua_State* L, int table) {
    static const char* const kNames[] = {"year", "mon", "day", "hour", "min", "sec"};
    int values[6] = {};
    for (int i = 0; i < 6; ++i) {
        lua_pushstring(L, kNames[i]);
        lua_gettable(L, table);
        if (!lua_isnumber(L, -1)) {
            warn(L, std::string("rtc time miss ") + kNames[i]);
            return std::nullopt;
        }
        values[i] = static_cast<int>(luaL_checkinteger(L, -1));
    }
    return DateFields{values[0], values[1], values[2], values[3], values[4], values[5]};
}

bool valid_fields(lua_State* L, const DateFields& f) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (f.year < 1900 || f.year > 2200) {
        warn(L, "rtc time invalid year: " + std::to_string(f.year));
        return false;
    }
    if (f.mon < 1 || f.mon > 12) {
        warn(L, "rtc time invalid month: " + std::to_string(f.mon));
        return false;
    }
    const int days = f.mon == 2 && is_leap(f.year) ? 29 : kDays[f.mon - 1];
    if (f.day < 1 || f.day > days) {
        warn(L, "rtc time invalid day: " + std::to_string(f.year) + "-" + std::to_string(f.mon) + "-" +
                    std::to_string(f.day));
        return false;
    }
    if (f.hour < 0 || f.hour > 23) {
        warn(L, "rtc time invalid hour: " + std::to_string(f.hour));
        return false;
    }
    if (f.min < 0 || f.min > 59) {
        warn(L, "rtc time invalid minute: " + std::to_string(f.min));
        return false;
    }
    if (f.sec < 0 || f.sec > 59) {
        warn(L, "rtc time invalid second: " + std::to_string(f.sec));
        return false;
    }
    return true;
}

// rtc.set(table | timestamp): the clock, in UTC. true; false for a bad value; nothing for a table
// that lacks a field.
int l_set(lua_State* L) {
    auto& clock = run_of(L).device().clock();
    if (!lua_istable(L, 1)) {
        if (lua_isinteger(L, 1)) {
            const lua_Integer stamp = lua_tointeger(L, 1);
            if (stamp == 0 || stamp < 0 || stamp > 0xFFFFFFFFLL) {
                warn(L, "rtc time invalid timestamp: " + std::to_string(stamp));
                lua_pushboolean(L, 0);
                return 1;
            }
            clock.set_unix_seconds(stamp);
            lua_pushboolean(L, 1);
            return 1;
        }
        warn(L, "rtc time need table or integer");
        lua_pushboolean(L, 0);
        return 1;
    }
    lua_settop(L, 1);
    const auto fields = read_fields(L, 1);
    if (!fields) return 0;
    if (!valid_fields(L, *fields)) {
        lua_pushboolean(L, 0);
        return 1;
    }
    const std::int64_t days = days_from_civil(fields->year, fields->mon, fields->day);
    clock.set_unix_seconds(days * 86400 + fields->hour * 3600 + fields->min * 60 + fields->sec);
    lua_pushboolean(L, 1);
    return 1;
}

// rtc.get(): {year, mon, day, hour, min, sec} in UTC.
int l_get(lua_State* L) {
    const std::time_t now = static_cast<std::time_t>(run_of(L).device().clock().unix_seconds());
    std::tm tm{};
    gmtime_r(&now, &tm);
    lua_newtable(L);
    const std::pair<const char*, int> fields[] = {{"year", tm.tm_year + 1900}, {"mon", tm.tm_mon + 1},
                                                  {"day", tm.tm_mday},         {"hour", tm.tm_hour},
                                                  {"min", tm.tm_min},          {"sec", tm.tm_sec}};
    for (const auto& [name, value] : fields) {
        lua_pushstring(L, name);
        lua_pushinteger(L, value);
        lua_settable(L, -3);
    }
    return 1;
}

// rtc.timerStart(id, table): the EC718 has no RTC alarm (pm.dtimerStart wakes it): false after
// LuatOS's checks, nothing for a missing table or field.
int l_timer_start(lua_State* L) {
    luaL_checkinteger(L, 1);
    if (!lua_istable(L, 2)) {
        warn(L, "rtc time need table");
        return 0;
    }
    lua_settop(L, 2);
    if (!read_fields(L, 2)) return 0;
    lua_pushboolean(L, 0);
    return 1;
}

int l_timer_stop(lua_State* L) {
    luaL_checkinteger(L, 1);
    lua_pushboolean(L, 0);
    return 1;
}

// rtc.setBaseYear(year): accepted in 1900..2050 (the EC718's clock does not use it).
int l_set_base_year(lua_State* L) {
    const lua_Integer year = luaL_checkinteger(L, 1);
    if (year < 1900 || year > 2050) {
        warn(L, "rtc invalid base year: " + std::to_string(year));
        return luaL_error(L, "invalid base year");
    }
    return 0;
}

// rtc.timezone([quarters]): the zone os.date/os.time use, in quarter hours (32 = UTC+8); a new
// one must be an integer multiple of 4 in -48..48, otherwise false.
int l_timezone(lua_State* L) {
    auto& clock = run_of(L).device().clock();
    if (lua_gettop(L) > 0) {
        if (!lua_isinteger(L, 1)) {
            warn(L, "rtc timezone invalid parameter type");
            lua_pushboolean(L, 0);
            return 1;
        }
        const lua_Integer zone = luaL_checkinteger(L, 1);
        if (zone < -48 || zone > 48 || zone % 4 != 0) {
            lua_pushboolean(L, 0);
            return 1;
        }
        clock.set_zone_quarters(static_cast<int>(zone));
    }
    lua_pushinteger(L, clock.zone_quarters());
    return 1;
}

}  // namespace

void install_rtc(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "rtc");
    static const luaL_Reg kFunctions[] = {
        {"set", l_set},
        {"get", l_get},
        {"timerStart", l_timer_start},
        {"timerStop", l_timer_stop},
        {"setBaseYear", l_set_base_year},
        {"timezone", l_timezone},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
