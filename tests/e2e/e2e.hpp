// Shared by the end-to-end tests: the two network paths and a few Lua snippets.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "tests/support/device_runner.hpp"
#include "tests/support/mosquitto.hpp"
#include "tests/support/mqtt_observer.hpp"

// Every end-to-end MQTT test also passes over lwIP (issue 6): one test case per path, so that ctest
// runs them in separate processes (lwIP is one per process) and in parallel.
#define E2E_ON_BOTH_PATHS(name, body)     \
    TEST_CASE(name " (eth0)") {           \
        body(luat::test::NetPath::kEth0); \
    }                                     \
    TEST_CASE(name " (lwip)") {           \
        body(luat::test::NetPath::kLwip); \
    }

namespace luat::test {

inline std::string joined(const Lines& lines) {
    std::string s;
    for (const auto& l : lines)
        s += l + "\n";
    return s;
}

}  // namespace luat::test

// Compare two lists of lines exactly; on a mismatch show both whole, one line each.
#define CHECK_LINES(actual, ...)                                   \
    do {                                                           \
        const luat::test::Lines actual_lines_ = (actual);          \
        const luat::test::Lines expected_lines_ = __VA_ARGS__;     \
        INFO("actual:\n"                                           \
             << luat::test::joined(actual_lines_) << "expected:\n" \
             << luat::test::joined(expected_lines_));              \
        CHECK(actual_lines_ == expected_lines_);                   \
    } while (false)

namespace luat::test {

// Lua: `ev(client, event, data, payload, metas)` logs one event as "I/user.ev <event> <data> <payload>"
// (a "recv" as its topic, payload length and metas), so that tests compare event sequences exactly.
inline const std::string kEventLog = R"LUA(
function ev(c, event, data, payload, metas)
    if event == "recv" then
        log.info("ev", event, data, #payload, metas.qos, metas.retain, metas.dup)
    else
        log.info("ev", event, data, payload)
    end
end
)LUA";

}  // namespace luat::test
