// Issue 15: `luatos fleet` runs many devices from one script folder (docs/fleet.md), against a private
// mosquitto and a second client that watches the uplinks. tests/e2e/scripts/fleet/main.lua is the
// device: IMEI as client id, a numbered QoS 1 uplink a second, and the device whose IMEI body ends in
// 13 dies on purpose once connected. Every wait is for a condition (a status line, a message); the
// fleet is ended by SIGTERM, so no run depends on how fast this machine is.
#include <catch2/catch.hpp>

#include <signal.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "platform_air780ep/identity.hpp"
#include "tests/e2e/e2e.hpp"
#include "tests/support/control_client.hpp"

using namespace tests;

namespace {

struct CsvDevice {
    std::size_t index = 0;
    std::string imei, unique_id, link, dir;
};

std::vector<CsvDevice> read_devices_csv(const std::filesystem::path& dir) {
    std::istringstream in(read_file(dir / "devices.csv"));
    std::string line;
    std::getline(in, line);
    REQUIRE(line == "index,imei,unique_id,link,dir");
    std::vector<CsvDevice> out;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream fields(line);
        for (std::string x; std::getline(fields, x, ',');)
            f.push_back(x);
        if (line.ends_with(',')) f.emplace_back();
        REQUIRE(f.size() == 5);
        out.push_back({std::stoul(f[0]), f[1], f[2], f[3], f[4]});
    }
    return out;
}

// `luatos fleet` with the test device's script, its folder in a temporary folder of the test.
class Fleet {
  public:
    Fleet(const Mosquitto& broker, const TempDir& tmp, const std::string& name,
          std::vector<std::string> options)
        : dir_(tmp.path() / name), control_(tmp.file(name + ".ctl")), summary_(tmp.file(name + ".json")) {
        std::vector<std::string> args = {
            "fleet",          "--dir",  dir_.string(),
            "--control",      control_, "--summary",
            summary_,         "--host", "broker.fleet=127.0.0.1:" + std::to_string(broker.port()),
            "--attach-delay", "100",    "--ramp",
            "200/s"};
        args.insert(args.end(), options.begin(), options.end());
        args.push_back(repo_path("tests/e2e/scripts/fleet").string() + "/");
        process_.emplace(args);
    }
    LuatosProcess& process() { return *process_; }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    [[nodiscard]] std::string summary() const { return read_file(summary_); }
    std::string control(const std::string& command) const { return control_command(control_, command); }
    // Until a status line matches `pattern` (a regex searched in the line).
    bool wait_status(const std::string& pattern, std::chrono::milliseconds timeout = 30s) {
        const std::regex re(pattern);
        return process_->wait_for(
            [&](const Lines& lines) {
                for (const auto& l : lines)
                    if (l.starts_with("[") && std::regex_search(l, re)) return true;
                return false;
            },
            timeout);
    }
    // SIGTERM and the exit status (the devices are stopped, the summary printed).
    int stop() {
        process_->signal(SIGTERM);
        return process_->wait(30s);
    }

  private:
    std::filesystem::path dir_;
    std::string control_;
    std::string summary_;
    std::optional<LuatosProcess> process_;
};

std::set<std::string> uplink_imeis(const MqttObserver& observer) {
    std::set<std::string> out;
    for (const auto& m : observer.messages())
        out.insert(m.topic.substr(std::string("/fleet/up/").size()));
    return out;
}

const std::regex kStatusLine(
    R"(^\[ *\d+s\] started \d+/\d+ attached \d+ mqtt \d+ up \d+\.\d/s down \d+\.\d/s reconnects \d+ errors \d+$)");

}  // namespace

TEST_CASE("fleet: identities, logs, status lines, the summary and a device whose script dies") {
    Mosquitto broker;
    MqttObserver observer(broker.port());
    observer.subscribe("/fleet/up/#", 1);
    TempDir tmp("fleet");
    Fleet fleet(broker, tmp, "f",
                {"--devices", "20", "--imei-base", "86429105000000", "--link-mix",
                 "good=70,cat1=20,poor4g=10", "--seed", "7"});
    // 19 connected at once, the 20th (index 13) dead: the status line says so.
    REQUIRE(fleet.wait_status(R"(started 20/20 attached \d+ mqtt 19 .* errors 1$)"));
    REQUIRE(observer.wait_for(
        [](const std::vector<ObservedMessage>& ms) {
            std::set<std::string> imeis;
            for (const auto& m : ms)
                imeis.insert(m.topic);
            return imeis.size() == 19;
        },
        30s));
    const int code = fleet.stop();
    const Lines out = fleet.process().lines();
    INFO(joined(out));
    CHECK(code == 1);  // a device's script died

    // The plan: base + k with its Luhn digit, unique ids, the seeded mix, one folder each.
    const auto devices = read_devices_csv(fleet.dir());
    REQUIRE(devices.size() == 20);
    std::set<std::string> ids;
    std::map<std::string, int> links;
    for (std::size_t k = 0; k < devices.size(); ++k) {
        const CsvDevice& d = devices[k];
        CHECK(d.index == k);
        CHECK(platform_air780ep::imei_is_valid(d.imei));
        CHECK(d.imei.substr(0, 14) == std::to_string(86429105000000ULL + k));
        ids.insert(d.unique_id);
        ++links[d.link];
        CHECK(d.dir == (fleet.dir() / std::to_string(k)).string());
        // The device's own Luatools log says who it is.
        const std::string log = read_file(std::filesystem::path(d.dir) / "luatos.log");
        std::string upper_id = d.unique_id;
        for (char& c : upper_id)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        CHECK(std::regex_search(
            log,
            std::regex(R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\]\[\d{9}\.\d{3}\] I/user\.fleet imei )" +
                       d.imei + " unique id " + upper_id)));
        // And its link came from the mix.
        CHECK(read_file(std::filesystem::path(d.dir) / "stderr.txt").empty());
    }
    CHECK(ids.size() == 20);
    CHECK(links.size() >= 2);
    for (const auto& [name, count] : links)
        CHECK((name == "good" || name == "cat1" || name == "poor4g"));
    // Every device but the dead one published under its own IMEI.
    std::set<std::string> expected;
    for (const auto& d : devices)
        if (d.index != 13) expected.insert(d.imei);
    CHECK(uplink_imeis(observer) == expected);

    // The status lines (plain lines on a pipe), the dead device's line, the text summary.
    std::size_t status_lines = 0;
    for (const auto& l : out) {
        if (!l.starts_with("[")) continue;
        ++status_lines;
        CHECK(std::regex_match(l, kStatusLine));
    }
    CHECK(status_lines >= 1);
    const std::string dead_imei = devices[13].imei;
    CHECK(!lines_containing(out, "device 13 (IMEI " + dead_imei + ") died: exit status 1, log " +
                                     devices[13].dir + "/luatos.log")
               .empty());
    CHECK(!lines_containing(out, "E/main [string \"main.lua\"]:").empty());
    CHECK(!lines_containing(out, "fleet: 20 devices in ").empty());
    CHECK(!lines_containing(out, ": 19 clean, 1 crashed, 0 never connected").empty());
    CHECK(!lines_containing(out, "crashed: device 13 (IMEI " + dead_imei + ") exit status 1").empty());

    // The JSON summary.
    const std::string json = fleet.summary();
    CHECK(json.find("\"devices\":20,\"shard\":\"0/1\",\"first_index\":0") != std::string::npos);
    CHECK(json.find("\"clean\":19,\"crashed\":1,\"never_connected\":0") != std::string::npos);
    CHECK(json.find("\"crashed_devices\":[{\"index\":13,\"imei\":\"" + dead_imei + "\",\"exit_code\":1") !=
          std::string::npos);
    CHECK(std::regex_search(json, std::regex(R"("uplinks":[1-9]\d*,"downlinks":0,"reconnects":0)")));
    CHECK(std::regex_search(json, std::regex(R"("connect_ms":\{"p50":\d+,"p99":\d+,"max":\d+\})")));
}

TEST_CASE("fleet: a partial outage and device commands through the fleet's control socket") {
    Mosquitto broker;
    TempDir tmp("fleet");
    // Bodies 20..39: no device dies.
    Fleet fleet(broker, tmp, "f", {"--devices", "20", "--imei-base", "86429105000020"});
    REQUIRE(fleet.wait_status(R"(started 20/20 attached 20 mqtt 20 )"));

    CHECK(fleet.control("status").starts_with("ok ["));
    CHECK(fleet.control("status devices=3").starts_with("ok 3: ok link up"));
    CHECK(fleet.control("outage 600 devices=x") ==
          "error devices= takes indices and ranges (0-999,2000) or a fraction (25% or 0.25), not 'x'");
    CHECK(fleet.control("bogus devices=1")
              .starts_with("error bogus: 1 of 1 devices failed (device 1: error unknown command 'bogus'"));
    // A long outage on half of them: their link goes down, the others stay up.
    CHECK(fleet.control("outage 600 devices=0-9") == "ok outage 600: 10 devices");
    REQUIRE(fleet.wait_status(R"(started 20/20 attached 10 )"));
    CHECK(fleet.control("status devices=4,15").find("4: ok link down (outage") != std::string::npos);
    CHECK(fleet.control("status devices=4,15").find("15: ok link up") != std::string::npos);
    // And up again for all: a fraction chooses the first ones.
    CHECK(fleet.control("up devices=50%") == "ok up: 10 devices");
    REQUIRE(fleet.wait_status(R"(started 20/20 attached 20 mqtt 20 )"));
    CHECK(fleet.stop() == 128 + SIGTERM);
    for (std::size_t k = 0; k < 20; ++k) {
        const std::string log = read_file(fleet.dir() / std::to_string(k) / "luatos.log");
        CHECK((log.find("stopped by SIGTERM") != std::string::npos));
    }
    CHECK(fleet.summary().find("\"clean\":20,\"crashed\":0") != std::string::npos);
}

TEST_CASE("fleet: two shards run disjoint identities against one broker") {
    Mosquitto broker;
    MqttObserver observer(broker.port());
    observer.subscribe("/fleet/up/#", 1);
    TempDir tmp("fleet");
    Fleet a(broker, tmp, "a", {"--devices", "10", "--shard", "0/2", "--imei-base", "86429105000020"});
    Fleet b(broker, tmp, "b", {"--devices", "10", "--shard", "1/2", "--imei-base", "86429105000020"});
    REQUIRE(a.wait_status(R"(started 5/5 attached 5 mqtt 5 )"));
    REQUIRE(b.wait_status(R"(started 5/5 attached 5 mqtt 5 )"));
    // All ten publish at once: the broker would drop one of two clients with the same id.
    REQUIRE(observer.wait_for(
        [](const std::vector<ObservedMessage>& ms) {
            std::set<std::string> imeis;
            for (const auto& m : ms)
                imeis.insert(m.topic);
            return imeis.size() == 10;
        },
        30s));
    CHECK(a.stop() == 128 + SIGTERM);
    CHECK(b.stop() == 128 + SIGTERM);
    const auto da = read_devices_csv(a.dir());
    const auto db = read_devices_csv(b.dir());
    REQUIRE(da.size() == 5);
    REQUIRE(db.size() == 5);
    std::set<std::string> all;
    for (std::size_t k = 0; k < 5; ++k) {
        CHECK(da[k].index == k);
        CHECK(db[k].index == k + 5);
        all.insert(da[k].imei);
        all.insert(db[k].imei);
    }
    CHECK(all.size() == 10);
    CHECK(uplink_imeis(observer) == all);
    CHECK(a.summary().find("\"devices\":5,\"shard\":\"0/2\",\"first_index\":0") != std::string::npos);
    CHECK(b.summary().find("\"devices\":5,\"shard\":\"1/2\",\"first_index\":5") != std::string::npos);
    // No device was kicked off by a twin with its client id (the broker would log it).
    CHECK(broker.log().find("already connected, closing old connection") == std::string::npos);
}

TEST_CASE("fleet: devices stop by themselves when their supervisor is gone") {
    Mosquitto broker;
    TempDir tmp("fleet");
    Fleet fleet(broker, tmp, "f", {"--devices", "3", "--imei-base", "86429105000020"});
    REQUIRE(fleet.wait_status(R"(started 3/3 attached 3 mqtt 3 )"));
    fleet.process().signal(SIGKILL);  // no goodbye: only the status pipes' closed ends tell
    fleet.process().wait(10s);
    for (int k = 0; k < 3; ++k) {
        const auto log = fleet.dir() / std::to_string(k) / "luatos.log";
        INFO(log);
        bool stopped = false;
        for (int i = 0; i < 5000 && !stopped; ++i) {
            stopped =
                read_file(log).find("W/main stopped: the fleet supervisor is gone") != std::string::npos;
            if (!stopped) std::this_thread::sleep_for(2ms);
        }
        CHECK(stopped);
    }
}
