#include "device_fs.hpp"

#include <vector>

namespace lua_bindings {

DeviceFs::Resolved DeviceFs::resolve(std::string_view path) const {
    std::vector<std::string_view> parts;
    while (!path.empty()) {
        const auto slash = path.find('/');
        const std::string_view part = path.substr(0, slash);
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
            continue;
        }
        parts.push_back(part);
    }
    Resolved r;
    std::string normal(1, '/');  // (built by appending: GCC 12 warns falsely on `= "/"` here)
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) normal += '/';
        normal += parts[i];
    }
    r.device_path = std::move(normal);
    const std::string_view top = parts.empty() ? std::string_view{} : parts[0];
    if (top == "luadb" || top == "lua" || top == kSystemFolder) {
        // Read-only: the script image; LuatOS's built-in Lua libraries (none as files here: sys is
        // C++); the runtime's own folder (fskv, /ram/), which scripts never see.
        r.kind = Resolved::Kind::kImage;
        if (top == "luadb" && parts.size() == 2) r.image_file = image_.find(parts[1]);
        return r;
    }
    r.kind = Resolved::Kind::kData;
    r.host_path = root_;
    std::size_t first = 0;
    if (top == "ram") {  // the RAM file system: a folder the device empties at every boot
        r.host_path = ram_root(root_);
        first = 1;
    }
    for (std::size_t i = first; i < parts.size(); ++i)
        r.host_path /= std::string(parts[i]);
    return r;
}

std::filesystem::path DeviceFs::ram_root(const std::filesystem::path& data_root) {
    return data_root / kSystemFolder / "ram";
}

bool mode_writes(std::string_view mode) {
    return mode.find_first_of("wa+") != std::string_view::npos;
}

}  // namespace lua_bindings
