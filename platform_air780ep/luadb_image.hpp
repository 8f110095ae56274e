// The read-only /luadb/ image: the files flashed with the scripts.
//
// As Luatools does when it flashes a project, every file given (or found under a given folder,
// recursively) is stored flat, by its base name: `mqtt/mqtt_main.lua` becomes
// `/luadb/mqtt_main.lua`. Two files with the same base name are an error. The image is loaded once
// and is immutable afterwards; `main.lua` is the entry point.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace platform_air780ep {

class LuadbImage {
  public:
    static constexpr std::string_view kMountPoint = "/luadb/";

    // Load files and folders (recursively; hidden files and folders are skipped). On error returns
    // nullopt with a message in `error`.
    static std::optional<LuadbImage> load(std::span<const std::string> paths, std::string& error);

    // Add (or replace) a file from memory.
    void add(std::string name, std::string content);

    // The file called `name` ("main.lua"), or nullptr.
    [[nodiscard]] const std::string* find(std::string_view name) const;
    // The file for a path "/luadb/<name>", or nullptr (also for paths outside /luadb/).
    [[nodiscard]] const std::string* find_path(std::string_view path) const;
    // Is `path` inside the image's mount point ("/luadb/...", or "/luadb" itself)?
    static bool is_image_path(std::string_view path);

    [[nodiscard]] bool has_main() const { return find("main.lua") != nullptr; }
    [[nodiscard]] std::vector<std::string> names() const;
    [[nodiscard]] std::size_t size() const { return files_.size(); }
    [[nodiscard]] std::size_t total_bytes() const;
    // Where each file came from (for messages); empty for files added from memory.
    [[nodiscard]] const std::map<std::string, std::string, std::less<>>& sources() const { return sources_; }

  private:
    std::map<std::string, std::string, std::less<>> files_;
    std::map<std::string, std::string, std::less<>> sources_;
};

}  // namespace platform_air780ep
