#include "lua_bindings/device/ram_fs.hpp"

#include <algorithm>
#include <system_error>

namespace lua_bindings::ram_fs {

namespace fs = std::filesystem;

bool path_fits(std::string_view device_path) {
    constexpr std::string_view kMount = "/ram";
    std::string_view inside = device_path.substr(std::min(device_path.size(), kMount.size()));
    if (inside.starts_with('/')) inside.remove_prefix(1);
    return inside.size() <= kMaxPath;
}

std::size_t node_count(const fs::path& root) {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        ++n;
    return n;
}

std::optional<fs::path> open_file_at(const fs::path& host_path) {
    std::error_code ec;
    const fs::path target = fs::weakly_canonical(host_path, ec);
    if (ec) return std::nullopt;
    const std::string prefix = target.string() + "/";
    // The kernel's own table of this process's open descriptors, each a link to the file it is open on.
    for (const auto& fd : fs::directory_iterator("/proc/self/fd", ec)) {
        std::error_code link_ec;
        const fs::path open = fs::read_symlink(fd.path(), link_ec);
        if (link_ec) continue;
        if (open == target || open.string().starts_with(prefix)) return open;
    }
    return std::nullopt;
}

std::string node_name(const fs::path& ram_root, const fs::path& host_path) {
    std::error_code ec;
    const fs::path root = fs::weakly_canonical(ram_root, ec);
    return fs::weakly_canonical(host_path, ec).lexically_relative(root).generic_string();
}

}  // namespace lua_bindings::ram_fs
