// The simulated Air780EP board around the module: what its pins, ADC inputs, PWM outputs, the SMS
// network and the Wi-Fi neighbourhood look like (docs/board.md).
//
// Two sides write it. The module's Lua libraries (gpio, adc, pwm, i2c, spi, sms, wlan) configure
// pins, drive outputs, submit SMS; the outside world (the `--control` commands, tests) drives
// input levels, sets ADC readings, sends SMS to the module and lists the access points around it.
// What the outside world set survives a reboot; what the module set (pin modes, output levels, PWM)
// goes back to its power-on state at each boot (reset_module_state), as the module's pins do.
//
// Output changes are logged at debug level with the tag `board`:
//   D/board gpio27 out 1        the level the module drives on a pin changed (or it started driving)
//   D/board gpio27 out off      the module stopped driving the pin (gpio.close, set up as input)
//   D/board gpio27 pulse A9 (8 bits)   gpio.pulse on an output
//   D/board pwm4 1000 Hz duty 450/1000 [pulses N]   a PWM output started or changed
//   D/board pwm4 off            a PWM output stopped
// and each SMS the module sends, once all its parts reached the network, at info level:
//   I/board sms to 10001: 102
//
// Plain C++, no Lua and no event loop: the Lua modules schedule what takes time.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "platform_air780ep/pin_mux.hpp"
#include "sys_task/logger.hpp"

namespace platform_air780ep {

// GPIO ids as LuatOS numbers them on the EC718: 0..38 are the GPIO pads (HAL_GPIO_0..38), 39..46
// the wake-up pads WAKEUP0..5 (42..44 are the pads of GPIO20..22), the charger detect and the power
// key (HAL_WAKEUP_0..HAL_WAKEUP_PWRKEY); LUAT_GPIO_PIN_MAX is 47.
inline constexpr int kGpioCount = 47;
inline constexpr int kGpioPadCount = 39;  // HAL_GPIO_MAX: only these can be outputs
inline constexpr int kAdcChannelCount = 4;
inline constexpr int kPwmChannelCount = 5;  // PWM0..4 (PWM3 does not exist on the EC718)

enum class PinMode : std::uint8_t { kUnused, kInput, kOutput, kInterrupt };
enum class PinPull : std::uint8_t { kNone, kUp, kDown };

struct PwmOutput {
    bool on = false;
    std::uint32_t freq_hz = 0;
    std::uint32_t duty_permille = 0;  // the driver's value; above 1000 no waveform comes out
    std::uint32_t pulses = 0;         // 0: continuous
    bool operator==(const PwmOutput&) const = default;
};

// An SMS the module sent, as the network received it (its parts joined).
struct SentSms {
    std::string to;    // the destination digits as they were in the PDU ("10001", "8613800000000")
    std::string text;  // UTF-8, as the recipient would read it
    int parts = 1;
};

// An SMS the outside world sends to the module.
struct IncomingSms {
    std::string from;  // digits, optionally with a leading '+'
    std::string text;  // UTF-8
};

struct WifiAccessPoint {
    std::string ssid;  // up to 32 bytes
    std::array<std::uint8_t, 6> bssid{};
    int rssi = 0;     // dBm
    int channel = 0;  // 0: not given
    bool operator==(const WifiAccessPoint&) const = default;
};

// The result of a submitted SMS-SUBMIT PDU, per part: the message reference the network gave it
// (TP-MR) and its destination as coded in the PDU (for a status report).
struct SmsSubmitResult {
    std::uint8_t message_reference = 0;
    std::string destination;  // digits
    std::uint8_t type_of_address = 0x81;
};

class Board {
  public:
    using ListenerId = std::uint64_t;
    // The level a pin reads changed because the outside world drove or released it.
    using InputListener = std::function<void(int pin, int level)>;
    using SmsListener = std::function<void(const IncomingSms&)>;

    static constexpr int kDefaultVbatMv = 3800;
    static constexpr int kDefaultCpuCelsius = 25;

    explicit Board(sys_task::Logger& log);
    Board(const Board&) = delete;
    Board& operator=(const Board&) = delete;

    // ---- pins, the module's side (ids outside 0..46 are ignored) ----
    // Set a pin's mode and pull. An output keeps driving its latched level (set_output).
    void configure_pin(int pin, PinMode mode, PinPull pull);
    // The output latch of a pad (0..38): it drives the pad while the pin is an output.
    void set_output(int pin, int level);
    // A burst of levels on a pad (gpio.pulse): `bits` bits of `data`, most significant first; the
    // latch keeps the last one. Logged as `gpioN pulse <HEX> (<bits> bits)` when the pin is an output.
    void pulse(int pin, std::span<const std::uint8_t> data, std::size_t bits);
    // What a pin reads now: its own output level when it is an output, else what the outside world
    // drives on its pad, else its pull (up 1, down or none 0).
    [[nodiscard]] int level(int pin) const;
    // What the pin would read as an input with `pull` (a bit-banged bus samples a line this way).
    [[nodiscard]] int level_as_input(int pin, PinPull pull) const;
    [[nodiscard]] PinMode mode(int pin) const;
    [[nodiscard]] PinPull pull(int pin) const;
    [[nodiscard]] int output_latch(int pin) const;

    // ---- pins, the outside world's side ----
    // Drive a pin's pad to 0 or 1, or release it (nullopt). Returns false for an unknown pin.
    bool drive(int pin, std::optional<int> level);
    [[nodiscard]] std::optional<int> driven(int pin) const;
    ListenerId add_input_listener(InputListener listener);
    void remove_input_listener(ListenerId id);

    // ---- ADC inputs (the outside world's), in mV; the CPU temperature in degrees Celsius ----
    bool set_adc_input_mv(int channel, int mv);  // channels 0..3
    [[nodiscard]] int adc_input_mv(int channel) const;
    void set_vbat_mv(int mv) { vbat_mv_ = mv; }
    [[nodiscard]] int vbat_mv() const { return vbat_mv_; }
    void set_cpu_celsius(int c) { cpu_celsius_ = c; }
    [[nodiscard]] int cpu_celsius() const { return cpu_celsius_; }

    // ---- PWM outputs (the module's) ----
    void set_pwm(int channel, const PwmOutput& out);
    [[nodiscard]] PwmOutput pwm(int channel) const;

    // ---- the SMS network ----
    // The module submits one SMS-SUBMIT PDU (one part). The network gives it the next message
    // reference; when the last part of a message arrives the message joins the outbox (and is
    // logged). nullopt, with the reason, for a PDU the network cannot read.
    std::optional<SmsSubmitResult> submit_sms(std::span<const std::uint8_t> pdu, std::string& error);
    [[nodiscard]] const std::vector<SentSms>& sms_outbox() const { return outbox_; }
    // The outside world sends an SMS: it goes to the listener (the running sms module), or waits
    // for the next one if there is none (a reboot in progress).
    void deliver_sms(IncomingSms sms);
    [[nodiscard]] std::uint64_t sms_received() const { return received_; }
    void set_sms_listener(SmsListener listener);
    void clear_sms_listener() { sms_listener_ = nullptr; }
    std::vector<IncomingSms> take_pending_sms();
    // The reference number the SMS centre puts in the parts of a long SMS it delivers.
    std::uint8_t next_concatenation_reference() { return concat_ref_++; }

    // ---- the Wi-Fi access points around the module ----
    void set_scan_list(std::vector<WifiAccessPoint> list) { scan_list_ = std::move(list); }
    [[nodiscard]] const std::vector<WifiAccessPoint>& scan_list() const { return scan_list_; }

    // ---- the pin multiplexing (pins.setup / pins.close), the module's ----
    [[nodiscard]] PinMux& pin_mux() { return pin_mux_; }
    [[nodiscard]] const PinMux& pin_mux() const { return pin_mux_; }

    // At each boot: pins unused without pull (outputs stop), output latches 0, PWM off, the pin
    // multiplexing at its power-on routes, half-sent long SMS forgotten. Drives, ADC inputs, the outbox and
    // the scan list stay.
    void reset_module_state();

    // One line: the pins in use or driven, the ADC inputs, the PWM outputs, SMS and Wi-Fi counts.
    [[nodiscard]] std::string describe() const;
    // One pin, e.g. "gpio24 in pullup reads 0 (driven 0)".
    [[nodiscard]] std::string describe_pin(int pin) const;

  private:
    struct Pin {
        PinMode mode = PinMode::kUnused;
        PinPull pull = PinPull::kNone;
        int latch = 0;
    };
    struct PartialSms {
        std::string to;
        int max = 0;
        std::map<int, std::string> parts;  // seq -> text
    };

    [[nodiscard]] static bool valid(int pin) { return pin >= 0 && pin < kGpioCount; }
    [[nodiscard]] static int pad_of(int pin);
    [[nodiscard]] bool drives(int pin) const;
    void log_output(int pin, std::optional<int> before, std::optional<int> after);
    void record_part(const std::string& to, int ref, int max, int seq, std::string text);

    sys_task::Logger& log_;
    std::array<Pin, kGpioCount> pins_{};
    std::array<std::optional<int>, kGpioCount> drive_{};  // by pad
    std::map<ListenerId, InputListener> input_listeners_;
    ListenerId next_listener_ = 1;
    std::array<int, kAdcChannelCount> adc_mv_{};
    int vbat_mv_ = kDefaultVbatMv;
    int cpu_celsius_ = kDefaultCpuCelsius;
    std::array<PwmOutput, kPwmChannelCount> pwm_{};
    std::vector<SentSms> outbox_;
    std::map<std::pair<std::string, int>, PartialSms> partial_;  // (to, ref) -> parts so far
    std::uint8_t message_ref_ = 0;
    std::uint8_t concat_ref_ = 0;
    std::uint64_t received_ = 0;
    SmsListener sms_listener_;
    std::vector<IncomingSms> pending_sms_;
    std::vector<WifiAccessPoint> scan_list_;
    PinMux pin_mux_;
};

}  // namespace platform_air780ep
