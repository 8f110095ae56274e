// errDump through `luatos` (docs/modules/errdump.md): the records across a second run on the same
// --data-dir (a VM-ending error is the system record), the upload as one UDP datagram to a local
// sink that the host map stands in for LuatOS's server, its retries and answers, and the official
// errdump demo (shared/luatos/demo/errdump beside the repository) in its three variants: the default
// one unchanged, the other two flashed with a test main.lua that requires them (their own main.lua
// picks the default one).
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>

#include "tests/e2e/e2e.hpp"
#include "tests/support/echo_peers.hpp"
#include "tests/support/luatos_process.hpp"

using namespace tests;

namespace {

UdpEchoPeer::Reply answer(std::string text) {
    return [text](std::size_t, const std::string&) { return std::optional<std::string>(text); };
}

std::string sink_host(const std::string& name, const UdpEchoPeer& sink) {
    return name + "=127.0.0.1:" + std::to_string(sink.port());
}

Lines errdump_lines(const Lines& lines) {
    Lines out;
    for (const auto& l : lines) {
        if (l.starts_with("D/errDump") || l.starts_with("E/errDump")) out.push_back(l);
    }
    return out;
}

// \r, \n and \t shown, so that a mismatch can be seen.
std::string escaped(const std::string& s) {
    std::string out;
    for (const char c : s) {
        if (c == '\r') {
            out += "\\r";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else {
            out += c;
        }
    }
    return out;
}

std::string imei_of(const Lines& lines) {
    for (const auto& l : lines) {
        if (l.starts_with("I/user.t imei ")) return l.substr(14);
    }
    return "?";
}

// The demo's files but main.lua, LuatOS's libnet, and a main.lua that loads `variant` (as its own main.lua
// would with that require line uncommented).
std::vector<std::string> variant_args(const std::filesystem::path& demo, const std::string& variant,
                                      const TempDir& dir) {
    write_file(dir.path() / "main.lua",
               "PROJECT = \"errdump_demo\"\nVERSION = \"001.999.000\"\n"
               "log.info(\"main\", PROJECT, VERSION)\nrequire \"netdrv_device\"\n"
               "require \"" +
                   variant + "\"\nsys.run()\n");
    // errdump_tcp/ uses libnet, one of LuatOS's Lua libraries, which Luatools flashes with a project.
    std::vector<std::string> args{(dir.path() / "main.lua").string(),
                                  repo_path("../shared/luatos/libs/libnet.lua").string()};
    for (const auto& e : std::filesystem::directory_iterator(demo)) {
        if (e.path().filename() == "main.lua" || e.path().extension() == ".md") continue;
        args.push_back(e.path().string());
    }
    return args;
}

}  // namespace

TEST_CASE(
    "errDump through luatos: a VM-ending error is the system record of the next run / uploaded with the user "
    "record") {
    TempDir dir("e2e-errdump");
    const auto main_lua = dir.path() / "main.lua";
    write_file(main_lua, R"LUA(
        PROJECT = "edtest"
        VERSION = "1.0.0"
        log.info("t", "imei", mobile.imei())
        sys.taskInit(function()
            errDump.config(true, 0)
            local buff = zbuff.create(16)
            local new = errDump.dump(buff, errDump.TYPE_SYS)
            log.info("t", "sys", new, buff:used(), buff:len())
            if buff:used() == 0 then
                errDump.record("before the error")
                nosuch.call()
            end
            log.info("t", "record", buff:toStr(0, buff:used()))
            buff = zbuff.create(4)
            log.info("t", "usr", errDump.dump(buff, errDump.TYPE_USR), buff:toStr(0, buff:used()))
            errDump.config(true, 600, "flag", nil, "errdump.example", 9)
            sys.waitUntil("IP_READY")
        end)
        sys.run()
    )LUA");
    const std::string data = (dir.path() / "data").string();
    const LuatosResult first = run_luatos({"--data-dir", data, main_lua.string()});
    CHECK(first.exit_code == 1);
    CHECK(lines_with(first.lines, "I/user.t sys") == Lines{"I/user.t sys false 0 16"});
    const std::string error = "[string \"main.lua\"]:12: attempt to index a nil value (global 'nosuch')";
    CHECK(lines_containing(first.lines, "E/main " + error).size() == 1);

    UdpEchoPeer sink(answer(R"({"r": 1})"));
    LuatosProcess second(
        {"--data-dir", data, "--host", sink_host("errdump.example", sink), main_lua.string()});
    REQUIRE(second.wait_for_line("errdump ok!", 20s));
    second.signal(SIGTERM);
    second.wait();
    const Lines lines = second.lines();
    const std::string record = error +
                               "\r\nstack traceback:\n\t[string \"main.lua\"]:12: in function <[string "
                               "\"main.lua\"]:5>";
    CHECK(lines_with(lines, "I/user.t sys") == Lines{"I/user.t sys false 149 149"});
    CHECK(lines_with(lines, "I/user.t record") == Lines{"I/user.t record " + error + "\r"});  // a line each
    CHECK(lines_with(lines, "I/user.t usr") == Lines{"I/user.t usr false before the error"});
    CHECK_LINES(errdump_lines(lines), {"D/errDump 自定义服务器 errdump.example 9", "D/errDump errdump ok!"});
    REQUIRE(sink.received().size() == 1);
    CHECK(escaped(sink.received()[0]) ==
          escaped("edtest_LuatOS-SoC_V2035_EC718P,1.0.0," + imei_of(lines) +
                  ",flag,\r\npoweron reason:0\r\n" + record + "\r\nbefore the error\r\n"));
    CHECK(!std::filesystem::exists(std::filesystem::path(data) / "\xAAserr"));  // cleared by the ack
    CHECK(!std::filesystem::exists(std::filesystem::path(data) / "\xAAuerr"));
}

TEST_CASE(
    "errDump through luatos: an unanswered upload is sent 3 times 10 s apart / then again a period later") {
    TempDir dir("e2e-errdump-retry");
    const auto main_lua = dir.path() / "main.lua";
    write_file(main_lua, R"LUA(
        sys.taskInit(function()
            sys.waitUntil("IP_READY")
            errDump.config(true, 1, nil, "ID-7", "10.9.8.7", 7000)
        end)
        sys.run()
    )LUA");
    // 1: a wrong answer (waited past), 2 and 3: none, 4 (a period after the third): "OK".
    UdpEchoPeer sink([](std::size_t index, const std::string&) -> std::optional<std::string> {
        if (index == 0) return "NO";
        if (index == 3) return "OK";
        return std::nullopt;
    });
    LuatosProcess p({"--host", sink_host("10.9.8.7", sink), main_lua.string()});
    REQUIRE(p.wait_for_line("errdump ok!", 60s));
    p.signal(SIGTERM);
    p.wait();
    CHECK_LINES(
        errdump_lines(p.lines()),
        {"D/errDump 自定义服务器 10.9.8.7 7000", "D/errDump errdump response error NO",
         "E/errDump errdump tx fail 1 cnt, retry", "E/errDump errdump tx fail 2 cnt, retry",
         "E/errDump errdump server connect or tx fail, after 1 second retry", "D/errDump errdump ok!"});
    const std::vector<std::string> got = sink.received();
    REQUIRE(got.size() == 4);
    CHECK(got[0] == "unkonw_LuatOS-SoC_V2035_EC718P,,ID-7,,\r\npoweron reason:0\r\n");
    for (const auto& d : got)
        CHECK(d == got[0]);
}

TEST_CASE(
    "demo errdump / auto_dump_air_srv (unchanged, 20 s): the power-on report and a user record to the "
    "server") {
    OFFICIAL_DEMO(demo, "errdump");
    UdpEchoPeer sink(answer("OK"));
    const LuatosResult r =
        run_luatos({"--run-for", "20s", "--host", sink_host("dev_msg1.openluat.com", sink), demo->string()});
    CHECK(r.exit_code == 0);
    CHECK(vm_errors(r.lines).empty());
    CHECK_LINES(errdump_lines(r.lines), {"D/errDump errdump ok!", "D/errDump errdump ok!"});
    const std::vector<std::string> got = sink.received();
    REQUIRE(got.size() == 2);
    const std::string head = "errdump_demo_LuatOS-SoC_V2035_EC718P,001.999.000,";
    CHECK(got[0].starts_with(head));
    CHECK(got[0].ends_with(",,\r\npoweron reason:0\r\n"));
    CHECK(got[1] == got[0].substr(0, got[0].find("poweron")) + "测试一下用户的调试日志记录功能\r\n");
}

TEST_CASE("demo errdump / auto_dump_udp_srv (20 s): the records to its own UDP server") {
    OFFICIAL_DEMO(demo, "errdump");
    TempDir dir("e2e-errdump-udp");
    UdpEchoPeer sink(answer("OK"));
    std::vector<std::string> args{"--run-for", "20s", "--host", sink_host("112.125.89.8", sink)};
    for (auto& a : variant_args(*demo, "auto_dump_udp_srv", dir))
        args.push_back(a);
    const LuatosResult r = run_luatos(args);
    CHECK(r.exit_code == 0);
    CHECK(vm_errors(r.lines).empty());
    CHECK_LINES(errdump_lines(r.lines), {"D/errDump 自定义服务器 112.125.89.8 47539", "D/errDump errdump ok!",
                                         "D/errDump errdump ok!"});
    const std::vector<std::string> got = sink.received();
    REQUIRE(got.size() == 2);
    CHECK(got[1].ends_with(",,\r\n测试一下用户的调试日志记录功能\r\n"));
}

TEST_CASE(
    "demo errdump / errdump_read (20 s): the system record of the last run read / sent / deleted / the user "
    "record") {
    OFFICIAL_DEMO(demo, "errdump");
    TempDir dir("e2e-errdump-read");
    const auto data = dir.path() / "data";
    std::filesystem::create_directories(data);
    write_file(data / "\xAAserr", "main.lua:1: an error of the last run");
    TcpEchoServer tcp;
    std::vector<std::string> args{"--run-for",  "20s",
                                  "--data-dir", data.string(),
                                  "--host",     "112.125.89.8=127.0.0.1:" + std::to_string(tcp.port())};
    for (auto& a : variant_args(*demo, "errdump_read", dir))
        args.push_back(a);
    const LuatosResult r = run_luatos(args);
    CHECK(r.exit_code == 0);
    CHECK(vm_errors(r.lines).empty());
    const Lines u = lines_with(r.lines, "I/user.");
    CHECK(std::count(u.begin(), u.end(), "I/user.没有新数据了，删除系统错误日志") == 1);
    CHECK(std::count(u.begin(), u.end(), "I/user.errBuff 测试一下用户的调试日志记录功能") == 1);
    CHECK(std::count(u.begin(), u.end(), "I/user.没有新数据了，删除用户调试日志") == 2);
    CHECK(!std::filesystem::exists(data / "\xAAserr"));
    CHECK(!std::filesystem::exists(data / "\xAAuerr"));
    CHECK(tcp.bytes_echoed() >= std::string("main.lua:1: an error of the last run").size());
}
