#include "luat_mqtt/client.hpp"

namespace luat_mqtt {

Client::Client(std::unique_ptr<Transport> transport, TimerPort& timer, EventSink& sink, std::string host,
               std::uint16_t port)
    : transport_(std::move(transport)),
      timer_(timer),
      sink_(sink),
      host_(std::move(host)),
      port_(port),
      session_(timer) {
    transport_->set_listener(this);
}

Client::~Client() {
    release_transport();
    if (armed_) timer_.cancel();
}

void Client::release_transport() {
    if (transport_ == nullptr) return;
    transport_->set_listener(nullptr);
    if (transport_->is_open()) transport_->close();
    transport_.reset();
    stream_up_ = false;
}

void Client::set_autoreconn(std::optional<bool> enable, std::int64_t period_ms) {
    session_.set_autoreconn(enable, period_ms);
    pump();  // the period may change the deadlines the timer port follows
}

void Client::set_window(std::size_t messages) {
    session_.set_window(messages);
    pump();  // a larger window lets waiting messages go
}

bool Client::connect() {
    open_failed_ = false;
    const bool started = session_.connect();
    pump();
    return started && !open_failed_;
}

bool Client::disconnect() {
    const bool r = session_.disconnect();
    pump();
    return r;
}

void Client::close() {
    session_.close();
    pump();                       // the DISCONNECT goes out, then the transport closes
    session_.output().release();  // a closed client keeps no buffers
    release_transport();
}

void Client::abandon() {
    release_transport();  // first: nothing the close path queues can go out
    session_.close();
    pump();
    session_.output().release();
}

SendResult Client::publish(std::string_view topic, Bytes payload, std::int64_t qos, std::int64_t retain) {
    const SendResult r = session_.publish(topic, payload, qos, retain);
    pump();
    return r;
}

SendResult Client::subscribe(std::string_view filter, std::int64_t qos) {
    const SendResult r = session_.subscribe(filter, qos);
    pump();
    return r;
}

SendResult Client::unsubscribe(std::string_view filter) {
    const SendResult r = session_.unsubscribe(filter);
    pump();
    return r;
}

void Client::on_timer() {
    armed_.reset();
    session_.on_time();
    pump();
}

void Client::on_transport_connected() {
    stream_up_ = true;
    session_.on_transport_connected();
    pump();
}

void Client::on_transport_readable() {
    while (session_.wants_input()) {
        const auto space = session_.rx_space();
        if (space.empty()) break;
        const std::size_t n = transport_->read(space);
        if (n == 0) break;
        session_.on_received(n);
        pump();
    }
}

void Client::on_transport_writable() {
    pump();
}

void Client::on_transport_closed(TransportError error, std::string_view /*detail*/) {
    stream_up_ = false;
    session_.on_transport_closed(error);
    pump();
}

void Client::pump() {
    if (pumping_) {
        repump_ = true;  // a nested call from the sink: the outer loop picks its output up
        return;
    }
    pumping_ = true;
    do {
        repump_ = false;
        TransportRequest request{};
        while (session_.take_transport_request(request)) {
            if (transport_ == nullptr) continue;  // closed: a closed session opens nothing
            if (request == TransportRequest::kOpen) {
                stream_up_ = false;
                if (!transport_->open(host_, port_)) {
                    open_failed_ = true;
                    session_.on_transport_open_failed();
                }
            } else {
                flush_output();  // best effort: a DISCONNECT goes out before the close
                transport_->close();
                stream_up_ = false;
            }
        }
        flush_output();
        deliver();
    } while (repump_);
    rearm_timer();
    pumping_ = false;
}

void Client::flush_output() {
    ByteQueue& out = session_.output();
    while (stream_up_ && !out.empty()) {
        const std::size_t n = transport_->write(out.data());
        if (n == 0) break;  // resumed by on_transport_writable()
        out.consume(n);
    }
}

void Client::deliver() {
    EventQueue::Item item;
    while (session_.events().pop(item)) {
        if (item.is_log) {
            sink_.on_mqtt_log(item.log_level, item.log_text);
        } else {
            sink_.on_mqtt_event(item.event);
        }
    }
}

void Client::rearm_timer() {
    const std::optional<std::uint64_t> next = session_.next_deadline();
    if (next == armed_) return;
    armed_ = next;
    if (next) {
        timer_.arm(*next);
    } else {
        timer_.cancel();
    }
}

}  // namespace luat_mqtt
