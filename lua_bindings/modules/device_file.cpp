#include "lua_bindings/modules/device_file.hpp"

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/ram_fs.hpp"
#include "lua_bindings/device/run_context.hpp"

namespace lua_bindings {

DeviceFs device_fs(RunContext& ctx) {
    return DeviceFs(ctx.device().image(), ctx.device().data_dir(), &ctx.device().logger());
}

namespace {

// /ram/'s limits for an fopen (luat_fs_mem.c): the path's length, and a new file is a new node.
bool ram_allows(const DeviceFs& fs, const DeviceFs::Resolved& r, const char* mode) {
    if (!ram_fs::path_fits(r.device_path)) {
        errno = ENAMETOOLONG;
        return false;
    }
    std::error_code ec;
    if (mode_writes(mode) && !std::filesystem::exists(r.host_path, ec) &&
        ram_fs::node_count(DeviceFs::ram_root(fs.root())) >= ram_fs::kMaxNodes) {
        if (fs.logger() != nullptr)
            fs.logger()->error("fs", "too many ram nodes >= " + std::to_string(ram_fs::kMaxNodes));
        errno = ENOSPC;
        return false;
    }
    return true;
}

}  // namespace

FILE* open_device_file(const DeviceFs& fs, const char* path, const char* mode) {
    const DeviceFs::Resolved r = fs.resolve(path);
    if (r.kind == DeviceFs::Resolved::Kind::kImage) {
        if (mode_writes(mode)) {
            errno = EROFS;
            return nullptr;
        }
        if (r.image_file == nullptr) {
            errno = ENOENT;
            return nullptr;
        }
        if (r.image_file->empty()) return std::fopen("/dev/null", "r");
        // Read-only stream over the image's bytes (fmemopen never writes in "r" mode).
        return fmemopen(const_cast<char*>(r.image_file->data()), r.image_file->size(), "r");
    }
    // A folder is not a file on the module's file systems (littlefs, /ram/), though the host's fopen
    // opens one for reading: io.open("/") fails, io.fileSize("/") is 0, io.exists("/") is false.
    std::error_code ec;
    if (std::filesystem::is_directory(r.host_path, ec)) {
        errno = EISDIR;
        return nullptr;
    }
    if (r.in_ram() && !ram_allows(fs, r, mode)) return nullptr;
    return std::fopen(r.host_path.c_str(), mode);
}

}  // namespace lua_bindings
