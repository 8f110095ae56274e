// The rules of LuatOS's RAM file system (/ram/, luat/vfs/luat_fs_mem.c) that a folder on the host does
// not have by itself: a path inside the mount is at most 127 characters, the mount holds at most 512
// files and folders, a file that is open cannot be removed or renamed (nor can a folder holding one),
// and io.mkdir creates the missing parents.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lua_bindings::ram_fs {

constexpr std::size_t kMaxPath = 127;   // MEMFS_MAX_FILE_NAME: the path inside the mount
constexpr std::size_t kMaxNodes = 512;  // RAM_NODE_MAX: files and folders together

// Is the device path (normalised, "/ram/..." or "/ram") short enough for the mount?
bool path_fits(std::string_view device_path);

// How many files and folders the mount holds (its host folder is `root`).
std::size_t node_count(const std::filesystem::path& root);

// The file open in this process at `host_path` or under it, if there is one. (Each device has its
// own data folder, so a descriptor open on one of its /ram/ files is one of that device's handles.)
std::optional<std::filesystem::path> open_file_at(const std::filesystem::path& host_path);

// The name luat_fs_mem.c gives a node in its log lines: its path inside the mount ("d/open.txt").
std::string node_name(const std::filesystem::path& ram_root, const std::filesystem::path& host_path);

}  // namespace lua_bindings::ram_fs
