// Helpers of the data-module tests: a script's "t"-tagged lines, and files of shared/luatos/.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/runtime/script_runner.hpp"

namespace tests {

using Lines = std::vector<std::string>;

// Runs `script` (then os.exit(0)) and returns the lines it logged with log.info("t", ...), prefix
// included. The script can use err(f): pcall's results, the error without its "main.lua:N:" part.
inline const std::string kErrHelper = R"LUA(
        local function err(f, ...)
            local ok, e = pcall(f, ...)
            return ok, (tostring(e):gsub('^%[string "main.lua"%]:%d+: ', ""))
        end
    )LUA";
inline Lines t_lines(const std::string& script, const ScriptOptions& options = {}) {
    return lines_with(run_script(kErrHelper + script + "\nos.exit(0)\n", options), "I/user.t ");
}

// shared/luatos/<relative>, if the checkout has shared/ beside it.
inline std::optional<std::filesystem::path> shared_luatos(const std::string& relative) {
    const std::filesystem::path p = std::filesystem::path(LUATOS_SHARED_DIR) / "luatos" / relative;
    if (!std::filesystem::exists(p)) return std::nullopt;
    return p;
}

}  // namespace tests
