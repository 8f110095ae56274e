// The base library's LuatOS shape: the Lua 5.1/5.2 names LuatOS's Lua keeps (issue 11.6) and the
// standard functions closed to the host (issue 11.8); docs/lua.md, modules/base.md, io.md, os.md.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "script_runner.hpp"

using namespace tests;
using Lines = std::vector<std::string>;

TEST_CASE("Lua compatibility names as LuatOS: unpack, loadstring, table.maxn, __ipairs, module, unload") {
    auto r = run_script(R"LUA(
        local m = require("mymod")
        log.info("t", m == mymod, mymod.hello(), mymod._NAME, mymod._PACKAGE == "", mymod._M == mymod, mymod.seen)
        log.info("t", unpack({1, 2, 3}))
        log.info("t", unpack == table.unpack, loadstring == load, loadstring("return 1 + 1")())
        log.info("t", table.maxn({1, 2, [10] = 3, [2.5] = 1, x = 20}), table.maxn({}), math.type(table.maxn({5})))
        local t = setmetatable({}, {__ipairs = function(self) return function(_, i) if i < 2 then return i + 1, "v" end end, self, 0 end})
        for i, v in ipairs(t) do log.info("t", "ipairs", i, v) end
        for i, v in ipairs({"a", "b"}) do log.info("t", "ipairs", i, v) end
        log.info("t", pcall(module, "a.b"))
        log.info("t", type(a), type(a.b), package.loaded["a.b"] == a.b)
        log.info("t", select('#', unload("mymod")), package.loaded.mymod, require("mymod") == m)
        local obj = {}
        package.seeall(obj)
        log.info("t", obj.print == print, getmetatable(obj).__index == _G)
        os.exit(0)
    )LUA",
                        ScriptOptions{.files = {{"mymod.lua",
                                                 "module(\"mymod\", package.seeall)\n"
                                                 "function hello() return 'hi ' .. _NAME end\n"
                                                 "seen = print ~= nil\n"}}});
    CHECK(lines_but_vm_exit(r) ==
          Lines{"I/user.t true hi mymod mymod true true true", "I/user.t 1 2 3", "I/user.t true true 2",
                "I/user.t 10.000000000000 0.0000000000000 float", "I/user.t ipairs 1 v",
                "I/user.t ipairs 2 v", "I/user.t ipairs 1 a", "I/user.t ipairs 2 b",
                "I/user.t false 'module' not called from a Lua function", "I/user.t table table true",
                "I/user.t 0 nil true", "I/user.t true true"});
}

TEST_CASE("standard functions reach no host file, environment, shell or temporary folder") {
    DataDir dir;
    auto r = run_script(R"LUA(
        local function sp(...)
            local a, b = package.searchpath(...)
            log.info("t", a, b and (b:gsub("\n\t", "|")))
        end
        sp("shadow", "/etc/?")
        sp("passwd", "/etc/?")
        sp("passwd", "../../../../etc/?;/luadb/?.lua;")
        io.mkdir("/etc") io.writeFile("/etc/mine", "x")
        sp("mine", "/etc/?")
        sp("main", "/x/?;/luadb/?.lua")
        sp("a.b", "/luadb/?.lua", ".", "_")
        log.info("t", os.getenv("HOME"), os.getenv("PATH"), select('#', os.getenv("PATH")), pcall(os.getenv))
        log.info("t", os.setlocale, os.execute, os.tmpname, io.popen, debug.debug, math.type(os.clock()), os.clock())
        local f = io.tmpfile()
        f:write("abc") f:seek("set")
        log.info("t", f:read("a"), io.type(f), f:close(), io.type(f))
        os.exit(0)
    )LUA",
                        ScriptOptions{.data_dir = dir.path});
    CHECK(lines_but_vm_exit(r) ==
          Lines{"I/user.t nil no file '/etc/shadow'", "I/user.t nil no file '/etc/passwd'",
                "I/user.t nil no file '../../../../etc/passwd'|no file '/luadb/passwd.lua'|no file ''",
                "I/user.t /etc/mine nil", "I/user.t /luadb/main.lua nil",
                "I/user.t nil no file '/luadb/a_b.lua'",
                "I/user.t nil nil 1 false bad argument #1 to 'os.getenv' (string expected, got no value)",
                "I/user.t nil nil nil nil nil integer 0", "I/user.t abc file true closed file"});
    CHECK(std::filesystem::is_empty(dir.path / ".system" / "tmp"));  // removed from the folder at once

    // With the data folder's tmp unusable, io.tmpfile fails: it never falls back to the host's.
    DataDir blocked;
    std::filesystem::create_directories(blocked.path / ".system");
    std::ofstream(blocked.path / ".system" / "tmp") << "not a folder";
    auto b = run_script("log.info('t', io.tmpfile()) os.exit(0)", ScriptOptions{.data_dir = blocked.path});
    CHECK(lines_but_vm_exit(b) == Lines{"I/user.t nil Not a directory 20"});
}

TEST_CASE("io has no console and no default files, as on the module (liolib.c's Windows-only functions)") {
    auto r = run_script(R"LUA(
        log.info("t", io.read, io.write, io.close, io.flush, io.input, io.output, io.stdin, io.stdout, io.stderr)
        log.info("t", pcall(io.lines))
        local f = io.open("/luadb/main.lua")
        log.info("t", f.setvbuf, type(f.read), type(f.write), type(f.seek), type(f.lines), type(f.flush))
        f:close()
        log.info("t", pcall(function() io.write("x") end))
        os.exit(0)
    )LUA");
    CHECK(lines_but_vm_exit(r) ==
          Lines{"I/user.t nil nil nil nil nil nil nil nil nil", "I/user.t false default input file is closed",
                "I/user.t nil function function function function function",
                "I/user.t false [string \"main.lua\"]:7: attempt to call a nil value (field 'write')"});
}
