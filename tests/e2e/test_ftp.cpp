// ftp end to end (docs/modules/ftp.md), on both adapters, against Debian's pyftpdlib on a free
// 127.0.0.1 port (tests/support/ftp_test_server.py): login and its refusals, each command's reply
// as LuatOS hands it over, LIST, pulls and pushes byte for byte, the socket channels a session and
// its transfers take, and a server that drops the control connection.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/e2e/e2e.hpp"
#include "tests/support/python_server.hpp"

using namespace tests;

namespace {

// e2e.hpp's helpers (main(fn): IP_READY, fn, os.exit(0)), and show(label, ...), which logs
// "I/user.<label> <values>" with CR LF written as '|'.
const std::string kFtpPrelude = kLuaPrelude + R"LUA(
function show(label, ...)
    local out = {}
    for i = 1, select("#", ...) do
        local v = select(i, ...)
        if type(v) == "string" then v = v:gsub("\r\n", "|") end
        out[#out + 1] = tostring(v)
    end
    log.info(label, table.concat(out, " "))
end
function login()
    return ftp.login(nil, "ftp.test", $P, "user", "pass").wait()
end
)LUA";

struct FtpWorld {
    TempDir root{"ftp-root"};
    PythonServer server{"tests/support/ftp_test_server.py", {root.path().string()}};

    DeviceResult run(NetPath path, const std::string& script, std::size_t channels = 8) {
        std::string s = kFtpPrelude + script;
        const std::string port = std::to_string(server.port());
        for (std::size_t at = s.find("$P"); at != std::string::npos; at = s.find("$P", at))
            s.replace(at, 2, port);
        DeviceOptions o;
        o.network = network_to(path, 1);
        o.network.hosts.add("ftp.test", platform_air780ep::HostTarget{"127.0.0.1", std::nullopt});
        o.network.channels = channels;
        o.files["main.lua"] = s;
        return run_device(o);
    }
    // The commands the server received.
    [[nodiscard]] Lines commands() const { return lines_with(server.lines(), "CMD "); }
};

Lines user_lines(const DeviceResult& r) {
    return lines_with(r.lines, "I/user.");
}

const std::string kUnroutable = "W/ftp 服务器回应不可路由的地址(127.0.0.1)。使用服务器地址代替 ftp.test";

void commands(NetPath path) {
    FtpWorld w;
    write_file(w.root.path() / "a.txt", "hello");
    const DeviceResult r = w.run(path, R"LUA(
main(function()
    show("login", login())
    show("noop", ftp.command("NOOP").wait())
    show("syst", ftp.command("SYST").wait())
    show("type", ftp.command("TYPE I").wait())
    show("pwd", ftp.command("PWD").wait())
    show("mkd", ftp.command("MKD d").wait())
    show("cwd", ftp.command("CWD /d").wait())
    show("cdup", ftp.command("CDUP").wait())
    show("rmd", ftp.command("RMD d").wait())
    show("cwd missing", ftp.command("CWD /nowhere").wait())
    show("size", ftp.command("SIZE /a.txt").wait())
    local list = ftp.command("LIST").wait()
    show("list", list:match("^%-rw[^\r\n]* a%.txt\r\n$") ~= nil)
    show("dele", ftp.command("DELE /a.txt").wait())
    show("empty list", ftp.command("LIST").wait())
    show("unsupported", ftp.command("QUIT").wait())
    show("close", ftp.close().wait())
    show("after close", ftp.command("NOOP").wait())
end)
)LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r), {
                                   "I/user.login true",
                                   "I/user.noop 200 I successfully did nothing'.|",
                                   "I/user.syst 215 UNIX Type: L8|",
                                   "I/user.type 200 Type set to: Binary.|",
                                   "I/user.pwd 257 \"/\" is the current directory.|",
                                   "I/user.mkd 257 \"/d\" directory created.|",
                                   "I/user.cwd 250 \"/d\" is the current directory.|",
                                   "I/user.cdup 250 \"/\" is the current directory.|",
                                   "I/user.rmd 250 Directory removed.|",
                                   "I/user.cwd missing 550 No such file or directory.|",
                                   "I/user.size 213 5|",
                                   "I/user.list true",
                                   "I/user.dele 250 File removed.|",
                                   "I/user.empty list ",
                                   "I/user.unsupported -8",
                                   "I/user.close 221 Goodbye.|",
                                   "I/user.after close -8",
                               });
    CHECK_LINES(lines_with(r.lines, "E/ftp"), {"E/ftp not support cmd:QUIT", "E/ftp ftp command fail",
                                               "E/ftp please login first", "E/ftp ftp command fail"});
    CHECK_LINES(lines_with(r.lines, "W/ftp"), {kUnroutable, kUnroutable});
    CHECK_LINES(w.commands(),
                {"CMD USER user", "CMD PASS pass", "CMD NOOP", "CMD SYST", "CMD TYPE I", "CMD PWD",
                 "CMD MKD d", "CMD CWD /d", "CMD CDUP", "CMD RMD d", "CMD CWD /nowhere", "CMD SIZE /a.txt",
                 "CMD PASV", "CMD LIST", "CMD DELE /a.txt", "CMD PASV", "CMD LIST", "CMD QUIT"});
}
E2E_ON_BOTH_PATHS("ftp: login, each command's reply as LuatOS returns it, LIST, close", commands)

std::string pattern(std::size_t n) {
    std::string out(n, '\0');
    std::uint32_t x = 12345;
    for (char& c : out) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>(x >> 16);
    }
    return out;
}

void transfers(NetPath path) {
    FtpWorld w;
    const std::string blob = pattern(300 * 1024 + 7);
    write_file(w.root.path() / "blob.bin", blob);
    write_file(w.root.path() / "empty.bin", "");
    const DeviceResult r = w.run(path, R"LUA(
main(function()
    show("login", login())
    show("type", ftp.command("TYPE I").wait())
    show("pull", ftp.pull("/down.bin", "/blob.bin").wait())
    show("size", io.fileSize("/down.bin"))
    show("push", ftp.push("/down.bin", "/up.bin").wait())
    show("pull empty", ftp.pull("/empty.bin", "/empty.bin").wait(), io.fileSize("/empty.bin"))
    show("push empty", ftp.push("/empty.bin", "/empty_up.bin").wait())
    show("pull missing", ftp.pull("/missing.bin", "/missing.bin").wait(), io.exists("/missing.bin"))
    show("push missing", ftp.push("/nothere.bin", "/x.bin").wait())
    show("push refused", ftp.push("/down.bin", "/nodir/x.bin").wait())
    show("pull luadb", ftp.pull("/luadb/x.bin", "/blob.bin").wait())
    show("close", ftp.close().wait())
    show("pull closed", ftp.pull("/down.bin", "/blob.bin").wait())
    show("push closed", ftp.push("/down.bin", "/blob.bin").wait())
    show("close closed", ftp.close().wait())
end)
)LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r), {
                                   "I/user.login true",
                                   "I/user.type 200 Type set to: Binary.|",
                                   "I/user.pull true",
                                   "I/user.size " + std::to_string(blob.size()),
                                   "I/user.push true",
                                   "I/user.pull empty true 0",
                                   "I/user.push empty true",
                                   "I/user.pull missing false true",
                                   "I/user.push missing -4",
                                   "I/user.push refused false",
                                   "I/user.pull luadb -8",
                                   "I/user.close 221 Goodbye.|",
                                   "I/user.pull closed -8",
                                   "I/user.push closed -4",
                                   "I/user.close closed -4",
                               });
    CHECK(read_file(w.root.path() / "up.bin") == blob);
    CHECK(std::filesystem::exists(w.root.path() / "empty_up.bin"));
    CHECK(std::filesystem::file_size(w.root.path() / "empty_up.bin") == 0);
    CHECK_LINES(
        lines_with(r.lines, "E/ftp"),
        {"E/ftp ftp operation failed", "E/ftp open download file fail /nothere.bin", "E/ftp ftp push fail",
         "E/ftp ftp operation failed", "E/ftp open download file fail /luadb/x.bin", "E/ftp ftp pull fail",
         "E/ftp please login first", "E/ftp ftp pull fail", "E/ftp please login first", "E/ftp ftp push fail",
         "E/ftp please login first"});
    CHECK_LINES(w.commands(),
                {"CMD USER user", "CMD PASS pass", "CMD TYPE I", "CMD SIZE /blob.bin", "CMD PASV",
                 "CMD RETR /blob.bin", "CMD PASV", "CMD STOR /up.bin", "CMD SIZE /empty.bin", "CMD PASV",
                 "CMD RETR /empty.bin", "CMD PASV", "CMD STOR /empty_up.bin", "CMD SIZE /missing.bin",
                 "CMD PASV", "CMD RETR /missing.bin", "CMD PASV", "CMD STOR /nodir/x.bin", "CMD QUIT"});
}
E2E_ON_BOTH_PATHS("ftp: pull and push byte for byte over passive data connections, and their failures",
                  transfers)

void login_failures(NetPath path) {
    FtpWorld w;
    const DeviceResult r = w.run(path, R"LUA(
main(function()
    show("password", ftp.login(nil, "ftp.test", $P, "user", "wrong").wait())
    show("user", ftp.login(nil, "ftp.test", $P, "nobody", "x").wait())
    show("no user", ftp.login(nil, "ftp.test", $P).wait())
    show("no password", ftp.login(nil, "ftp.test", $P, "user").wait())
    show("empty host", ftp.login(nil, "", $P, "user", "pass").wait())
    show("long host", ftp.login(nil, string.rep("h", 64), $P, "user", "pass").wait())
    show("long user", ftp.login(nil, "ftp.test", $P, string.rep("u", 64), "pass").wait())
    show("tls", ftp.login(nil, "ftp.test", $P, "user", "pass", true).wait())
    show("tls table", ftp.login(nil, "ftp.test", $P, "user", "pass", {}).wait())
    show("adapter", ftp.login(99, "ftp.test", $P, "user", "pass").wait())
    show("refused", ftp.login(nil, "127.0.0.1", 1, "user", "pass").wait())
    show("no host arg", pcall(ftp.login))
    show("port arg", pcall(ftp.login, nil, "ftp.test", 1.5))
    show("login", ftp.login(nil, "ftp.test", $P, "user", "pass", false).wait())
    show("again", ftp.login(nil, "ftp.test", $P, "user", "pass").wait())
    show("after again", ftp.command("NOOP").wait())
    show("login 2", login())
    ftp.debug(true)
    show("noop", ftp.command("NOOP").wait())
    ftp.debug(false)
    show("close", ftp.close().wait())
end)
)LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(
        user_lines(r),
        {
            "I/user.password false",
            "I/user.user false",
            "I/user.no user -21",
            "I/user.no password -22",
            "I/user.empty host -20",
            "I/user.long host -20",
            "I/user.long user -21",
            "I/user.tls -24",
            "I/user.tls table -24",
            "I/user.adapter -1",
            "I/user.refused false",
            "I/user.no host arg false bad argument #2 to 'ftp.login' (string expected, got no value)",
            "I/user.port arg false bad argument #3 to 'ftp.login' (number has no integer representation)",
            "I/user.login true",
            "I/user.again -1",
            "I/user.after again -8",
            "I/user.login 2 true",
            "I/user.noop 200 I successfully did nothing'.|",
            "I/user.close 221 Goodbye.|",
        });
    CHECK_LINES(
        lines_with(r.lines, "E/ftp ftp"),
        {"E/ftp ftp login wrong", "E/ftp ftp login fail", "E/ftp ftp login wrong", "E/ftp ftp login fail",
         "E/ftp ftp login fail", "E/ftp ftp login fail", "E/ftp ftp login fail", "E/ftp ftp login fail",
         "E/ftp ftp login fail", "E/ftp ftp tls not support yet", "E/ftp ftp login fail",
         "E/ftp ftp tls not support yet", "E/ftp ftp login fail", "E/ftp ftp login fail",
         "E/ftp ftp network_connect fail -1", "E/ftp ftp login fail",
         "E/ftp ftp already login, please close first", "E/ftp ftp login fail", "E/ftp ftp command fail"});
    CHECK_LINES(lines_with(r.lines, "E/ftp invalid"),
                {"E/ftp invalid username length 0", "E/ftp invalid password length 0",
                 "E/ftp invalid ip address length 0", "E/ftp invalid ip address length 64",
                 "E/ftp invalid username length 64"});
    CHECK_LINES(lines_with(r.lines, "E/ftp bad"), {"E/ftp bad network adapter index 99"});
    CHECK_LINES(lines_with(r.lines, "D/ftp"), {"D/ftp command: NOOP", "D/ftp send cmd:NOOP\r\n"});
}
E2E_ON_BOTH_PATHS("ftp: login refusals and argument checks give LuatOS's codes and lines", login_failures)

void channels(NetPath path) {
    FtpWorld w;
    const DeviceResult r = w.run(path, R"LUA(
main(function()
    local held = {}
    for i = 1, 6 do held[i] = socket.create(nil, function() end) end
    show("login", login())
    show("list", ftp.command("LIST").wait())
    held[7] = socket.create(nil, function() end)
    show("list full", ftp.command("LIST").wait())
    show("noop full", ftp.command("NOOP").wait())
    show("close", ftp.close().wait())
    held[8] = socket.create(nil, function() end)
    show("eighth", held[8] ~= nil)
    show("login full", login())
    socket.release(held[8])
    socket.release(held[7])
    show("login again", login())
    show("list again", ftp.command("LIST").wait())
    show("close again", ftp.close().wait())
end)
)LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r), {
                                   "I/user.login true",
                                   "I/user.list ",
                                   "I/user.list full false",
                                   "I/user.noop full 200 I successfully did nothing'.|",
                                   "I/user.close 221 Goodbye.|",
                                   "I/user.eighth true",
                                   "I/user.login full -9",
                                   "I/user.login again true",
                                   "I/user.list again ",
                                   "I/user.close again 221 Goodbye.|",
                               });
    CHECK_LINES(lines_with(r.lines, "E/ftp"), {"E/ftp data_netc create fail", "E/ftp ftp operation failed",
                                               "E/ftp cmd_netc create fail", "E/ftp ftp login fail"});
}
E2E_ON_BOTH_PATHS("ftp: a session takes a socket channel, each transfer a second one, from the shared 8",
                  channels)

void dropped(NetPath path) {
    FtpWorld w;
    const DeviceResult r = w.run(path, R"LUA(
main(function()
    show("login", login())
    show("drop", ftp.command("DELE /drop").wait())
    show("next", ftp.command("NOOP").wait())
    show("after", ftp.command("NOOP").wait())
    show("login again", login())
    show("close", ftp.close().wait())
end)
)LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r), {"I/user.login true", "I/user.drop false", "I/user.next false",
                                "I/user.after -8", "I/user.login again true", "I/user.close 221 Goodbye.|"});
    CHECK_LINES(lines_with(r.lines, "E/ftp"), {"E/ftp ftp operation failed", "E/ftp ftp network error",
                                               "E/ftp please login first", "E/ftp ftp command fail"});
}
E2E_ON_BOTH_PATHS(
    "ftp: a control connection the server drops fails the operation, the next one ends the session", dropped)

void overlapping(NetPath path) {
    FtpWorld w;
    const DeviceResult r = w.run(path, R"LUA(
main(function()
    show("login", login())
    local first = ftp.command("NOOP")
    show("second", ftp.command("SYST").wait())
    local list = ftp.command("LIST")
    show("close", ftp.close().wait())
end)
)LUA");
    CHECK(r.exit_code == 0);
    // The last call's wait object gets the in-flight operation's result (LuatOS's single ftp_idp):
    // SYST's gets NOOP's reply, close()'s the LIST's (empty) listing, and the QUIT taken after the
    // LIST answers nobody.
    CHECK_LINES(user_lines(r),
                {"I/user.login true", "I/user.second 200 I successfully did nothing'.|", "I/user.close "});
    CHECK_LINES(lines_with(r.lines, "E/ftp"), {"E/ftp last cmd not finish, ignore 2,0,0,0"});
    const Lines commands = w.commands();
    REQUIRE(commands.size() >= 5);  // the QUIT's reply is not waited for: the server may not have logged it
    CHECK_LINES(Lines(commands.begin(), commands.begin() + 5),
                {"CMD USER user", "CMD PASS pass", "CMD NOOP", "CMD PASV", "CMD LIST"});
}
E2E_ON_BOTH_PATHS("ftp: a call during an operation is dropped and the last wait object gets the result",
                  overlapping)

void run_ends(NetPath path) {
    FtpWorld w;
    write_file(w.root.path() / "blob.bin", pattern(200 * 1024));
    const DeviceResult r = w.run(path, R"LUA(
main(function()
    show("login", login())
    show("type", ftp.command("TYPE I").wait())
    ftp.pull("/down.bin", "/blob.bin")
end)
)LUA");
    // The run ends with the pull in flight: the session and its two channels go with it.
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r), {"I/user.login true", "I/user.type 200 Type set to: Binary.|"});
    CHECK(lines_with(r.lines, "E/").empty());
}
E2E_ON_BOTH_PATHS("ftp: a run that ends with a transfer in flight ends cleanly", run_ends)

}  // namespace
