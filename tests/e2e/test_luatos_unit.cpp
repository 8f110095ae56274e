// LuatOS's own unit tests (its repository's testcase/unit/, with the runner of testcase/common/
// scripts/), run through `luatos` as their README says: `luatos testcase/common/scripts/
// testcase/unit/<domain>/<case>/scripts/`. The cases come from the LuatOS repository's git directory
// (LUATOS_MIRROR, by default the workplace's mirror), extracted into a temporary folder at test time;
// without it each test is skipped with a message. A case passes when its runner prints
// `### OVERALL_PASS ###` (on a device the runner does not exit; it reports and stays up).
//
// The cases listed are those that apply to the Air780EP and pass (docs/luatos_unit.md lists all of
// them with the reason for each that is not here).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "tests/e2e/e2e.hpp"
#include "tests/support/luatos_process.hpp"
#include "tests/support/process.hpp"

using namespace tests;

namespace {

std::filesystem::path luatos_mirror() {
    const char* env = std::getenv("LUATOS_MIRROR");
    return env != nullptr ? std::filesystem::path(env) : std::filesystem::path(LUATOS_MIRROR_DEFAULT);
}

void run_unit_case(const std::string& unit_case) {
    const std::filesystem::path mirror = luatos_mirror();
    if (!std::filesystem::exists(mirror / "HEAD")) {
        WARN("skipped: LuatOS's repository (a git directory) is not at " << mirror.string()
                                                                         << "; set LUATOS_MIRROR to run "
                                                                            "its unit tests");
        return;
    }
    TempDir dir("luatos-unit");
    const std::string tar = (dir.path() / "testcase.tar").string();
    run_command({"git", "--git-dir", mirror.string(), "archive", "-o", tar, "HEAD", "testcase/common/scripts",
                 "testcase/unit/" + unit_case},
                dir.path() / "git.log");
    run_command({"tar", "-xf", tar, "-C", dir.path().string()}, dir.path() / "tar.log");
    const std::filesystem::path root = dir.path() / "testcase";
    LuatosProcess p({"--data-dir", (dir.path() / "data").string(), (root / "common/scripts").string() + "/",
                     (root / "unit" / unit_case / "scripts").string() + "/"});
    const bool done = p.wait_for(
        [](const Lines& lines) {
            for (const auto& l : lines) {
                if (l.find("### OVERALL_") != std::string::npos || l.find("Lua VM exit") != std::string::npos)
                    return true;
            }
            return false;
        },
        120s);
    p.signal(SIGTERM);
    p.wait();
    const Lines lines = p.lines();
    INFO(joined(lines_containing(lines, "suite")));
    CHECK(done);
    CHECK(lines_containing(lines, "### OVERALL_PASS ###").size() == 1);
    CHECK(lines_containing(lines, "### OVERALL_FAIL ###").empty());
}

}  // namespace

#define LUATOS_UNIT(unit_case)                 \
    TEST_CASE("LuatOS unit test " unit_case) { \
        run_unit_case(unit_case);              \
    }

LUATOS_UNIT("crypto/crypto")
LUATOS_UNIT("crypto/gmssl")
LUATOS_UNIT("crypto/iotauth")
LUATOS_UNIT("crypto/rsa")
LUATOS_UNIT("crypto/xxtea")
LUATOS_UNIT("driver/adc")
LUATOS_UNIT("driver/uart1_and_uart2_loop")
LUATOS_UNIT("driver/uart_zbuff_basic")
LUATOS_UNIT("fs/fs")
LUATOS_UNIT("fs/ramfs")
LUATOS_UNIT("json/json")
LUATOS_UNIT("net/sntp")
LUATOS_UNIT("perf/miniz")
LUATOS_UNIT("perf/pack")
LUATOS_UNIT("perf/perf_basic")
LUATOS_UNIT("system/bit64")
LUATOS_UNIT("system/iconv")
LUATOS_UNIT("system/mcu")
LUATOS_UNIT("system/os")
LUATOS_UNIT("system/string")
LUATOS_UNIT("system/zbuff")
