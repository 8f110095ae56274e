// The websocket module against a local echo server (tests/support/ws_echo_server.py), on both network
// paths: the events and their order as LuatOS delivers them (docs/modules/websocket.md), what the
// server saw (request, headers, masked frames, the pong), wss:// over TLS, the server's close and
// refusals, reconnects, limits, the shared socket channels, and the official demo unchanged.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/e2e/e2e.hpp"
#include "tests/support/ws_echo_server.hpp"
#include "tests/tls/support/test_pki.hpp"

using namespace tests;

namespace {

// wev: the callback; logs "I/user.ws <event> <data> <fin> <opcode>" (a payload over 64 bytes as
// "<N bytes>") and publishes "WS_<event>". wait_ws(name): waits for one (10 s), else exit code 3.
const std::string kWsPrelude = kLuaPrelude + R"LUA(
function wev(c, event, data, fin, op)
    if event == "recv" and #data > 64 then data = "<" .. #data .. " bytes>" end
    log.info("ws", event, data, fin, op)
    sys.publish("WS_" .. event, data, fin, op)
end
function wait_ws(name, ms)
    local ok, data, fin, op = sys.waitUntil("WS_" .. name, ms or 10000)
    if not ok then
        log.info("timeout", name)
        os.exit(3)
    end
    return data, fin, op
end
)LUA";

DeviceResult run_ws(NetPath path, std::uint16_t port, const std::string& body) {
    DeviceOptions o;
    o.network = network_to(path, port);
    return run_device(kWsPrelude + body, o);
}

Lines user_lines(const DeviceResult& r) {
    return lines_with(r.lines, "I/user.");
}

void echo_fragments_ping_and_close(NetPath path) {
    WsEchoServer server;
    const DeviceResult r = run_ws(path, server.port(), R"LUA(
        main(function()
            local c = websocket.create(nil, "ws://broker.test:9001/echo")
            c:on(wev)
            log.info("connect", c:connect())
            wait_ws("conack")
            log.info("ready", c:ready())
            log.info("send", c:send("hello"))
            wait_ws("recv")
            log.info("send", c:send("bin", 1))
            wait_ws("recv")
            c:send("frag")
            wait_ws("recv")
            wait_ws("recv")
            c:send("ping-me")
            wait_ws("recv")
            c:send("close-me")
            wait_ws("disconnect")
            log.info("ready", c:ready())
            log.info("send", c:send("late"))
            c:close()
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(
        user_lines(r),
        {"I/user.connect true", "I/user.ws conack nil nil nil", "I/user.ready true", "I/user.send true",
         "I/user.ws sent nil nil nil", "I/user.ws recv hello 1 1", "I/user.send true",
         "I/user.ws sent nil nil nil", "I/user.ws recv bin 1 2", "I/user.ws sent nil nil nil",
         "I/user.ws recv Hel 0 1", "I/user.ws recv lo 1 0", "I/user.ws sent nil nil nil",
         "I/user.ws recv pinged 1 1", "I/user.ws sent nil nil nil", "I/user.ws error rx 0 nil",
         "I/user.ws disconnect nil nil nil", "I/user.ready false", "I/user.send false"});
    CHECK_LINES(lines_with(r.lines, "I/websocket"),
                {"I/websocket connect host broker.test port 9001", "I/websocket ready!!",
                 "I/websocket websocket closing socket", "I/websocket not ready yet",
                 "I/websocket websocket closing socket"});
    CHECK_LINES(lines_with(r.lines, "W/websocket"), {"W/websocket websocket already closed"});
    CHECK_LINES(server.lines(),
                {"request /echo", "frame fin=1 op=1 masked=1 hello", "frame fin=1 op=2 masked=1 bin",
                 "frame fin=1 op=1 masked=1 frag", "frame fin=1 op=1 masked=1 ping-me",
                 "frame fin=1 op=10 masked=1 abc", "frame fin=1 op=1 masked=1 close-me"});
}

void over_tls(NetPath path) {
    TestPki pki(KeyKind::kEcP256, {"broker.test"});
    WsEchoServer server(WsEchoServer::Tls{pki.path("server.pem"), pki.path("server.key")});
    const DeviceResult r = run_ws(path, server.port(), R"LUA(
        main(function()
            local c = websocket.create(nil, "wss://broker.test/ws/echo")
            c:on(wev)
            c:connect()
            wait_ws("conack")
            c:send("over tls")
            wait_ws("recv")
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r), {"I/user.ws conack nil nil nil", "I/user.ws sent nil nil nil",
                                "I/user.ws recv over tls 1 1"});
    CHECK_LINES(lines_with(r.lines, "D/net socket"), {"D/net socket[0] connect to broker.test:443 TLS"});
    CHECK_LINES(server.lines(), {"request /ws/echo", "frame fin=1 op=1 masked=1 over tls"});
}

// The server ends the TCP connection: error("connect", 0), disconnect, and with autoreconn the
// reconnect after the period, which connects again.
void server_goes_and_reconnect(NetPath path) {
    WsEchoServer server;
    const DeviceResult r = run_ws(path, server.port(), R"LUA(
        main(function()
            local c = websocket.create(nil, "ws://broker.test:80")
            c:autoreconn(true, 10)
            c:on(wev)
            c:connect()
            wait_ws("conack")
            c:send("bye")
            wait_ws("disconnect")
            wait_ws("conack")
            c:send("again")
            wait_ws("recv")
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r),
                {"I/user.ws conack nil nil nil", "I/user.ws sent nil nil nil",
                 "I/user.ws error connect 0 nil", "I/user.ws disconnect nil nil nil",
                 "I/user.ws conack nil nil nil", "I/user.ws sent nil nil nil", "I/user.ws recv again 1 1"});
    CHECK_LINES(lines_with(r.lines, "I/websocket reconnect"), {"I/websocket reconnect after 1000ms"});
    CHECK_LINES(server.lines(), {"request /", "frame fin=1 op=1 masked=1 bye", "request /",
                                 "frame fin=1 op=1 masked=1 again"});
}

// keepalive 1: a ping 1 s after the last traffic (the first one would come 30 s after the handshake).
void keepalive_ping(NetPath path) {
    WsEchoServer server;
    const DeviceResult r = run_ws(path, server.port(), R"LUA(
        main(function()
            local c = websocket.create(nil, "ws://broker.test/", 1)
            c:on(wev)
            c:connect()
            wait_ws("conack")
            c:send("x")
            wait_ws("recv")
            wait_ws("recv")
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r), {"I/user.ws conack nil nil nil", "I/user.ws sent nil nil nil",
                                "I/user.ws recv x 1 1", "I/user.ws recv got ping 1 1"});
    CHECK_LINES(server.lines(), {"request /", "frame fin=1 op=1 masked=1 x", "frame fin=1 op=9 masked=1 "});
}

}  // namespace

E2E_ON_BOTH_PATHS("websocket: keepalive pings after a quiet second", keepalive_ping)
E2E_ON_BOTH_PATHS("websocket: echo, binary, fragments, the server's ping and close, a closed client",
                  echo_fragments_ping_and_close)
E2E_ON_BOTH_PATHS("websocket: wss:// over TLS (no certificate check, as LuatOS)", over_tls)
E2E_ON_BOTH_PATHS("websocket: the server goes away, autoreconn connects again", server_goes_and_reconnect)

TEST_CASE(
    "websocket: headers, the frame that came with the 101 response, the 32768-byte limit (the EC718P has "
    "PSRAM)") {
    WsEchoServer server;
    const DeviceResult r = run_ws(NetPath::kEth0, server.port(), R"LUA(
        main(function()
            local c = websocket.create(nil, "ws://broker.test:9001/greet")
            log.info("headers", c:headers(true))
            log.info("headers", c:headers({X = string.rep("a", 300)}))
            log.info("headers", c:headers("Old: 1\r\n"))
            log.info("headers", c:headers({["X-Dev"] = "a.b c"}))
            c:on(wev)
            c:connect()
            wait_ws("conack")
            wait_ws("recv")
            c:send("max")
            wait_ws("recv")
            c:send("big")
            wait_ws("disconnect")
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r),
                {"I/user.headers", "I/user.headers", "I/user.headers true", "I/user.headers true",
                 "I/user.ws conack nil nil nil", "I/user.ws recv hi 1 1", "I/user.ws sent nil nil nil",
                 "I/user.ws recv <32768 bytes> 1 1", "I/user.ws sent nil nil nil", "I/user.ws error rx 0 nil",
                 "I/user.ws disconnect nil nil nil"});
    CHECK_LINES(lines_with(r.lines, "W/websocket"), {"W/websocket bad header X " + std::string(300, 'a')});
    CHECK_LINES(lines_with(r.lines, "E/websocket"),
                {"E/websocket websocket payload is too large!!! 32769 , must < 32784"});
    CHECK_LINES(server.lines(), {"request /greet", "header X-Dev:a%2Eb%20c", "frame fin=1 op=1 masked=1 max",
                                 "frame fin=1 op=1 masked=1 big"});
}

TEST_CASE("websocket: a refused upgrade and a refused connect, autoreconn repeats the connect") {
    WsEchoServer server;
    const DeviceResult r = run_ws(NetPath::kEth0, server.port(), R"LUA(
        main(function()
            local c = websocket.create(nil, "ws://broker.test:9001/refuse")
            c:on(wev)
            c:connect()
            wait_ws("disconnect")
            c:close()
            local d = websocket.create(socket.ETH0, "ws://127.0.0.1:1/")
            d:on(wev)
            d:autoreconn(true, 1000)
            d:connect()
            wait_ws("disconnect")
            wait_ws("disconnect")
            d:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r), {"I/user.ws error rx 0 nil", "I/user.ws disconnect nil nil nil",
                                "I/user.ws error connect 0 nil", "I/user.ws disconnect nil nil nil",
                                "I/user.ws error connect 0 nil", "I/user.ws disconnect nil nil nil"});
    CHECK_LINES(
        lines_with(r.lines, "E/websocket"),
        {"E/websocket server not support websocket? resp code HTTP/1.1 404 Not Found",
         "E/websocket connect to 127.0.0.1:1 failed: connect to 127.0.0.1:1 (127.0.0.1:1): Connection "
         "refused"});
    CHECK_LINES(lines_with(r.lines, "I/websocket connect"),
                {"I/websocket connect host broker.test port 9001",
                 "I/websocket connect host 127.0.0.1 port 1", "I/websocket connect host 127.0.0.1 port 1"});
}

TEST_CASE("websocket: each client takes one of the 8 socket channels, close() gives it back") {
    const DeviceResult r = run_ws(NetPath::kEth0, 9, R"LUA(
        main(function()
            local all = {}
            for i = 1, 8 do all[i] = websocket.create(nil, "ws://broker.test/" .. i) end
            log.info("ninth", websocket.create(nil, "ws://broker.test/9"))
            all[3]:close()
            log.info("again", websocket.create(nil, "ws://broker.test/9") ~= nil)
            log.info("adapter", websocket.create(99, "ws://broker.test/"))
            log.info("url", pcall(websocket.create, nil, nil))
            log.info("send", pcall(websocket.send, nil, "x"))
            log.info("meta", getmetatable(all[1]).__name, getmetatable(all[1]).__gc)
            log.info("string", all[1]:send({}))
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r),
                {"I/user.ninth", "I/user.again true", "I/user.adapter",
                 "I/user.url false bad argument #2 to 'websocket.create' (string expected, got nil)",
                 "I/user.send false bad argument #1 to 'websocket.send' (WS* expected, got nil)",
                 "I/user.meta WS* nil", "I/user.string"});
    CHECK(
        lines_containing(r.lines, "E/websocket websocket init FAID ret -1: no free socket channel").size() ==
        1);
}

// The official demo (demo/websocket), unchanged, with its server name sent to the local wss:// server
// (netdrv_4g.lua's socket.setDNS and socket.localIP, sntp_app.lua's socket.sntp run too).
TEST_CASE("websocket: the official demo/websocket connects, sends its heartbeats and gets them back") {
    const std::filesystem::path dir = std::filesystem::path(LUATOS_SHARED_DIR) / "demo" / "websocket";
    if (!std::filesystem::exists(dir)) {
        WARN("skipped: " << dir << " is not there");
        return;
    }
    TestPki pki(KeyKind::kEcP256, {"wstest.luatos.com"});
    WsEchoServer server(WsEchoServer::Tls{pki.path("server.pem"), pki.path("server.key")});
    const LuatosResult r =
        run_luatos({"--run-for", "6s", "--attach-delay", "20", "--host",
                    "wstest.luatos.com=127.0.0.1:" + std::to_string(server.port()), dir.string()});
    CHECK(r.exit_code == 0);
    CHECK(lines_containing(r.lines, "E/main").empty());
    CHECK(lines_containing(r.lines, "I/user.WebSocket主任务 连接成功").size() == 1);
    CHECK(lines_containing(r.lines, "I/user.wbs_sender 发送心跳成功 长度 1").size() == 1);
    CHECK(lines_containing(r.lines, "I/user.WebSocket接收处理 收到数据 1 是否结束 1 操作码 1").size() == 1);
    CHECK_LINES(server.lines(), {"request /ws/echo", "frame fin=1 op=1 masked=1 1"});
}
