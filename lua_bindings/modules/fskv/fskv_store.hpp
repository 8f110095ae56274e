// The key-value store behind fskv: one host file per key in a folder of the device's data folder,
// sized and limited like the 64 KiB littlefs partition LuatOS keeps it in (docs/modules/fskv.md).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lua_bindings {

class FskvStore {
  public:
    static constexpr std::size_t kTotalBytes = 64 * 1024;  // LFS_BLOCK_DEVICE_TOTOAL_SIZE
    static constexpr std::size_t kBlockBytes = 4096;       // LFS_BLOCK_DEVICE_ERASE_SIZE
    static constexpr std::size_t kInlineMax = 256;         // littlefs keeps smaller files in the metadata
    static constexpr std::size_t kNameMax = 255;           // littlefs' LFS_NAME_MAX

    explicit FskvStore(std::filesystem::path folder) : folder_(std::move(folder)) {}

    // Is the partition formatted (has it ever been initialised on this device)?
    [[nodiscard]] bool formatted() const;
    // Format (create) it; false when the folder cannot be made.
    bool format();

    // The stored bytes of `key`, or nullopt when it does not exist (or cannot be a littlefs name).
    [[nodiscard]] std::optional<std::string> get(std::string_view key) const;
    // Write `key` (replacing it); false when the key is not a valid name or the partition is full.
    bool set(std::string_view key, std::string_view bytes);
    void remove(std::string_view key);
    // Erase every key; false when the folder cannot be recreated.
    bool clear();

    struct Status {
        std::size_t used_bytes = 0;  // whole blocks, as lfs_fs_size() * block size
        std::size_t total_bytes = kTotalBytes;
        std::size_t count = 0;
    };
    [[nodiscard]] Status status() const;
    // The `index`-th key in littlefs' directory order (sorted by name), or nullopt past the end.
    [[nodiscard]] std::optional<std::string> key_at(std::size_t index) const;

  private:
    [[nodiscard]] static bool valid_name(std::string_view key);
    [[nodiscard]] static std::size_t blocks_for(std::size_t size);
    [[nodiscard]] std::size_t used_blocks_without(std::string_view key) const;

    std::filesystem::path folder_;
};

}  // namespace lua_bindings
