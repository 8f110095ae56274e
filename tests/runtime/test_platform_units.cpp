// Unit tests of the platform pieces and helpers: identity, /luadb/ image, adapter table, device file
// system paths, command-line value parsers.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "lua_bindings/app/cli_options.hpp"
#include "lua_bindings/device/device_fs.hpp"
#include "platform_air780ep/adapter_table.hpp"
#include "platform_air780ep/identity.hpp"
#include "platform_air780ep/luadb_image.hpp"

using namespace platform_air780ep;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "luatos-test-XXXXXX").string();
        path = ::mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    void write(const std::string& rel, const std::string& content) const {
        fs::create_directories((path / rel).parent_path());
        std::ofstream(path / rel, std::ios::binary) << content;
    }
};

}  // namespace

TEST_CASE("IMEI Luhn check digits") {
    CHECK(platform_air780ep::luhn_check_digit("49015420323751") ==
          '8');  // the classic example IMEI 490154203237518
    CHECK(platform_air780ep::imei_is_valid("490154203237518"));
    CHECK_FALSE(platform_air780ep::imei_is_valid("490154203237519"));
    CHECK_FALSE(platform_air780ep::imei_is_valid("49015420323751"));
    CHECK_FALSE(platform_air780ep::imei_is_valid("49015420323751a"));
    // The LuatOS PC simulator's synthetic IMEI (docs/modules/mobile.md) fails the check; ours never do.
    CHECK_FALSE(platform_air780ep::imei_is_valid("862289051862657"));
    CHECK(platform_air780ep::imei_problem("490154203237519") ==
          "IMEI 490154203237519 has a bad check digit (the Luhn digit of its first 14 digits is 8)");
    CHECK(platform_air780ep::imei_problem("12345") == "an IMEI is 15 decimal digits, not '12345'");
}

TEST_CASE("identities are stable per seed, different between seeds, and always valid") {
    std::string error;
    auto a1 = platform_air780ep::make_identity("machine|/a", std::nullopt, std::nullopt, error);
    auto a2 = platform_air780ep::make_identity("machine|/a", std::nullopt, std::nullopt, error);
    auto b = platform_air780ep::make_identity("machine|/b", std::nullopt, std::nullopt, error);
    REQUIRE((a1 && a2 && b));
    CHECK(a1->unique_id == a2->unique_id);
    CHECK(a1->imei == a2->imei);
    CHECK(a1->unique_id != b->unique_id);
    CHECK(a1->imei != b->imei);
    CHECK(a1->unique_id.size() == 16);
    CHECK(platform_air780ep::imei_is_valid(a1->imei));
    CHECK(a1->imei.starts_with("86"));
    CHECK(a1->imsi.size() == 15);
    CHECK(a1->iccid.size() == 20);
    auto given =
        platform_air780ep::make_identity("x", std::string("\x01\x02"), std::string("490154203237518"), error);
    REQUIRE(given);
    CHECK(given->unique_id == std::string("\x01\x02"));
    CHECK(given->imei == "490154203237518");
    CHECK_FALSE(platform_air780ep::make_identity("x", std::nullopt, std::string("490154203237519"), error));
    CHECK(error.find("bad check digit") != std::string::npos);
}

TEST_CASE("unique ids are given as hex") {
    std::string error;
    CHECK(platform_air780ep::parse_hex_id("0aFF", error) == std::string("\x0a\xff", 2));
    CHECK_FALSE(platform_air780ep::parse_hex_id("abc", error));
    CHECK_FALSE(platform_air780ep::parse_hex_id("zz", error));
    CHECK(error == "not a hex digit in the unique id: 'z'");
    CHECK_FALSE(platform_air780ep::parse_hex_id("", error));
}

TEST_CASE("the /luadb/ image is flat by base name, skips hidden files and refuses duplicates") {
    TempDir dir;
    dir.write("proj/main.lua", "-- main");
    dir.write("proj/mqtt/mqtt_main.lua", "-- mqtt");
    dir.write("proj/.git/config", "x");
    dir.write("proj/.hidden.lua", "x");
    dir.write("extra/lib.lua", "-- lib");
    dir.write("dup/main.lua", "-- other main");
    std::string error;
    const std::vector<std::string> args{(dir.path / "proj").string(), (dir.path / "extra/lib.lua").string()};
    auto image = platform_air780ep::LuadbImage::load(args, error);
    REQUIRE(image);
    CHECK(image->names() == std::vector<std::string>{"lib.lua", "main.lua", "mqtt_main.lua"});
    CHECK(*image->find_path("/luadb/mqtt_main.lua") == "-- mqtt");
    CHECK(image->find_path("/data/main.lua") == nullptr);
    CHECK(image->has_main());
    CHECK(image->total_bytes() == 7 + 7 + 6);

    CHECK(image->warnings().empty());

    const std::vector<std::string> dup{(dir.path / "proj").string(), (dir.path / "dup").string()};
    CHECK_FALSE(platform_air780ep::LuadbImage::load(dup, error));
    CHECK(error == "two different files are both /luadb/main.lua: " + (dir.path / "proj/main.lua").string() +
                       " and " + (dir.path / "dup/main.lua").string());
    const std::vector<std::string> missing{(dir.path / "nowhere").string()};
    CHECK_FALSE(platform_air780ep::LuadbImage::load(missing, error));
    CHECK(error.starts_with("no such file or folder: "));
}

TEST_CASE("the /luadb/ image flashes a file given twice with the same bytes once, with a warning") {
    // The official Air780EPM demo/mqtt folder holds the same root CA in mqtts_ca/ and mqtts_mutual_ca/.
    TempDir dir;
    dir.write("proj/main.lua", "-- main");
    dir.write("proj/a/ca.crt", "CA");
    dir.write("proj/b/ca.crt", "CA");
    std::string error;
    const std::vector<std::string> args{(dir.path / "proj").string()};
    auto image = platform_air780ep::LuadbImage::load(args, error);
    REQUIRE(image);
    CHECK(image->names() == std::vector<std::string>{"ca.crt", "main.lua"});
    CHECK(image->sources().at("ca.crt") == (dir.path / "proj/a/ca.crt").string());
    CHECK(image->warnings() ==
          std::vector<std::string>{"/luadb/ca.crt is given twice with the same content (" +
                                   (dir.path / "proj/a/ca.crt").string() + " and " +
                                   (dir.path / "proj/b/ca.crt").string() + "): flashed once"});
}

TEST_CASE("the adapter table: default, last registered, first ready, listeners on changes only") {
    auto t = platform_air780ep::AdapterTable::air780ep();
    CHECK(t.default_id() == platform_air780ep::kAdapterLwipGp);
    CHECK(t.last_registered() == platform_air780ep::kAdapterEth0);
    CHECK_FALSE(t.first_ready());
    std::vector<std::string> events;
    const auto id = t.add_listener([&](const platform_air780ep::AdapterInfo& a) {
        events.push_back(a.name + (a.up ? " up " : " down ") + a.ip);
    });
    CHECK(t.set_up(platform_air780ep::kAdapterEth0, true));
    CHECK_FALSE(t.first_ready());  // ETH0 is a silent extra: not offered (one adapter attaches)
    CHECK(t.is_ready(platform_air780ep::kAdapterEth0));
    CHECK(t.set_up(platform_air780ep::kAdapterLwipGp, true));
    CHECK(t.first_ready() == platform_air780ep::kAdapterLwipGp);
    CHECK(t.set_attaching(platform_air780ep::kAdapterEth0));  // --adapter eth0
    CHECK(t.find(platform_air780ep::kAdapterEth0)->attaches);
    CHECK_FALSE(t.find(platform_air780ep::kAdapterLwipGp)->attaches);
    CHECK(t.first_ready() == platform_air780ep::kAdapterEth0);
    CHECK_FALSE(t.set_attaching(99));
    CHECK(t.set_attaching(platform_air780ep::kAdapterLwipGp));
    CHECK(t.set_up(platform_air780ep::kAdapterLwipGp, true));  // no change: no event
    CHECK(t.set_up(platform_air780ep::kAdapterLwipGp, true, std::string("10.0.2.16")));
    CHECK(t.set_up(platform_air780ep::kAdapterLwipGp, false));
    CHECK_FALSE(t.set_up(99, true));
    t.remove_listener(id);
    t.set_up(platform_air780ep::kAdapterEth0, false);
    CHECK(events == std::vector<std::string>{"ETH0 up 127.0.0.1", "LWIP_GP up 10.0.2.15",
                                             "LWIP_GP up 10.0.2.16", "LWIP_GP down 10.0.2.16"});
    CHECK(t.set_default(platform_air780ep::kAdapterEth0));
    CHECK_FALSE(t.set_default(0));
    CHECK_FALSE(t.set_default(platform_air780ep::kAdapterCount));
    CHECK(t.default_id() == platform_air780ep::kAdapterEth0);
}

TEST_CASE("device paths: /luadb/ is the image, everything else stays under the data folder") {
    platform_air780ep::LuadbImage image;
    image.add("main.lua", "x");
    const lua_bindings::DeviceFs fs(image, "/tmp/dev");
    auto r = fs.resolve("/luadb/main.lua");
    CHECK(r.kind == lua_bindings::DeviceFs::Resolved::Kind::kImage);
    CHECK(r.image_file != nullptr);
    CHECK(fs.resolve("/luadb/../luadb/./main.lua").image_file != nullptr);
    CHECK(fs.resolve("/luadb/none.lua").image_file == nullptr);
    r = fs.resolve("../../etc/passwd");
    CHECK(r.kind == lua_bindings::DeviceFs::Resolved::Kind::kData);
    CHECK(r.device_path == "/etc/passwd");
    CHECK(r.host_path == fs::path("/tmp/dev/etc/passwd"));
    CHECK(fs.resolve("data//x.txt").device_path == "/data/x.txt");
    CHECK(fs.resolve("/").host_path == fs::path("/tmp/dev"));
    CHECK(lua_bindings::mode_writes("r+"));
    CHECK(lua_bindings::mode_writes("wb"));
    CHECK_FALSE(lua_bindings::mode_writes("rb"));
}

TEST_CASE("command-line values: durations, sizes, time zones") {
    std::string error;
    CHECK(lua_bindings::parse_duration("500ms", error) == std::chrono::milliseconds(500));
    CHECK(lua_bindings::parse_duration("10s", error) == std::chrono::milliseconds(10000));
    CHECK(lua_bindings::parse_duration("1.5", error) == std::chrono::milliseconds(1500));
    CHECK(lua_bindings::parse_duration("2m", error) == std::chrono::milliseconds(120000));
    CHECK(lua_bindings::parse_duration("1h", error) == std::chrono::milliseconds(3600000));
    CHECK(error.empty());
    CHECK_FALSE(lua_bindings::parse_duration("-1s", error));
    CHECK(error == "a duration like 500ms, 10s or 2m, not '-1s'");
    CHECK_FALSE(lua_bindings::parse_duration("soon", error));
    CHECK(error == "a duration like 500ms, 10s or 2m, not 'soon'");
    CHECK(lua_bindings::parse_size("4194296", error) == 4194296u);
    CHECK(lua_bindings::parse_size("512k", error) == 512u * 1024);
    CHECK(lua_bindings::parse_size("4M", error) == 4u * 1024 * 1024);
    CHECK_FALSE(lua_bindings::parse_size("0", error));
    CHECK(error == "a size like 4194296, 512k or 4M, not '0'");
    CHECK_FALSE(lua_bindings::parse_size("lots", error));
    CHECK(error == "a size like 4194296, 512k or 4M, not 'lots'");
    CHECK(lua_bindings::parse_tz("+8", error) == 480);
    CHECK(lua_bindings::parse_tz("-5", error) == -300);
    CHECK(lua_bindings::parse_tz("+5:30", error) == 330);
    CHECK(lua_bindings::parse_tz("UTC+9", error) == 540);
    CHECK(lua_bindings::parse_tz("0", error) == 0);
    CHECK_FALSE(lua_bindings::parse_tz("+99", error));
    CHECK(error == "an offset from UTC like +8 or -3:30, not '+99'");
    CHECK_FALSE(lua_bindings::parse_tz("east", error));
    CHECK(error == "an offset from UTC like +8 or -3:30, not 'east'");
}

TEST_CASE("the option table: values, flags, --opt=value, unknown options, scripts") {
    lua_bindings::CliConfig c;
    std::string error;
    const std::vector<std::string> args{
        "--imei", "490154203237518", "--heap=1M", "--run-for", "2s",       "--unique-id", "0102",
        "--tz",   "-3:30",           "dir/",      "--",        "--odd.lua"};
    REQUIRE(lua_bindings::parse_cli(args, c, error));
    CHECK(c.imei == "490154203237518");
    CHECK(c.device.heap_budget == 1024u * 1024);
    CHECK(c.run_for == std::chrono::milliseconds(2000));
    CHECK(c.unique_id == std::string("\x01\x02"));
    CHECK(c.device.tz_offset_minutes == -210);
    CHECK(c.scripts == std::vector<std::string>{"dir/", "--odd.lua"});
    lua_bindings::CliConfig d;
    CHECK_FALSE(lua_bindings::parse_cli(std::vector<std::string>{"--nope"}, d, error));
    CHECK(error == "unknown option --nope");
    CHECK_FALSE(lua_bindings::parse_cli(std::vector<std::string>{"--heap"}, d, error));
    CHECK(error == "--heap needs a value (BYTES)");
    CHECK_FALSE(lua_bindings::parse_cli(std::vector<std::string>{"--help=1"}, d, error));
    CHECK(error == "--help takes no value");
    CHECK_FALSE(lua_bindings::parse_cli(std::vector<std::string>{"--heap", "1k"}, d, error));
    CHECK(error == "--heap needs a size of at least 64k, not '1k'");
    CHECK_FALSE(lua_bindings::parse_cli(std::vector<std::string>{"--run-for", "soon"}, d, error));
    CHECK(error == "--run-for needs a duration like 500ms, 10s or 2m, not 'soon'");
    CHECK_FALSE(lua_bindings::parse_cli(std::vector<std::string>{"--tz=east"}, d, error));
    CHECK(error == "--tz needs an offset from UTC like +8 or -3:30, not 'east'");
    lua_bindings::CliConfig h;
    REQUIRE(lua_bindings::parse_cli(std::vector<std::string>{"-h", "-"}, h, error));
    CHECK(h.help);
    CHECK(h.scripts == std::vector<std::string>{"-"});
}
