// LuatOS's file-system additions to io, /ram/ and /lua/ (docs/modules/io.md).
#include <catch2/catch.hpp>

#include "script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;

TEST_CASE("io.fsstat: the flash (lfs / 42 blocks of 4 KiB) / /ram/ / /luadb/ - /lua/ has no info") {
    auto r = run_script(R"LUA(
        log.info("t", io.fsstat())
        io.mkdir("/d") io.writeFile("/d/big", string.rep("x", 5000)) io.writeFile("/small", "x")
        log.info("t", io.fsstat("/"))
        io.writeFile("/ram/a", string.rep("y", 5000))
        local ok, total, used, size, kind = io.fsstat("/ram/")
        log.info("t", ok, total > 0, used, size, kind)
        log.info("t", io.fsstat("/luadb/"))
        log.info("t", io.fsstat("/lua/"))
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t true 42 2 4096 lfs", "I/user.t true 42 6 4096 lfs",
                                             "I/user.t true true 2 4096 ram", "I/user.t true 512 2 512 luadb",
                                             "I/user.t false"});
    CHECK(lines_with(r, "E/vfs") == Lines{"E/vfs no such mount point /lua/"});
}

TEST_CASE(
    "io.lsdir: sorted entries with type and size / len and offset as the EC718 / the runtime's folder "
    "hidden") {
    auto r = run_script(R"LUA(
        io.mkdir("/dir")
        io.writeFile("/dir/b.txt", "bb") io.writeFile("/dir/a.txt", "a") io.mkdir("/dir/sub")
        log.info("t", json.encode(select(2, io.lsdir("/dir/"))))
        log.info("t", json.encode(select(2, io.lsdir("/dir", 1))), json.encode(select(2, io.lsdir("/dir", 10, 3))))
        log.info("t", json.encode(select(2, io.lsdir("/"))))
        log.info("t", io.lsdir("/missing"), #select(2, io.lsdir("/lua/")))
        local img = select(2, io.lsdir("/luadb/"))
        log.info("t", #img, img[1].name, img[1].type, img[1].size == #io.readFile("/luadb/main.lua"))
        log.info("t", io.dexist("/dir"), io.dexist("/dir/a.txt"), io.dexist("/nope"), io.dexist("/"), io.dexist("/luadb"))
        log.info("t", io.FILE, io.DIR, io.fsize("/dir/b.txt"), io.fsize == io.fileSize, fs.lsdir == io.lsdir, fs ~= io)
        log.info("t", json.encode(io.lsmount()))
        os.exit(0)
    )LUA");
    CHECK(
        lines_with(r, "I/user.t") ==
        Lines{
            R"(I/user.t [{"name":"a.txt","size":1,"type":0},{"name":"b.txt","size":2,"type":0},{"name":"sub","size":0,"type":1}])",
            R"(I/user.t [{"name":"a.txt","size":1,"type":0}] [{"name":"b.txt","size":2,"type":0},{"name":"sub","size":0,"type":1}])",
            R"(I/user.t [{"name":"dir","size":0,"type":1}])", "I/user.t true 0", "I/user.t 1 main.lua 0 true",
            "I/user.t true false false true true", "I/user.t 0 1 2 true true true",
            R"(I/user.t [{"fs":"ec7xx","path":""},{"fs":"inline","path":"/lua/"},{"fs":"ram","path":"/ram/"},{"fs":"luadb","path":"/luadb/"}])"});
}

TEST_CASE("/ram/ is emptied by a reboot - /lua/ and the runtime's folder are read-only") {
    auto r = run_script(R"LUA(
        log.info("t", io.exists("/ram/boot"), io.exists("/keep"))
        if not io.exists("/keep") then
            log.info("t", io.writeFile("/ram/boot", "1"), io.writeFile("/keep", "1"), io.readFile("/ram/boot"))
            rtos.reboot()
        end
        log.info("t", select('#', io.writeFile("/lua/x.lua", "x")), io.mkdir("/lua/d"))
        log.info("t", io.exists("/.system"), io.open("/lua/sys.lua"))
        log.info("t", io.open("/.system/x", "w"))
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t false false", "I/user.t true true 1",
                                             "I/user.t false true", "I/user.t 0 false -30",
                                             "I/user.t false nil /lua/sys.lua: No such file or directory 2",
                                             "I/user.t nil /.system/x: Read-only file system 30"});
}

TEST_CASE("a folder is not a file: io.fsize(\"/\") and io.fsize(\"\") are 0, io.open of a folder fails") {
    auto r = run_script(R"LUA(
        io.mkdir("/d")
        log.info("t", io.fsize("/"), io.fsize(""), io.fileSize("/d"), io.exists("/d"), io.exists("/"))
        log.info("t", io.open("/d"))
        log.info("t", select('#', io.readFile("/d")), select('#', io.writeFile("/d", "x")))
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") ==
          Lines{"I/user.t 0 0 0 false false", "I/user.t nil /d: Is a directory 21", "I/user.t 0 0"});
}

TEST_CASE("/ram/ as luat_fs_mem.c: recursive mkdir, open files kept, no mkfs, 127-character paths") {
    auto r = run_script(R"LUA(
        log.info("t", io.mkdir("/ram/a/b/c"), io.mkdir("/ram/a/b"), io.dexist("/ram/a/b/c"))
        io.writeFile("/ram/a/b/c/f.txt", "data")
        log.info("t", io.mkdir("/ram/a/b/c/f.txt/x"), io.rmdir("/ram/a/b"), io.rmdir("/ram/missing"))
        local f = io.open("/ram/a/b/c/f.txt", "r")
        log.info("t", os.remove("/ram/a/b/c/f.txt"))
        log.info("t", os.rename("/ram/a/b/c/f.txt", "/ram/g.txt"))
        log.info("t", os.rename("/ram/a", "/ram/z"))
        f:close()
        log.info("t", os.rename("/ram/a", "/ram/z"), io.readFile("/ram/z/b/c/f.txt"))
        log.info("t", os.remove("/ram/z/b/c"))
        log.info("t", os.remove("/ram/z/b/c/f.txt"), io.rmdir("/ram/z/b/c"))
        log.info("t", io.mkfs("/ram/"))
        local long = "/ram/" .. string.rep("n", 127)
        log.info("t", io.writeFile(long, "x"), select('#', io.writeFile(long .. "n", "x")), io.mkdir(long .. "n"))
        log.info("t", io.open(long .. "n", "w"))
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") ==
          Lines{"I/user.t true true true", "I/user.t false false false -1",
                "I/user.t nil /ram/a/b/c/f.txt: Device or resource busy 16",
                "I/user.t nil Device or resource busy 16", "I/user.t nil Device or resource busy 16",
                "I/user.t true data", "I/user.t nil /ram/z/b/c: Is a directory 21", "I/user.t true true 0",
                "I/user.t false -1", "I/user.t true 0 false -1",
                "I/user.t nil /ram/" + std::string(128, 'n') + ": File name too long 36"});
    CHECK(lines_with(r, "W/fs") == Lines{"W/fs remove: file a/b/c/f.txt is still open",
                                         "W/fs rename: file a/b/c/f.txt is still open",
                                         "W/fs rename: file a/b/c/f.txt is still open"});
}

TEST_CASE("/ram/ holds at most 512 files and folders (RAM_NODE_MAX)") {
    auto r = run_script(R"LUA(
        io.mkdir("/ram/d")
        local made = 1
        for i = 1, 600 do
            if not io.writeFile("/ram/d/" .. i, "") then break end
            made = made + 1
        end
        log.info("t", made, io.mkdir("/ram/e"), io.writeFile("/ram/d/1", "again"), io.readFile("/ram/d/1"))
        os.remove("/ram/d/1")
        log.info("t", io.mkdir("/ram/e"))
        os.exit(0)
    )LUA");
    CHECK(lines_with(r, "I/user.t") == Lines{"I/user.t 512 false true again", "I/user.t true 0"});
    CHECK(lines_with(r, "E/fs") == Lines{"E/fs too many ram nodes >= 512", "E/fs too many ram nodes >= 512"});
}
