// LuatOS's official socket demo (shared/luatos/demo/socket/client/long_connection, MIT), its TCP, UDP,
// TLS and TLS-with-CA client variants, run by the `luatos` command against the test's echo peers on
// both adapters: no Lua error, and the demo's own success lines (connected, sent, received the echo).
// Its server names (112.125.89.8, www.baidu.com) are sent to the peers with --host; the CA variant's
// server certificate is the test's, accepted with --trust-ca beside the demo's own CA.
//
// Two choices the demo leaves to its user are made in a copy of it: netdrv_device.lua requires
// netdrv_4g (the Air780EP's cellular adapter; the default, netdrv_eth_spi, is a CH390H Ethernet chip
// on SPI driven through exnetif.lua and `netdrv`, which the Air780EP's firmware does not have: its
// task would die there on the module too), and main.lua requires the variant under test instead of
// tcp_client_main and not aircloud_data (which requires LuatOS's excloud.lua, not among the shared
// LuatOS libraries, so the unchanged main.lua stops at that require on the module as here). Every
// other file is the demo's own (docs/modules/lua_libs.md). Skipped, with a message, when shared/ is
// not beside the clone.
#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <stdexcept>

#include "tests/e2e/e2e.hpp"
#include "tests/support/echo_peers.hpp"
#include "tests/support/tls_echo_server.hpp"
#include "tests/tls/support/test_pki.hpp"

using namespace tests;
using namespace std::chrono_literals;

namespace {

enum class Peer { kTcpUdp, kTls, kTlsCa };

void demo_variant(NetPath path, const std::string& variant, const std::string& prefix,
                  Peer peer = Peer::kTcpUdp) {
    const std::filesystem::path shared(LUATOS_SHARED_DIR);
    const std::filesystem::path demo = shared / "demo" / "socket" / "client" / "long_connection";
    if (!std::filesystem::is_directory(demo)) {
        WARN("skipped: the official LuatOS demos are not at " << demo.string());
        return;
    }
    TempDir dir("e2e-socket-demo");
    std::filesystem::copy(demo, dir.path(), std::filesystem::copy_options::recursive);
    replace_in_copy(dir.path() / "netdrv_device.lua", "\nrequire \"netdrv_eth_spi\"",
                    "\nrequire \"netdrv_4g\"");
    replace_in_copy(dir.path() / "main.lua", "\nrequire \"aircloud_data\"", "\n-- require \"aircloud_data\"");
    if (variant != "tcp_client_main") {
        replace_in_copy(dir.path() / "main.lua", "\nrequire \"tcp_client_main\"",
                        "\nrequire \"" + variant + "\"");
    }
    // The demo's one server name maps to one port for TCP and UDP: the UDP peer takes the TCP server's
    // port number, which another process may hold for UDP; then both are tried on another port.
    std::optional<TcpEchoServer> tcp_server;
    std::optional<UdpEchoPeer> udp;
    for (int attempt = 0; attempt < 20 && !udp; ++attempt) {
        tcp_server.emplace();
        try {
            udp.emplace(tcp_server->port());
        } catch (const std::runtime_error&) {
            tcp_server.reset();
        }
    }
    REQUIRE(udp);
    TcpEchoServer& tcp = *tcp_server;
    TestPki pki(KeyKind::kEcP256, {"www.baidu.com"});
    std::optional<TlsEchoServer> tls;
    std::uint16_t port = tcp.port();
    if (peer != Peer::kTcpUdp) {
        tls.emplace(pki.path("server.pem"), pki.path("server.key"), TlsEchoServer::Echo::kBytes);
        port = tls->port();
    }
    std::vector<std::string> args = {"--adapter", adapter_option(path),
                                     "--run-for", "30s",
                                     "--host",    "112.125.89.8=127.0.0.1:" + std::to_string(port),
                                     "--host",    "www.baidu.com=127.0.0.1:" + std::to_string(port)};
    if (peer == Peer::kTlsCa) args.insert(args.end(), {"--trust-ca", pki.path("ca.pem").string()});
    args.insert(args.end(), {dir.path().string() + "/", (shared / "libs" / "libnet.lua").string()});
    LuatosProcess device(args);
    const std::vector<std::string> wanted = {
        "I/user." + prefix + "_main_task_func libnet.connect success",
        "I/user." + prefix + "_sender.proc send success",
        "I/user." + prefix + "_receiver.proc recv data len ",
    };
    const bool done = device.wait_for(
        [&](const Lines& lines) {
            std::size_t found = 0;
            for (const auto& w : wanted)
                for (const auto& l : lines)
                    if (l.starts_with(w)) {
                        ++found;
                        break;
                    }
            return found == wanted.size();
        },
        20s);
    const Lines lines = device.lines();
    INFO(joined(lines));
    CHECK(done);
    for (const auto& l : lines) {
        CHECK_FALSE(l.starts_with("E/"));
    }
    // socket.config's TLS takes the device's --trust-ca as mqtt and http do, and says so at connect.
    if (peer == Peer::kTlsCa)
        CHECK(!lines_containing(lines, "] TLS verification also trusts the test CA ").empty());
}

}  // namespace

E2E_ON_BOTH_PATHS("the official socket demo, TCP client, runs against a local echo server",
                  [](NetPath p) { demo_variant(p, "tcp_client_main", "tcp_client"); })
E2E_ON_BOTH_PATHS("the official socket demo, UDP client, runs against a local echo peer",
                  [](NetPath p) { demo_variant(p, "udp_client_main", "udp_client"); })
E2E_ON_BOTH_PATHS("the official socket demo, TLS client, runs against a local TLS echo server",
                  [](NetPath p) { demo_variant(p, "tcp_ssl_main", "tcp_ssl", Peer::kTls); })
E2E_ON_BOTH_PATHS("the official socket demo, TLS client with its CA, runs with --trust-ca",
                  [](NetPath p) { demo_variant(p, "tcp_ssl_ca_main", "tcp_ssl_ca", Peer::kTlsCa); })
