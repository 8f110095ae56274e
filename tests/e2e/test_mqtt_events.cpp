// Event sequences against a private mosquitto, each checked in order, on both network paths: connect
// and the states, a refused password, a broker that dies and comes back, subscribe/unsubscribe in
// both forms, disconnect() with auto-reconnect, publishing too early, closed clients, pinning.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include "tests/e2e/e2e.hpp"

using namespace tests;

namespace {

DeviceResult run_on(NetPath path, const Mosquitto& broker, const std::string& body,
                    std::function<void(lua_bindings::Device&, std::string_view)> on_line = {}) {
    DeviceOptions o;
    o.network = network_to(path, broker.port());
    o.on_line = std::move(on_line);
    return run_device(kLuaPrelude + body, o);
}

void normal_connect(NetPath path) {
    Mosquitto broker;
    const DeviceResult r = run_on(path, broker, R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-state", "", "", true)
            c:on(ev)
            log.info("state", c:state(), c:ready())
            log.info("connect", c:connect(), c:state(), c:ready())
            wait_ev("conack")
            log.info("state", c:state(), c:ready())
            log.info("subscribe", c:subscribe("e2e/t", 1))
            wait_ev("suback")
            log.info("disconnect", c:disconnect(), c:state(), c:ready())
            wait_ev("close")
            log.info("state", c:state(), c:ready())
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.state 0 false",
                                                    "I/user.connect true 1 false",
                                                    "I/user.ev conack nil nil",
                                                    "I/user.state 3 true",
                                                    "I/user.subscribe 1",
                                                    "I/user.ev suback true 1",
                                                    "I/user.disconnect true 0 false",
                                                    "I/user.ev disconnect 0 nil",
                                                    "I/user.ev close nil nil",
                                                    "I/user.state 0 false",
                                                });
    CHECK(broker.log().find("New client connected from 127.0.0.1") != std::string::npos);
    CHECK(broker.log().find("as e2e-state (p2, c1, k240)") != std::string::npos);
}
E2E_ON_BOTH_PATHS(
    "events: a normal connect, the states 0 -> 1 -> 3 -> 0, and disconnect() without autoreconn",
    normal_connect)

void bad_password(NetPath path) {
    MosquittoOptions options;
    options.users = {{"device", "right"}};
    Mosquitto broker(options);
    const DeviceResult r = run_on(path, broker, R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-bad-password", "device", "wrong")
            c:on(ev)
            c:connect()
            wait_ev("error")
            log.info("state", c:state())
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.ev disconnect 5 nil",
                                                    "I/user.ev close nil nil",
                                                    "I/user.ev error conack 5",
                                                    "I/user.state 0",
                                                });
}
E2E_ON_BOTH_PATHS("events: a wrong password gives disconnect(5), close, error(conack, 5)", bad_password)

void no_auth_and_connect_twice(NetPath path) {
    Mosquitto broker;
    const DeviceResult r = run_on(path, broker, R"LUA(
        main(function()
            -- no auth(): an empty client id with clean session 0, which a 3.1.1 broker refuses (rc 2)
            local anonymous = mqtt.create(nil, "broker.test", 1883)
            anonymous:on(ev)
            anonymous:connect()
            wait_ev("error")
            anonymous:close()
            -- connect() on a connected client: false, state 0 at once, then disconnect(0), close
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-twice", "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            log.info("again", c:connect(), c:state())
            wait_ev("close")
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.ev disconnect 2 nil",
                                                    "I/user.ev close nil nil",
                                                    "I/user.ev error conack 2",
                                                    "I/user.ev conack nil nil",
                                                    "I/user.again false 0",
                                                    "I/user.ev disconnect 0 nil",
                                                    "I/user.ev close nil nil",
                                                });
}
E2E_ON_BOTH_PATHS("events: no auth() is refused with rc 2, connect() on a connected client returns false",
                  no_auth_and_connect_twice)

void broker_restart(NetPath path) {
    Mosquitto broker;
    int subacks = 0;
    const DeviceResult r =
        run_on(path, broker, R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-restart", "", "", true)
            c:autoreconn(true, 1000)
            c:on(function(client, event, ...)
                ev(client, event, ...)
                if event == "conack" then client:subscribe("e2e/down", 1) end
            end)
            c:connect()
            wait_ev("recv", 15000)
            c:close()
        end)
    )LUA",
               [&](lua_bindings::Device&, std::string_view line) {
                   if (line == "I/user.ev suback true 1" && ++subacks == 1) {
                       broker.kill(SIGKILL);  // a crash: the device sees its connection end
                   } else if (line == "I/user.ev disconnect 0 nil") {
                       broker.restart();  // before the reconnect timer (1 s) fires
                   } else if (line == "I/user.ev suback true 1" && subacks == 2) {
                       MqttObserver(broker.port()).publish("e2e/down", "after restart", 1);
                   }
               });
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.ev conack nil nil",
                                                    "I/user.ev suback true 1",
                                                    "I/user.ev error other 0",
                                                    "I/user.ev disconnect 0 nil",
                                                    "I/user.ev conack nil nil",
                                                    "I/user.ev suback true 1",
                                                    "I/user.ev recv e2e/down 13 1 0 0",
                                                });
}
E2E_ON_BOTH_PATHS(
    "events: broker killed and restarted: error(other), disconnect(0), conack again, resubscribed",
    broker_restart)

void publish_too_early(NetPath path) {
    Mosquitto broker;
    const DeviceResult r = run_on(path, broker, R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-early", "", "", true)
            c:on(ev)
            local function count(...) return select('#', ...) end
            log.info("before connect", count(c:publish("e2e/t", "x", 1)), c:state())
            c:connect()
            log.info("while connecting", count(c:publish("e2e/t", "x", 0)), count(c:subscribe("e2e/t")), c:state())
            wait_ev("conack")
            log.info("connected", c:publish("e2e/t", "x", 1))
            wait_ev("sent")
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.before connect 0 0",
                                                    "I/user.while connecting 0 0 1",
                                                    "I/user.ev conack nil nil",
                                                    "I/user.connected 1",
                                                    "I/user.ev sent 1 nil",
                                                });
}
E2E_ON_BOTH_PATHS("events: publish before connect and while connecting return nothing, the attempt goes on",
                  publish_too_early)

void subscribe_forms(NetPath path) {
    Mosquitto broker;
    const DeviceResult r = run_on(path, broker, R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-subscribe", "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            log.info("table", c:subscribe({["e2e/a"] = 1, ["e2e/b"] = 1, ["e2e/c"] = 1}))
            for i = 1, 3 do wait_ev("suback") end
            log.info("qos 2", c:subscribe("e2e/d", 2))
            wait_ev("suback")
            log.info("number topic", c:subscribe(5))
            wait_ev("suback")
            log.info("unsubscribe", c:unsubscribe("e2e/a"))
            wait_ev("unsuback")
            log.info("unsubscribe table", c:unsubscribe({"e2e/b", "e2e/c"}))
            wait_ev("unsuback")
            wait_ev("unsuback")
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.ev conack nil nil",
                                                    "I/user.table 3",
                                                    "I/user.ev suback true 1",
                                                    "I/user.ev suback true 1",
                                                    "I/user.ev suback true 1",
                                                    "I/user.qos 2 4",
                                                    "I/user.ev suback true 2",
                                                    "I/user.number topic 5",
                                                    "I/user.ev suback true 0",
                                                    "I/user.unsubscribe 6",
                                                    "I/user.ev unsuback nil nil",
                                                    "I/user.unsubscribe table 8",
                                                    "I/user.ev unsuback nil nil",
                                                    "I/user.ev unsuback nil nil",
                                                });
    CHECK(broker.log().find("e2e-subscribe 0 5") != std::string::npos);  // the number is the topic "5"
}
E2E_ON_BOTH_PATHS("events: table-form subscribe gives one suback per entry, unsubscribe gives unsuback",
                  subscribe_forms)

void disconnect_reconnects(NetPath path) {
    Mosquitto broker;
    const DeviceResult r = run_on(path, broker, R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-disconnect", "", "", true)
            c:autoreconn(true, 1000)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            log.info("disconnect", c:disconnect(), c:state())
            wait_ev("conack", 5000)
            log.info("state", c:state())
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.ev conack nil nil",
                                                    "I/user.disconnect true 0",
                                                    "I/user.ev disconnect 0 nil",
                                                    "I/user.ev conack nil nil",
                                                    "I/user.state 3",
                                                });
}
E2E_ON_BOTH_PATHS("events: disconnect() with autoreconn on reconnects by itself (no close event)",
                  disconnect_reconnects)

// Issue 11.4: LuatOS's autoreconn(false) only sets the flag; the reconnect already scheduled runs,
// and when it fails the chain ends with close (luat_mqtt_close_socket), so a task waiting for close
// gets it.
// The integers luat_lib_mqtt.c cuts to its C types, as the broker sees them: keepalive an int
// ((1 << 32) + 20 is 20 s), the will's qos a uint8_t (257 is 1) and its retain an int (1 << 32 is 0),
// subscribe's qos a uint8_t in both forms (257 is 1, 258 is 2, -255 is 1), and autoreconn's period a
// uint32_t ((1 << 32) + 1000 is 1 s: the disconnect() is followed by a reconnect).
void integers_cut(NetPath path) {
    Mosquitto broker;
    const DeviceResult r = run_on(path, broker, R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-integers", "", "", true)
            c:keepalive((1 << 32) + 20)
            log.info("will", c:will("e2e/will", "W", 257, 1 << 32))
            c:autoreconn(true, (1 << 32) + 1000)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            c:subscribe("e2e/a", 257)
            wait_ev("suback")
            c:subscribe({["e2e/b"] = 258})
            wait_ev("suback")
            c:subscribe("e2e/c", -255)
            wait_ev("suback")
            c:disconnect()
            wait_ev("conack", 5000)
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.will true",
                                                    "I/user.ev conack nil nil",
                                                    "I/user.ev suback true 1",
                                                    "I/user.ev suback true 2",
                                                    "I/user.ev suback true 1",
                                                    "I/user.ev disconnect 0 nil",
                                                    "I/user.ev conack nil nil",
                                                });
    const std::string log = broker.log();
    CHECK(log.find("as e2e-integers (p2, c1, k20)") != std::string::npos);
    CHECK(log.find("Will message specified (1 bytes) (r0, q1)") != std::string::npos);
}
E2E_ON_BOTH_PATHS("mqtt integers: keepalive, will, subscribe qos and autoreconn cut to LuatOS's C types",
                  integers_cut)

void autoreconn_off_mid_chain(NetPath path) {
    DeviceOptions o;
    o.network = network_to(path, free_loopback_port());  // named by the map, nobody listens
    const DeviceResult r = run_device(kLuaPrelude + R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-autoreconn-off", "", "", true)
            c:autoreconn(true, 1000)
            c:on(ev)
            c:connect()
            wait_ev("disconnect")
            c:autoreconn(false)
            wait_ev("close")
            log.info("closed", c:state())
            c:close()
        end)
    )LUA",
                                      o);
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.ev error connect 0",
                                                    "I/user.ev disconnect 0 nil",
                                                    "I/user.ev error connect 0",
                                                    "I/user.ev disconnect 0 nil",
                                                    "I/user.ev close nil nil",
                                                    "I/user.closed 0",
                                                });
}
E2E_ON_BOTH_PATHS(
    "events: autoreconn(false) during a failing reconnect chain: the scheduled attempt runs, then close",
    autoreconn_off_mid_chain)

void wildcard_publish(NetPath path) {
    Mosquitto broker;
    MqttObserver observer(broker.port());
    observer.subscribe("e2e/#", 1);
    const DeviceResult r = run_on(path, broker, R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-wildcard", "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            local function count(...) return select('#', ...) end
            log.info("refused", count(c:publish("e2e/+/x", "p")), count(c:publish("e2e/#", "p", 1)),
                     count(c:publish("", "p")), c:state())
            log.info("still connected", c:publish("e2e/ok", "p", 1))
            wait_ev("sent")
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.ev conack nil nil",
                                                    "I/user.refused 0 0 0 3",
                                                    "I/user.still connected 1",
                                                    "I/user.ev sent 1 nil",
                                                });
    CHECK_LINES(lines_with(r.lines, "W/mqtt "),
                {
                    "W/mqtt publish refused: wildcard in a publish topic (topic 'e2e/+/x')",
                    "W/mqtt publish refused: wildcard in a publish topic (topic 'e2e/#')",
                    "W/mqtt publish refused: empty topic (topic '')",
                });
    REQUIRE(observer.wait_for_count("e2e/ok", 1, 5s));
    CHECK(observer.messages().size() == 1);
}
E2E_ON_BOTH_PATHS(
    "events: publishing to a wildcard or empty topic returns nothing with a warning, the link stays",
    wildcard_publish)

void pinned_until_close(NetPath path) {
    Mosquitto broker;
    const DeviceResult r = run_on(path, broker, R"LUA(
        main(function()
            do
                local c = mqtt.create(nil, "broker.test", 1883)
                c:auth("e2e-pinned", "", "", true)
                c:on(function(client, event, ...)
                    ev(client, event, ...)
                    if event == "conack" then
                        client:publish("e2e/t", "x", 0)
                    elseif event == "sent" then
                        client:close()
                        sys.publish("CLOSED")
                    end
                end)
                c:connect()
            end
            collectgarbage()
            collectgarbage()
            sys.waitUntil("CLOSED", 5000)
            collectgarbage()
            log.info("done")
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."),
                {"I/user.ev conack nil nil", "I/user.ev sent 0 nil", "I/user.done"});
}
E2E_ON_BOTH_PATHS("a client without Lua references is pinned until close(), then collected",
                  pinned_until_close)

void no_events_after_close(NetPath path) {
    Mosquitto broker;
    const DeviceResult r = run_on(path, broker, R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-close", "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            log.info("publish", c:publish("e2e/t", "x", 0), c:publish("e2e/t", "y", 1))
            c:close()  -- the queued sent(0) and everything after is never delivered
            sys.wait(300)
            log.info("closed", c:state())
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."),
                {"I/user.ev conack nil nil", "I/user.publish 0 1", "I/user.closed 0"});
}
E2E_ON_BOTH_PATHS("after close() no event reaches Lua, not even one queued before it", no_events_after_close)

void eight_clients(NetPath path) {
    Mosquitto broker;
    const DeviceResult r = run_on(path, broker, R"LUA(
        main(function()
            local clients = {}
            for i = 1, 8 do
                local c = mqtt.create(nil, "broker.test", 1883)
                c:auth("e2e-many-" .. i, "", "", true)
                c:on(ev)
                c:connect()
                clients[i] = c
            end
            for i = 1, 8 do wait_ev("conack") end
            log.info("ninth", select('#', mqtt.create(nil, "broker.test", 1883)))
            clients[5]:close()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-many-9", "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            local ready = 0
            for i = 1, 8 do if i ~= 5 and clients[i]:ready() then ready = ready + 1 end end
            log.info("ready", ready, c:ready())
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    Lines expected(8, "I/user.ev conack nil nil");
    expected.insert(expected.end(), {"I/user.ninth 0", "I/user.ev conack nil nil", "I/user.ready 7 true"});
    CHECK_LINES(lines_with(r.lines, "I/user."), expected);
    for (int i = 1; i <= 9; ++i)
        CHECK(broker.log().find(" as e2e-many-" + std::to_string(i) + " ") != std::string::npos);
}
E2E_ON_BOTH_PATHS(
    "8 clients connect, the ninth mqtt.create gives nothing, after one close() a new one connects",
    eight_clients)

}  // namespace

namespace {

TEST_CASE("events: no CONNACK within opts.conn_timeout gives error(timeout), disconnect(0), close (eth0)") {
    // A listener that never accepts: the kernel completes the TCP handshake, nobody answers CONNECT.
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 4) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    DeviceOptions o;
    o.network = network_to(NetPath::kEth0, ntohs(a.sin_port));
    const DeviceResult r = run_device(kLuaPrelude + R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883, false, {conn_timeout = 1})  -- raised to 5 s
            c:auth("e2e-timeout", "", "", true)
            c:on(ev)
            log.info("connect", c:connect())
            wait_ev("close", 8000)
            c:close()
        end)
    )LUA",
                                      o);
    ::close(fd);
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {"I/user.connect true", "I/user.ev error timeout 0",
                                                 "I/user.ev disconnect 0 nil", "I/user.ev close nil nil"});
}

TEST_CASE("c:debug(true) logs the client's transport happenings (lwip)") {
    Mosquitto broker;
    const DeviceResult r = run_on(NetPath::kLwip, broker, R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-debug", "", "", true)
            c:debug(true)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            c:debug(false)
            c:publish("e2e/t", "quiet", 0)
            wait_ev("sent")
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "D/net socket[0] "),
                {
                    "D/net socket[0] connect to broker.test:1883 TCP",
                    "D/net socket[0] connected to broker.test:1883",
                    "D/net socket[0] tx 23 of 23 bytes",
                    "D/net socket[0] rx 4 bytes",
                });
}

}  // namespace
