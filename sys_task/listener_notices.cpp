#include "sys_task/listener_notices.hpp"

namespace sys_task {

ListenerNotices::ListenerNotices(sys_task::EventLoop& loop, std::function<bool()> has_data)
    : has_data_(std::move(has_data)), deferred_(loop, [this] { deliver(); }) {}

void ListenerNotices::ended(luat_mqtt::TransportError error, std::string detail) {
    connected_ = writable_ = false;
    readable_ = has_data_();
    closed_.emplace(error, std::move(detail));
    deferred_.arm();
}

void ListenerNotices::clear() {
    deferred_.disarm();
    connected_ = readable_ = writable_ = false;
    closed_.reset();
}

void ListenerNotices::deliver() {
    const auto alive = alive_;  // a callback may destroy the stream, and this object with it
    if (connected_) {
        connected_ = false;
        if (listener_ != nullptr) listener_->on_transport_connected();
        if (!*alive) return;
    }
    if (readable_) {
        readable_ = false;
        if (listener_ != nullptr && has_data_()) listener_->on_transport_readable();
        if (!*alive) return;
    }
    if (writable_) {
        writable_ = false;
        if (listener_ != nullptr) listener_->on_transport_writable();
        if (!*alive) return;
    }
    if (closed_) {
        auto [error, detail] = std::move(*closed_);
        closed_.reset();
        if (listener_ != nullptr) listener_->on_transport_closed(error, detail);
    }
}

}  // namespace sys_task
