#include "platform_air780ep/adapter_stream.hpp"

#include <utility>

namespace platform_air780ep {

namespace {

std::string adapter_name(const AdapterTable& adapters, int id) {
    const platform_air780ep::AdapterInfo* a = adapters.find(id);
    return a != nullptr && !a->name.empty() ? a->name : "adapter " + std::to_string(id);
}

}  // namespace

AdapterStream::AdapterStream(sys_task::Logger& log, AdapterTable& adapters, int adapter,
                             std::unique_ptr<luat_mqtt::Transport> inner, std::size_t channel,
                             std::string kind)
    : log_(log),
      adapters_(adapters),
      adapter_(adapter),
      inner_(std::move(inner)),
      channel_(channel),
      kind_(std::move(kind)) {
    inner_->set_listener(this);
}

AdapterStream::~AdapterStream() {
    stop_waiting();
    inner_->set_listener(nullptr);
}

std::string AdapterStream::endpoint() const {
    return host_ + ":" + std::to_string(port_);
}

void AdapterStream::debug_line(const std::string& text) {
    if (debug_) log_.debug("net", "socket[" + std::to_string(channel_) + "] " + text);
}

bool AdapterStream::open(std::string_view host, std::uint16_t port) {
    if (is_open()) return false;
    host_ = std::string(host);
    port_ = port;
    connected_ = false;
    if (adapters_.is_ready(adapter_)) return start();
    // LuatOS's socket layer waits for the link to come up; the connect timeout bounds the wait.
    waiting_ = true;
    log_.debug("net", "socket[" + std::to_string(channel_) + "] " + endpoint() + " waits for " +
                          adapter_name(adapters_, adapter_) + " to be ready");
    adapter_listener_ = adapters_.add_listener([this](const platform_air780ep::AdapterInfo& a) {
        if (a.id != adapter_ || !a.up || !waiting_) return;
        stop_waiting();
        if (!start() && listener_ != nullptr) {
            listener_->on_transport_closed(luat_mqtt::TransportError::kNoResources,
                                           "the " + kind_ + " stream could not be started");
        }
    });
    return true;
}

bool AdapterStream::start() {
    log_.debug("net", "socket[" + std::to_string(channel_) + "] connect to " + endpoint() + " " + kind_);
    if (!connect_warning_.empty())
        log_.warn("net", "socket[" + std::to_string(channel_) + "] " + connect_warning_);
    return inner_->open(host_, port_);
}

void AdapterStream::stop_waiting() {
    if (adapter_listener_ != 0) adapters_.remove_listener(adapter_listener_);
    adapter_listener_ = 0;
    waiting_ = false;
}

std::size_t AdapterStream::write(std::span<const std::uint8_t> data) {
    const std::size_t n = inner_->write(data);
    if (debug_) debug_line("tx " + std::to_string(n) + " of " + std::to_string(data.size()) + " bytes");
    return n;
}

std::size_t AdapterStream::read(std::span<std::uint8_t> out) {
    const std::size_t n = inner_->read(out);
    if (debug_ && n > 0) debug_line("rx " + std::to_string(n) + " bytes");
    return n;
}

void AdapterStream::close() {
    stop_waiting();
    connected_ = false;
    inner_->close();
}

void AdapterStream::on_transport_connected() {
    connected_ = true;
    last_failure_.clear();
    debug_line("connected to " + endpoint());
    if (listener_ != nullptr) listener_->on_transport_connected();
}

void AdapterStream::on_transport_readable() {
    if (listener_ != nullptr) listener_->on_transport_readable();
}

void AdapterStream::on_transport_writable() {
    if (listener_ != nullptr) listener_->on_transport_writable();
}

void AdapterStream::on_transport_closed(luat_mqtt::TransportError error, std::string_view detail) {
    const bool was_connected = std::exchange(connected_, false);
    debug_line(std::string("closed: ") + luat_mqtt::to_string(error) + ": " + std::string(detail));
    if (!was_connected) {
        // The same reason again and again (a broker down while auto-reconnect retries): once.
        if (detail != last_failure_) {
            last_failure_ = std::string(detail);
            log_.error(tag_, "connect to " + endpoint() + " failed: " + last_failure_);
        }
    } else if (error != luat_mqtt::TransportError::kLocalClose &&
               !(peer_close_expected_ && error == luat_mqtt::TransportError::kPeerClosed)) {
        log_.warn(tag_, "connection to " + endpoint() + " lost: " + std::string(detail));
    }
    if (listener_ != nullptr) listener_->on_transport_closed(error, detail);
}

}  // namespace platform_air780ep
