#include "luadb_image.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "platform_air780ep/host_file.hpp"

namespace platform_air780ep {

namespace fs = std::filesystem;

namespace {

bool hidden(const fs::path& p) {
    const std::string name = p.filename().string();
    return !name.empty() && name[0] == '.';
}

}  // namespace

std::optional<LuadbImage> LuadbImage::load(std::span<const std::string> paths, std::string& error) {
    LuadbImage image;
    auto add_file = [&](const fs::path& p) -> bool {
        const std::string name = p.filename().string();
        std::string why;
        std::optional<std::string> content = read_host_file(p.string(), why);
        if (!content) {
            error = "cannot read " + p.string();
            return false;
        }
        if (auto it = image.sources_.find(name); it != image.sources_.end()) {
            if (image.files_[name] == *content) {
                image.warnings_.push_back("/luadb/" + name + " is given twice with the same content (" +
                                          it->second + " and " + p.string() + "): flashed once");
                return true;
            }
            error = "two different files are both /luadb/" + name + ": " + it->second + " and " + p.string();
            return false;
        }
        image.files_[name] = std::move(*content);
        image.sources_[name] = p.string();
        return true;
    };

    for (const std::string& arg : paths) {
        std::error_code ec;
        const fs::path p(arg);
        const auto status = fs::status(p, ec);
        if (ec || !fs::exists(status)) {
            error = "no such file or folder: " + arg;
            return std::nullopt;
        }
        if (fs::is_directory(status)) {
            std::vector<fs::path> found;
            auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
            for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (hidden(it->path())) {
                    if (it->is_directory()) it.disable_recursion_pending();
                    continue;
                }
                if (it->is_regular_file()) found.push_back(it->path());
            }
            if (ec) {
                error = "cannot list " + arg + ": " + ec.message();
                return std::nullopt;
            }
            std::sort(found.begin(), found.end());  // deterministic duplicate reports
            for (const auto& f : found) {
                if (!add_file(f)) return std::nullopt;
            }
        } else {
            if (!add_file(p)) return std::nullopt;
        }
    }
    return image;
}

void LuadbImage::add(std::string name, std::string content) {
    sources_.erase(name);
    files_[std::move(name)] = std::move(content);
}

const std::string* LuadbImage::find(std::string_view name) const {
    auto it = files_.find(name);
    return it == files_.end() ? nullptr : &it->second;
}

bool LuadbImage::is_image_path(std::string_view path) {
    return path.starts_with(kMountPoint) || path == kMountPoint.substr(0, kMountPoint.size() - 1);
}

const std::string* LuadbImage::find_path(std::string_view path) const {
    if (!path.starts_with(kMountPoint)) return nullptr;
    return find(path.substr(kMountPoint.size()));
}

std::vector<std::string> LuadbImage::names() const {
    std::vector<std::string> out;
    out.reserve(files_.size());
    for (const auto& [name, content] : files_)
        out.push_back(name);
    return out;
}

std::size_t LuadbImage::total_bytes() const {
    std::size_t n = 0;
    for (const auto& [name, content] : files_)
        n += content.size();
    return n;
}

}  // namespace platform_air780ep
