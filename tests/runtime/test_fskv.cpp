// fskv: LuatOS's key-value store, kept in the device's data folder (docs/modules/fskv.md).
#include <catch2/catch.hpp>

#include <filesystem>

#include "script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;

TEST_CASE("fskv: before init every call logs LuatOS's error and returns nothing - init formats once") {
    DataDir dir;
    auto r = run_script(R"LUA(
        log.info("t", select('#', fskv.set("a", 1)), select('#', fskv.get("a")), select('#', fskv.status()))
        log.info("t", fskv.init(), fskv.init(), fdb == fskv, fskv.kv_get ~= nil)
        os.exit(0)
    )LUA",
                        ScriptOptions{.data_dir = dir.path});
    CHECK(r.lines == Lines{"E/fskv call fskv.init() first!!!", "E/fskv call fskv.init() first!!!",
                           "E/fskv call fskv.init() first!!!", "I/user.t 0 0 0",
                           "I/sfd.lfs sfd_lfs mount ret -84, exec auto-format", "D/sfd.lfs init ok",
                           "I/user.t true true true true"});
    // A second run finds the partition formatted.
    auto again = run_script("fskv.init() os.exit(0)", ScriptOptions{.data_dir = dir.path});
    CHECK(again.lines == Lines{"D/sfd.lfs init ok"});
}

TEST_CASE(
    "fskv: values as LuatOS stores them: floats in single precision / '' reads as absent / tables via json") {
    auto r = run_script(R"LUA(
        fskv.init()
        log.info("t", fskv.set("b", true), fskv.set("i", 0x7fffffffffffffff), fskv.set("f", 1.23),
                 fskv.set("s", "x\0y"), fskv.set("e", ""), fskv.set("t", {a = 1, b = {2, 3}}))
        log.info("t", fskv.get("b"), math.type(fskv.get("i")), fskv.get("i"), fskv.get("f") == string.unpack(">f", string.pack(">f", 1.23)),
                 #fskv.get("s"), select('#', fskv.get("e")), fskv.get("t").b[2], fskv.get("t", "a"))
        log.info("t", fskv.set("n", nil), fskv.set("fn", print), fskv.set(12, "num key"), fskv.get("12"))
        log.info("t", fskv.set("", 1), fskv.set("a/b", 1), fskv.set(string.rep("k", 255), 1), fskv.set(string.rep("k", 256), 1))
        log.info("t", fskv.set("big", string.rep("x", 4095)), fskv.set("big", string.rep("x", 4096)), #fskv.get("big"))
        log.info("t", select('#', fskv.get("missing")), fskv.del("missing"), fskv.del("b"), fskv.get("b"))
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") ==
          Lines{"I/user.t true true true true true true",
                "I/user.t true integer 9223372036854775807 true 3 0 3 1", "I/user.t false false true num key",
                "I/user.t false false true false", "I/user.t true false 4095", "I/user.t 0 true true"});
    CHECK(lines_with(r, "W/fskv") == Lines{"W/fskv function/userdata/nil/thread isn't allow",
                                           "W/fskv function/userdata/nil/thread isn't allow"});
    CHECK(lines_with(r, "E/fskv") == Lines{"E/fskv value too big 4097 max 4096"});
}

TEST_CASE("fskv: sett / iteration in name order / status and clear") {
    auto r = run_script(R"LUA(
        fskv.init()
        log.info("t", fskv.status())
        fskv.set("mykv", "123")
        log.info("t", fskv.sett("mykv", "age", "18"), json.encode(fskv.get("mykv")))
        log.info("t", fskv.sett("mykv", "name", "w"), fskv.sett("mykv", "age", nil), json.encode(fskv.get("mykv")))
        log.info("t", select('#', fskv.sett("mykv", "x")))
        fskv.set("b_2", 2) fskv.set("a1", 1) fskv.set("B", 0)
        local iter, keys = fskv.iter(), {}
        while true do local k = fskv.next(iter) if not k then break end keys[#keys + 1] = k end
        log.info("t", type(iter), table.concat(keys, ","))
        fskv.set("big", string.rep("x", 4000))
        log.info("t", fskv.status())
        log.info("t", fskv.clear(), fskv.status())
        log.info("t", pcall(fskv.next, "x"))
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") ==
          Lines{"I/user.t 8192 65536 0", "I/user.t true {\"age\":\"18\"}",
                "I/user.t true true {\"name\":\"w\"}", "I/user.t 0", "I/user.t userdata B,a1,b_2,mykv",
                "I/user.t 12288 65536 5", "I/user.t true 8192 65536 0",
                "I/user.t false bad argument #1 to 'fskv.next' (userdata expected, got string)"});
    CHECK(lines_with(r, "D/fskv") == Lines{"D/fskv require key skey value"});
}

TEST_CASE("fskv: the partition fills up at 64 KiB: a set that does not fit returns false") {
    auto r = run_script(R"LUA(
        fskv.init()
        local n = 0
        while fskv.set("k" .. n, string.rep("x", 4000)) do n = n + 1 end
        log.info("t", n, fskv.status())
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t 14 65536 65536 14"});
}

TEST_CASE("fskv: the store survives rtos.reboot() and a new run on the same data folder") {
    DataDir dir;
    auto r = run_script(R"LUA(
        fskv.init()
        local boots = (fskv.get("boots") or 0) + 1
        fskv.set("boots", boots)
        log.info("t", "boot", boots)
        if boots < 2 then rtos.reboot() end
        os.exit(0)
    )LUA",
                        ScriptOptions{.data_dir = dir.path});
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t boot 1", "I/user.t boot 2"});
    auto again = run_script(R"LUA(
        fskv.init() log.info("t", fskv.get("boots"), io.exists("/.system/fskv/boots")) os.exit(0)
    )LUA",
                            ScriptOptions{.data_dir = dir.path});
    CHECK(lines_with(again, "I/user.t") == Lines{"I/user.t 2 false"});
}
