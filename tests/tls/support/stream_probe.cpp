#include "tests/tls/support/stream_probe.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace tests {

namespace {

void put_remaining_length(Bytes& out, std::size_t n) {
    do {
        auto byte = static_cast<std::uint8_t>(n % 128);
        n /= 128;
        if (n > 0) byte |= 0x80;
        out.push_back(byte);
    } while (n > 0);
}

void put_string(Bytes& out, std::string_view s) {
    out.push_back(static_cast<std::uint8_t>(s.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(s.size() & 0xFF));
    out.insert(out.end(), s.begin(), s.end());
}

Bytes packet(std::uint8_t header, const Bytes& body) {
    Bytes out{header};
    put_remaining_length(out, body.size());
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

// Marks the owner as inside a stream call for the re-entrancy check.
class InCall {
  public:
    explicit InCall(bool& flag) : flag_(flag) { flag_ = true; }
    ~InCall() { flag_ = false; }
    InCall(const InCall&) = delete;
    InCall& operator=(const InCall&) = delete;

  private:
    bool& flag_;
};

}  // namespace

Bytes mqtt_connect(std::string_view client_id) {
    Bytes body;
    put_string(body, "MQTT");
    body.insert(body.end(), {0x04, 0x02, 0x00, 0x3C});  // level 4, clean session, keepalive 60 s
    put_string(body, client_id);
    return packet(0x10, body);
}

Bytes mqtt_publish(std::string_view topic, std::uint16_t packet_id, int qos,
                   std::span<const std::uint8_t> payload) {
    Bytes body;
    put_string(body, topic);
    if (qos > 0) {
        body.push_back(static_cast<std::uint8_t>(packet_id >> 8));
        body.push_back(static_cast<std::uint8_t>(packet_id & 0xFF));
    }
    body.insert(body.end(), payload.begin(), payload.end());
    return packet(static_cast<std::uint8_t>(0x30 | (qos << 1)), body);
}

Bytes mqtt_subscribe(std::string_view topic, std::uint16_t packet_id, int qos) {
    Bytes body{static_cast<std::uint8_t>(packet_id >> 8), static_cast<std::uint8_t>(packet_id & 0xFF)};
    put_string(body, topic);
    body.push_back(static_cast<std::uint8_t>(qos));
    return packet(0x82, body);
}

Bytes mqtt_disconnect() {
    return {0xE0, 0x00};
}

std::optional<Bytes> take_packet(Bytes& buffer) {
    std::size_t length = 0;
    std::size_t multiplier = 1;
    std::size_t pos = 1;
    while (true) {
        if (pos >= buffer.size() || pos > 4) return std::nullopt;
        const std::uint8_t b = buffer[pos++];
        length += (b & 0x7Fu) * multiplier;
        multiplier *= 128;
        if ((b & 0x80) == 0) break;
    }
    if (buffer.size() < pos + length) return std::nullopt;
    Bytes p(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(pos + length));
    buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(pos + length));
    return p;
}

std::string hex(std::span<const std::uint8_t> bytes) {
    std::string out;
    for (const std::uint8_t b : bytes) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02x", b);
        if (!out.empty()) out += ' ';
        out += buf;
    }
    return out;
}

bool run_until(sys_task::EventLoop& loop, const std::function<bool()>& done, int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        loop.run_once(10);
    }
    return true;
}

bool StreamProbe::open(std::string_view host, std::uint16_t port) {
    received.clear();
    outbox_.clear();
    InCall in(in_call_);
    return stream_->open(host, port);
}

void StreamProbe::close() {
    InCall in(in_call_);
    stream_->close();
    events.emplace_back("close()");
}

void StreamProbe::send(std::span<const std::uint8_t> bytes) {
    outbox_.insert(outbox_.end(), bytes.begin(), bytes.end());
    flush_outbox();
}

void StreamProbe::flush_outbox() {
    if (outbox_.empty()) return;
    std::size_t n = 0;
    {
        InCall in(in_call_);
        n = stream_->write(outbox_);
    }
    if (n < outbox_.size()) ++short_writes;
    outbox_.erase(outbox_.begin(), outbox_.begin() + static_cast<std::ptrdiff_t>(n));
}

std::size_t StreamProbe::read_some(std::size_t limit) {
    std::size_t total = 0;
    Bytes buf;
    while (total < limit) {
        buf.resize(std::min(read_chunk, limit - total));
        std::size_t n = 0;
        {
            InCall in(in_call_);
            n = stream_->read(buf);
        }
        if (n == 0) break;
        received.insert(received.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
        total += n;
    }
    return total;
}

void StreamProbe::read_readable() {
    while (true) {
        std::size_t available = 0;
        {
            InCall in(in_call_);
            available = stream_->readable();
        }
        if (available == 0 || read_some(available) == 0) return;
    }
}

void StreamProbe::callback_entered() {
    if (in_call_) reentered = true;
}

void StreamProbe::on_transport_connected() {
    callback_entered();
    events.emplace_back("connected");
}

void StreamProbe::on_transport_readable() {
    callback_entered();
    ++readable_calls;
    read_some(read_per_callback);
}

void StreamProbe::on_transport_writable() {
    callback_entered();
    ++writable_calls;
    flush_outbox();
}

void StreamProbe::on_transport_closed(luat_mqtt::TransportError error, std::string_view detail) {
    callback_entered();
    events.emplace_back("closed");
    close_error = error;
    close_detail = detail;
    if (on_closed_hook) on_closed_hook();
}

}  // namespace tests
