// Shared by the end-to-end tests: the two network paths and a few Lua snippets.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "tests/support/device_runner.hpp"
#include "tests/support/mosquitto.hpp"
#include "tests/support/mqtt_observer.hpp"

// Every end-to-end MQTT test also passes over lwIP (issue 6): one test case per path, so that ctest
// runs them in separate processes (lwIP is one per process) and in parallel.
#define E2E_ON_BOTH_PATHS(name, body) \
    TEST_CASE(name " (eth0)") {       \
        body(tests::NetPath::kEth0);  \
    }                                 \
    TEST_CASE(name " (lwip)") {       \
        body(tests::NetPath::kLwip);  \
    }

namespace tests {

inline std::string joined(const Lines& lines) {
    std::string s;
    for (const auto& l : lines)
        s += l + "\n";
    return s;
}

}  // namespace tests

// Compare two lists of lines exactly; on a mismatch show both whole, one line each.
#define CHECK_LINES(actual, ...)                              \
    do {                                                      \
        const tests::Lines actual_lines_ = (actual);          \
        const tests::Lines expected_lines_ = __VA_ARGS__;     \
        INFO("actual:\n"                                      \
             << tests::joined(actual_lines_) << "expected:\n" \
             << tests::joined(expected_lines_));              \
        CHECK(actual_lines_ == expected_lines_);              \
    } while (false)

namespace tests {

// Lua helpers for event tests:
//   ev(client, event, data, payload, metas): the callback; logs "I/user.ev <event> <data> <payload>" (a
//     "recv" as "I/user.ev recv <topic> <payload length> <qos> <retain> <dup>") and publishes
//     "EV_<event>" with data and payload, so that tasks can wait for one event;
//   wait_ev(name [, ms]): waits for that event (10 s by default) and returns its data and payload;
//     a timeout logs "I/user.timeout <name>" and ends the run with exit code 3;
//   main(fn): runs fn in a task once the network is up, then os.exit(0).
inline const std::string kLuaPrelude = R"LUA(
function ev(c, event, data, payload, metas)
    if event == "recv" then
        log.info("ev", event, data, #payload, metas.qos, metas.retain, metas.dup)
    else
        log.info("ev", event, data, payload)
    end
    sys.publish("EV_" .. event, data, payload)
end
function wait_ev(name, ms)
    local ok, data, payload = sys.waitUntil("EV_" .. name, ms or 10000)
    if not ok then
        log.info("timeout", name)
        os.exit(3)
    end
    return data, payload
end
function main(fn)
    sys.taskInit(function()
        sys.waitUntil("IP_READY")
        fn()
        os.exit(0)
    end)
    sys.run()
end
)LUA";

}  // namespace tests

namespace tests {

// The official LuatOS demo folder shared/luatos/demo/<name> beside the repository, or nullopt.
inline std::optional<std::filesystem::path> official_demo(const std::string& name) {
    const std::filesystem::path p = repo_path("../shared/luatos/demo/" + name);
    if (!std::filesystem::is_directory(p)) return std::nullopt;
    return p;
}

// `var` = official_demo(name); a test without the official scripts beside the repository warns
// and ends there.
#define OFFICIAL_DEMO(var, name)                                          \
    const std::optional<std::filesystem::path> var = official_demo(name); \
    if (!var) {                                                           \
        WARN("skipped: the official LuatOS demo '" name                   \
             "' is not in ../shared/luatos/demo/ beside the "             \
             "repository");                                               \
        return;                                                           \
    }

// The lines that say a script died: the runtime's E/main lines and the VM-exit line.
inline Lines vm_errors(const Lines& lines) {
    Lines out;
    for (const auto& l : lines) {
        if (l.starts_with("E/main") || l.find("Lua VM exit") != std::string::npos) out.push_back(l);
    }
    return out;
}

// In a copy of an official demo: replace the one place `from` is in `file` with `to` (a choice the
// demo leaves to its user, e.g. which netdrv or which variant main.lua requires). `from` must be there.
inline void replace_in_copy(const std::filesystem::path& file, const std::string& from,
                            const std::string& to) {
    std::string text;
    {
        std::ifstream in(file, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        text = s.str();
    }
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    std::ofstream(file, std::ios::binary) << text;
}

}  // namespace tests
