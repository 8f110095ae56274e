#include <catch2/catch.hpp>
#include <regex>
#include <string>
#include <vector>

#include "sys_task/logger.hpp"

using namespace sys_task;

TEST_CASE("C-side lines are `<L>/<tag> <text>` and obey the level") {
    Logger log;
    log.set_stdout(false);
    std::vector<std::string> lines;
    log.add_sink([&](std::string_view l) { lines.emplace_back(l); });
    log.info("mqtt", "hello");
    log.debug("net", "d");
    log.set_level(kLogWarn);
    log.info("mqtt", "hidden");
    log.warn("mqtt", "w");
    log.error("main", "e");
    log.line("print line, never filtered");
    CHECK(lines == std::vector<std::string>{"I/mqtt hello", "D/net d", "W/mqtt w", "E/main e",
                                            "print line, never filtered"});
}

TEST_CASE("the Luatools prefix has wall clock and a 9-digit uptime") {
    Logger log;
    const std::string p = log.prefix();
    CHECK(std::regex_match(p, std::regex(R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\]\[\d{9}\.\d{3}\] )")));
}
