// hmeta: what the module says it is (docs/modules/hmeta.md).
#include <catch2/catch.hpp>

#include "script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;

TEST_CASE(
    "hmeta: model Air780EP / hardware version A11 / chip EC718P - devid is the IMEI / muid the id in hex") {
    auto r = run_script(R"LUA(
        log.info("t", hmeta.model(), hmeta.hwver(), hmeta.chip(), rtos.bsp())
        log.info("t", hmeta.devid() == mobile.imei(), hmeta.muid(), hmeta.unique_id() == mcu.unique_id())
        log.info("t", require("hmeta") == hmeta)
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t Air780EP A11 EC718P EC718P",
                                             "I/user.t true 123456789ABCDEF0 true", "I/user.t true"});
}
