// The read-only /luadb/ image: the files flashed with the scripts.
//
// As Luatools does when it flashes a project, every file given (or found under a given folder,
// recursively) is stored flat, by its base name: `mqtt/mqtt_main.lua` becomes
// `/luadb/mqtt_main.lua`. Two files with the same base name and the same bytes (an official demo
// folder holds the same CA file in two variants' sub-folders) are flashed once: the first is kept and
// a warning says so, as the LuatOS PC simulator keeps the first. Two different files with one base
// name are an error: which one a script would read is not defined. The image is loaded once and is
// immutable afterwards; `main.lua` is the entry point.
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
    // What loading noticed and accepted (identical duplicates), one line each, for the device log.
    [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }

  private:
    std::map<std::string, std::string, std::less<>> files_;
    std::map<std::string, std::string, std::less<>> sources_;
    std::vector<std::string> warnings_;
};

}  // namespace platform_air780ep
