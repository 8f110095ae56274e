// The board through `luatos --control` (docs/board.md): a gpio interrupt driven from the control
// socket, an SMS injected there and the module's answer in the outbox, the board in `status`.
#include <catch2/catch.hpp>

#include "tests/e2e/e2e.hpp"
#include "tests/support/control_client.hpp"

using namespace tests;

namespace {

// `luatos` running main.lua with a control socket, for at most 60 s.
class ControlledDevice {
  public:
    explicit ControlledDevice(const std::string& main_lua, std::vector<std::string> files = {})
        : dir_("e2e-board"), control_((dir_.path() / "device.ctl").string()) {
        write_file(dir_.path() / "main.lua", main_lua);
        std::vector<std::string> args{"--control",
                                      control_,
                                      "--attach-delay",
                                      "50",
                                      "--run-for",
                                      "60s",
                                      (dir_.path() / "main.lua").string()};
        for (auto& f : files)
            args.push_back(std::move(f));
        process_.emplace(args);
    }
    LuatosProcess& process() { return *process_; }
    std::string control(const std::string& command) const { return control_command(control_, command); }
    // The script's lines and the board's, in order.
    [[nodiscard]] Lines board_and_script() const {
        Lines out;
        for (const auto& l : process_->lines()) {
            if (l.starts_with("I/user.") || l.starts_with("D/board")) out.push_back(l);
        }
        return out;
    }

  private:
    TempDir dir_;
    std::string control_;
    std::optional<LuatosProcess> process_;
};

}  // namespace

TEST_CASE("board control: `gpio 24 0` from the control socket interrupts the script, which drives an LED") {
    ControlledDevice device(R"LUA(
        local led = gpio.setup(27, 0)
        gpio.setup(24, function(level, pin)
            log.info("key", level, pin)
            led(level == 0 and 1 or 0)
            if level == 1 then sys.timerStart(os.exit, 10, 0) end
        end, gpio.PULLUP)
        log.info("t", "ready")
        sys.run()
    )LUA");
    REQUIRE(device.process().wait_for_line("I/user.t ready", 20s));
    CHECK(device.control("gpio 24 0") == "ok gpio24 irq pullup reads 0 (driven 0)");
    REQUIRE(device.process().wait_for_line("D/board gpio27 out 1", 10s));
    const std::string status = device.control("status");
    CHECK(status.find(" | board: gpio: gpio24 irq pullup reads 0 (driven 0), gpio27 out 1; adc:") !=
          std::string::npos);
    CHECK(device.control("gpio") == "ok gpio24 irq pullup reads 0 (driven 0), gpio27 out 1");
    CHECK(device.control("gpio 24 z") == "ok gpio24 irq pullup reads 1");
    CHECK(device.process().wait(20s) == 0);
    CHECK(device.board_and_script() == Lines{"D/board gpio27 out 0", "I/user.t ready", "I/user.key 0 24",
                                             "D/board gpio27 out 1", "I/user.key 1 24",
                                             "D/board gpio27 out 0"});
}

TEST_CASE(
    "board control: an SMS sent from the control socket reaches SMS_INC, the answer lands in the outbox") {
    ControlledDevice device(R"LUA(
        sys.subscribe("SMS_INC", function(num, txt, metas)
            log.info("sms", "from", num, txt, metas.maxNum)
            if txt == "bye" then os.exit(0) end
            sms.send(num, "got: " .. txt)
        end)
        sys.subscribe("SMS_SENT", function(ok, rp, rps, mr) log.info("sms", "sent", ok, rps, mr) end)
        log.info("t", "ready")
        sys.run()
    )LUA");
    REQUIRE(device.process().wait_for_line("I/user.t ready", 20s));
    CHECK(device.control("sms +8613800138000 hello from control") ==
          "ok sms from +8613800138000 \"hello from control\"");
    REQUIRE(device.process().wait_for_line("I/user.sms sent true SUCCESS 0", 10s));
    CHECK(device.control("sms outbox") == "ok to 8613800138000 \"got: hello from control\"");
    CHECK(device.control("sms") == "ok sent 1, received 1");
    CHECK(device.control("sms 10086 bye") == "ok sms from 10086 \"bye\"");
    CHECK(device.process().wait(20s) == 0);
    Lines seen;
    for (const auto& l : device.process().lines()) {
        if (l.starts_with("I/user.") || l.starts_with("I/board")) seen.push_back(l);
    }
    CHECK(seen == Lines{"I/user.t ready", "I/user.sms from 8613800138000 hello from control 0",
                        "I/board sms to 8613800138000: got: hello from control",
                        "I/user.sms sent true SUCCESS 0", "I/user.sms from 10086 bye 0"});
}
