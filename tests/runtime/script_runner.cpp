#include "script_runner.hpp"

#include <stdlib.h>

namespace tests {

DataDir::DataDir(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    path = ::mkdtemp(pattern.data());
}

DataDir::~DataDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

platform_air780ep::Identity test_identity() {
    std::string error;
    auto id = platform_air780ep::make_identity("test", std::string("\x12\x34\x56\x78\x9A\xBC\xDE\xF0", 8),
                                               std::nullopt, error);
    return *id;
}

ScriptResult run_script(const std::string& main_lua, const ScriptOptions& options) {
    platform_air780ep::LuadbImage image;
    image.add("main.lua", main_lua);
    for (const auto& [name, content] : options.files)
        image.add(name, content);
    lua_bindings::DeviceConfig cfg;
    cfg.log_to_stdout = false;
    cfg.boot_banner = options.banner;
    cfg.attach_delay_ms = options.attach_delay_ms;
    cfg.heap_budget = options.heap;
    cfg.data_dir = options.data_dir;
    cfg.tz_offset_minutes = options.tz_offset_minutes;
    lua_bindings::Device device(cfg, test_identity(), std::move(image));
    ScriptResult result;
    device.logger().add_sink([&](std::string_view line) { result.lines.emplace_back(line); });
    if (options.setup) options.setup(device);
    result.exit_code = device.run(options.run_for);
    result.boots = device.boot_count();
    return result;
}

std::vector<std::string> lines_with(const ScriptResult& r, const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& l : r.lines) {
        if (l.starts_with(prefix)) out.push_back(l);
    }
    return out;
}

std::vector<std::string> lines_but_vm_exit(const ScriptResult& r) {
    std::vector<std::string> out;
    for (const auto& l : r.lines) {
        if (!l.starts_with("E/main Lua VM exit")) out.push_back(l);
    }
    return out;
}

std::string module_names_script(const std::string& module) {
    return R"LUA(
        local names = {}
        for k, v in pairs()LUA" +
           module + R"LUA() do names[#names + 1] = k .. (type(v) == "number" and ("=" .. v) or "") end
        table.sort(names)
        log.info("t", table.concat(names, " "))
        os.exit(0)
    )LUA";
}

}  // namespace tests
