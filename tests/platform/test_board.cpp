// The simulated board: pin levels (module side and outside world), listeners, what a reboot resets,
// the output log lines, PWM, the SMS outbox.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "platform_air780ep/board.hpp"
#include "platform_air780ep/sms_pdu.hpp"

using namespace platform_air780ep;

namespace {

struct Rig {
    sys_task::Logger log;
    std::vector<std::string> lines;
    Board board{log};
    Rig() {
        log.set_stdout(false);
        log.add_sink([this](std::string_view l) { lines.emplace_back(l); });
    }
};

}  // namespace

TEST_CASE("board: a pin reads its output, else what drives it, else its pull") {
    Rig r;
    Board& b = r.board;
    CHECK(b.level(24) == 0);  // unused, nothing drives it
    b.configure_pin(24, PinMode::kInput, PinPull::kUp);
    CHECK(b.level(24) == 1);
    b.drive(24, 0);
    CHECK(b.level(24) == 0);
    b.drive(24, std::nullopt);
    CHECK(b.level(24) == 1);
    b.configure_pin(24, PinMode::kInput, PinPull::kDown);
    CHECK(b.level(24) == 0);

    b.set_output(27, 1);
    b.configure_pin(27, PinMode::kOutput, PinPull::kNone);
    b.drive(27, 0);  // contention: the module's output wins
    CHECK(b.level(27) == 1);
    CHECK(b.level_as_input(27, PinPull::kUp) == 0);  // what a bus sampling the line as input sees
    CHECK(b.describe_pin(27) == "gpio27 out 1 (driven 0)");
    CHECK(b.describe_pin(24) == "gpio24 in pulldown reads 0");

    // Pads 39.. cannot be outputs; WAKEUP3..5 (42..44) are the pads of GPIO20..22.
    b.set_output(40, 1);
    b.configure_pin(40, PinMode::kOutput, PinPull::kNone);
    CHECK(b.level(40) == 0);
    b.drive(20, 1);
    CHECK(b.level(42) == 1);
    CHECK(b.driven(42) == std::optional<int>(1));
    CHECK_FALSE(b.drive(47, 1));
    CHECK(b.level(-1) == 0);
}

TEST_CASE("board: input listeners hear the outside world's changes, for every id of the pad") {
    Rig r;
    std::vector<std::pair<int, int>> heard;
    const auto id = r.board.add_input_listener([&](int pin, int level) { heard.emplace_back(pin, level); });
    r.board.configure_pin(24, PinMode::kInterrupt, PinPull::kUp);
    r.board.drive(24, 1);  // already reads 1 through its pull: no change
    r.board.drive(24, 0);
    r.board.drive(24, std::nullopt);
    r.board.drive(21, 1);  // GPIO21 and WAKEUP4
    r.board.remove_input_listener(id);
    r.board.drive(24, 0);
    CHECK(heard == std::vector<std::pair<int, int>>{{24, 0}, {24, 1}, {21, 1}, {43, 1}});
}

TEST_CASE("board: output changes are logged, a reboot releases the module's pins and keeps the world's") {
    Rig r;
    Board& b = r.board;
    b.set_output(27, 1);
    b.configure_pin(27, PinMode::kOutput, PinPull::kUp);
    b.set_output(27, 1);
    b.set_output(27, 0);
    const std::uint8_t pattern[] = {0xA9};
    b.pulse(27, pattern, 8);
    b.configure_pin(5, PinMode::kInput, PinPull::kUp);
    b.drive(5, 0);
    b.set_adc_input_mv(1, 1200);
    b.set_vbat_mv(4100);
    b.set_scan_list({WifiAccessPoint{"home", {1, 2, 3, 4, 5, 6}, -60, 6}});
    b.set_pwm(4, PwmOutput{true, 1000, 450, 0});
    b.set_pwm(4, PwmOutput{true, 1000, 450, 0});
    b.reset_module_state();
    CHECK(r.lines == std::vector<std::string>{"D/board gpio27 out 1", "D/board gpio27 out 0",
                                              "D/board gpio27 pulse A9 (8 bits)", "D/board gpio27 out 1",
                                              "D/board pwm4 1000 Hz duty 450/1000", "D/board gpio27 out off",
                                              "D/board pwm4 off"});
    CHECK(b.mode(27) == PinMode::kUnused);
    CHECK(b.output_latch(27) == 0);
    CHECK(b.mode(5) == PinMode::kUnused);
    CHECK(b.driven(5) == std::optional<int>(0));
    CHECK(b.adc_input_mv(1) == 1200);
    CHECK(b.vbat_mv() == 4100);
    CHECK(b.scan_list().size() == 1);
    CHECK(b.describe() ==
          "gpio: gpio5 unused reads 0 (driven 0); adc: 0=0mV 1=1200mV 2=0mV 3=0mV vbat=4100mV cpu=25C; pwm: "
          "off; "
          "sms: sent 0, received 0; wlan: 1 access points");
}

TEST_CASE("board: the SMS network joins the parts of a message into its outbox and logs it") {
    Rig r;
    std::uint8_t ref = 254;
    const sms_pdu::SubmitMessage one = sms_pdu::prepare_submit("10001", "102", true, false, ref);
    std::string error;
    const auto first = r.board.submit_sms(sms_pdu::build_submit(one.parts.at(0)), error);
    REQUIRE(first);
    CHECK(first->message_reference == 0);
    CHECK(first->destination == "10001");
    const sms_pdu::SubmitMessage two =
        sms_pdu::prepare_submit("+8613800138000", std::string(200, 'x'), true, false, ref);
    REQUIRE(two.parts.size() == 2);
    const auto a = r.board.submit_sms(sms_pdu::build_submit(two.parts[0]), error);
    CHECK(r.board.sms_outbox().size() == 1);
    const auto b = r.board.submit_sms(sms_pdu::build_submit(two.parts[1]), error);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->message_reference == 1);
    CHECK(b->message_reference == 2);
    CHECK(b->type_of_address == 0x91);
    REQUIRE(r.board.sms_outbox().size() == 2);
    CHECK(r.board.sms_outbox()[1].to == "8613800138000");
    CHECK(r.board.sms_outbox()[1].text == std::string(200, 'x'));
    CHECK(r.board.sms_outbox()[1].parts == 2);
    CHECK(r.lines == std::vector<std::string>{"I/board sms to 10001: 102",
                                              "I/board sms to 8613800138000: " + std::string(200, 'x')});
    const std::uint8_t junk[] = {0x00, 0x04};
    CHECK_FALSE(r.board.submit_sms(junk, error));
    CHECK(error == "PDU too short for its header");
}

TEST_CASE("board: an SMS from outside goes to the listener, or waits for the next one") {
    Rig r;
    r.board.deliver_sms(IncomingSms{"10086", "early"});
    std::vector<std::string> got;
    r.board.set_sms_listener([&](const IncomingSms& s) { got.push_back(s.from + ":" + s.text); });
    r.board.deliver_sms(IncomingSms{"10086", "now"});
    const auto pending = r.board.take_pending_sms();
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].text == "early");
    CHECK(got == std::vector<std::string>{"10086:now"});
    CHECK(r.board.sms_received() == 2);
    CHECK(r.board.take_pending_sms().empty());
}
