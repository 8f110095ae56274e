// The fleet's plan and figures without a process (lua_bindings/app/fleet/fleet_plan.hpp,
// fleet_summary.hpp): shards cover the fleet exactly once, identities are valid and unique, the link
// mix is seeded, device selections, the status lines children write, percentiles.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "lua_bindings/app/fleet/fleet_options.hpp"
#include "lua_bindings/app/fleet/fleet_plan.hpp"
#include "lua_bindings/app/fleet/fleet_summary.hpp"
#include "platform_air780ep/identity.hpp"

using namespace lua_bindings;

TEST_CASE("fleet plan: shards are disjoint slices that cover the fleet") {
    for (std::size_t devices : {1u, 7u, 10u, 1000u, 5001u}) {
        for (std::size_t count : {1u, 2u, 3u, 8u}) {
            std::size_t next = 0;
            for (std::size_t k = 0; k < count; ++k) {
                const IndexRange r = shard_range(devices, {k, count});
                CHECK(r.first == next);
                CHECK(r.last >= r.first);
                CHECK(r.last - r.first <= devices / count + 1);
                next = r.last;
            }
            CHECK(next == devices);
        }
    }
    std::string error;
    CHECK(parse_shard("1/4", error)->index == 1);
    CHECK_FALSE(parse_shard("4/4", error));
    CHECK(error == "--shard needs K/N with 0 <= K < N (K is 0-based, as a completion index), not '4/4'");
    CHECK_FALSE(parse_shard("1", error));
    CHECK_FALSE(parse_shard("0/0", error));
}

TEST_CASE("fleet plan: identities are valid IMEIs from the base, and unique") {
    std::string error;
    const auto base = parse_imei_base("86429105000000", error);
    REQUIRE(base);
    CHECK(parse_imei_base("864291050111210", error) == 86429105011121ULL);  // a valid IMEI: its body
    CHECK_FALSE(parse_imei_base("864291050111211", error));
    CHECK(error ==
          "--imei-base: IMEI 864291050111211 has a bad check digit (the Luhn digit of its first 14 digits is "
          "0)");
    CHECK_FALSE(parse_imei_base("8642910500000", error));
    std::set<std::string> imeis, ids;
    for (std::size_t k = 0; k < 2000; ++k) {
        const auto id = device_identity(*base, k);
        REQUIRE(id);
        CHECK(platform_air780ep::imei_is_valid(id->imei));
        CHECK(id->unique_id_hex.size() == 32);
        imeis.insert(id->imei);
        ids.insert(id->unique_id_hex);
    }
    CHECK(imeis.size() == 2000);
    CHECK(ids.size() == 2000);
    CHECK(device_identity(*base, 0)->imei == "864291050000009");
    CHECK_FALSE(device_identity(99999999999999ULL, 1));  // past 14 digits
}

TEST_CASE("fleet plan: the link mix is drawn by weight and by seed") {
    std::string error;
    const auto mix = parse_link_mix("good=70,cat1=20,poor4g=10", error);
    REQUIRE(mix);
    std::map<std::string, int> counts;
    for (std::size_t k = 0; k < 10000; ++k)
        ++counts[pick_profile(*mix, 1, k)];
    CHECK(counts["good"] > 6500);
    CHECK(counts["good"] < 7500);
    CHECK(counts["cat1"] > 1600);
    CHECK(counts["poor4g"] > 700);
    CHECK(pick_profile(*mix, 1, 42) == pick_profile(*mix, 1, 42));
    int differ = 0;
    for (std::size_t k = 0; k < 100; ++k)
        differ += pick_profile(*mix, 1, k) != pick_profile(*mix, 2, k) ? 1 : 0;
    CHECK(differ > 10);
    CHECK_FALSE(parse_link_mix("good=70,lte=30", error));
    CHECK(error.starts_with("--link-mix: unknown profile 'lte' (profiles: "));
    CHECK_FALSE(parse_link_mix("good", error));
    CHECK_FALSE(parse_link_mix("good=0", error));
    CHECK(error == "--link-mix: the weights add up to 0");
}

TEST_CASE("fleet plan: devices= selections and the ramp") {
    std::string error;
    const std::vector<std::size_t> running = {0, 1, 2, 3, 5, 8, 9, 10};
    CHECK(select_devices(*parse_selection("0-3", error), running) == std::vector<std::size_t>{0, 1, 2, 3});
    CHECK(select_devices(*parse_selection("5,9-20", error), running) == std::vector<std::size_t>{5, 9, 10});
    CHECK(select_devices(*parse_selection("25%", error), running) == std::vector<std::size_t>{0, 1});
    CHECK(select_devices(*parse_selection("0.5", error), running) == std::vector<std::size_t>{0, 1, 2, 3});
    CHECK(select_devices(*parse_selection("4", error), running).empty());
    for (const char* bad : {"", "x", "3-1", "0%", "101%", "1.5", "-2"}) {
        INFO(bad);
        CHECK_FALSE(parse_selection(bad, error));
    }
    CHECK(parse_ramp("200/s", error) == 200.0);
    CHECK(parse_ramp("12.5", error) == 12.5);
    CHECK_FALSE(parse_ramp("0/s", error));
    CHECK(error == "--ramp needs devices per second, like 200/s, not '0/s'");
}

TEST_CASE("fleet: the command line refuses what one device would refuse") {
    FleetConfig cfg;
    std::string error;
    const std::vector<std::string> ok = {"--devices", "5", "--link", "loss=0.1", "--run-for", "2s", "dir/"};
    CHECK(parse_fleet_cli(ok, cfg, error));
    CHECK(cfg.device_args == std::vector<std::string>{"--link", "loss=0.1", "--run-for", "2s"});
    CHECK(cfg.scripts == std::vector<std::string>{"dir/"});
    FleetConfig bad;
    CHECK_FALSE(parse_fleet_cli(std::vector<std::string>{"--run-for", "soon", "dir/"}, bad, error));
    CHECK(error == "--run-for needs a duration like 500ms, 10s or 2m, not 'soon'");
    CHECK_FALSE(parse_fleet_cli(std::vector<std::string>{"--imei", "864291050111210", "dir/"}, bad, error));
    CHECK(error == "unknown option --imei");
}

TEST_CASE("fleet: status lines from the devices, totals and percentiles") {
    FleetDevice d;
    d.started = true;
    d.apply_status("s a=1 m=1 up=12 dn=3 cn=3 ct=834 boot=1");
    CHECK(d.attached);
    CHECK(d.mqtt == 1);
    CHECK(d.uplinks == 12);
    CHECK(d.downlinks == 3);
    CHECK(d.reconnects() == 2);
    CHECK(d.connect_ms == 834);
    d.apply_status("garbage");
    d.apply_status("s a=0 future=9");
    CHECK_FALSE(d.attached);
    CHECK(d.uplinks == 12);

    std::vector<FleetDevice> fleet(3, d);
    fleet[1].ended = true;
    fleet[1].exit_code = 1;
    fleet[2].ended = true;
    fleet[2].exit_code = 143;
    fleet[2].stopped = true;
    fleet[2].connect_ms = -1;
    const FleetTotals t = fleet_totals(fleet);
    CHECK(t.started == 3);
    CHECK(t.crashed == 1);
    CHECK(t.clean == 1);
    CHECK(t.never_connected == 1);
    CHECK(t.uplinks == 36);
    CHECK(t.reconnects == 6);
    CHECK(status_line(12.2, t, {}, 2) ==
          "[  12s] started 3/3 attached 0 mqtt 1 up 18.0/s down 4.5/s reconnects 6 errors 1");
    std::vector<std::int64_t> v;
    for (int i = 100; i >= 1; --i)
        v.push_back(i);
    CHECK(percentile(v, 50) == 50);
    CHECK(percentile(v, 99) == 99);
    CHECK(percentile(v, 100) == 100);
    CHECK(percentile({}, 50) == std::nullopt);
}
