// io on the device file system, plus LuatOS's io.readFile / writeFile / exists / fileSize /
// mkdir / rmdir (liolib.c of LuatOS).
//
// /luadb/ files are read from the script image (through fmemopen, so they are real Lua file
// handles); opening one for writing fails with "Read-only file system" (EROFS). Every other path is
// a file under the device's data folder. As on the module, io has no console functions (read,
// write, stdin/stdout, input/output...) and no popen.
// File handles take a zbuff as LuatOS's do: file:write(buff) writes its used bytes, and
// file:fill(buff [, offset [, len]]) reads into it (docs/modules/zbuff.md).
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_fs.hpp"
#include "lua_bindings/device/ram_fs.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/device_file.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/zbuff/zbuff.hpp"

namespace lua_bindings {

namespace {

DeviceFs device_fs(lua_State* L) {
    return lua_bindings::device_fs(RunContext::from_upvalue(L));
}

// An fopen mode: 'r', 'w' or 'a', then at most one '+' and one 'b' in either order ("wb+" is
// LuatOS's io.writeFile default, which Lua's own check would refuse).
bool valid_mode(const char* mode) {
    if (*mode == '\0' || std::strchr("rwa", *(mode++)) == nullptr) return false;
    bool plus = false;
    bool binary = false;
    for (; *mode != '\0'; ++mode) {
        bool& seen = *mode == '+' ? plus : binary;
        if ((*mode != '+' && *mode != 'b') || seen) return false;
        seen = true;
    }
    return true;
}

int close_stream(lua_State* L) {
    auto* p = static_cast<luaL_Stream*>(luaL_checkudata(L, 1, LUA_FILEHANDLE));
    const int res = std::fclose(p->f);
    return luaL_fileresult(L, res == 0, nullptr);
}

// Push a Lua file handle for `path` (io.open's results on failure: nil, message, errno).
int push_file(lua_State* L, const char* path, const char* mode) {
    auto* p = static_cast<luaL_Stream*>(lua_newuserdatauv(L, sizeof(luaL_Stream), 0));
    p->closef = nullptr;  // "closed" until the open succeeds
    luaL_setmetatable(L, LUA_FILEHANDLE);
    p->f = open_device_file(device_fs(L), path, mode);
    if (p->f == nullptr) return luaL_fileresult(L, 0, path);
    p->closef = close_stream;
    return 1;
}

int l_open(lua_State* L) {
    const char* path = luaL_checkstring(L, 1);
    const char* mode = luaL_optstring(L, 2, "r");
    luaL_argcheck(L, valid_mode(mode), 2, "invalid mode");
    return push_file(L, path, mode);
}

// io.lines(name, ...): the file's lines; the file is closed at the end (upvalues: iterator, file).
int lines_step(lua_State* L) {
    lua_settop(L, 0);  // the generic `for` passes (state, control): not needed
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_call(L, 0, LUA_MULTRET);
    if (lua_isnil(L, 1)) {
        lua_getfield(L, lua_upvalueindex(2), "close");
        lua_pushvalue(L, lua_upvalueindex(2));
        lua_call(L, 1, 0);
    }
    return lua_gettop(L);
}

int l_lines(lua_State* L) {
    // Without a file name Lua reads the default input, which the module does not have.
    if (lua_isnoneornil(L, 1)) return luaL_error(L, "default input file is closed");
    const char* path = luaL_checkstring(L, 1);
    if (push_file(L, path, "r") != 1) return luaL_error(L, "%s", lua_tostring(L, -2));
    const int file = lua_gettop(L);
    const int nformats = file - 2;  // the formats after the name
    lua_getfield(L, file, "lines");
    lua_pushvalue(L, file);
    for (int i = 0; i < nformats; ++i)
        lua_pushvalue(L, 2 + i);
    lua_call(L, nformats + 1, 1);
    lua_pushvalue(L, file);
    lua_pushcclosure(L, lines_step, 2);
    lua_pushnil(L);
    lua_pushnil(L);
    lua_pushvalue(L, file);  // as Lua 5.4, the file is the 4th value (to-be-closed)
    return 4;
}

// ---- file handle methods as LuatOS's liolib has them ---------------------------------------------

FILE* to_file(lua_State* L) {
    auto* p = static_cast<luaL_Stream*>(luaL_checkudata(L, 1, LUA_FILEHANDLE));
    if (p->closef == nullptr) luaL_error(L, "attempt to use a closed file");
    return p->f;
}

// file:write(...) -> file | nil, message, errno: strings (numbers as tostring writes them) and
// zbuffs (their used bytes); any other userdata is an argument error. After a failed write the
// remaining values are not written.
int f_write(lua_State* L) {
    FILE* f = to_file(L);
    lua_pushvalue(L, 1);  // the result
    int count = lua_gettop(L) - 2;
    bool ok = true;
    for (int arg = 2; count-- > 0; ++arg) {
        if (lua_type(L, arg) == LUA_TUSERDATA) {
            const auto bytes = check_zbuff(L, arg).used_bytes();
            ok = ok && (bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
        } else {
            std::size_t len = 0;
            const char* s = luaL_checklstring(L, arg, &len);
            ok = ok && std::fwrite(s, 1, len, f) == len;
        }
    }
    if (ok) return 1;
    return luaL_fileresult(L, 0, nullptr);
}

// file:fill(buff [, offset=0 [, len=capacity-offset]]) -> true, bytes read: from the file into the
// zbuff at `offset` (its cursor does not move); nothing when buff is not userdata
int f_fill(lua_State* L) {
    FILE* f = to_file(L);
    if (!lua_isuserdata(L, 2)) return 0;
    Zbuff& buff = check_zbuff(L, 2);
    const auto capacity = static_cast<std::int64_t>(buff.capacity());
    const std::int32_t offset = lua_isinteger(L, 3) ? static_cast<std::int32_t>(luaL_checkinteger(L, 3)) : 0;
    if (offset < 0 || offset > capacity) return luaL_error(L, "offset %d is out of range", offset);
    std::int64_t len = capacity - offset;
    if (lua_isinteger(L, 4)) {
        const auto want = static_cast<std::int32_t>(luaL_checkinteger(L, 4));
        if (want < 0) return luaL_error(L, "len %d is out of range", want);
        len = std::min<std::int64_t>(want, len);
    }
    const std::size_t got =
        len == 0 ? 0 : std::fread(buff.data().data() + offset, 1, static_cast<std::size_t>(len), f);
    lua_pushboolean(L, 1);
    lua_pushinteger(L, static_cast<lua_Integer>(got));
    return 2;
}

// io.tmpfile(): a file in the device's data folder (.system/tmp, hidden from scripts), removed from the
// folder at once so that it goes when it is closed; never the host's temporary folder.
int l_tmpfile(lua_State* L) {
    auto* p = static_cast<luaL_Stream*>(lua_newuserdatauv(L, sizeof(luaL_Stream), 0));
    p->closef = nullptr;
    luaL_setmetatable(L, LUA_FILEHANDLE);
    const std::filesystem::path folder = device_fs(L).root() / DeviceFs::kSystemFolder / "tmp";
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    std::string name = (folder / "tmpXXXXXX").string();
    const int fd = ::mkstemp(name.data());
    if (fd < 0) return luaL_fileresult(L, 0, nullptr);
    ::unlink(name.c_str());
    p->f = ::fdopen(fd, "w+b");
    if (p->f == nullptr) {
        const int err = errno;
        ::close(fd);
        errno = err;
        return luaL_fileresult(L, 0, nullptr);
    }
    p->closef = close_stream;
    return 1;
}

// ---- LuatOS extensions -----------------------------------------------------------------------------

int l_exists(lua_State* L) {
    const char* path = luaL_checkstring(L, 1);
    FILE* f = open_device_file(device_fs(L), path, "r");
    lua_pushboolean(L, f != nullptr ? 1 : 0);
    if (f != nullptr) std::fclose(f);
    return 1;
}

int l_file_size(lua_State* L) {
    const char* path = luaL_checkstring(L, 1);
    FILE* f = open_device_file(device_fs(L), path, "rb");
    lua_Integer size = 0;
    if (f != nullptr) {
        if (std::fseek(f, 0, SEEK_END) == 0) size = std::ftell(f);
        std::fclose(f);
    }
    lua_pushinteger(L, size);
    return 1;
}

int l_read_file(lua_State* L) {
    const char* path = luaL_checkstring(L, 1);
    const char* mode = luaL_optstring(L, 2, "rb");
    const lua_Integer offset = luaL_optinteger(L, 3, 0);
    lua_Integer remaining = luaL_optinteger(L, 4, lua_Integer{1} << 30);
    if (!valid_mode(mode)) return luaL_argerror(L, 2, "invalid mode");
    FILE* f = open_device_file(device_fs(L), path, mode);
    if (f == nullptr) return 0;  // missing: no value at all, as LuatOS
    if (offset > 0) std::fseek(f, static_cast<long>(offset), SEEK_SET);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    char chunk[512];
    while (remaining > 0) {
        const auto want = static_cast<size_t>(remaining > 512 ? 512 : remaining);
        const size_t got = std::fread(chunk, 1, want, f);
        if (got == 0) break;
        luaL_addlstring(&b, chunk, got);
        remaining -= static_cast<lua_Integer>(got);
    }
    std::fclose(f);
    luaL_pushresult(&b);
    return 1;
}

int l_write_file(lua_State* L) {
    const char* path = luaL_checkstring(L, 1);
    size_t len = 0;
    const char* data = luaL_checklstring(L, 2, &len);
    const char* mode = luaL_optstring(L, 3, "wb+");
    if (!valid_mode(mode)) return luaL_argerror(L, 3, "invalid mode");
    FILE* f = open_device_file(device_fs(L), path, mode);
    if (f == nullptr) {
        if (errno == EROFS) {
            RunContext::from_upvalue(L).device().logger().warn(
                "io", std::string(path) + ": Read-only file system (/luadb/ is the script image)");
        }
        return 0;  // LuatOS returns no value when the file cannot be opened
    }
    const size_t written = std::fwrite(data, 1, len, f);
    const bool ok = std::fclose(f) == 0 && written == len;
    if (!ok) return 0;
    lua_pushboolean(L, 1);
    return 1;
}

int dir_result(lua_State* L, bool ok, int err) {
    lua_pushboolean(L, ok ? 1 : 0);
    lua_pushinteger(L, ok ? 0 : -err);
    return 2;
}

// /ram/'s answer: true, 0 or false, -1 (luat_fs_mem.c has no error codes).
int ram_dir_result(lua_State* L, bool ok) {
    lua_pushboolean(L, ok ? 1 : 0);
    lua_pushinteger(L, ok ? 0 : -1);
    return 2;
}

// In /ram/ the missing parents are made too, and a folder that is there already is success.
bool ram_mkdir(const DeviceFs& fs, const DeviceFs::Resolved& r) {
    namespace stdfs = std::filesystem;
    if (!ram_fs::path_fits(r.device_path)) return false;
    std::error_code ec;
    if (stdfs::is_directory(r.host_path, ec)) return true;
    std::size_t missing = 0;
    for (stdfs::path p = r.host_path; !stdfs::exists(p, ec); p = p.parent_path())
        ++missing;
    if (ram_fs::node_count(DeviceFs::ram_root(fs.root())) + missing > ram_fs::kMaxNodes) {
        if (fs.logger() != nullptr)
            fs.logger()->error("fs", "too many ram nodes >= " + std::to_string(ram_fs::kMaxNodes));
        return false;
    }
    stdfs::create_directories(r.host_path, ec);
    return !ec;
}

int l_mkdir(lua_State* L) {
    const DeviceFs fs = device_fs(L);
    const DeviceFs::Resolved r = fs.resolve(luaL_checkstring(L, 1));
    if (r.kind == DeviceFs::Resolved::Kind::kImage) return dir_result(L, false, EROFS);
    if (r.in_ram()) return ram_dir_result(L, r.device_path != "/ram" && ram_mkdir(fs, r));
    const bool ok = ::mkdir(r.host_path.c_str(), 0755) == 0;
    return dir_result(L, ok, errno);
}

int l_rmdir(lua_State* L) {
    const DeviceFs::Resolved r = device_fs(L).resolve(luaL_checkstring(L, 1));
    if (r.kind == DeviceFs::Resolved::Kind::kImage) return dir_result(L, false, EROFS);
    const bool ok = r.device_path != "/ram" && ::rmdir(r.host_path.c_str()) == 0;
    if (r.in_ram()) return ram_dir_result(L, ok);
    return dir_result(L, ok, errno);
}

}  // namespace

void install_io(RunContext& ctx) {
    lua_State* L = ctx.state();
    lua_getglobal(L, "io");
    const int io = lua_gettop(L);
    static const luaL_Reg kFunctions[] = {
        {"open", l_open},          {"exists", l_exists},        {"fileSize", l_file_size},
        {"readFile", l_read_file}, {"writeFile", l_write_file}, {"mkdir", l_mkdir},
        {"rmdir", l_rmdir},        {"tmpfile", l_tmpfile},      {"lines", l_lines},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    // The module's io has no console and no default files (LuatOS's liolib.c registers them only in
    // its Windows build): scripts write with print/log, and read and write files through handles.
    for (const char* host_only :
         {"popen", "read", "write", "close", "flush", "input", "output", "stdin", "stdout", "stderr"}) {
        lua_pushnil(L);
        lua_setfield(L, io, host_only);
    }
    for (const char* key : {"_IO_input", "_IO_output"}) {  // Lua's registry keys for the default files
        lua_pushnil(L);
        lua_setfield(L, LUA_REGISTRYINDEX, key);
    }
    lua_pop(L, 1);
    // The file handles' methods (Lua 5.4 keeps them in the metatable's __index table).
    luaL_getmetatable(L, LUA_FILEHANDLE);
    lua_getfield(L, -1, "__index");
    static const luaL_Reg kFileMethods[] = {{"write", f_write}, {"fill", f_fill}, {nullptr, nullptr}};
    luaL_setfuncs(L, kFileMethods, 0);
    lua_pushnil(L);
    lua_setfield(L, -2, "setvbuf");  // Windows-only in LuatOS's liolib.c, as the console functions
    lua_pop(L, 2);
}

}  // namespace lua_bindings
