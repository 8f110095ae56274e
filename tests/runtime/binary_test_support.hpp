// Shared by the zbuff, pack and bit tests: run a script and keep the lines it and the modules log.
#pragma once

#include <string>
#include <vector>

#include "script_runner.hpp"

namespace tests {

// Lua helpers for these tests:
//   t(...)         logs "I/user.t ..."
//   err(f, ...)    pcall(f, ...) -> ok, the message without its "[string "main.lua"]:N: " prefix
inline const std::string kBinaryPrelude = R"LUA(
function t(...) log.info("t", ...) end
function err(f, ...)
    local ok, e = pcall(f, ...)
    return ok, (tostring(e):gsub('^%[string "main.lua"%]:%d+: ', ""))
end
)LUA";

// Runs prelude + body + os.exit(0); the lines other than the boot and VM-exit ones (*/main).
inline std::vector<std::string> run_lines(const std::string& body, const ScriptOptions& options = {}) {
    const ScriptResult r = run_script(kBinaryPrelude + body + "\nos.exit(0)\n", options);
    std::vector<std::string> out;
    for (const auto& l : r.lines) {
        if (l.size() > 2 && l.compare(1, 6, "/main ") == 0) continue;
        out.push_back(l);
    }
    return out;
}

}  // namespace tests
