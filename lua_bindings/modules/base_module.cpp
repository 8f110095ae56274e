// The base library as LuatOS has it: print through the log (one space between values, LuatOS value
// formatting, one Luatools line per call), require() finding modules in /luadb/ (chunk name = the
// file name, so errors read `[string "x.lua"]:3: ...`), loadfile/dofile on the device file system.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_fs.hpp"
#include "lua_bindings/modules/base_compat.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/device_file.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "platform_air780ep/host_file.hpp"

namespace lua_bindings {

namespace {

int l_print(lua_State* L) {
    RunContext& ctx = RunContext::from_upvalue(L);
    const int n = lua_gettop(L);
    std::string line;
    for (int i = 1; i <= n; ++i) {
        size_t len = 0;
        const char* s = luaL_tolstring(L, i, &len);
        if (i > 1) line += ' ';
        line.append(s, len);
        lua_pop(L, 1);
    }
    ctx.device().logger().line(line);
    return 0;
}

// Skip a UTF-8 BOM and a first line starting with '#' (keeping its newline), as luaL_loadfile does.
std::string_view script_text(std::string_view code) {
    if (code.starts_with("\xEF\xBB\xBF")) code.remove_prefix(3);
    if (code.starts_with("#")) {
        const auto nl = code.find('\n');
        code = nl == std::string_view::npos ? std::string_view{} : code.substr(nl);
    }
    return code;
}

// package.searchers[2]: "name" -> /luadb/name.lua
int luadb_searcher(lua_State* L) {
    RunContext& ctx = RunContext::from_upvalue(L);
    const char* name = luaL_checkstring(L, 1);
    const std::string file = std::string(name) + ".lua";
    const std::string* code = ctx.device().image().find(file);
    if (code == nullptr) {
        lua_pushfstring(L, "no file '/luadb/%s'", file.c_str());
        return 1;
    }
    const std::string_view text = script_text(*code);
    if (luaL_loadbuffer(L, text.data(), text.size(), file.c_str()) != LUA_OK) {
        return luaL_error(L, "error loading module '%s' from file '/luadb/%s':\n\t%s", name, file.c_str(),
                          lua_tostring(L, -1));
    }
    lua_pushfstring(L, "/luadb/%s", file.c_str());
    return 2;
}

// Load the chunk at a device path onto the stack (or nil + message, as loadfile returns).
int load_path(lua_State* L, const char* path, const char* mode, int env) {
    RunContext& ctx = RunContext::from_upvalue(L);
    const DeviceFs fs(ctx.device().image(), ctx.device().data_dir());
    const DeviceFs::Resolved r = fs.resolve(path);
    std::string code;
    std::string chunkname;
    if (r.kind == DeviceFs::Resolved::Kind::kImage) {
        if (r.image_file == nullptr) {
            luaL_pushfail(L);
            lua_pushfstring(L, "cannot open %s", path);
            return 2;
        }
        code = *r.image_file;
        chunkname = r.device_path.substr(r.device_path.rfind('/') + 1);
    } else {
        std::string why;  // LuatOS's message does not say
        std::optional<std::string> content = platform_air780ep::read_host_file(r.host_path.string(), why);
        if (!content) {
            luaL_pushfail(L);
            lua_pushfstring(L, "cannot open %s", path);
            return 2;
        }
        code = std::move(*content);
        chunkname = "@" + r.device_path;
    }
    const std::string_view text = script_text(code);
    if (luaL_loadbufferx(L, text.data(), text.size(), chunkname.c_str(), mode) != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (env != 0) {
        lua_pushvalue(L, env);
        if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);
    }
    return 1;
}

int l_loadfile(lua_State* L) {
    const char* path = luaL_checkstring(L, 1);
    const char* mode = luaL_optstring(L, 2, nullptr);
    const int env = lua_isnone(L, 3) ? 0 : 3;
    return load_path(L, path, mode, env);
}

int dofile_continuation(lua_State* L, int /*status*/, lua_KContext /*ctx*/) {
    return lua_gettop(L) - 1;
}

int l_dofile(lua_State* L) {
    const char* path = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    if (load_path(L, path, nullptr, 0) != 1) return lua_error(L);
    lua_callk(L, 0, LUA_MULTRET, 0, dofile_continuation);
    return dofile_continuation(L, 0, 0);
}

// package.searchpath(name, path [, sep [, rep]]): Lua 5.4's, but each candidate is a path of the
// device's file system (/luadb/ the image, others under the data folder), never a host path.
int l_searchpath(lua_State* L) {
    const char* name = luaL_checkstring(L, 1);
    const char* path = luaL_checkstring(L, 2);
    const char* sep = luaL_optstring(L, 3, ".");
    const char* rep = luaL_optstring(L, 4, "/");
    if (*sep != '\0' && std::strchr(name, *sep) != nullptr) name = luaL_gsub(L, name, sep, rep);
    const DeviceFs fs = device_fs(RunContext::from_upvalue(L));
    std::string all;  // the templates with the name in place of '?'
    for (const char* c = path; *c != '\0'; ++c) {
        if (*c == '?') {
            all += name;
        } else {
            all += *c;
        }
    }
    std::string tried = "no file '";
    std::size_t start = 0;
    while (start <= all.size()) {
        const std::size_t end = std::min(all.find(';', start), all.size());
        const std::string candidate = all.substr(start, end - start);
        if (!candidate.empty()) {
            if (UniqueFile f{open_device_file(fs, candidate.c_str(), "r")}; f != nullptr) {
                lua_pushlstring(L, candidate.data(), candidate.size());
                return 1;
            }
        }
        tried += start == 0 ? candidate : "'\n\tno file '" + candidate;
        start = end + 1;
    }
    tried += "'";
    luaL_pushfail(L);
    lua_pushlstring(L, tried.data(), tried.size());
    return 2;
}

}  // namespace

void install_base(RunContext& ctx) {
    lua_State* L = ctx.state();
    lua_pushglobaltable(L);
    static const luaL_Reg kFunctions[] = {
        {"print", l_print},
        {"loadfile", l_loadfile},
        {"dofile", l_dofile},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    lua_pop(L, 1);

    // require: package.preload, then /luadb/ (no host files, no C modules).
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchers");
    lua_rawgeti(L, -1, 1);  // the preload searcher
    lua_createtable(L, 2, 0);
    lua_insert(L, -2);
    lua_rawseti(L, -2, 1);
    lua_pushlightuserdata(L, &ctx);
    lua_pushcclosure(L, luadb_searcher, 1);
    lua_rawseti(L, -2, 2);
    lua_setfield(L, -3, "searchers");
    lua_pop(L, 1);
    lua_pushliteral(L, "/luadb/?.lua");
    lua_setfield(L, -2, "path");
    lua_pushliteral(L, "");
    lua_setfield(L, -2, "cpath");
    lua_pushnil(L);
    lua_setfield(L, -2, "loadlib");
    lua_pushlightuserdata(L, &ctx);
    lua_pushcclosure(L, l_searchpath, 1);
    lua_setfield(L, -2, "searchpath");
    lua_pop(L, 1);
    // debug.debug() reads commands from the host's standard input: LuatOS's ldblib.c leaves it out.
    lua_getglobal(L, "debug");
    if (lua_istable(L, -1)) {
        lua_pushnil(L);
        lua_setfield(L, -2, "debug");
    }
    lua_pop(L, 1);
    install_lua_compat(L);
}

}  // namespace lua_bindings
