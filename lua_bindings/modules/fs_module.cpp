// LuatOS's file-system additions to io (io.fsstat, fsize, lsdir, dexist, mkfs, lsmount, FILE, DIR)
// and the `fs` library, which on LuatOS is a second copy of the io table (docs/modules/io.md).
//
// The mounts are LuatOS's on the EC718: "" (the on-chip littlefs, here the data folder), "/lua/"
// (the built-in Lua libraries, read-only), "/ram/" (a RAM file system, emptied at every boot) and
// "/luadb/" (the script image).
#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_fs.hpp"
#include "lua_bindings/device/process_memory.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/device_file.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

namespace fs = std::filesystem;

enum class Mount { kFlash, kInline, kRam, kLuadb };

// LuatOS's getmount(): the mount whose prefix the path starts with, else the root ("").
Mount mount_of(std::string_view path) {
    if (path.starts_with("/luadb/")) return Mount::kLuadb;
    if (path.starts_with("/lua/")) return Mount::kInline;
    if (path.starts_with("/ram/")) return Mount::kRam;
    return Mount::kFlash;
}

RunContext& ctx_of(lua_State* L) {
    return RunContext::from_upvalue(L);
}

// The on-chip file system: 42 blocks of 4 KiB (what io.fsstat("/") reports on the module, the
// official fs_io demo's log).
constexpr lua_Integer kFlashBlocks = 42;
constexpr lua_Integer kFlashBlockBytes = 4096;
constexpr std::uintmax_t kInlineMax = 256;  // littlefs keeps smaller files inside the metadata
// The script area of the Air780EP (LUAT_SCRIPT_SIZE 256 KiB) in luadb's 512-byte blocks.
constexpr lua_Integer kLuadbBlocks = 256 * 1024 / 512;

// littlefs' blocks in use: a metadata pair per directory (the root's too) and the blocks of the files
// too large to be inlined.
lua_Integer flash_blocks_used(const fs::path& root) {
    lua_Integer blocks = 2;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it.depth() == 0 && it->path().filename() == DeviceFs::kSystemFolder) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_directory(ec)) {
            blocks += 2;
        } else if (it->is_regular_file(ec)) {
            const std::uintmax_t size = it->file_size(ec);
            if (size > kInlineMax) blocks += static_cast<lua_Integer>((size + 4095) / 4096);
        }
    }
    return std::min(blocks, kFlashBlocks);
}

std::uintmax_t bytes_under(const fs::path& root) {
    std::uintmax_t total = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec)) total += it->file_size(ec);
    }
    return total;
}

int fsstat_result(lua_State* L, lua_Integer total, lua_Integer used, lua_Integer block, const char* type) {
    lua_pushboolean(L, 1);
    lua_pushinteger(L, total);
    lua_pushinteger(L, used);
    lua_pushinteger(L, block);
    lua_pushstring(L, type);
    return 5;
}

// io.fsstat([path = "/"]) -> true, total blocks, used blocks, block size, type | false
int l_fsstat(lua_State* L) {
    const char* path = luaL_optstring(L, 1, "/");
    RunContext& ctx = ctx_of(L);
    switch (mount_of(path)) {
        case Mount::kFlash:
            return fsstat_result(L, kFlashBlocks, flash_blocks_used(ctx.device().data_dir()),
                                 kFlashBlockBytes, "lfs");
        case Mount::kRam: {
            // LuatOS sizes its RAM file system by the system heap.
            const auto total = static_cast<lua_Integer>(process_memory().total / 4096);
            const auto used = static_cast<lua_Integer>(
                (bytes_under(DeviceFs::ram_root(ctx.device().data_dir())) + 4095) / 4096);
            return fsstat_result(L, total, used, 4096, "ram");
        }
        case Mount::kLuadb: {
            const auto used = static_cast<lua_Integer>((ctx.device().image().total_bytes() + 512) / 512 + 1);
            return fsstat_result(L, kLuadbBlocks, used, 512, "luadb");
        }
        case Mount::kInline:
            break;
    }
    ctx.device().logger().error("vfs", std::string("no such mount point ") + path);  // "inline" has no info
    lua_pushboolean(L, 0);
    return 1;
}

// io.dexist(path) -> is it a directory?
int l_dexist(lua_State* L) {
    const char* path = luaL_checkstring(L, 1);
    const DeviceFs::Resolved r = device_fs(ctx_of(L)).resolve(path);
    bool exists = false;
    if (r.kind == DeviceFs::Resolved::Kind::kImage) {
        exists = r.device_path == "/luadb" || r.device_path == "/lua";  // a mount point itself
    } else {
        std::error_code ec;
        exists = fs::is_directory(r.host_path, ec);
    }
    lua_pushboolean(L, exists ? 1 : 0);
    return 1;
}

struct Entry {
    std::string name;
    int type = 0;  // io.FILE 0, io.DIR 1
    lua_Integer size = 0;
};

// littlefs' view of a folder: ".", "..", then the entries sorted by name.
std::vector<Entry> folder_entries(const fs::path& folder, bool hide_system) {
    std::vector<Entry> out{{".", 1, 0}, {"..", 1, 0}};
    std::set<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(folder, ec)) {
        const std::string name = e.path().filename().string();
        if (hide_system && name == DeviceFs::kSystemFolder) continue;
        names.insert(name);
    }
    for (const std::string& name : names) {
        const fs::path p = folder / name;
        const bool dir = fs::is_directory(p, ec);
        out.push_back({name, dir ? 1 : 0, dir ? 0 : static_cast<lua_Integer>(fs::file_size(p, ec))});
    }
    return out;
}

// io.lsdir(path [, len = 10 (at most 100) [, offset = 0]]) -> true, {{name=, type=, size=}, ...} |
// false, code. A missing folder (or a mount without listing) gives true and an empty table.
int l_lsdir(lua_State* L) {
    const char* path = luaL_checkstring(L, 1);
    lua_Integer len = luaL_optinteger(L, 2, 10);
    lua_Integer offset = luaL_optinteger(L, 3, 0);
    if (len < 0) len = 10;
    if (len > 100) len = 100;
    if (offset < 0) offset = 0;
    RunContext& ctx = ctx_of(L);
    std::vector<Entry> picked;
    const Mount mount = mount_of(path);
    if (mount == Mount::kLuadb) {
        // luadb lists its files in image order, the offset counting files
        const std::vector<std::string> names = ctx.device().image().names();
        for (auto i = static_cast<std::size_t>(offset);
             i < names.size() && picked.size() < static_cast<std::size_t>(len); ++i) {
            const std::string* content = ctx.device().image().find(names[i]);
            picked.push_back(
                {names[i], 0, content != nullptr ? static_cast<lua_Integer>(content->size()) : 0});
        }
    } else if (mount == Mount::kInline) {
        ctx.device().logger().debug("vfs", "such mount not support lsdir");
    } else {
        const DeviceFs::Resolved r = device_fs(ctx).resolve(path);
        std::error_code ec;
        if (r.kind == DeviceFs::Resolved::Kind::kData && fs::is_directory(r.host_path, ec)) {
            const std::vector<Entry> all = folder_entries(r.host_path, r.device_path == "/");
            // As the EC718's lsdir: the offset skips raw entries ("." and ".." included).
            for (auto i = static_cast<std::size_t>(offset);
                 i < all.size() && picked.size() < static_cast<std::size_t>(len); ++i) {
                if (all[i].name == "." || all[i].name == "..") continue;
                picked.push_back(all[i]);
            }
        }
    }
    lua_pushboolean(L, 1);
    lua_createtable(L, static_cast<int>(picked.size()), 0);
    for (std::size_t i = 0; i < picked.size(); ++i) {
        lua_createtable(L, 0, 3);
        lua_pushinteger(L, picked[i].type);
        lua_setfield(L, -2, "type");
        lua_pushlstring(L, picked[i].name.data(), picked[i].name.size());
        lua_setfield(L, -2, "name");
        lua_pushinteger(L, picked[i].size);
        lua_setfield(L, -2, "size");
        lua_seti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    return 2;
}

void empty_folder(const fs::path& folder, bool keep_system) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(folder, ec)) {
        if (keep_system && e.path().filename() == DeviceFs::kSystemFolder) continue;
        fs::remove_all(e.path(), ec);
    }
}

// io.mkfs(mount point) -> true, 0 | false, -1: formats the mount named exactly; only "" (the flash)
// can be: the RAM file system's mkfs refuses (luat_fs_mem.c), /lua/ and /luadb/ have none.
int l_mkfs(lua_State* L) {
    const std::string point = luaL_checkstring(L, 1);
    RunContext& ctx = ctx_of(L);
    bool ok = false;
    if (point.empty()) {
        empty_folder(ctx.device().data_dir(), true);
        ok = true;
    } else if (point != "/luadb/" && point != "/lua/" && point != "/ram/") {
        ctx.device().logger().error("vfs", "no such mount point " + point);
    }
    lua_pushboolean(L, ok ? 1 : 0);
    lua_pushinteger(L, ok ? 0 : -1);
    return 2;
}

// io.lsmount() -> {{path=, fs=}, ...} in LuatOS's mount order on the EC718.
int l_lsmount(lua_State* L) {
    static constexpr const char* kMounts[][2] = {
        {"", "ec7xx"}, {"/lua/", "inline"}, {"/ram/", "ram"}, {"/luadb/", "luadb"}};
    lua_createtable(L, 4, 0);
    lua_Integer i = 0;
    for (const auto& m : kMounts) {
        lua_createtable(L, 0, 2);
        lua_pushstring(L, m[0]);
        lua_setfield(L, -2, "path");
        lua_pushstring(L, m[1]);
        lua_setfield(L, -2, "fs");
        lua_seti(L, -2, ++i);
    }
    return 1;
}

}  // namespace

void install_fs(RunContext& ctx) {
    lua_State* L = ctx.state();
    lua_getglobal(L, "io");
    static const luaL_Reg kFunctions[] = {
        {"fsstat", l_fsstat}, {"dexist", l_dexist},   {"lsdir", l_lsdir},
        {"mkfs", l_mkfs},     {"lsmount", l_lsmount}, {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    lua_getfield(L, -1, "fileSize");
    lua_setfield(L, -2, "fsize");  // the same function, as LuatOS registers it
    lua_pushinteger(L, 0);
    lua_setfield(L, -2, "FILE");
    lua_pushinteger(L, 1);
    lua_setfield(L, -2, "DIR");
    // fs: LuatOS opens the io library a second time under this name (luat_lib_fs.c).
    push_module_table(L, "fs");
    lua_pushnil(L);
    while (lua_next(L, -3) != 0) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_settable(L, -4);
    }
    lua_pop(L, 2);
}

}  // namespace lua_bindings
