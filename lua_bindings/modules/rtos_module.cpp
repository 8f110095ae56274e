// rtos: bsp / version / firmware / buildDate, meminfo (Lua heap or the process), reboot, nop,
// setPaths (require's extra search paths), autoCollectMem (LuatOS's automatic garbage collection).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/process_memory.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/device_file.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

constexpr const char* kBsp = "EC718P";     // the Air780EP's chip, what rtos.bsp() says on the module
constexpr const char* kVersion = "V2035";  // the LuatOS release this runtime follows

int l_bsp(lua_State* L) {
    lua_pushstring(L, kBsp);
    return 1;
}

// rtos.version([true]) -> "V2035" [, firmware type number (0: the Air780EP's build defines none),
// 64 (a 64-bit VM)]
int l_version(lua_State* L) {
    lua_pushstring(L, kVersion);
    if (lua_isboolean(L, 1) && lua_toboolean(L, 1) != 0) {
        lua_pushinteger(L, 0);
        lua_pushinteger(L, 64);
        return 3;
    }
    return 1;
}

constexpr const char* kSearchPathsKey = "luatos.search_paths";  // registry: rtos.setPaths' templates
constexpr std::size_t kSearchPathBytes = 24;                    // char custom_search_paths[4][24]

// rtos.setPaths([p1 [, p2 [, p3 [, p4]]]]): up to four templates ("/sd/lua/%s.lua") that require()
// tries before the script image; each must have exactly one %s (%% escapes) and fit in 23 bytes.
// A missing argument clears its slot.
int l_set_paths(lua_State* L) {
    lua_createtable(L, 4, 0);
    const int paths = lua_gettop(L);
    for (int i = 1; i <= 4; ++i) {
        if (lua_isstring(L, i) == 0) continue;
        std::size_t len = 0;
        const char* str = luaL_checklstring(L, i, &len);
        if (len >= kSearchPathBytes)
            return luaL_error(L, "search path too long, max %d bytes",
                              static_cast<int>(kSearchPathBytes) - 1);
        int s_count = 0;
        for (std::size_t j = 0; j < len; ++j) {
            if (str[j] != '%') continue;
            ++j;
            if (j >= len || (str[j] != 's' && str[j] != '%'))
                return luaL_error(L, "search path must contain exactly one %%s");
            if (str[j] == 's') ++s_count;
        }
        if (s_count != 1) return luaL_error(L, "search path must contain exactly one %%s");
        lua_pushvalue(L, i);
        lua_rawseti(L, paths, i);
    }
    lua_setfield(L, LUA_REGISTRYINDEX, kSearchPathsKey);
    return 0;
}

// package.searchers[2] (before the image's): the rtos.setPaths templates, on the device file system.
int custom_path_searcher(lua_State* L) {
    RunContext& ctx = RunContext::from_upvalue(L);
    const char* name = luaL_checkstring(L, 1);
    if (lua_getfield(L, LUA_REGISTRYINDEX, kSearchPathsKey) != LUA_TTABLE) {
        lua_pushliteral(L, "");
        return 1;
    }
    const int paths = lua_gettop(L);
    for (int i = 1; i <= 4; ++i) {
        if (lua_rawgeti(L, paths, i) != LUA_TSTRING) {
            lua_pop(L, 1);
            continue;
        }
        // The template's "%s" becomes the name, "%%" a '%' (snprintf, as LuatOS).
        const std::string tmpl = lua_tostring(L, -1);
        lua_pop(L, 1);
        std::string file;
        for (std::size_t j = 0; j < tmpl.size(); ++j) {
            if (tmpl[j] == '%' && j + 1 < tmpl.size()) {
                file += tmpl[j + 1] == 's' ? std::string(name) : std::string(1, '%');
                ++j;
            } else {
                file += tmpl[j];
            }
        }
        if (file.size() > 63) file.resize(63);  // LuatOS's 64-byte file name buffer
        UniqueFile f(open_device_file(device_fs(ctx), file.c_str(), "rb"));
        if (!f) continue;
        std::string code;
        char chunk[4096];
        std::size_t got = 0;
        while ((got = std::fread(chunk, 1, sizeof chunk, f.get())) > 0)
            code.append(chunk, got);
        if (luaL_loadbuffer(L, code.data(), code.size(), file.c_str()) != LUA_OK) {
            return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, file.c_str(),
                              lua_tostring(L, -1));
        }
        lua_pushstring(L, file.c_str());
        return 2;
    }
    lua_pushliteral(L, "");
    return 1;
}

// rtos.autoCollectMem([period = 100 ms [, mid = 80 % [, high = 90 %]]]): LuatOS's automatic garbage
// collection: every period, a heap above `high` percent of the budget is collected in full, above
// `mid` by a step. Out-of-range values are ignored (period up to 60000, 50 <= mid < high <= 95).
struct AutoGc {
    std::uint64_t period_ms = 100;
    std::uint64_t mid = 80;
    std::uint64_t high = 90;
    std::uint64_t last_ms = 0;
    sys_task::EventLoop::HookId hook = 0;
};

int l_auto_collect_mem(lua_State* L) {
    const auto period = static_cast<std::uint32_t>(luaL_optinteger(L, 1, 100));
    const auto mid = static_cast<std::uint32_t>(luaL_optinteger(L, 2, 80));
    const auto high = static_cast<std::uint32_t>(luaL_optinteger(L, 3, 90));
    if (period > 60000 || mid > 95 || high > 95 || mid < 50 || high < 50 || mid >= high) return 0;
    AutoGc& gc = *static_cast<AutoGc*>(lua_touserdata(L, lua_upvalueindex(2)));
    RunContext::from_upvalue(L).device().logger().debug(
        "rtos", "mem collect param " + std::to_string(gc.period_ms) + "," + std::to_string(gc.mid) + "," +
                    std::to_string(gc.high) + " -> " + std::to_string(period) + "," + std::to_string(mid) +
                    "," + std::to_string(high));
    gc.period_ms = period;
    gc.mid = mid;
    gc.high = high;
    return 0;
}

int l_firmware(lua_State* L) {
    lua_pushfstring(L, "LuatOS-SoC_%s_%s", kVersion, kBsp);
    return 1;
}

int l_build_date(lua_State* L) {
    lua_pushstring(L, __DATE__);
    return 1;
}

// rtos.meminfo([type = "lua"]) -> total, used, max used
int l_meminfo(lua_State* L) {
    const char* type = luaL_optstring(L, 1, "lua");
    std::size_t total = 0;
    std::size_t used = 0;
    std::size_t max_used = 0;
    if (std::strcmp(type, "sys") == 0) {
        const ProcessMemory m = process_memory();
        total = m.total;
        used = m.used;
        max_used = m.max_used;
    } else {
        const LuaHeap& heap = RunContext::from_upvalue(L).heap();
        total = heap.budget();
        used = heap.used();
        max_used = heap.max_used();
    }
    lua_pushinteger(L, static_cast<lua_Integer>(total));
    lua_pushinteger(L, static_cast<lua_Integer>(used));
    lua_pushinteger(L, static_cast<lua_Integer>(max_used));
    return 3;
}

int l_reboot(lua_State* L) {
    return RunContext::from_upvalue(L).device().vm_exit().raise(L, sys_task::VmExit::Kind::kReboot, 0);
}

int l_nop(lua_State* /*L*/) {
    return 0;
}

}  // namespace

void install_rtos(RunContext& ctx) {
    lua_State* L = ctx.state();
    // The automatic collection runs between messages, when the loop is about to wait.
    auto gc = std::make_shared<AutoGc>();
    Device& dev = ctx.device();
    gc->hook = dev.loop().add_before_block([g = gc.get(), &ctx, &dev] {
        const std::uint64_t now = dev.loop().now_ms();
        if (g->period_ms == 0 || now - g->last_ms < g->period_ms) return;
        g->last_ms = now;
        const LuaHeap& heap = ctx.heap();
        if (heap.budget() == 0) return;
        const std::uint64_t percent = heap.used() * 100 / heap.budget();
        if (percent >= g->high) {
            lua_gc(ctx.state(), LUA_GCCOLLECT);
        } else if (percent >= g->mid) {
            lua_gc(ctx.state(), LUA_GCSTEP, 0);
        }
    });
    ctx.on_close([gc, &dev] { dev.loop().remove_before_block(gc->hook); });
    // require() tries rtos.setPaths' templates first.
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchers");
    const auto n = static_cast<lua_Integer>(lua_rawlen(L, -1));
    for (lua_Integer i = n; i >= 2; --i) {
        lua_rawgeti(L, -1, i);
        lua_rawseti(L, -2, i + 1);
    }
    lua_pushlightuserdata(L, &ctx);
    lua_pushcclosure(L, custom_path_searcher, 1);
    lua_rawseti(L, -2, 2);
    lua_pop(L, 2);

    push_module_table(L, "rtos");
    static const luaL_Reg kFunctions[] = {
        {"bsp", l_bsp},         {"version", l_version}, {"firmware", l_firmware}, {"buildDate", l_build_date},
        {"meminfo", l_meminfo}, {"reboot", l_reboot},   {"nop", l_nop},           {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    static const luaL_Reg kMore[] = {
        {"setPaths", l_set_paths}, {"autoCollectMem", l_auto_collect_mem}, {nullptr, nullptr}};
    lua_pushlightuserdata(L, &ctx);
    lua_pushlightuserdata(L, gc.get());
    luaL_setfuncs(L, kMore, 2);
    lua_pushinteger(L, -1);
    lua_setfield(L, -2, "INF_TIMEOUT");
    lua_pop(L, 1);
}

}  // namespace lua_bindings
