// The board's control commands (gpio, adc, sms, wlan, status), as a client of --control sends them.
#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform_air780ep/board_commands.hpp"
#include "platform_air780ep/control_server.hpp"
#include "tests/support/process.hpp"

using namespace platform_air780ep;

namespace {

struct Rig {
    sys_task::EventLoop loop;
    sys_task::Logger log;
    Board board{log};
    tests::TempDir dir;
    std::unique_ptr<ControlServer> owned = make_server(loop, log, dir);
    ControlServer& server = *owned;
    Rig() {
        log.set_stdout(false);
        server.add_command("status", "the link's",
                           [](std::string_view) { return std::string("ok link up"); });
        add_board_commands(server, board);
    }
    static std::unique_ptr<ControlServer> make_server(sys_task::EventLoop& loop, sys_task::Logger& log,
                                                      const tests::TempDir& dir) {
        std::string error;
        auto server = ControlServer::create(loop, log, dir.file("board.ctl"), error);
        if (!server) throw std::runtime_error("control socket: " + error);
        return server;
    }
};

}  // namespace

TEST_CASE("board commands: gpio drives and releases a pin and shows the pins") {
    Rig r;
    r.board.configure_pin(24, PinMode::kInterrupt, PinPull::kUp);
    std::vector<std::pair<int, int>> heard;
    r.board.add_input_listener([&](int pin, int level) { heard.emplace_back(pin, level); });
    CHECK(r.server.execute("gpio 24 0") == "ok gpio24 irq pullup reads 0 (driven 0)");
    CHECK(r.server.execute("gpio 24") == "ok gpio24 irq pullup reads 0 (driven 0)");
    CHECK(r.server.execute("gpio 24 z") == "ok gpio24 irq pullup reads 1");
    CHECK(r.server.execute("gpio 7 1") == "ok gpio7 unused reads 1 (driven 1)");
    CHECK(heard == std::vector<std::pair<int, int>>{{24, 0}, {24, 1}, {7, 1}});
    CHECK(r.server.execute("gpio") == "ok gpio7 unused reads 1 (driven 1), gpio24 irq pullup reads 1");
    CHECK(r.server.execute("gpio 47 1") == "error gpio needs a pin 0..46, got '47'");
    CHECK(r.server.execute("gpio x") == "error gpio needs a pin 0..46, got 'x'");
    CHECK(r.server.execute("gpio 3 high") == "error gpio PIN takes 0, 1 or z (release), got 'high'");
}

TEST_CASE("board commands: adc sets the inputs, vbat and the CPU temperature") {
    Rig r;
    CHECK(r.server.execute("adc 0 1200") == "ok adc0 1200 mV");
    CHECK(r.server.execute("adc vbat 4100") == "ok vbat 4100 mV");
    CHECK(r.server.execute("adc -1 41") == "ok cpu 41 C");
    CHECK(r.server.execute("adc") ==
          "ok adc0 1200 mV, adc1 0 mV, adc2 0 mV, adc3 0 mV, vbat 4100 mV, cpu 41 C");
    CHECK(r.board.adc_input_mv(0) == 1200);
    CHECK(r.board.vbat_mv() == 4100);
    CHECK(r.board.cpu_celsius() == 41);
    CHECK(r.server.execute("adc 4 10") == "error adc channel is 0..3, vbat (-2) or cpu (-1), got '4'");
    CHECK(r.server.execute("adc 1 -5") == "error adc input must be >= 0 mV");
    CHECK(r.server.execute("adc 1 1.5").starts_with("error adc CH VALUE needs an integer value"));
}

TEST_CASE("board commands: sms sends to the module, with escapes, shows what it sent") {
    Rig r;
    std::vector<IncomingSms> got;
    r.board.set_sms_listener([&](const IncomingSms& s) { got.push_back(s); });
    CHECK(r.server.execute("sms +8613800138000 hello world\\n2nd line") ==
          "ok sms from +8613800138000 \"hello world\\n2nd line\"");
    REQUIRE(got.size() == 1);
    CHECK(got[0].from == "+8613800138000");
    CHECK(got[0].text == "hello world\n2nd line");
    CHECK(r.server.execute("sms") == "ok sent 0, received 1");
    CHECK(r.server.execute("sms outbox") == "ok nothing sent");
    CHECK(r.server.execute("sms 10086") == "error sms FROM TEXT needs a text");
    CHECK(r.server.execute("sms abc hi") ==
          "error sms FROM must be 1..20 digits, optionally after '+', got 'abc'");
    CHECK(r.server.execute("sms 10086 bad\\q") == "error unknown escape \\q (\\n \\r \\t \\\\ \\xHH)");
    CHECK(r.server.execute("sms 10086 \\x4") == "error \\x needs two hex digits");
}

TEST_CASE("board commands: wlan sets and shows the scan list") {
    Rig r;
    CHECK(r.server.execute("wlan") == "ok no access points");
    CHECK(r.server.execute("wlan scan-list home,AA:BB:CC:DD:EE:01,-52,6;my\\, cafe,aabbccddee02,-81") ==
          "ok \"home\" AA:BB:CC:DD:EE:01 -52 dBm ch 6; \"my, cafe\" AA:BB:CC:DD:EE:02 -81 dBm");
    REQUIRE(r.board.scan_list().size() == 2);
    CHECK(r.board.scan_list()[1].ssid == "my, cafe");
    CHECK(r.board.scan_list()[1].channel == 0);
    CHECK(r.server.execute("wlan scan-list x,zz,-1") ==
          "error a BSSID is six hex bytes (AA:BB:CC:DD:EE:FF), got 'zz'");
    CHECK(r.server.execute("wlan scan-list x,AABBCCDDEEFF,5") == "error an RSSI is -127..0 dBm, got '5'");
    CHECK(r.server.execute("wlan scan-list x,AABBCCDDEEFF,-5,15") == "error a channel is 1..14, got '15'");
    CHECK(r.server.execute("wlan scan-list x,AABBCCDDEEFF") ==
          "error an access point is SSID,BSSID,RSSI[,CH], got 'x,AABBCCDDEEFF'");
    CHECK(r.board.scan_list().size() == 2);  // a refused list changes nothing
    CHECK(r.server.execute("wlan scan-list") == "ok no access points");
    CHECK(r.server.execute("wlan connect x") == "error wlan takes scan-list [SSID,BSSID,RSSI[,CH];...]");
}

TEST_CASE("board commands: status adds the board to what was there") {
    Rig r;
    r.board.set_output(27, 1);
    r.board.configure_pin(27, PinMode::kOutput, PinPull::kNone);
    CHECK(r.server.execute("status") ==
          "ok link up | board: gpio: gpio27 out 1; adc: 0=0mV 1=0mV 2=0mV 3=0mV vbat=3800mV cpu=25C; pwm: "
          "off; sms: "
          "sent 0, received 0; wlan: 0 access points");
    const std::string help = r.server.execute("help");
    CHECK(help.find("gpio [PIN [0|1|z]]") != std::string::npos);
    CHECK(help.find("wlan [scan-list") != std::string::npos);
}
