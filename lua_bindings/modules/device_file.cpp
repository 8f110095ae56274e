#include "lua_bindings/modules/device_file.hpp"

#include <cerrno>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/run_context.hpp"

namespace lua_bindings {

DeviceFs device_fs(RunContext& ctx) {
    return DeviceFs(ctx.device().image(), ctx.device().data_dir());
}

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
    return std::fopen(r.host_path.c_str(), mode);
}

}  // namespace lua_bindings
