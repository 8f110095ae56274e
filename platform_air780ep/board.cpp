#include "platform_air780ep/board.hpp"

#include <algorithm>
#include <cstdio>

#include "platform_air780ep/sms_pdu.hpp"

namespace platform_air780ep {

namespace {

// WAKEUP3..5 (ids 42..44) are the pads of GPIO20..22.
constexpr int kWakeup3 = 42;
constexpr int kWakeup5 = 44;
constexpr int kGpio20 = 20;

const char* pull_name(PinPull pull) {
    switch (pull) {
        case PinPull::kUp:
            return "pullup";
        case PinPull::kDown:
            return "pulldown";
        default:
            return "nopull";
    }
}

const char* mode_name(PinMode mode) {
    switch (mode) {
        case PinMode::kInput:
            return "in";
        case PinMode::kOutput:
            return "out";
        case PinMode::kInterrupt:
            return "irq";
        default:
            return "unused";
    }
}

}  // namespace

Board::Board(sys_task::Logger& log) : log_(log) {}

int Board::pad_of(int pin) {
    if (pin >= kWakeup3 && pin <= kWakeup5) return kGpio20 + (pin - kWakeup3);
    return pin;
}

bool Board::drives(int pin) const {
    return valid(pin) && pin < kGpioPadCount && pins_[static_cast<std::size_t>(pin)].mode == PinMode::kOutput;
}

int Board::level_as_input(int pin, PinPull pull) const {
    if (!valid(pin)) return 0;
    const int pad = pad_of(pin);
    if (pad != pin && drives(pad)) return pins_[static_cast<std::size_t>(pad)].latch;  // GPIO20..22 output
    const std::optional<int>& d = drive_[static_cast<std::size_t>(pad)];
    if (d) return *d;
    return pull == PinPull::kUp ? 1 : 0;
}

int Board::level(int pin) const {
    if (!valid(pin)) return 0;
    const Pin& p = pins_[static_cast<std::size_t>(pin)];
    if (drives(pin)) return p.latch;
    return level_as_input(pin, p.pull);
}

PinMode Board::mode(int pin) const {
    return valid(pin) ? pins_[static_cast<std::size_t>(pin)].mode : PinMode::kUnused;
}

PinPull Board::pull(int pin) const {
    return valid(pin) ? pins_[static_cast<std::size_t>(pin)].pull : PinPull::kNone;
}

int Board::output_latch(int pin) const {
    return valid(pin) ? pins_[static_cast<std::size_t>(pin)].latch : 0;
}

std::optional<int> Board::driven(int pin) const {
    return valid(pin) ? drive_[static_cast<std::size_t>(pad_of(pin))] : std::nullopt;
}

void Board::log_output(int pin, std::optional<int> before, std::optional<int> after) {
    if (before == after) return;
    char line[48];
    if (after) {
        std::snprintf(line, sizeof line, "gpio%d out %d", pin, *after);
    } else {
        std::snprintf(line, sizeof line, "gpio%d out off", pin);
    }
    log_.debug("board", line);
}

void Board::configure_pin(int pin, PinMode mode, PinPull pull) {
    if (!valid(pin)) return;
    const std::optional<int> before = drives(pin) ? std::optional<int>(level(pin)) : std::nullopt;
    Pin& p = pins_[static_cast<std::size_t>(pin)];
    p.mode = mode;
    p.pull = pull;
    const std::optional<int> after = drives(pin) ? std::optional<int>(level(pin)) : std::nullopt;
    log_output(pin, before, after);
}

void Board::set_output(int pin, int level_value) {
    if (!valid(pin) || pin >= kGpioPadCount) return;
    const std::optional<int> before = drives(pin) ? std::optional<int>(level(pin)) : std::nullopt;
    pins_[static_cast<std::size_t>(pin)].latch = level_value != 0 ? 1 : 0;
    const std::optional<int> after = drives(pin) ? std::optional<int>(level(pin)) : std::nullopt;
    log_output(pin, before, after);
}

void Board::pulse(int pin, std::span<const std::uint8_t> data, std::size_t bits) {
    if (!valid(pin) || pin >= kGpioPadCount || bits == 0) return;
    bits = std::min(bits, data.size() * 8);
    if (bits == 0) return;
    if (drives(pin)) {
        log_.debug("board", "gpio" + std::to_string(pin) + " pulse " +
                                sms_pdu::to_hex(data.first((bits + 7) / 8)) + " (" + std::to_string(bits) +
                                " bits)");
    }
    const std::size_t last = bits - 1;
    set_output(pin, (data[last / 8] >> (7 - last % 8)) & 1);
}

bool Board::drive(int pin, std::optional<int> level_value) {
    if (!valid(pin)) return false;
    if (level_value) level_value = *level_value != 0 ? 1 : 0;
    // Every id on this pad may read differently afterwards.
    const int pad = pad_of(pin);
    std::vector<std::pair<int, int>> ids;
    for (int id = 0; id < kGpioCount; ++id) {
        if (pad_of(id) == pad) ids.emplace_back(id, level(id));
    }
    drive_[static_cast<std::size_t>(pad)] = level_value;
    for (const auto& [id, before] : ids) {
        const int after = level(id);
        if (after == before) continue;
        // A listener may remove itself: iterate over a copy of the ids.
        std::vector<ListenerId> keys;
        for (const auto& [key, fn] : input_listeners_)
            keys.push_back(key);
        for (const ListenerId key : keys) {
            const auto it = input_listeners_.find(key);
            if (it != input_listeners_.end()) it->second(id, after);
        }
    }
    return true;
}

Board::ListenerId Board::add_input_listener(InputListener listener) {
    const ListenerId id = next_listener_++;
    input_listeners_.emplace(id, std::move(listener));
    return id;
}

void Board::remove_input_listener(ListenerId id) {
    input_listeners_.erase(id);
}

bool Board::set_adc_input_mv(int channel, int mv) {
    if (channel < 0 || channel >= kAdcChannelCount) return false;
    adc_mv_[static_cast<std::size_t>(channel)] = mv;
    return true;
}

int Board::adc_input_mv(int channel) const {
    if (channel < 0 || channel >= kAdcChannelCount) return 0;
    return adc_mv_[static_cast<std::size_t>(channel)];
}

void Board::set_pwm(int channel, const PwmOutput& out) {
    if (channel < 0 || channel >= kPwmChannelCount) return;
    PwmOutput& cur = pwm_[static_cast<std::size_t>(channel)];
    const PwmOutput next = out.on ? out : PwmOutput{};
    if (cur == next) return;
    cur = next;
    char line[96];
    if (!next.on) {
        std::snprintf(line, sizeof line, "pwm%d off", channel);
    } else if (next.pulses != 0) {
        std::snprintf(line, sizeof line, "pwm%d %u Hz duty %u/1000 pulses %u", channel, next.freq_hz,
                      next.duty_permille, next.pulses);
    } else {
        std::snprintf(line, sizeof line, "pwm%d %u Hz duty %u/1000", channel, next.freq_hz,
                      next.duty_permille);
    }
    log_.debug("board", line);
}

PwmOutput Board::pwm(int channel) const {
    if (channel < 0 || channel >= kPwmChannelCount) return {};
    return pwm_[static_cast<std::size_t>(channel)];
}

void Board::record_part(const std::string& to, int ref, int max, int seq, std::string text) {
    if (max <= 1) {
        outbox_.push_back(SentSms{to, std::move(text), 1});
        log_.info("board", "sms to " + to + ": " + outbox_.back().text);
        return;
    }
    PartialSms& partial = partial_[{to, ref}];
    partial.to = to;
    partial.max = max;
    partial.parts[seq] = std::move(text);
    if (static_cast<int>(partial.parts.size()) < max) return;
    SentSms sms{to, {}, max};
    for (const auto& [s, piece] : partial.parts)
        sms.text += piece;
    partial_.erase({to, ref});
    outbox_.push_back(std::move(sms));
    log_.info("board", "sms to " + to + ": " + outbox_.back().text);
}

std::optional<SmsSubmitResult> Board::submit_sms(std::span<const std::uint8_t> pdu, std::string& error) {
    const std::optional<sms_pdu::Submitted> sub = sms_pdu::parse_submit(pdu, error);
    if (!sub) return std::nullopt;
    SmsSubmitResult result;
    result.message_reference = message_ref_++;
    result.destination = sub->destination;
    result.type_of_address = sub->type_of_address;
    record_part(sub->destination, sub->ref, sub->max, sub->seq, sub->text);
    return result;
}

void Board::deliver_sms(IncomingSms sms) {
    ++received_;
    if (sms_listener_) {
        sms_listener_(sms);
        return;
    }
    pending_sms_.push_back(std::move(sms));
}

void Board::set_sms_listener(SmsListener listener) {
    sms_listener_ = std::move(listener);
}

std::vector<IncomingSms> Board::take_pending_sms() {
    std::vector<IncomingSms> out;
    out.swap(pending_sms_);
    return out;
}

void Board::reset_module_state() {
    for (int pin = 0; pin < kGpioCount; ++pin) {
        const std::optional<int> before = drives(pin) ? std::optional<int>(level(pin)) : std::nullopt;
        pins_[static_cast<std::size_t>(pin)] = Pin{};
        log_output(pin, before, std::nullopt);
    }
    for (int ch = 0; ch < kPwmChannelCount; ++ch)
        set_pwm(ch, PwmOutput{});
    pin_mux_.reset();
    partial_.clear();
}

std::string Board::describe_pin(int pin) const {
    if (!valid(pin)) return "gpio" + std::to_string(pin) + " does not exist (0..46)";
    const Pin& p = pins_[static_cast<std::size_t>(pin)];
    std::string s = "gpio" + std::to_string(pin) + " " + mode_name(p.mode);
    if (p.mode != PinMode::kUnused && p.mode != PinMode::kOutput) s += std::string(" ") + pull_name(p.pull);
    if (p.mode == PinMode::kOutput && drives(pin)) {
        s += " " + std::to_string(p.latch);
    } else {
        s += " reads " + std::to_string(level(pin));
    }
    const std::optional<int> d = drive_[static_cast<std::size_t>(pad_of(pin))];
    if (d) s += " (driven " + std::to_string(*d) + ")";
    return s;
}

std::string Board::describe() const {
    std::string pins;
    for (int pin = 0; pin < kGpioCount; ++pin) {
        const bool in_use = pins_[static_cast<std::size_t>(pin)].mode != PinMode::kUnused;
        if (!in_use && !drive_[static_cast<std::size_t>(pad_of(pin))]) continue;
        if (!pins.empty()) pins += ", ";
        pins += describe_pin(pin);
    }
    std::string s = "gpio: " + (pins.empty() ? std::string("none") : pins);
    s += "; adc:";
    for (int ch = 0; ch < kAdcChannelCount; ++ch)
        s += " " + std::to_string(ch) + "=" + std::to_string(adc_mv_[static_cast<std::size_t>(ch)]) + "mV";
    s += " vbat=" + std::to_string(vbat_mv_) + "mV cpu=" + std::to_string(cpu_celsius_) + "C";
    std::string pwm;
    for (int ch = 0; ch < kPwmChannelCount; ++ch) {
        const PwmOutput& o = pwm_[static_cast<std::size_t>(ch)];
        if (!o.on) continue;
        if (!pwm.empty()) pwm += ",";
        pwm += " pwm" + std::to_string(ch) + " " + std::to_string(o.freq_hz) + " Hz duty " +
               std::to_string(o.duty_permille) + "/1000";
    }
    s += "; pwm:" + (pwm.empty() ? std::string(" off") : pwm);
    s += "; sms: sent " + std::to_string(outbox_.size()) + ", received " + std::to_string(received_);
    s += "; wlan: " + std::to_string(scan_list_.size()) + " access points";
    return s;
}

}  // namespace platform_air780ep
