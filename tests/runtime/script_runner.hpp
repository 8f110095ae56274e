// Runs Lua scripts in-process on a Device and captures its log lines (without the Luatools prefix).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "lua_bindings/device/device.hpp"

namespace tests {

struct ScriptOptions {
    std::chrono::milliseconds run_for{3000};  // safety net; scripts normally end with os.exit
    std::uint64_t attach_delay_ms = 10;
    std::size_t heap = lua_bindings::LuaHeap::kDefaultBudget;
    std::map<std::string, std::string> files{};  // more /luadb/ files
    std::filesystem::path data_dir{};            // "" = a temporary folder
    bool banner = false;
    int tz_offset_minutes = 8 * 60;
    std::function<void(lua_bindings::Device&)> setup{};  // called before run()
};

struct ScriptResult {
    int exit_code = -1;
    int boots = 0;
    std::vector<std::string> lines;
};

ScriptResult run_script(const std::string& main_lua, const ScriptOptions& options = {});

// The lines that start with `prefix` (e.g. "I/user.t ").
std::vector<std::string> lines_with(const ScriptResult& r, const std::string& prefix);

// Every line but LuatOS's "E/main Lua VM exit" line, which a script ending with os.exit also gets:
// the lines a module's test compares (the script's, the C side's and the board's).
std::vector<std::string> lines_but_vm_exit(const ScriptResult& r);

// A script that logs the sorted names of a module's table, each number as NAME=VALUE
// ("I/user.t close open setup ..." for functions, "HIGH=1 LOW=0 ..." for constants).
std::string module_names_script(const std::string& module);

// A data folder under the system temp dir that outlives the runs given it (removed at the end).
struct DataDir {
    std::filesystem::path path;
    explicit DataDir(const std::string& prefix = "data-test");
    ~DataDir();
    DataDir(const DataDir&) = delete;
    DataDir& operator=(const DataDir&) = delete;
};

// A fixed identity for tests.
platform_air780ep::Identity test_identity();

}  // namespace tests
