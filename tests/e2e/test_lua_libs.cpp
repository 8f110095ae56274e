// LuatOS's own Lua libraries (shared/luatos/libs/, MIT), flashed with a test script by the `luatos`
// command as a user flashes them with Luatools, against the test's local peers: libnet.lua's TCP
// client (TCP echo server), udpsrv.lua (UDP echo peer), httpdns.lua (the HTTP test server standing in
// for the two HTTP DNS services, their addresses sent to it with --host); and the official demos that
// use them, unchanged: demo/httpdns. (httpplus.lua runs in the official http demo: test_http.cpp.)
// Skipped, with a message, when shared/ is not beside the clone. docs/modules/lua_libs.md.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/e2e/e2e.hpp"
#include "tests/support/echo_peers.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/luatos_process.hpp"
#include "tests/tls/support/test_pki.hpp"

using namespace tests;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path kShared(LUATOS_SHARED_DIR);

std::string lib(const char* name) {
    return (kShared / "libs" / name).string();
}

bool have_shared() {
    if (std::filesystem::is_directory(kShared / "libs")) return true;
    WARN("skipped: the official LuatOS libraries are not at " << (kShared / "libs").string());
    return false;
}

Lines user_lines_of(const Lines& lines) {
    Lines out;
    for (const auto& l : lines)
        if (l.starts_with("I/user.") || l.starts_with("E/")) out.push_back(l);
    return out;
}

// libnet's task-style TCP client (waitLink, connect, tx, wait, close) to a name sent to the echo
// server; libnet.ping, which needs netdrv (not in the Air780EP's firmware); udpsrv's server socket
// (connect to 255.255.255.255:0, LuatOS's unconnected UDP) sending to an address sent to the UDP echo
// peer and publishing the echo on its topic.
const char* const kLibnetScript = R"LUA(
local libnet = require "libnet"
local udpsrv = require "udpsrv"
local TASK = "libnet_client"
local function client()
    sys.waitUntil("IP_READY")
    local netc = socket.create(nil, TASK)
    log.info("config", socket.config(netc))
    log.info("link", libnet.waitLink(TASK, 5000, netc))
    log.info("connect", libnet.connect(TASK, 5000, netc, "echo.test", 7000))
    log.info("tx", libnet.tx(TASK, 5000, netc, "hello libnet"))
    local rx = zbuff.create(64)
    while rx:used() < 12 do
        local ok = libnet.wait(TASK, 5000, netc)
        if not ok then break end
        socket.rx(netc, rx)
    end
    log.info("echo", rx:toStr(0, rx:used()))
    libnet.close(TASK, 5000, netc)
    socket.release(netc)
    log.info("ping", pcall(libnet.ping, socket.dft(), "192.0.2.7"))
    local srv = udpsrv.create(12345, "UDP_IN")
    log.info("udpsrv", type(srv))
    -- Not online until the stack says so: LuatOS's tx refuses until then.
    log.info("early", srv:send("early", "192.0.2.7", 7000))
    while not srv:send("hello udpsrv", "192.0.2.7", 7000) do sys.wait(10) end
    local ok, data, ip, port = sys.waitUntil("UDP_IN", 5000)
    log.info("udp", ok, data, ip ~= nil, port)
    srv:close()
    os.exit(0)
end
sysplus.taskInitEx(client, TASK)
sys.run()
)LUA";

void libnet_and_udpsrv(NetPath path) {
    if (!have_shared()) return;
    TcpEchoServer tcp;
    UdpEchoPeer udp;
    TempDir dir("e2e-lua-libs");
    write_file(dir.path() / "main.lua", kLibnetScript);
    const std::string tcp_peer = "127.0.0.1:" + std::to_string(tcp.port());
    const std::string udp_peer = "127.0.0.1:" + std::to_string(udp.port());
    const LuatosResult r =
        run_luatos({"--adapter", adapter_option(path), "--run-for", "20s", "--attach-delay", "10", "--host",
                    "echo.test=" + tcp_peer, "--host", "192.0.2.7=" + udp_peer,
                    (dir.path() / "main.lua").string(), lib("libnet.lua"), lib("udpsrv.lua")});
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines_of(r.lines),
                {"I/user.config true", "I/user.link true", "I/user.connect true", "I/user.tx true false",
                 "I/user.echo hello libnet",
                 "I/user.ping false [string \"libnet.lua\"]:202: attempt to index a nil value (global "
                 "'netdrv')",
                 "I/user.udpsrv table", "I/user.early false true false",
                 "I/user.udp true hello udpsrv true " + std::to_string(udp.port())});
    CHECK(tcp.bytes_echoed() == 12);
    CHECK(udp.received() == std::vector<std::string>{"hello udpsrv"});
}

}  // namespace

E2E_ON_BOTH_PATHS("lua libs: libnet's TCP client against an echo server, udpsrv against a UDP echo peer",
                  libnet_and_udpsrv)

namespace {

struct HttpDnsWorld {
    TestPki pki{KeyKind::kEcP256, {"web.test"}};
    HttpTestServer server{pki.path("server.pem"), pki.path("server.key"), pki.path("ca.pem")};
    // httpdns.lua's two services, by address.
    std::vector<std::string> hosts() const {
        const std::string to = "127.0.0.1:" + std::to_string(server.http_port());
        return {"--host", "223.5.5.5=" + to, "--host", "119.29.29.29=" + to};
    }
};

void httpdns_lib(NetPath path) {
    if (!have_shared()) return;
    HttpDnsWorld w;
    TempDir dir("e2e-httpdns");
    write_file(dir.path() / "main.lua", R"LUA(
local httpdns = require "httpdns"
sys.taskInit(function()
    sys.waitUntil("IP_READY")
    log.info("ali", httpdns.ali("luatos.com"))
    log.info("tx", httpdns.tx("openluat.com", {timeout = 2000}))
    log.info("none", select("#", httpdns.ali(nil)), select("#", httpdns.tx(nil)))
    os.exit(0)
end)
sys.run()
)LUA");
    std::vector<std::string> args = {"--adapter", adapter_option(path), "--run-for",
                                     "20s",       "--attach-delay",     "10"};
    for (const auto& a : w.hosts())
        args.push_back(a);
    args.push_back((dir.path() / "main.lua").string());
    args.push_back(lib("httpdns.lua"));
    const LuatosResult r = run_luatos(args);
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines_of(r.lines),
                {"I/user.ali 192.0.2.10", "I/user.tx 198.51.100.12", "I/user.none 0 0"});
}

}  // namespace

E2E_ON_BOTH_PATHS("lua libs: httpdns.ali and httpdns.tx against a local HTTP DNS stand-in", httpdns_lib)

namespace {

void httpdns_demo(NetPath path) {
    const std::filesystem::path demo = kShared / "demo" / "httpdns";
    if (!have_shared() || !std::filesystem::is_directory(demo)) return;
    HttpDnsWorld w;
    std::vector<std::string> args = {"--adapter", adapter_option(path), "--run-for", "30s"};
    for (const auto& a : w.hosts())
        args.push_back(a);
    args.push_back(demo.string() + "/");
    args.push_back(lib("httpdns.lua"));
    LuatosProcess device(args);
    // The demo's loop: both answers, twice (the second round shows the loop goes on).
    const bool done = device.wait_for(
        [](const Lines& lines) {
            return lines_with(lines, "I/user.httpdns openluat.com 198.51.100.12").size() >= 2;
        },
        20s);
    device.signal(SIGTERM);
    device.wait();
    const Lines lines = device.lines();
    INFO(joined(lines));
    CHECK(done);
    CHECK(lines_with(lines, "E/").empty());
    CHECK(lines_with(lines, "I/user.httpdns recv IP_READY 1").size() == 1);
    const Lines answers = lines_containing(lines_with(lines, "I/user.httpdns "), ".com ");
    REQUIRE(answers.size() >= 4);
    CHECK_LINES(Lines(answers.begin(), answers.begin() + 4),
                {"I/user.httpdns luatos.com 192.0.2.10", "I/user.httpdns openluat.com 198.51.100.12",
                 "I/user.httpdns luatos.com 192.0.2.10", "I/user.httpdns openluat.com 198.51.100.12"});
}

}  // namespace

E2E_ON_BOTH_PATHS("lua libs: the official httpdns demo, unchanged, against a local HTTP DNS stand-in",
                  httpdns_demo)
