// LuatOS's official socket demo (shared/luatos/demo/socket/client/long_connection, MIT), its TCP and
// UDP client variants, run by the `luatos` command against the test's echo peers on both adapters: no
// Lua error, and the demo's own success lines (connected, sent, received the echo). Its server
// address (112.125.89.8) is sent to the peers with --host.
//
// Two choices the demo leaves to its user are made in a copy of it: netdrv_device.lua requires
// netdrv_4g (the Air780EP's cellular adapter; the default is an SPI Ethernet chip the module does not
// have), and main.lua requires the variant under test instead of tcp_client_main and not
// aircloud_data (its `excloud` library is not among the shared LuatOS libraries). Every other file is
// the demo's own. Skipped, with a message, when shared/ is not beside the clone.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/e2e/e2e.hpp"
#include "tests/support/echo_peers.hpp"

using namespace tests;
using namespace std::chrono_literals;

namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void replace_line(const std::filesystem::path& file, const std::string& from, const std::string& to) {
    std::string text = slurp(file);
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    std::ofstream(file, std::ios::binary) << text;
}

void demo_variant(NetPath path, const std::string& variant, const std::string& prefix) {
    const std::filesystem::path shared(LUATOS_SHARED_DIR);
    const std::filesystem::path demo = shared / "demo" / "socket" / "client" / "long_connection";
    if (!std::filesystem::is_directory(demo)) {
        WARN("skipped: the official LuatOS demos are not at " << demo.string());
        return;
    }
    TempDir dir("e2e-socket-demo");
    std::filesystem::copy(demo, dir.path(), std::filesystem::copy_options::recursive);
    replace_line(dir.path() / "netdrv_device.lua", "\nrequire \"netdrv_eth_spi\"", "\nrequire \"netdrv_4g\"");
    replace_line(dir.path() / "main.lua", "\nrequire \"aircloud_data\"", "\n-- require \"aircloud_data\"");
    if (variant != "tcp_client_main") {
        replace_line(dir.path() / "main.lua", "\nrequire \"tcp_client_main\"",
                     "\nrequire \"" + variant + "\"");
    }
    TcpEchoServer tcp;
    UdpEchoPeer udp(tcp.port());
    LuatosProcess device({"--adapter", adapter_option(path), "--run-for", "30s", "--host",
                          "112.125.89.8=127.0.0.1:" + std::to_string(tcp.port()), dir.path().string() + "/",
                          (shared / "libs" / "libnet.lua").string()});
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
        CHECK_FALSE(l.starts_with("E/main"));
        CHECK_FALSE(l.starts_with("E/user"));
    }
}

}  // namespace

E2E_ON_BOTH_PATHS("the official socket demo, TCP client, runs against a local echo server",
                  [](NetPath p) { demo_variant(p, "tcp_client_main", "tcp_client"); })
E2E_ON_BOTH_PATHS("the official socket demo, UDP client, runs against a local echo peer",
                  [](NetPath p) { demo_variant(p, "udp_client_main", "udp_client"); })
