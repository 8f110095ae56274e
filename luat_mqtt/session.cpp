#include "luat_mqtt/session.hpp"

#include <algorithm>
#include <string>

#include "luat_mqtt/encode.hpp"
#include "luat_mqtt/validate.hpp"

namespace luat_mqtt {

namespace {

Refusal refusal_for(TopicError e, bool filter) {
    switch (e) {
        case TopicError::kOk:
            return Refusal::kNone;
        case TopicError::kEmpty:
            return Refusal::kTopicEmpty;
        case TopicError::kTooLong:
            return Refusal::kTopicTooLong;
        case TopicError::kInvalidUtf8:
            return Refusal::kTopicInvalidUtf8;
        case TopicError::kWildcard:
            return filter ? Refusal::kFilterInvalid : Refusal::kTopicWildcard;
        case TopicError::kBadWildcard:
            return Refusal::kFilterInvalid;
    }
    return Refusal::kFilterInvalid;
}

std::uint8_t clamp_qos(std::int64_t qos) {
    return qos >= 0 && qos <= 2 ? static_cast<std::uint8_t>(qos) : 0;
}

}  // namespace

int protocol_error_code(DecodeError e) {
    switch (e) {
        case DecodeError::kPublishQos3:
            return kProtoPublishQos3;
        case DecodeError::kPacketTooLarge:
        case DecodeError::kTopicEmpty:
        case DecodeError::kTopicInvalidUtf8:
        case DecodeError::kTopicWildcard:
            return kProtoBadPublish;
        default:
            return kProtoMalformed;
    }
}

const char* to_string(Refusal r) {
    switch (r) {
        case Refusal::kNone:
            return "ok";
        case Refusal::kClosed:
            return "client is closed";
        case Refusal::kNotConnected:
            return "not connected";
        case Refusal::kConnecting:
            return "still connecting";
        case Refusal::kTopicEmpty:
            return "empty topic";
        case Refusal::kTopicTooLong:
            return "topic longer than 65535 bytes";
        case Refusal::kTopicInvalidUtf8:
            return "topic is not valid UTF-8";
        case Refusal::kTopicWildcard:
            return "wildcard in a publish topic";
        case Refusal::kFilterInvalid:
            return "invalid wildcard in topic filter";
        case Refusal::kTooLarge:
            return "packet too large for MQTT";
        case Refusal::kBudgetFull:
            return "send budget full";
        case Refusal::kNoFreeId:
            return "no free message id";
    }
    return "unknown";
}

const char* to_string(AuthResult r) {
    switch (r) {
        case AuthResult::kOk:
            return "ok";
        case AuthResult::kPasswordWithoutUsername:
            return "password without username is not sent";
        case AuthResult::kClientIdTooLong:
            return "client id too long";
        case AuthResult::kUsernameTooLong:
            return "username too long";
        case AuthResult::kPasswordTooLong:
            return "password too long";
        case AuthResult::kClientIdInvalidUtf8:
            return "client id is not valid UTF-8";
        case AuthResult::kUsernameInvalidUtf8:
            return "username is not valid UTF-8";
        case AuthResult::kClosed:
            return "client is closed";
    }
    return "unknown";
}

Session::Session(const Clock& clock) : clock_(clock) {}

// ---------------------------------------------------------------------------------------------------
// settings

AuthResult Session::auth(std::string_view client_id, std::string_view username, Bytes password,
                         bool clean_session) {
    if (closed_) return AuthResult::kClosed;
    if (client_id.size() >= kClientIdLimit) return AuthResult::kClientIdTooLong;
    if (username.size() >= kUsernameLimit) return AuthResult::kUsernameTooLong;
    if (password.size() >= kPasswordLimit) return AuthResult::kPasswordTooLong;
    if (!valid_utf8(client_id)) return AuthResult::kClientIdInvalidUtf8;
    if (!valid_utf8(username)) return AuthResult::kUsernameInvalidUtf8;
    client_id_.assign(client_id);
    username_.assign(username);
    password_.assign(password.begin(), password.end());
    clean_session_ = clean_session;
    ids_.reset(1);
    return !password_.empty() && username_.empty() ? AuthResult::kPasswordWithoutUsername : AuthResult::kOk;
}

void Session::set_keepalive(std::int64_t seconds) {
    keepalive_s_ =
        static_cast<std::uint16_t>(std::clamp<std::int64_t>(seconds, kMinKeepaliveS, kMaxKeepaliveS));
}

void Session::set_autoreconn(std::optional<bool> enable, std::int64_t period_ms) {
    if (enable) autoreconn_ = *enable;
    period_ms = std::clamp<std::int64_t>(period_ms, 0, UINT32_MAX);
    if (autoreconn_ && period_ms < kMinReconnectPeriodMs) period_ms = kMinReconnectPeriodMs;
    reconnect_period_ms_ = static_cast<std::uint32_t>(period_ms);
    // A reconnect already scheduled still runs (LuatOS only sets the flag; its timer is running):
    // if that attempt fails with auto-reconnect now off, the close path ends in `close`.
}

bool Session::set_will(std::string_view topic, Bytes payload, std::int64_t qos, std::int64_t retain) {
    if (closed_ || check_topic_name(topic) != TopicError::kOk || payload.size() > kMaxStringLength)
        return false;
    will_ = StoredWill{std::string(topic), {payload.begin(), payload.end()}, clamp_qos(qos), retain != 0};
    return true;
}

void Session::set_rx_size(std::int64_t bytes) {
    if (bytes <= 0) return;
    rx_size_ = static_cast<std::size_t>(std::min<std::int64_t>(bytes, kMaxRxSize));
}

void Session::set_connect_timeout(std::int64_t seconds) {
    connect_timeout_s_ = static_cast<std::uint32_t>(
        std::clamp<std::int64_t>(seconds, kMinConnectTimeoutS, kMaxConnectTimeoutS));
}

void Session::set_window(std::size_t messages) {
    store_.set_window(messages);
    release_outbox();
}

// ---------------------------------------------------------------------------------------------------
// commands

bool Session::connect() {
    if (closed_) return false;
    if (state_ != ConnectionState::kDisconnected) {
        // LuatOS (Appendix C): false, disconnected at once, then disconnect(0) and close / reconnect.
        close_path(std::nullopt, std::nullopt);
        return false;
    }
    begin_connect(false);
    return true;
}

bool Session::disconnect() {
    if (closed_) return true;
    if (stream_carries_mqtt()) append_packet(out_, EmptyPacket{PacketType::kDisconnect});
    close_path(std::nullopt, std::nullopt);
    return true;
}

void Session::close() {
    if (closed_) return;
    if (stream_carries_mqtt()) append_packet(out_, EmptyPacket{PacketType::kDisconnect});
    close_path(std::nullopt, std::nullopt);
    closed_ = true;
    connect_deadline_.reset();
    ping_deadline_.reset();
    reconnect_deadline_.reset();
    events_.clear();  // LuatOS delivers them with no callback: nothing reaches the script after close()
    store_.clear([this](std::uint16_t id) { ids_.release(id); });
    incoming_qos2_.clear();
    rx_.release();
    will_.reset();  // never sent again
}

SendResult Session::check_sendable() const {
    if (closed_) return {Refusal::kClosed};
    if (state_ == ConnectionState::kDisconnected) return {Refusal::kNotConnected};
    if (state_ == ConnectionState::kConnecting) return {Refusal::kConnecting};
    return {};
}

bool Session::within_budget(std::size_t extra) const {
    const std::size_t held = out_.size() + store_.stored_bytes();
    // A packet larger than the whole budget still goes when nothing else is held, or it could never
    // go: memory stays bounded by the larger of the budget and the largest packet.
    return held + extra <= budget_ || held == 0;
}

SendResult Session::publish(std::string_view topic, Bytes payload, std::int64_t qos, std::int64_t retain) {
    if (const SendResult r = check_sendable(); !r.ok()) return r;
    if (const TopicError e = check_topic_name(topic); e != TopicError::kOk) return {refusal_for(e, false)};
    // LuatOS casts both to uint8_t: qos 1 and 2 are themselves, everything else is sent as QoS 0.
    const auto qos8 = static_cast<std::uint8_t>(qos);
    PublishPacket p;
    p.topic = topic;
    p.payload = payload;
    p.qos = qos8 == 1 || qos8 == 2 ? qos8 : std::uint8_t{0};
    p.retain = static_cast<std::uint8_t>(retain) != 0;
    const std::size_t size = encoded_size(p);
    if (size == 0) return {Refusal::kTooLarge};
    if (!within_budget(size)) return {Refusal::kBudgetFull};
    if (p.qos == 0) {
        encode(p, out_.append(size));
        if (qos8 == 0) emit_simple(EventType::kSent, 0);
        return {};
    }
    p.packet_id = ids_.allocate();
    if (p.packet_id == 0) return {Refusal::kNoFreeId};
    std::vector<std::uint8_t> packet(size);
    encode(p, packet);
    store_.add(p.packet_id, p.qos, std::move(packet));
    // Before CONNACK the message waits: a kept session's resends must go out first (§4.6 order).
    release_outbox();
    return {Refusal::kNone, p.packet_id};
}

SendResult Session::subscribe(std::string_view filter, std::int64_t qos) {
    if (const SendResult r = check_sendable(); !r.ok()) return r;
    if (const TopicError e = check_topic_filter(filter); e != TopicError::kOk) return {refusal_for(e, true)};
    const Subscription sub{filter, clamp_qos(qos)};
    SubscribePacket p{0, {&sub, 1}};
    const std::size_t size = encoded_size(p);
    if (!within_budget(size)) return {Refusal::kBudgetFull};
    p.packet_id = ids_.allocate();
    if (p.packet_id == 0) return {Refusal::kNoFreeId};
    pending_subscribe_.insert(p.packet_id);
    encode(p, out_.append(size));
    return {Refusal::kNone, p.packet_id};
}

SendResult Session::unsubscribe(std::string_view filter) {
    if (const SendResult r = check_sendable(); !r.ok()) return r;
    if (const TopicError e = check_topic_filter(filter); e != TopicError::kOk) return {refusal_for(e, true)};
    UnsubscribePacket p{0, {&filter, 1}};
    const std::size_t size = encoded_size(p);
    if (!within_budget(size)) return {Refusal::kBudgetFull};
    p.packet_id = ids_.allocate();
    if (p.packet_id == 0) return {Refusal::kNoFreeId};
    pending_unsubscribe_.insert(p.packet_id);
    encode(p, out_.append(size));
    return {Refusal::kNone, p.packet_id};
}

// ---------------------------------------------------------------------------------------------------
// connection life cycle

void Session::begin_connect(bool from_reconnect_timer) {
    reconnect_deadline_.reset();
    active_clean_session_ = clean_session_;
    if (active_clean_session_) drop_session_state();  // §3.1.2.4: a clean session starts empty
    error_state_ = 0;
    rx_.reset(rx_size_);
    out_.clear();
    ping_deadline_.reset();
    ping_outstanding_ = false;
    state_ = ConnectionState::kConnecting;
    attempt_from_timer_ = from_reconnect_timer;
    connect_deadline_ = clock_.now_ms() + std::uint64_t{connect_timeout_s_} * 1000;
    requests_.push_back(TransportRequest::kOpen);
}

bool Session::close_path(std::optional<ErrorInfo> before, std::optional<ErrorInfo> after) {
    if (state_ == ConnectionState::kDisconnected) return false;
    requests_.push_back(TransportRequest::kClose);
    state_ = ConnectionState::kDisconnected;
    connect_deadline_.reset();
    ping_deadline_.reset();
    ping_outstanding_ = false;
    if (before) emit_error(*before);
    emit_simple(EventType::kDisconnect, error_state_);
    // SUBACK / UNSUBACK cannot arrive on another connection: free their ids.
    for (IdSet* pending : {&pending_subscribe_, &pending_unsubscribe_}) {
        pending->for_each([this](std::uint16_t id) { ids_.release(id); });
        pending->clear();
    }
    if (active_clean_session_) drop_session_state();  // §3.1.2.4: the session ends with the connection
    if (autoreconn_) {
        reconnect_deadline_ = clock_.now_ms() + reconnect_period_ms_;
    } else {
        emit_simple(EventType::kClose);
    }
    if (after) emit_error(*after);
    return true;
}

void Session::protocol_error(int code, std::string_view why) {
    log(LogLevel::kWarn, "protocol error " + std::to_string(code) + ": " + std::string(why));
    close_path(std::nullopt, ErrorInfo{ErrorKind::kConnect, code});
}

void Session::drop_session_state() {
    const std::size_t dropped = store_.inflight() + store_.queued();
    store_.clear([this](std::uint16_t id) { ids_.release(id); });
    incoming_qos2_.clear();
    if (dropped > 0) {
        log(LogLevel::kWarn,
            "clean session: dropped " + std::to_string(dropped) + " unacknowledged QoS 1/2 messages");
    }
}

void Session::release_outbox() {
    if (state_ != ConnectionState::kReady) return;
    store_.release([this](Bytes packet) { out_.append(packet); });
}

void Session::on_transport_connected() {
    if (state_ != ConnectionState::kConnecting) return;
    state_ = ConnectionState::kAwaitingConnack;
    active_keepalive_s_ = keepalive_s_;
    ConnectPacket c;
    c.client_id = client_id_;
    c.clean_session = active_clean_session_;
    c.keepalive = keepalive_s_;
    if (will_) c.will = Will{will_->topic, will_->payload, will_->qos, will_->retain};
    if (!username_.empty()) {
        c.username = username_;
        if (!password_.empty()) c.password = Bytes(password_);
    }
    append_packet(out_, c);
}

void Session::on_transport_open_failed() {
    if (state_ != ConnectionState::kConnecting) return;
    if (attempt_from_timer_) {
        close_path(ErrorInfo{ErrorKind::kConnect, 0}, std::nullopt);
        return;
    }
    // connect() returns false; the client never left state 0 as far as the script can tell.
    state_ = ConnectionState::kDisconnected;
    connect_deadline_.reset();
}

void Session::on_transport_closed(TransportError /*every cause maps to the same event*/) {
    if (state_ == ConnectionState::kDisconnected) return;
    const ErrorKind kind = state_ == ConnectionState::kConnecting ? ErrorKind::kConnect : ErrorKind::kOther;
    close_path(ErrorInfo{kind, 0}, std::nullopt);
}

// ---------------------------------------------------------------------------------------------------
// receiving

std::span<std::uint8_t> Session::rx_space() {
    if (!wants_input()) return {};
    return rx_.free_space();
}

void Session::on_received(std::size_t n) {
    if (!wants_input() || n == 0) return;
    rx_.commit(n);
    rx_since_ping_ = true;
    process_frames();
}

std::size_t Session::feed(Bytes data) {
    std::size_t used = 0;
    while (used < data.size() && wants_input()) {
        const std::size_t n = rx_.feed(data.subspan(used));
        if (n == 0) break;
        used += n;
        rx_since_ping_ = true;
        process_frames();
    }
    return used;
}

void Session::process_frames() {
    Frame frame;
    DecodeError error = DecodeError::kNone;
    while (wants_input()) {
        const FrameDecoder::Status status = rx_.next(frame, error);
        if (status == FrameDecoder::Status::kNeedMore) return;
        if (status == FrameDecoder::Status::kError) {
            protocol_error(protocol_error_code(error), to_string(error));
            return;
        }
        handle_frame(frame);
    }
}

void Session::handle_frame(const Frame& frame) {
    if (state_ == ConnectionState::kAwaitingConnack &&
        !(frame.valid_type() && frame.type() == PacketType::kConnack)) {
        protocol_error(kProtoBeforeConnack, "packet before CONNACK");
        return;
    }
    Packet packet;
    if (const DecodeError e = parse_packet(frame, packet); e != DecodeError::kNone) {
        protocol_error(protocol_error_code(e), to_string(e));
        return;
    }
    switch (frame.type()) {
        case PacketType::kConnack:
            handle_connack(std::get<ConnackPacket>(packet));
            return;
        case PacketType::kPublish:
            handle_publish(std::get<PublishPacket>(packet));
            return;
        case PacketType::kPuback:
        case PacketType::kPubrec:
        case PacketType::kPubrel:
        case PacketType::kPubcomp:
        case PacketType::kUnsuback:
            handle_ack(std::get<AckPacket>(packet));
            return;
        case PacketType::kSuback:
            handle_suback(std::get<SubackPacket>(packet));
            return;
        case PacketType::kPingresp:
            ping_outstanding_ = false;
            emit_simple(EventType::kPong);
            return;
        case PacketType::kDisconnect:
            // Not in 3.1.1 from a server, but LuatOS reports it: disconnect(-2) when the link goes.
            error_state_ = kErrorStateBrokerDisconnect;
            close_path(ErrorInfo{ErrorKind::kOther, 0}, std::nullopt);
            return;
        case PacketType::kConnect:
        case PacketType::kSubscribe:
        case PacketType::kUnsubscribe:
        case PacketType::kPingreq:
            break;
    }
    protocol_error(kProtoMalformed, std::string(to_string(frame.type())) + " from the server");
}

void Session::handle_connack(const ConnackPacket& p) {
    if (state_ == ConnectionState::kReady) {
        protocol_error(kProtoSecondConnack, "second CONNACK");
        return;
    }
    if (p.return_code != kConnackAccepted) {
        error_state_ = p.return_code;
        close_path(std::nullopt, ErrorInfo{ErrorKind::kConack, p.return_code});
        return;
    }
    if (p.session_present && active_clean_session_) {
        protocol_error(kProtoMalformed, "session present on a clean session");  // §3.2.2.2
        return;
    }
    state_ = ConnectionState::kReady;
    connect_deadline_.reset();
    reconnect_deadline_.reset();
    ping_deadline_ = clock_.now_ms() + std::uint64_t{active_keepalive_s_} * 750;
    ping_outstanding_ = false;
    if (!p.session_present) incoming_qos2_.clear();  // the broker will not send those PUBRELs
    emit_simple(EventType::kConack);
    // Everything still unacknowledged goes again, in order; with no session on the broker side this
    // is a fresh delivery (and a PUBREL for an unknown id is answered with PUBCOMP).
    const std::size_t resent = store_.resend([this](const OutgoingStore::Message& m) {
        if (m.stage == OutgoingStore::Stage::kWaitPubcomp) {
            send_ack(PacketType::kPubrel, m.id);
        } else {
            out_.append(m.packet);
        }
    });
    if (resent > 0)
        log(LogLevel::kInfo, "resent " + std::to_string(resent) + " unacknowledged QoS 1/2 messages");
    release_outbox();
}

void Session::handle_publish(const PublishPacket& p) {
    if (p.topic.size() > kMaxIncomingTopic || p.payload.size() > kMaxIncomingPayload) {
        protocol_error(kProtoBadPublish, "incoming PUBLISH over LuatOS's topic/payload limits");
        return;
    }
    Event recv;
    recv.type = EventType::kRecv;
    recv.topic = p.topic;
    recv.payload = p.payload;
    recv.meta = RecvMeta{p.packet_id, p.qos, p.retain, p.dup};
    switch (p.qos) {
        case 0:
            emit(recv);
            break;
        case 1:
            emit(recv);
            send_ack(PacketType::kPuback, p.packet_id);
            break;
        default:
            // Exactly once: a PUBLISH whose id we hold (PUBREC sent, PUBREL not yet seen) is a resend.
            if (incoming_qos2_.insert(p.packet_id)) emit(recv);
            send_ack(PacketType::kPubrec, p.packet_id);
            break;
    }
}

void Session::handle_ack(const AckPacket& p) {
    const std::uint16_t id = p.packet_id;
    switch (p.type) {
        case PacketType::kPuback:
        case PacketType::kPubcomp: {
            const auto result = p.type == PacketType::kPuback ? store_.on_puback(id) : store_.on_pubcomp(id);
            if (result != OutgoingStore::Ack::kCompleted) return;  // unknown or duplicate: nothing to do
            ids_.release(id);
            emit_simple(EventType::kSent, id);
            release_outbox();
            return;
        }
        case PacketType::kPubrec:
            if (store_.on_pubrec(id) == OutgoingStore::Ack::kSendPubrel) send_ack(PacketType::kPubrel, id);
            return;
        case PacketType::kPubrel:
            incoming_qos2_.erase(id);
            send_ack(PacketType::kPubcomp, id);  // also for an id we do not hold (§4.3.3)
            return;
        case PacketType::kUnsuback:
            if (!pending_unsubscribe_.erase(id)) return;
            ids_.release(id);
            emit_simple(EventType::kUnsuback);
            return;
        default:
            return;
    }
}

void Session::handle_suback(const SubackPacket& p) {
    if (!pending_subscribe_.erase(p.packet_id)) return;
    ids_.release(p.packet_id);
    const std::uint8_t code = p.return_codes[0];
    Event e;
    e.type = EventType::kSuback;
    e.value = code;
    e.ok = code <= 2;
    emit(e);
}

void Session::send_ack(PacketType type, std::uint16_t id) {
    append_packet(out_, AckPacket{type, id});
}

// ---------------------------------------------------------------------------------------------------
// time

std::optional<std::uint64_t> Session::next_deadline() const {
    std::optional<std::uint64_t> next;
    for (const auto& d : {connect_deadline_, ping_deadline_, reconnect_deadline_}) {
        if (d && (!next || *d < *next)) next = d;
    }
    return next;
}

void Session::on_time() {
    if (closed_) return;
    const std::uint64_t now = clock_.now_ms();
    if (connect_deadline_ && now >= *connect_deadline_) {
        connect_deadline_.reset();
        close_path(ErrorInfo{ErrorKind::kTimeout, 0}, std::nullopt);
    }
    if (ping_deadline_ && now >= *ping_deadline_) on_ping_due(now);
    if (reconnect_deadline_ && now >= *reconnect_deadline_) {
        reconnect_deadline_.reset();
        if (state_ == ConnectionState::kDisconnected) begin_connect(true);
    }
}

void Session::on_ping_due(std::uint64_t now) {
    if (ping_outstanding_ && !rx_since_ping_) {
        log(LogLevel::kWarn, "no PINGRESP and nothing else received for " +
                                 std::to_string(std::uint64_t{active_keepalive_s_} * 750) +
                                 " ms: the link is dead");
        close_path(ErrorInfo{ErrorKind::kOther, 0}, std::nullopt);
        return;
    }
    append_packet(out_, EmptyPacket{PacketType::kPingreq});
    ping_outstanding_ = true;
    rx_since_ping_ = false;
    // A fixed period from CONNACK, not reset by traffic (LuatOS since 2023-03-16).
    const std::uint64_t period = std::uint64_t{active_keepalive_s_} * 750;
    std::uint64_t next = *ping_deadline_ + period;
    if (next <= now) next = now + period;
    ping_deadline_ = next;
}

// ---------------------------------------------------------------------------------------------------
// outputs

bool Session::take_transport_request(TransportRequest& request) {
    if (requests_head_ == requests_.size()) {
        requests_.clear();
        requests_head_ = 0;
        return false;
    }
    request = requests_[requests_head_++];
    return true;
}

void Session::emit(const Event& e) {
    events_.push(e);
}

void Session::emit_simple(EventType type, int value) {
    Event e;
    e.type = type;
    e.value = value;
    emit(e);
}

void Session::emit_error(ErrorInfo info) {
    Event e;
    e.type = EventType::kError;
    e.value = info.code;
    e.error_kind = info.kind;
    emit(e);
}

void Session::log(LogLevel level, std::string_view text) {
    events_.push_log(level, text);
}

}  // namespace luat_mqtt
