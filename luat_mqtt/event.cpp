#include "luat_mqtt/event.hpp"

namespace luat_mqtt {

const char* to_string(EventType t) {
    switch (t) {
        case EventType::kConack:
            return "conack";
        case EventType::kRecv:
            return "recv";
        case EventType::kSent:
            return "sent";
        case EventType::kSuback:
            return "suback";
        case EventType::kUnsuback:
            return "unsuback";
        case EventType::kPong:
            return "pong";
        case EventType::kDisconnect:
            return "disconnect";
        case EventType::kClose:
            return "close";
        case EventType::kError:
            return "error";
    }
    return "unknown";
}

const char* to_string(ErrorKind k) {
    switch (k) {
        case ErrorKind::kConnect:
            return "connect";
        case ErrorKind::kConack:
            return "conack";
        case ErrorKind::kOther:
            return "other";
        case ErrorKind::kTimeout:
            return "timeout";
    }
    return "unknown";
}

const char* to_string(LogLevel level) {
    switch (level) {
        case LogLevel::kDebug:
            return "debug";
        case LogLevel::kInfo:
            return "info";
        case LogLevel::kWarn:
            return "warn";
        case LogLevel::kError:
            return "error";
    }
    return "unknown";
}

std::size_t EventQueue::store(Bytes b) {
    const std::size_t off = arena_.size();
    arena_.insert(arena_.end(), b.begin(), b.end());
    return off;
}

void EventQueue::push(const Event& e) {
    Stored s;
    s.event = e;
    s.event.topic = {};
    s.event.payload = {};
    if (e.type == EventType::kRecv) {
        s.text_off = store(as_bytes(e.topic));
        s.text_len = e.topic.size();
        s.payload_off = store(e.payload);
        s.payload_len = e.payload.size();
    }
    items_.push_back(s);
}

void EventQueue::push_log(LogLevel level, std::string_view text) {
    Stored s;
    s.is_log = true;
    s.log_level = level;
    s.text_off = store(as_bytes(text));
    s.text_len = text.size();
    items_.push_back(s);
}

bool EventQueue::pop(Item& out) {
    if (head_ == items_.size()) {
        clear();  // everything handed out: recycle the storage
        return false;
    }
    const Stored& s = items_[head_++];
    const auto text = as_text(Bytes(arena_.data() + s.text_off, s.text_len));
    out.is_log = s.is_log;
    out.event = s.event;
    out.log_level = s.log_level;
    out.log_text = {};
    if (s.is_log) {
        out.log_text = text;
    } else if (s.event.type == EventType::kRecv) {
        out.event.topic = text;
        out.event.payload = Bytes(arena_.data() + s.payload_off, s.payload_len);
    }
    return true;
}

void EventQueue::clear() {
    items_.clear();
    arena_.clear();
    head_ = 0;
}

}  // namespace luat_mqtt
