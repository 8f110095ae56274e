// The device's network as scripts see it: LWIP_GP's IP_READY / IP_LOSE driven by the simulated link
// (outages from the code and from the control socket), a connect before the adapter is up, the
// luatos network options; and the uart module on its pseudo-terminals.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <optional>

#include "lua_bindings/device/device_network.hpp"
#include "platform_air780ep/cellular_network.hpp"
#include "tests/e2e/e2e.hpp"
#include "tests/e2e/uart_terminal.hpp"
#include "tests/support/control_client.hpp"

using namespace tests;

namespace {

const std::string kAdapterWatch = R"LUA(
sys.subscribe("IP_READY", function(ip, adapter) log.info("IP_READY", ip, adapter) end)
sys.subscribe("IP_LOSE", function(adapter) log.info("IP_LOSE", adapter, (socket.adapter(adapter))) end)
sys.taskInit(function()
    sys.waitUntil("IP_READY")
    -- ETH0 (host sockets) comes up silently on its own: wait for it rather than race it
    while not socket.adapter(socket.ETH0) do sys.wait(10) end
    log.info("both up", (socket.adapter(socket.LWIP_GP)), (socket.adapter(socket.ETH0)), socket.dft())
    sys.waitUntil("IP_LOSE")  -- however long the test takes to cut the link (the run's end is the safety net)
    sys.waitUntil("IP_READY")
    log.info("back", (socket.adapter(socket.LWIP_GP)))
    os.exit(0)
end)
sys.run()
)LUA";

}  // namespace

TEST_CASE("LWIP_GP follows its link: IP_LOSE at an outage, IP_READY after it and the attach delay") {
    DeviceOptions o;
    o.network = network_to(NetPath::kLwip, 1);
    o.on_line = [](lua_bindings::Device& device, std::string_view line) {
        if (line.starts_with("I/user.both up")) {
            device.network()->cellular()->link().outage(300);
        }
    };
    const DeviceResult r = run_device(kAdapterWatch, o);
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.IP_READY 10.0.2.15 1",
                                                    "I/user.both up true true 1 17",
                                                    "I/user.IP_LOSE 1 false",
                                                    "I/user.IP_READY 10.0.2.15 1",
                                                    "I/user.back true",
                                                });
    CHECK_LINES(lines_with(r.lines, "I/link "), {"I/link down for 300 ms"});
}

TEST_CASE("luatos --control: an outage from the control socket gives IP_LOSE then IP_READY (lwip)") {
    TempDir dir("e2e-control");
    write_file(dir.path() / "main.lua", kAdapterWatch);
    const std::string socket_path = (dir.path() / "device.ctl").string();
    LuatosProcess device({"--control", socket_path, "--attach-delay", "50", "--run-for", "20s",
                          (dir.path() / "main.lua").string()});
    REQUIRE(device.wait_for_line("I/user.both up", 10s));
    CHECK(control_command(socket_path, "outage 0.2") == "ok link down for 0.2 s");
    CHECK(device.wait() == 0);
    CHECK_LINES(lines_with(device.lines(), "I/user."), {
                                                           "I/user.IP_READY 10.0.2.15 1",
                                                           "I/user.both up true true 1 17",
                                                           "I/user.IP_LOSE 1 false",
                                                           "I/user.IP_READY 10.0.2.15 1",
                                                           "I/user.back true",
                                                       });
}

TEST_CASE("a connect before the adapter is up waits for IP_READY, as LuatOS's socket layer does (lwip)") {
    Mosquitto broker;
    DeviceOptions o;
    o.network = network_to(NetPath::kLwip, broker.port());
    o.attach_delay_ms = 300;
    const DeviceResult r = run_device(kLuaPrelude + R"LUA(
        sys.subscribe("IP_READY", function(ip, adapter) log.info("IP_READY", ip, adapter) end)
        sys.taskInit(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-early-connect", "", "", true)
            c:on(ev)
            log.info("connect", c:connect(), socket.adapter(socket.LWIP_GP))
            wait_ev("conack")
            c:close()
            os.exit(0)
        end)
        sys.run()
    )LUA",
                                      o);
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.connect true false 1",
                                                    "I/user.IP_READY 10.0.2.15 1",
                                                    "I/user.ev conack nil nil",
                                                });
    CHECK_LINES(lines_with(r.lines, "D/net socket[0] "),
                {"D/net socket[0] broker.test:1883 waits for LWIP_GP to be ready",
                 "D/net socket[0] connect to broker.test:1883 TCP"});
}

// Issue 11.1: the Air780EP has one data link, so one IP_READY per attach; host sockets stay usable
// as socket.ETH0 by a script that names them, unannounced.
TEST_CASE("one IP_READY per attach: only the default adapter attaches, ETH0 is usable silently (lwip)") {
    Mosquitto broker;
    DeviceOptions o;
    o.network = network_to(NetPath::kLwip, broker.port());
    const DeviceResult r = run_device(kLuaPrelude + R"LUA(
        sys.subscribe("IP_READY", function(ip, adapter) log.info("IP_READY", ip, adapter) end)
        sys.taskInit(function()
            sys.waitUntil("IP_READY")
            while not socket.adapter(socket.ETH0) do sys.wait(10) end
            log.info("eth0 up", socket.adapter())
            for _, a in ipairs({socket.ETH0, socket.LWIP_GP}) do
                local c = mqtt.create(a, "broker.test", 1883)
                c:auth("e2e-one-ready-" .. a, "", "", true)
                c:on(ev)
                c:connect()
                wait_ev("conack")
                c:close()
            end
            os.exit(0)
        end)
        sys.run()
    )LUA",
                                      o);
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.IP_READY 10.0.2.15 1",
                                                    "I/user.eth0 up true 1",
                                                    "I/user.ev conack nil nil",
                                                    "I/user.ev conack nil nil",
                                                });
}

TEST_CASE("with --adapter eth0 ETH0 is the adapter that attaches, LWIP_GP follows its link silently") {
    DeviceOptions o;
    o.network = network_to(NetPath::kLwip, 1);
    o.network.default_adapter = platform_air780ep::kAdapterEth0;
    const DeviceResult r = run_device(R"LUA(
        sys.subscribe("IP_READY", function(ip, adapter) log.info("IP_READY", ip, adapter) end)
        sys.taskInit(function()
            sys.waitUntil("IP_READY")
            while not socket.adapter(socket.LWIP_GP) do sys.wait(10) end
            log.info("lwip up", socket.adapter())
            os.exit(0)
        end)
        sys.run()
    )LUA",
                                      o);
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {"I/user.IP_READY 127.0.0.1 17", "I/user.lwip up true 17"});
}

TEST_CASE("luatos network options: usage errors exit 2 with a message, --help lists them") {
    auto usage = [](std::vector<std::string> args) {
        args.push_back(demo_folder("single_mqtt").string());
        const LuatosResult r = run_luatos(args, 10s);
        return std::to_string(r.exit_code) + " " + r.err.substr(0, r.err.find('\n'));
    };
    CHECK(usage({"--host", "nohost"}) ==
          "2 luatos: --host nohost: host map entry 'nohost' is not NAME=ADDR[:PORT]");
    CHECK(usage({"--adapter", "wifi"}) == "2 luatos: --adapter is lwip or eth0, not 'wifi'");
    CHECK(usage({"--uart", "x"}) == "2 luatos: --uart needs ID=PATH (e.g. 1=/tmp/uart1), not 'x'");
    CHECK(usage({"--link", "loss=2"}).starts_with("2 luatos: --link loss=2: "));
    CHECK(usage({"--control", "/nonexistent-folder/device.ctl"})
              .starts_with("1 luatos: cannot listen on the control socket /nonexistent-folder/device.ctl: "));
    const LuatosResult help = run_luatos({"--help"}, 10s);
    CHECK(help.exit_code == 0);
    for (const char* option : {"--host NAME=ADDR[:PORT]", "--adapter lwip|eth0", "--link SPEC",
                               "--control PATH", "--uart ID=PATH"}) {
        CHECK(!lines_containing(help.lines, option).empty());
    }
}

TEST_CASE("uart: setup, receive and read, write and sent, rxSize and rxClear, on a pseudo-terminal") {
    TempDir dir("e2e-uart");
    const std::string link = (dir.path() / "uart2").string();
    std::optional<UartTerminal> terminal;
    std::string got;
    DeviceOptions o;
    o.network = network_to(NetPath::kEth0, 1);
    o.network.uart_links[2] = link;
    o.on_line = [&](lua_bindings::Device&, std::string_view line) {
        if (line == "I/user.uart ready") {
            terminal.emplace(link);
            terminal->write("ping!");
        } else if (line == "I/user.sent 2") {
            // Everything written has left for the terminal: read it before the port closes.
            got = terminal->read_at_least(8, std::chrono::seconds(1));
        }
    };
    const DeviceResult r = run_device(R"LUA(
        log.info("setup", uart.setup(2, 115200, 8, 1, uart.None, uart.LSB, 2048), uart.rxSize(2))
        uart.on(2, "receive", function(id, len)
            log.info("receive", id, len, uart.rxSize(id))
            log.info("read", uart.read(id, 2), uart.read(id), uart.read(id))
            log.info("write", uart.write(id, "pong!"), uart.write(id, "abcdef", 3))
        end)
        uart.on(2, "sent", function(id)
            log.info("sent", id)
            uart.on(2, "receive", nil)
            uart.close(2)
            log.info("closed", uart.write(2, "x"), uart.read(2))
            os.exit(0)
        end)
        log.info("uart ready")
        sys.run()
    )LUA",
                                      o);
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.setup 0 0",
                                                    "I/user.uart ready",
                                                    "I/user.receive 2 5 5",
                                                    "I/user.read pi ng! ",
                                                    "I/user.write 5 3",
                                                    "I/user.sent 2",
                                                    "I/user.closed 0 ",
                                                });
    REQUIRE(terminal);
    CHECK(got == "pong!abc");
}

// Issue 11.9: libslirp would take 10.0.2.2:ANY to the host's 127.0.0.1:ANY; the gateway forwards only
// what the host map names and refuses the rest with a reset and a log line.
TEST_CASE(
    "the gateway forwards only what the host map names: a listener on another port is not reached (lwip)") {
    Mosquitto broker;
    // A listener the host map does not name (bound, listening: a SYN reaching it would queue a connection).
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener, 8) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    const std::uint16_t port = ntohs(addr.sin_port);

    DeviceOptions o;
    o.network = network_to(NetPath::kLwip, broker.port());
    const DeviceResult r = run_device(kLuaPrelude + R"LUA(
        main(function()
            local c = mqtt.create(nil, "127.0.0.1", )LUA" +
                                          std::to_string(port) + R"LUA()
            c:auth("e2e-firewall", "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("error")
            c:close()
            local b = mqtt.create(nil, "broker.test", 1883)  -- a named destination still passes
            b:auth("e2e-firewall-ok", "", "", true)
            b:on(ev)
            b:connect()
            wait_ev("conack")
            b:close()
        end)
    )LUA",
                                      o);
    pollfd pfd{listener, POLLIN, 0};
    const int pending = ::poll(&pfd, 1, 0);
    ::close(listener);
    CHECK(r.exit_code == 0);
    CHECK(pending == 0);  // no connection ever reached the listener
    CHECK_LINES(lines_with(r.lines, "W/link "),
                {"W/link gateway refused TCP 10.0.2.2:" + std::to_string(port) +
                 ": the host map names no such destination (--host NAME=127.0.0.1:" + std::to_string(port) +
                 " opens it)"});
    CHECK_LINES(lines_with(r.lines, "I/user.ev "), {"I/user.ev error connect 0", "I/user.ev conack nil nil"});
}

// Issue 11.10: the cellular bearer is point to point. With ARP, clients that connected together after
// IP_READY queued behind the gateway's resolution (ARP_QUEUE_LEN 3): the other SYNs were dropped and
// retransmitted 2.75 s later. Now no ARP crosses the link.
TEST_CASE("8 simultaneous connects after IP_READY all get conack, with no ARP on the link (lwip)") {
    Mosquitto broker;
    DeviceOptions o;
    o.network = network_to(NetPath::kLwip, broker.port());
    std::optional<std::uint64_t> arp_frames;
    o.on_line = [&](lua_bindings::Device& device, std::string_view line) {
        if (line.starts_with("I/user.conacks 8")) {
            arp_frames = device.network()->cellular()->link().arp_frames();
        }
    };
    const DeviceResult r = run_device(R"LUA(
        sys.taskInit(function()
            sys.waitUntil("IP_READY")
            local conacks, clients = 0, {}
            for i = 1, 8 do
                local c = mqtt.create(nil, "broker.test", 1883)
                c:auth("e2e-together-" .. i, "", "", true)
                c:on(function(client, event)
                    if event == "conack" then
                        conacks = conacks + 1
                        if conacks == 8 then sys.publish("ALL") end
                    end
                end)
                clients[i] = c
            end
            for i = 1, 8 do clients[i]:connect() end
            sys.waitUntil("ALL", 20000)
            log.info("conacks", conacks)
            for i = 1, 8 do clients[i]:close() end
            os.exit(0)
        end)
        sys.run()
    )LUA",
                                      o);
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {"I/user.conacks 8"});
    CHECK(arp_frames == std::optional<std::uint64_t>(0));
}

// Issue 11.12: hosts read as LuatOS's socket layer reads them (lwIP's ipaddr_aton first): every
// IPv4 literal form is an address; a name no DNS query can be made for fails at once, with why.
void host_forms(NetPath path) {
    Mosquitto broker;
    DeviceOptions o;
    o.network = network_to(path, broker.port());
    o.network.hosts.add("127.0.0.1", platform_air780ep::HostTarget{"127.0.0.1", broker.port()});
    const std::string label64(64, 'a');
    const DeviceResult r = run_device(kLuaPrelude + R"LUA(
        main(function()
            for _, host in ipairs({"127.1", "0x7f000001", "2130706433", "localhost.", "a..b", ")LUA" +
                                          label64 + R"LUA(.test"}) do
                local c = mqtt.create(nil, host, 1883)
                c:auth("e2e-host-form", "", "", true)
                c:on(function(client, event, data)
                    if event == "conack" or event == "error" then
                        log.info("host", host, event, data)
                        sys.publish("DONE")
                    end
                end)
                c:connect()
                sys.waitUntil("DONE", 10000)
                c:close()
            end
        end)
    )LUA",
                                      o);
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user.host "),
                {"I/user.host 127.1 conack nil", "I/user.host 0x7f000001 conack nil",
                 "I/user.host 2130706433 conack nil", "I/user.host localhost. error connect",
                 "I/user.host a..b error connect", "I/user.host " + label64 + ".test error connect"});
    CHECK_LINES(lines_with(r.lines, "E/mqtt "),
                {"E/mqtt connect to localhost.:1883 failed: cannot resolve 'localhost.': a trailing dot (the "
                 "module's DNS client would send an empty label)",
                 "E/mqtt connect to a..b:1883 failed: cannot resolve 'a..b': an empty label in the host name "
                 "(two dots, or a leading dot)",
                 "E/mqtt connect to " + label64 + ".test:1883 failed: cannot resolve '" + label64 +
                     ".test': a label of 64 characters (at most 63)"});
}
E2E_ON_BOTH_PATHS(
    "hosts as LuatOS reads them: IPv4 literals in every form connect, unqueryable names fail at once with "
    "why",
    host_forms)
