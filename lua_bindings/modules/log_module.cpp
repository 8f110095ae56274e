// log: LuatOS's logging API (luat_lib_log.c).
//
//   log.info(tag, ...) prints, through the global `print`, "I/user.<tag>" followed by the values
//   (so the values are formatted and joined exactly as print does). A tag that is not a string or
//   number prints as "(null)"; no arguments prints nothing.
//   log.style(1): "I/<file>:<line>" then tag and values; log.style(2): "I/user.<tag> <file>:<line>"
//   then the values. Unlike LuatOS (which drops the first letter of the chunk name) the file name is
//   printed whole: "I/main.lua:12".
//   log.setLevel("INFO" | number): lines below the level are dropped (C-side lines too).
#include <cstring>
#include <new>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

enum LogStyle : lua_Integer { kStyleNormal = 0, kStyleDebugInfo = 1, kStyleFull = 2 };

struct LogState {
    lua_Integer style = kStyleNormal;
};

sys_task::Logger& logger(lua_State* L) {
    return RunContext::from_upvalue(L).device().logger();
}
LogState& state(lua_State* L) {
    return *static_cast<LogState*>(lua_touserdata(L, lua_upvalueindex(2)));
}

// Insert "<L>/<file>:<line>" (or "<file>:<line>" without a level letter) at stack position `pos`,
// describing the Lua function that called log.*. Nothing if there is no such caller.
void add_debug_info(lua_State* L, int pos, const char* level) {
    lua_Debug ar;
    if (lua_getstack(L, 1, &ar) == 0 || lua_getinfo(L, "Sl", &ar) == 0 || ar.source == nullptr) return;
    const char* source = ar.source;
    if (source[0] == '@' || source[0] == '=') {
        ++source;
    } else if (std::strchr(source, '\n') != nullptr || std::strlen(source) > 64) {
        source = ar.short_src;  // a chunk loaded from a code string
    }
    if (level != nullptr) {
        lua_pushfstring(L, "%s/%s:%d", level, source, ar.currentline);
    } else {
        lua_pushfstring(L, "%s:%d", source, ar.currentline);
    }
    if (lua_gettop(L) > pos) lua_insert(L, pos);
}

void user_tag(lua_State* L, const char* level) {
    const char* tag = lua_tostring(L, 1);
    lua_pushfstring(L, "%s/user.%s", level, tag != nullptr ? tag : "(null)");
    lua_replace(L, 1);
}

int log_at(lua_State* L, int level, const char* letter) {
    if (!logger(L).enabled(level) || lua_gettop(L) < 1) return 0;
    switch (state(L).style) {
        case kStyleNormal:
            user_tag(L, letter);
            break;
        case kStyleDebugInfo:
            add_debug_info(L, 1, letter);
            break;
        case kStyleFull:
            user_tag(L, letter);
            add_debug_info(L, 2, nullptr);
            break;
        default:
            break;  // other styles print the values only, as LuatOS does
    }
    lua_getglobal(L, "print");
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 0);
    return 0;
}

int l_debug(lua_State* L) {
    return log_at(L, sys_task::kLogDebug, "D");
}
int l_info(lua_State* L) {
    return log_at(L, sys_task::kLogInfo, "I");
}
int l_warn(lua_State* L) {
    return log_at(L, sys_task::kLogWarn, "W");
}
int l_error(lua_State* L) {
    return log_at(L, sys_task::kLogError, "E");
}

int l_set_level(lua_State* L) {
    lua_Integer level = 0;
    if (lua_isinteger(L, 1)) {
        level = lua_tointeger(L, 1);
    } else if (lua_type(L, 1) == LUA_TSTRING) {
        const char* name = lua_tostring(L, 1);
        if (std::strcmp(name, "DEBUG") == 0) level = sys_task::kLogDebug;
        if (std::strcmp(name, "INFO") == 0) level = sys_task::kLogInfo;
        if (std::strcmp(name, "WARN") == 0) level = sys_task::kLogWarn;
        if (std::strcmp(name, "ERROR") == 0) level = sys_task::kLogError;
        if (std::strcmp(name, "SILENT") == 0) level = sys_task::kLogSilent;
    }
    if (level == 0) level = sys_task::kLogSilent;  // anything unknown (e.g. "FATAL") silences the log
    logger(L).set_level(static_cast<int>(level));
    return 0;
}

int l_get_level(lua_State* L) {
    lua_pushinteger(L, logger(L).level());
    return 1;
}

int l_style(lua_State* L) {
    if (lua_isinteger(L, 1)) state(L).style = lua_tointeger(L, 1);
    lua_pushinteger(L, state(L).style);
    return 1;
}

}  // namespace

void install_log(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "log");
    static const luaL_Reg kFunctions[] = {
        {"debug", l_debug},        {"info", l_info},   {"warn", l_warn},
        {"error", l_error},        {"fatal", l_error}, {"setLevel", l_set_level},
        {"getLevel", l_get_level}, {"style", l_style}, {nullptr, nullptr},
    };
    lua_pushlightuserdata(L, &ctx);
    new (lua_newuserdatauv(L, sizeof(LogState), 0)) LogState{};
    luaL_setfuncs(L, kFunctions, 2);
    static const IntConstant kLevels[] = {
        {"LOG_SILENT", sys_task::kLogSilent}, {"LOG_DEBUG", sys_task::kLogDebug},
        {"LOG_INFO", sys_task::kLogInfo},     {"LOG_WARN", sys_task::kLogWarn},
        {"LOG_ERROR", sys_task::kLogError},
    };
    set_int_constants(L, kLevels);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
