// A websocket.create client: websocket_client.hpp; the events and their order: docs/modules/websocket.md.
#include "lua_bindings/modules/websocket/websocket_client.hpp"

#include <cstdio>

#include "lua_bindings/device/device.hpp"
#include "luat_mqtt/packet.hpp"

namespace lua_bindings {

namespace {
constexpr std::uint64_t kFirstPingMs = 30000;  // LuatOS's first ping, 30 s after the handshake
constexpr const char* kTag = "websocket";
}  // namespace

WebsocketClient::WebsocketClient(Parts parts)
    : run_(parts.run),
      loop_(parts.run.device().loop()),
      set_(&parts.set),
      channel_(std::move(parts.channel)),
      stream_(std::move(parts.stream)),
      url_(std::move(parts.url)),
      keepalive_s_(parts.keepalive_s),
      mask_random_(std::random_device{}()),
      token_(std::make_shared<WebsocketClient*>(this)) {
    stream_->set_listener(this);
    set_->insert(this);
}

WebsocketClient::~WebsocketClient() {
    shutdown();
    *token_ = nullptr;
}

void WebsocketClient::pin(lua_State* L, int index) {
    lua_pushvalue(L, index);
    self_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
}

void WebsocketClient::set_callback(lua_State* L, int index) {
    if (callback_ref_ != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, callback_ref_);
    callback_ref_ = LUA_NOREF;
    if (lua_isfunction(L, index)) {
        lua_pushvalue(L, index);
        callback_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    }
}

void WebsocketClient::set_autoreconn(bool enable, lua_Integer period_ms) {
    reconnect_ = enable;
    if (enable) reconnect_ms_ = period_ms < 1000 ? 1000 : static_cast<std::uint32_t>(period_ms);
}

void WebsocketClient::set_debug(bool on) {
    if (stream_) stream_->set_debug(on);
}

bool WebsocketClient::connect() {
    if (!stream_) return false;
    run_.device().logger().info(kTag, "connect host " + url_.host + " port " + std::to_string(url_.port));
    stream_->close();
    receiver_.reset();
    outbox_.clear();
    frame_ends_.clear();
    ready_ = false;
    if (!stream_->open(url_.host, url_.port)) {
        post({EventKind::kError, "connect"});
        run_.device().logger().error(kTag, "socket connect ret=-1");
        close_socket();
        return false;
    }
    return true;
}

bool WebsocketClient::send(std::string_view payload, WsOpcode opcode) {
    if (!ready_) {
        run_.device().logger().info(kTag, "not ready yet");
        return false;
    }
    return send_frame(opcode, payload, true);
}

bool WebsocketClient::send_frame(WsOpcode opcode, std::string_view payload, bool user_frame) {
    if (!stream_) return false;
    const std::uint32_t r = static_cast<std::uint32_t>(mask_random_());
    const std::array<std::uint8_t, 4> mask{static_cast<std::uint8_t>(r), static_cast<std::uint8_t>(r >> 8),
                                           static_cast<std::uint8_t>(r >> 16),
                                           static_cast<std::uint8_t>(r >> 24)};
    auto bytes = ws_encode_frame(true, opcode, luat_mqtt::as_bytes(payload), mask);
    if (!bytes) {
        run_.device().logger().error(kTag, "pkg too large " + std::to_string(payload.size()));
        return false;
    }
    outbox_.append(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    queued_total_ += bytes->size();
    if (user_frame) frame_ends_.push_back(queued_total_);
    flush();
    return true;
}

void WebsocketClient::flush() {
    if (!stream_ || !stream_->is_open() || outbox_.empty()) return;
    const std::size_t n = stream_->write(luat_mqtt::as_bytes(std::string_view(outbox_)));
    outbox_.erase(0, n);
    written_total_ += n;
    while (!frame_ends_.empty() && frame_ends_.front() <= written_total_) {
        frame_ends_.pop_front();
        post({EventKind::kSent, {}});
    }
    if (n > 0 && ready_) restart_ping(std::uint64_t{keepalive_s_} * 1000);
}

void WebsocketClient::on_transport_connected() {
    const std::string request = ws_handshake_request(url_, headers_);
    outbox_ = request;
    queued_total_ = written_total_ = 0;
    queued_total_ = request.size();
    flush();
}

void WebsocketClient::on_transport_writable() {
    flush();
}

void WebsocketClient::on_transport_readable() {
    std::uint8_t chunk[4096];
    while (stream_ && stream_->is_open()) {
        const std::size_t n = stream_->read(chunk);
        if (n == 0) break;
        receiver_.feed(std::span<const std::uint8_t>(chunk, n));
        if (!ready_) {
            std::string status;
            switch (receiver_.handshake(status)) {
                case WsReceiver::HandshakeStatus::kNeedMore:
                    if (receiver_.buffered() > kWsReceiveBuffer + 8) return fail("rx");
                    continue;
                case WsReceiver::HandshakeStatus::kRefused:
                    run_.device().logger().error(kTag, "server not support websocket? resp code " + status);
                    return fail("rx");
                case WsReceiver::HandshakeStatus::kAccepted:
                    run_.device().logger().info(kTag, "ready!!");
                    ready_ = true;
                    restart_ping(kFirstPingMs);
                    post({EventKind::kConack, {}});
                    break;
            }
        }
        handle_frames();
    }
    if (ready_) restart_ping(std::uint64_t{keepalive_s_} * 1000);
}

void WebsocketClient::handle_frames() {
    WsFrame frame;
    while (stream_ && stream_->is_open() && ready_) {
        switch (receiver_.next(frame)) {
            case WsDecodeStatus::kNeedMore:
                return;
            case WsDecodeStatus::kTooLarge:
                // luat_websocket_payload's line, then its caller's.
                if (const auto len = receiver_.refused_length()) {
                    run_.device().logger().error(kTag, "websocket payload is too large!!! " +
                                                           std::to_string(*len) + " , must < " +
                                                           std::to_string(kWsReceiveBuffer));
                } else {
                    run_.device().logger().error(kTag, "websocket payload is too large!!!");
                }
                run_.device().logger().info(kTag, "payload too large!!!");
                return fail("rx");
            case WsDecodeStatus::kFrame:
                break;
        }
        switch (frame.opcode) {
            case 0x0:
            case 0x1:
            case 0x2:
                post({EventKind::kRecv, std::move(frame.payload), frame.fin ? 1 : 0, frame.opcode});
                break;
            case 0x8:  // the server closes: LuatOS drops the connection at once
                return fail("rx");
            case 0x9:
                send_frame(WsOpcode::kPong, frame.payload, false);
                break;
            case 0xA:
                break;
            default: {
                char text[40];
                std::snprintf(text, sizeof text, "unkown optcode 0x%02X", frame.opcode);
                run_.device().logger().error(kTag, text);
                return fail("rx");
            }
        }
    }
}

void WebsocketClient::on_transport_closed(luat_mqtt::TransportError, std::string_view) {
    fail("connect");
}

void WebsocketClient::fail(const char* kind) {
    post({EventKind::kError, kind});
    close_socket();
}

// LuatOS's luat_websocket_close_socket: the socket goes, `disconnect`, and the reconnect if enabled.
void WebsocketClient::close_socket() {
    run_.device().logger().info(kTag, "websocket closing socket");
    if (stream_) stream_->close();
    post({EventKind::kDisconnect, {}});
    cancel_timers();
    ready_ = false;
    if (reconnect_ && stream_) {
        run_.device().logger().info(kTag, "reconnect after " + std::to_string(reconnect_ms_) + "ms");
        const std::uint64_t generation = timer_generation_;
        reconnect_timer_ = loop_.add_timer(reconnect_ms_, [token = token_, generation] {
            WebsocketClient* self = *token;
            if (self == nullptr || self->timer_generation_ != generation) return;
            self->reconnect_timer_ = 0;
            self->connect();
        });
    }
}

void WebsocketClient::restart_ping(std::uint64_t delay_ms) {
    if (ping_timer_ != 0) loop_.cancel_timer(ping_timer_);
    const std::uint64_t generation = ++timer_generation_;
    ping_timer_ = loop_.add_timer(delay_ms, [token = token_, generation] {
        WebsocketClient* self = *token;
        if (self == nullptr || self->timer_generation_ != generation) return;
        self->ping_timer_ = 0;
        if (!self->ready_) return;
        self->send_frame(WsOpcode::kPing, {}, false);
        if (self->ping_timer_ == 0) self->restart_ping(std::uint64_t{self->keepalive_s_} * 1000);
    });
}

void WebsocketClient::cancel_timers() {
    ++timer_generation_;
    if (ping_timer_ != 0) loop_.cancel_timer(ping_timer_);
    if (reconnect_timer_ != 0) loop_.cancel_timer(reconnect_timer_);
    ping_timer_ = reconnect_timer_ = 0;
}

void WebsocketClient::post(Event event) {
    run_.post([token = token_, event = std::move(event)](lua_State* L) {
        if (WebsocketClient* self = *token) self->deliver(L, event);
    });
}

void WebsocketClient::deliver(lua_State* L, const Event& event) {
    if (callback_ref_ == LUA_NOREF || self_ref_ == LUA_NOREF) return;
    lua_rawgeti(L, LUA_REGISTRYINDEX, self_ref_);  // kept for WEBSOCKET_CONNACK, the callback may close
    const int self_index = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, callback_ref_);
    if (!lua_isfunction(L, -1)) {
        lua_pop(L, 2);
        return;
    }
    lua_pushvalue(L, self_index);
    switch (event.kind) {
        case EventKind::kConack:
            lua_pushstring(L, "conack");
            lua_call(L, 2, 0);
            lua_pushstring(L, "WEBSOCKET_CONNACK");
            lua_pushvalue(L, self_index);
            run_.scheduler().publish(L, 2);
            break;
        case EventKind::kRecv:
            lua_pushstring(L, "recv");
            lua_pushlstring(L, event.data.data(), event.data.size());
            lua_pushinteger(L, event.fin);
            lua_pushinteger(L, event.opcode);
            lua_call(L, 5, 0);
            break;
        case EventKind::kSent:
            lua_pushstring(L, "sent");
            lua_call(L, 2, 0);
            break;
        case EventKind::kDisconnect:
            lua_pushstring(L, "disconnect");
            lua_call(L, 2, 0);
            break;
        case EventKind::kError:
            lua_pushstring(L, "error");
            lua_pushstring(L, event.data.c_str());
            lua_pushinteger(L, 0);
            lua_call(L, 4, 0);
            break;
    }
    lua_pop(L, 1);
}

void WebsocketClient::release_references(lua_State* L) {
    if (callback_ref_ != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, callback_ref_);
    if (self_ref_ != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, self_ref_);
    callback_ref_ = self_ref_ = LUA_NOREF;
}

void WebsocketClient::close(lua_State* L) {
    if (!stream_) {
        run_.device().logger().warn(kTag, "websocket already closed");
        return;
    }
    reconnect_ = false;  // LuatOS releases the reconnect timer right after closing the socket
    run_.device().logger().info(kTag, "websocket closing socket");
    stream_->close();
    ready_ = false;
    release_references(L);
    shutdown();
}

void WebsocketClient::shutdown() {
    cancel_timers();
    if (stream_) {
        stream_->set_listener(nullptr);
        stream_->close();
        stream_.reset();
    }
    channel_.release();
    ready_ = false;
    if (set_ != nullptr) set_->erase(this);
    set_ = nullptr;
}

}  // namespace lua_bindings
