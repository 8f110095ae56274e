// The device's file system as scripts see it: /luadb/ is the read-only script image, /lua/ the
// read-only folder of LuatOS's built-in libraries, /ram/ a RAM file system emptied at every boot,
// every other path lives under the device's data folder on the host (never the host's own /).
// The data folder's `.system` folder holds what the runtime keeps for the device (fskv, /ram/'s
// files); scripts cannot reach it (docs/modules/io.md).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "platform_air780ep/luadb_image.hpp"
#include "sys_task/logger.hpp"

namespace lua_bindings {

class DeviceFs {
  public:
    // `logger` (optional) takes the file systems' own log lines (/ram/'s "too many ram nodes").
    DeviceFs(const platform_air780ep::LuadbImage& image, std::filesystem::path data_root,
             sys_task::Logger* logger = nullptr)
        : image_(image), root_(std::move(data_root)), logger_(logger) {}

    struct Resolved {
        enum class Kind { kImage, kData } kind = Kind::kData;
        std::string device_path;                  // normalised: "/luadb/main.lua", "/data/x.txt"
        const std::string* image_file = nullptr;  // kImage: the file's content (nullptr: no such file)
        std::filesystem::path host_path;          // kData: where it lives on the host

        // Is it in the RAM file system (/ram/), whose rules are in ram_fs.hpp?
        [[nodiscard]] bool in_ram() const {
            return device_path == "/ram" || device_path.starts_with("/ram/");
        }
    };

    // Normalise `path` (relative paths are from "/", "." and ".." are resolved, never above "/").
    [[nodiscard]] Resolved resolve(std::string_view path) const;

    // The runtime's folder inside the data folder, and the host folder of /ram/ in it.
    static constexpr const char* kSystemFolder = ".system";
    static std::filesystem::path ram_root(const std::filesystem::path& data_root);

    [[nodiscard]] const platform_air780ep::LuadbImage& image() const { return image_; }
    [[nodiscard]] const std::filesystem::path& root() const { return root_; }
    [[nodiscard]] sys_task::Logger* logger() const { return logger_; }

  private:
    const platform_air780ep::LuadbImage& image_;
    std::filesystem::path root_;
    sys_task::Logger* logger_;
};

// Does an fopen-style mode write ('w', 'a' or '+')?
bool mode_writes(std::string_view mode);

}  // namespace lua_bindings
