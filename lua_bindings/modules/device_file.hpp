// Opening a path of the device's file system (/luadb/ read-only from the script image, every other
// path under the device's data folder) as a C stream, for the modules that read or write files
// (io, crypto.md_file/crc_file, miniz.unzip).
#pragma once

#include <cstdio>
#include <memory>
#include <string_view>

#include "lua_bindings/device/device_fs.hpp"

namespace lua_bindings {

class RunContext;

DeviceFs device_fs(RunContext& ctx);

// fopen on a device path: nullptr with errno set on failure (EROFS for writing into /luadb/).
FILE* open_device_file(const DeviceFs& fs, const char* path, const char* mode);

struct FileCloser {
    void operator()(FILE* f) const {
        if (f != nullptr) std::fclose(f);
    }
};
using UniqueFile = std::unique_ptr<FILE, FileCloser>;

}  // namespace lua_bindings
