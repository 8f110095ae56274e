// The debugging options of `luatos` (docs/debugging.md), as a user runs them: --pcap read back with
// tshark (the MQTT exchange in order, an outage as a gap, a file that is whole while the device runs
// and after SIGTERM), --tls-keylog with which tshark opens the TLS, and --trust-ca with which the
// official mqtts_ca demo runs unchanged against a local broker.
#include <signal.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <regex>

#include "tests/e2e/e2e.hpp"
#include "tests/support/control_client.hpp"
#include "tests/support/luatos_process.hpp"
#include "tests/support/tshark.hpp"
#include "tests/tls/support/test_pki.hpp"

using namespace tests;

namespace {

// The MQTT packets of a capture: type | client id | topic | payload (hex), one line per packet.
const std::vector<std::string> kMqttFields = {"mqtt.msgtype", "mqtt.clientid", "mqtt.topic", "mqtt.msg"};

// The script connects to 127.0.0.1 itself: the gateway forwards only what the host map names
// (docs/network.md), so the map opens this host.
constexpr const char* kLoopbackOpen = "127.0.0.1=127.0.0.1";

// Connects as "pcap-client-7", subscribes, publishes "hello pcap" at QoS 1, disconnects.
const std::string kExchange = R"LUA(
sys.taskInit(function()
    sys.waitUntil("IP_READY")
    local c = mqtt.create(nil, "127.0.0.1", PORT, SSL)
    c:auth("pcap-client-7", "", "")
    c:on(function(c, ev, data, payload) log.info("ev", ev, data, payload) sys.publish("EV_" .. ev) end)
    c:connect()
    sys.waitUntil("EV_conack", 10000)
    c:subscribe("pcap/down", 1)
    sys.waitUntil("EV_suback", 10000)
    c:publish("pcap/up", "hello pcap", 1)
    sys.waitUntil("EV_sent", 10000)
    c:disconnect()
    sys.wait(50)
    os.exit(0)
end)
sys.run()
)LUA";

std::string script(std::uint16_t port, const std::string& ssl) {
    std::string s = kExchange;
    s.replace(s.find("PORT"), 4, std::to_string(port));
    s.replace(s.find("SSL"), 3, ssl);
    return s;
}

// CONNECT (1) with the client id, CONNACK (2), SUBSCRIBE (8) with its topic, SUBACK (9), PUBLISH (3)
// with topic and payload, PUBACK (4), DISCONNECT (14).
const Lines kExchangePackets = {"1|pcap-client-7||",
                                "2|||",
                                "8||pcap/down|",
                                "9|||",
                                "3||pcap/up|" + std::string("68656c6c6f2070636170"),
                                "4|||",
                                "14|||"};

std::vector<double> frame_times(const std::filesystem::path& capture) {
    std::vector<double> times;
    for (const auto& line : tshark_fields(capture, "frame", {"frame.time_epoch"}).lines)
        times.push_back(std::stod(line));
    return times;
}

double largest_gap(const std::vector<double>& times) {
    double gap = 0;
    for (std::size_t i = 1; i < times.size(); ++i)
        gap = std::max(gap, times[i] - times[i - 1]);
    return gap;
}

}  // namespace

TEST_CASE("debugging: --pcap holds the MQTT exchange in order, as tshark decodes it", "[debugging]") {
    Mosquitto broker;
    TempDir dir("e2e-pcap");
    write_file(dir.path() / "main.lua", script(broker.port(), "nil"));
    const auto capture = dir.path() / "link.pcap";
    const LuatosResult r = run_luatos({"--pcap", capture.string(), "--host", kLoopbackOpen, "--attach-delay",
                                       "10", (dir.path() / "main.lua").string()});
    REQUIRE(r.exit_code == 0);
    CHECK(lines_with(r.lines, "I/pcap") ==
          Lines{"I/pcap capturing the cellular link (LWIP_GP) into " + capture.string(),
                lines_with(r.lines, "I/pcap capture stopped: ").at(0)});
    const TsharkResult t = tshark_fields(capture, "mqtt", kMqttFields, mqtt_on_port(broker.port()));
    REQUIRE(t.exit_code == 0);
    CHECK_LINES(t.lines, kExchangePackets);
}

TEST_CASE("debugging: --pcap shows an outage as a gap and is whole while running and after SIGTERM",
          "[debugging]") {
    Mosquitto broker;
    TempDir dir("e2e-pcap");
    // A QoS 0 publish every 100 ms, forever: the link is never quiet for long but in the outage.
    write_file(dir.path() / "main.lua", R"LUA(
sys.taskInit(function()
    sys.waitUntil("IP_READY")
    local c = mqtt.create(nil, "127.0.0.1", )LUA" +
                                            std::to_string(broker.port()) +
                                            R"LUA()
    c:auth("pcap-ticker", "", "")
    c:connect()
    local n = 0
    while true do
        sys.wait(100)
        n = n + 1
        c:publish("pcap/tick", tostring(n), 0)
    end
end)
sys.run()
)LUA");
    const auto capture = dir.path() / "link.pcap";
    const auto control = dir.path() / "ctl";
    LuatosProcess device({"--pcap", capture.string(), "--host", kLoopbackOpen, "--control", control.string(),
                          "--attach-delay", "10", (dir.path() / "main.lua").string()});
    // Whole while the device runs: tshark reads the CONNECT and publishes already written.
    auto ticks = [&] {
        const TsharkResult t =
            tshark_fields(capture, "mqtt.msgtype == 3", {"mqtt.msg"}, mqtt_on_port(broker.port()));
        return t.exit_code == 0 && t.err.find("cut short") == std::string::npos ? t.lines.size() : 0;
    };
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (ticks() < 3 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    REQUIRE(ticks() >= 3);
    const TsharkResult connect =
        tshark_fields(capture, "mqtt.msgtype == 1", {"mqtt.clientid"}, mqtt_on_port(broker.port()));
    CHECK(connect.lines == Lines{"pcap-ticker"});

    REQUIRE(control_command(control.string(), "outage 1.5") == "ok link down for 1.5 s");
    // Frames after the outage too (none are captured while the link is down), then the end by SIGTERM.
    const std::size_t before = ticks();
    const auto after_deadline = std::chrono::steady_clock::now() + 20s;
    while (ticks() < before + 3 && std::chrono::steady_clock::now() < after_deadline)
        std::this_thread::sleep_for(20ms);
    REQUIRE(ticks() >= before + 3);
    device.signal(SIGTERM);
    CHECK(device.wait() == 128 + SIGTERM);

    const TsharkResult all = tshark_fields(capture, "frame", {"frame.number"});
    CHECK(all.exit_code == 0);
    CHECK(all.err.find("cut short") == std::string::npos);
    // Nothing crossed the link while it was down: the largest silence is the outage (1.5 s on the
    // device clock, the capture's timestamps), while the ticks keep every other one near 100 ms.
    const std::vector<double> times = frame_times(capture);
    REQUIRE(times.size() > 10);
    CHECK(largest_gap(times) >= 1.5 - 1e-6);
    CHECK(lines_with(device.lines(), "I/pcap capture stopped: ").size() == 1);
}

TEST_CASE("debugging: --pcap start and stop on the control socket, ETH0 points to tcpdump", "[debugging]") {
    Mosquitto broker;
    TempDir dir("e2e-pcap");
    write_file(dir.path() / "main.lua", "sys.taskInit(function() sys.wait(60000) end)\nsys.run()\n");
    const auto control = dir.path() / "ctl";
    const auto capture = dir.path() / "later.pcap";
    LuatosProcess device(
        {"--control", control.string(), "--attach-delay", "10", (dir.path() / "main.lua").string()});
    REQUIRE(device.wait_for_line("I/main LuatOS@Air780EP", 10s));
    CHECK(control_command(control.string(), "pcap") == "ok pcap off");
    CHECK(control_command(control.string(), "pcap start") == "error pcap start needs a file name");
    CHECK(control_command(control.string(), "pcap start " + (dir.path() / "no/such/dir.pcap").string())
              .starts_with("error cannot write the capture file "));
    CHECK(control_command(control.string(), "pcap start " + capture.string()) ==
          "ok pcap on " + capture.string() + " (0 frames)");
    CHECK(tshark_fields(capture, "frame", {"frame.number"}).exit_code == 0);  // a valid, empty capture
    CHECK(control_command(control.string(), "pcap stop") == "ok pcap off");
    CHECK(control_command(control.string(), "pcap restart") ==
          "error pcap takes `start FILE` or `stop`, not 'restart'");
    device.signal(SIGTERM);
    device.wait();

    const std::string nowhere = (dir.path() / "no/such/dir.pcap").string();
    const LuatosResult bad =
        run_luatos({"--pcap", nowhere, "--run-for", "10ms", (dir.path() / "main.lua").string()});
    CHECK(bad.exit_code == 1);
    CHECK(bad.err.starts_with("luatos: cannot write the capture file " + nowhere + ": "));

    const LuatosResult eth0 = run_luatos({"--pcap", (dir.path() / "e.pcap").string(), "--adapter", "eth0",
                                          "--run-for", "10ms", (dir.path() / "main.lua").string()});
    CHECK(lines_with(eth0.lines, "W/pcap") ==
          Lines{"W/pcap the default adapter is ETH0 (host sockets), which has no simulated link: only "
                "socket.LWIP_GP traffic is captured; for ETH0 use `tcpdump -i lo -w FILE port PORT`"});
}

TEST_CASE("debugging: --tls-keylog lets tshark decode the MQTT CONNECT inside TLS", "[debugging]") {
    TestPki pki;
    Mosquitto broker({{"tls", "certfile " + pki.path("server.pem").string() + "\nkeyfile " +
                                  pki.path("server.key").string() + "\ntls_version tlsv1.2\n"}},
                     true);
    const std::uint16_t port = broker.port("tls");
    TempDir dir("e2e-keylog");
    write_file(dir.path() / "main.lua", script(port, "true"));
    const auto capture = dir.path() / "tls.pcap";
    const auto keys = dir.path() / "keys.txt";
    const LuatosResult r =
        run_luatos({"--pcap", capture.string(), "--host", kLoopbackOpen, "--tls-keylog", keys.string(),
                    "--attach-delay", "10", (dir.path() / "main.lua").string()});
    REQUIRE(r.exit_code == 0);
    CHECK(lines_with(r.lines, "W/tls") ==
          Lines{"W/tls --tls-keylog " + keys.string() +
                ": the secrets of every TLS session are written there; whoever has the file can decrypt the "
                "traffic"});
    const std::string key_text = read_file(keys);
    CHECK(std::regex_match(key_text, std::regex("CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n")));
    // Without the keys tshark sees TLS only; with them, the whole exchange.
    CHECK(tshark_fields(capture, "mqtt", kMqttFields, mqtt_in_tls_on_port(port)).lines.empty());
    std::vector<std::string> options = mqtt_in_tls_on_port(port);
    options.insert(options.end(), {"-o", "tls.keylog_file:" + keys.string()});
    const TsharkResult t = tshark_fields(capture, "mqtt", kMqttFields, options);
    REQUIRE(t.exit_code == 0);
    CHECK_LINES(t.lines, kExchangePackets);
}

namespace {

constexpr const char* kImei = "864291050111210";

// A TLS broker with a certificate for airtest.openluat.com from the test's own CA, and a plain
// listener for the second client that watches it.
struct AirtestBroker {
    AirtestBroker()
        : pki(KeyKind::kEcP256, {"airtest.openluat.com"}),
          broker({{"tls", "certfile " + pki.path("server.pem").string() + "\nkeyfile " +
                              pki.path("server.key").string() + "\ntls_version tlsv1.2\n"},
                  {"mqtt", ""}},
                 true) {}
    TestPki pki;
    Mosquitto broker;
};

// The official demo/mqtt project with one variant selected: "mqtt_main" is the demo's main.lua as
// shipped; another is main.lua with `require "<variant>"` in place of `require "mqtt_main"`, as its
// readme tells a user to. Every other file is the demo's own, unchanged, from ../shared/luatos/
// (netdrv_device.lua picks netdrv_4g.lua, which sets the DNS servers at IP_READY).
std::vector<std::string> mqtt_demo(const TempDir& dir, const std::string& variant,
                                   const std::string& folder) {
    const std::filesystem::path demo = std::filesystem::path(LUATOS_SHARED_DIR) / "demo/mqtt";
    std::vector<std::string> files = {
        (demo / "network_watchdog.lua").string(), (demo / "uart_app.lua").string(),
        (demo / "timer_app.lua").string(),        (demo / "netdrv_device.lua").string(),
        (demo / "netdrv").string() + "/",         (demo / folder).string() + "/"};
    if (variant == "mqtt_main") {
        files.push_back((demo / "main.lua").string());
        return files;
    }
    std::string main_lua = read_file(demo / "main.lua");
    auto replace = [&main_lua](const std::string& from, const std::string& to) {
        const auto at = main_lua.find(from);
        REQUIRE(at != std::string::npos);
        main_lua.replace(at, from.size(), to);
    };
    replace("\nrequire \"mqtt_main\"", "\n-- require \"mqtt_main\"");
    replace("-- require \"" + variant + "\"", "require \"" + variant + "\"");
    std::filesystem::create_directories(dir.path() / "project");
    write_file(dir.path() / "project/main.lua", main_lua);
    files.push_back((dir.path() / "project/main.lua").string());
    return files;
}

std::vector<std::string> demo_args(const AirtestBroker& b, const TempDir& dir,
                                   const std::vector<std::string>& more,
                                   const std::string& variant = "mqtts_ca_main",
                                   const std::string& folder = "mqtts_ca") {
    std::vector<std::string> args = {
        "--imei",         kImei,
        "--attach-delay", "10",
        "--host",         "airtest.openluat.com=127.0.0.1:" + std::to_string(b.broker.port("tls")),
        "--host",         "lbsmqtt.airm2m.com=127.0.0.1:" + std::to_string(b.broker.port("mqtt"))};
    args.insert(args.end(), more.begin(), more.end());
    for (const auto& f : mqtt_demo(dir, variant, folder))
        args.push_back(f);
    return args;
}

// Runs one variant of the official mqtt demo: subscribed, the timer's uplink seen by a second client,
// a downlink received by the demo, no Lua error and no E/ line.
void mqtt_demo_variant(
    const std::string& variant, const std::string& folder, const std::string& prefix, bool trust_ca,
    const std::function<void(const Lines&, const std::string& ca)>& on_subscribed = nullptr) {
    if (!std::filesystem::exists(std::filesystem::path(LUATOS_SHARED_DIR) / "demo/mqtt" / folder)) {
        WARN("skipped: no ../shared/luatos/demo/mqtt");
        return;
    }
    AirtestBroker b;
    TempDir dir("e2e-mqtt-demo");
    MqttObserver observer(b.broker.port("mqtt"));
    observer.subscribe(std::string(kImei) + "/#", 1);
    std::vector<std::string> more;
    if (trust_ca) more = {"--trust-ca", b.pki.path("ca.pem").string()};
    LuatosProcess device(demo_args(b, dir, more, variant, folder));
    const bool subscribed =
        device.wait_for_line("I/user." + prefix + "_client_main_task_func subscribe success", 15s);
    if (subscribed && on_subscribed) on_subscribed(device.lines(), b.pki.path("ca.pem").string());
    const bool uplink = subscribed && observer.wait_for_count(std::string(kImei) + "/timer/up", 1, 15s);
    INFO(joined(device.lines()));
    REQUIRE(subscribed);
    REQUIRE(uplink);
    CHECK(observer.messages_on(std::string(kImei) + "/timer/up").at(0).payload == "send from timer: 1");
    observer.publish(std::string(kImei) + "/down", "downlink-42", 1);
    CHECK(device.wait_for(
        [&prefix](const Lines& now) {
            return !lines_containing(lines_with(now, "I/user." + prefix + "_client_event_cbfunc"),
                                     " recv " + std::string(kImei) + "/down downlink-42")
                        .empty();
        },
        10s));
    device.signal(SIGTERM);
    device.wait();
    CHECK(lines_with(device.lines(), "E/").empty());
}

}  // namespace

TEST_CASE("debugging: the official mqtts_ca demo runs unchanged against a local broker with --trust-ca",
          "[debugging]") {
    if (!std::filesystem::exists(std::filesystem::path(LUATOS_SHARED_DIR) / "demo/mqtt/mqtts_ca")) {
        WARN("skipped: no ../shared/luatos/demo/mqtt");
        return;
    }
    // The timer's uplink (every 5 s, by timer_app.lua) seen by a second client and a downlink received
    // by the demo, as for every variant (mqtt_demo_variant); here also the --trust-ca lines.
    mqtt_demo_variant("mqtts_ca_main", "mqtts_ca", "mqtts_ca", true,
                      [](const Lines& lines, const std::string& ca) {
                          CHECK(lines_with(lines, "W/tls") ==
                                Lines{"W/tls --trust-ca " + ca +
                                      " (test only): TLS verification also accepts servers whose "
                                      "chain leads to this CA; host names are "
                                      "still checked"});
                          const Lines connects = lines_with(lines, "W/net socket[");
                          REQUIRE(!connects.empty());
                          CHECK(connects.at(0).ends_with("] TLS verification also trusts the test CA " + ca +
                                                         " (--trust-ca, test only)"));
                          CHECK(lines_with(lines, "E/mqtt").empty());
                      });
}

// The demo's other three variants (the mqtts_ca one is the test above): the default mqtt_main, the
// shipped folder unchanged, over plain MQTT (lbsmqtt.airm2m.com:1884); mqtts_main, TLS without
// verification; mqtts_m_ca_main, mutual TLS with the demo's own client certificate and --trust-ca for
// the test broker's. (Its client certificate's issuer is not shipped and it expired on 2026-07-31, so
// the test broker does not ask for it; the demo still loads it into its TLS configuration.)
TEST_CASE("debugging: the official mqtt demo as shipped (mqtt_main) against a local broker", "[debugging]") {
    mqtt_demo_variant("mqtt_main", "mqtt", "mqtt", false);
}
TEST_CASE("debugging: the official mqtt demo's mqtts variant against a local TLS broker", "[debugging]") {
    mqtt_demo_variant("mqtts_main", "mqtts", "mqtts", false);
}
TEST_CASE("debugging: the official mqtt demo's mqtts_mutual_ca variant with --trust-ca", "[debugging]") {
    mqtt_demo_variant("mqtts_m_ca_main", "mqtts_mutual_ca", "mqtts_m_ca", true);
}

TEST_CASE("debugging: without --trust-ca the mqtts_ca demo is refused as before", "[debugging]") {
    if (!std::filesystem::exists(std::filesystem::path(LUATOS_SHARED_DIR) / "demo/mqtt/mqtts_ca")) {
        WARN("skipped: no ../shared/luatos/demo/mqtt");
        return;
    }
    AirtestBroker b;
    TempDir dir("e2e-trust-ca");
    LuatosProcess device(demo_args(b, dir, {}));
    REQUIRE(device.wait_for_line("E/mqtt connect to airtest.openluat.com:8888 failed: ", 15s));
    device.signal(SIGTERM);
    device.wait();
    CHECK(lines_with(device.lines(), "E/mqtt") == Lines{"E/mqtt connect to airtest.openluat.com:8888 failed: "
                                                        "server certificate rejected: The certificate is "
                                                        "not correctly signed by the trusted CA"});
    CHECK(lines_with(device.lines(), "W/net").empty());
}

TEST_CASE("debugging: --trust-ca keeps the host name check and the script's server_cert checks",
          "[debugging]") {
    AirtestBroker b;
    TempDir dir("e2e-trust-ca");
    const std::uint16_t port = b.broker.port("tls");
    // other.example is sent to the broker, whose certificate does not carry that name; the script's
    // server_cert (the wrong CA) still parses; a malformed one is refused as without --trust-ca.
    write_file(dir.path() / "main.lua", "WRONG_CA = [==[" + b.pki.read("wrong_ca.pem") + "]==]\n" + R"LUA(
sys.taskInit(function()
    sys.waitUntil("IP_READY")
    log.info("malformed", mqtt.create(nil, "airtest.openluat.com", 8888, {server_cert = WRONG_CA:sub(1, 100)}))
    local c = mqtt.create(nil, "other.example", 8888, {server_cert = WRONG_CA})
    c:on(function(c, ev, data) log.info("ev", ev, data) sys.publish("EV_" .. ev) end)
    c:connect()
    sys.waitUntil("EV_error", 10000)
    c:close()
    local ok = mqtt.create(nil, "airtest.openluat.com", 8888, {server_cert = WRONG_CA})
    ok:auth("trust-ca-ok", "", "")
    ok:on(function(c, ev, data) log.info("ev", ev, data) sys.publish("EV_" .. ev) end)
    ok:connect()
    sys.waitUntil("EV_conack", 10000)
    os.exit(0)
end)
sys.run()
)LUA");
    const std::string mapped = "=127.0.0.1:" + std::to_string(port);
    const LuatosResult r = run_luatos({"--trust-ca", b.pki.path("ca.pem").string(), "--attach-delay", "10",
                                       "--host", "other.example" + mapped, "--host",
                                       "airtest.openluat.com" + mapped, (dir.path() / "main.lua").string()});
    CHECK(r.exit_code == 0);
    INFO(joined(r.lines));
    CHECK_LINES(lines_with(r.lines, "I/user."),
                {"I/user.malformed", "I/user.ev error connect", "I/user.ev conack nil"});
    const Lines errors = lines_with(r.lines, "E/mqtt");
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].starts_with("E/mqtt mqtt.create: ssl.server_cert: "));
    CHECK(errors[1] ==
          "E/mqtt connect to other.example:8888 failed: server certificate rejected: The certificate "
          "Common Name (CN) does not match with the expected CN");

    // A file that holds no certificate ends the run before it starts.
    write_file(dir.path() / "not-a-ca.txt", "not a certificate\n");
    const LuatosResult bad = run_luatos({"--trust-ca", (dir.path() / "not-a-ca.txt").string(), "--run-for",
                                         "10ms", (dir.path() / "main.lua").string()});
    CHECK(bad.exit_code == 1);
    CHECK(bad.err == "luatos: --trust-ca " + (dir.path() / "not-a-ca.txt").string() +
                         ": X509 - The CRT/CRL/CSR format is invalid, e.g. different type expected\n");
}
