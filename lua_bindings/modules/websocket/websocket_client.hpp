// One `websocket.create` client (the WS* userdata holds it): its socket channel, its stream (the
// adapter's TCP stream, TLS inside for wss://), the protocol state (ws_protocol.hpp) and the Lua
// callback. Stream happenings become Lua events, each its own native message, in LuatOS's order
// (docs/modules/websocket.md). Pinned in the registry from create until close(), as LuatOS does.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <set>
#include <string>

#include "lua_bindings/device/run_context.hpp"
#include "lua_bindings/modules/websocket/ws_protocol.hpp"
#include "luat_mqtt/transport.hpp"
#include "platform_air780ep/adapter_stream.hpp"
#include "platform_air780ep/channel_pool.hpp"
#include "sys_task/event_loop.hpp"
#include "sys_task/lua_cxx.hpp"

namespace lua_bindings {

inline constexpr const char* kWebsocketType = "WS*";

class WebsocketClient;
using WebsocketClientSet = std::set<WebsocketClient*>;

class WebsocketClient final : private luat_mqtt::TransportListener {
  public:
    struct Parts {
        RunContext& run;
        WebsocketClientSet& set;
        platform_air780ep::Channel channel;
        std::unique_ptr<platform_air780ep::AdapterStream> stream;
        WsUrl url;
        std::uint32_t keepalive_s = 60;
    };
    explicit WebsocketClient(Parts parts);
    ~WebsocketClient();
    WebsocketClient(const WebsocketClient&) = delete;
    WebsocketClient& operator=(const WebsocketClient&) = delete;

    void pin(lua_State* L, int index);
    void set_callback(lua_State* L, int index);
    void set_headers(std::string headers) { headers_ = std::move(headers); }
    void set_autoreconn(bool enable, lua_Integer period_ms);
    void set_debug(bool on);
    // wsc:connect(): false when the attempt could not start.
    bool connect();
    // wsc:send(): false when not ready or the frame cannot be sent (LuatOS's answers).
    bool send(std::string_view payload, WsOpcode opcode);
    [[nodiscard]] bool ready() const { return ready_; }
    [[nodiscard]] bool closed() const { return stream_ == nullptr; }
    // wsc:close(): no event reaches Lua afterwards.
    void close(lua_State* L);
    // The run ends: no Lua calls, no close handshake.
    void shutdown();

  private:
    enum class EventKind { kConack, kRecv, kSent, kDisconnect, kError };
    struct Event {
        EventKind kind;
        std::string data;  // recv: the payload; error: "connect" / "tx" / "rx"
        lua_Integer fin = 0;
        lua_Integer opcode = 0;
    };

    void on_transport_connected() override;
    void on_transport_readable() override;
    void on_transport_writable() override;
    void on_transport_closed(luat_mqtt::TransportError error, std::string_view detail) override;

    void post(Event event);
    void deliver(lua_State* L, const Event& event);
    void fail(const char* kind);
    void close_socket();
    bool send_frame(WsOpcode opcode, std::string_view payload, bool user_frame);
    void flush();
    void handle_frames();
    void restart_ping(std::uint64_t delay_ms);
    void cancel_timers();
    void release_references(lua_State* L);

    RunContext& run_;
    sys_task::EventLoop& loop_;
    WebsocketClientSet* set_;
    platform_air780ep::Channel channel_;
    std::unique_ptr<platform_air780ep::AdapterStream> stream_;
    WsUrl url_;
    std::uint32_t keepalive_s_;
    std::string headers_;
    bool reconnect_ = false;
    std::uint32_t reconnect_ms_ = 3000;
    bool ready_ = false;
    WsReceiver receiver_;
    std::string outbox_;                    // bytes the stream did not take yet
    std::uint64_t queued_total_ = 0;        // bytes given to send_frame so far
    std::uint64_t written_total_ = 0;       // of which the stream accepted
    std::deque<std::uint64_t> frame_ends_;  // user frames: where each ends, for its `sent`
    std::mt19937 mask_random_;              // RFC 6455 asks for unpredictable masks (LuatOS uses 00 01 02 03)
    sys_task::EventLoop::TimerId ping_timer_ = 0;
    sys_task::EventLoop::TimerId reconnect_timer_ = 0;
    std::uint64_t timer_generation_ = 0;
    std::shared_ptr<WebsocketClient*> token_;  // what posted messages and timers hold
    int self_ref_ = LUA_NOREF;
    int callback_ref_ = LUA_NOREF;
};

}  // namespace lua_bindings
