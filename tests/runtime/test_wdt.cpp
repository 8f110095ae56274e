// wdt: the hardware watchdog (docs/modules/wdt.md).
#include <catch2/catch.hpp>

#include "script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;

TEST_CASE("wdt: init and setTimeout take 20..60 s (or ms over 1000) - feed and close succeed") {
    auto r = run_script(R"LUA(
        log.info("t", wdt.init(), wdt.init(10), wdt.init(61), wdt.init(20), wdt.init(60000), wdt.init(1500))
        log.info("t", wdt.setTimeout(30), wdt.setTimeout(5), wdt.feed(), wdt.close())
        log.info("t", pcall(wdt.init, "x"))
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") ==
          Lines{"I/user.t false false false true true false", "I/user.t true false true true",
                "I/user.t false bad argument #1 to 'wdt.init' (number expected, got string)"});
}

TEST_CASE("wdt: an idle script is never reset (the idle task kicks the dog)") {
    auto r = run_script(R"LUA(
        log.info("t", wdt.init(20))
        sys.taskInit(function() sys.wait(2500) log.info("t", "alive") os.exit(0) end)
        sys.run()
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t true", "I/user.t alive"});
    CHECK(r.boots == 1);
}
