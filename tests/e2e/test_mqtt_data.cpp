// What goes through, on both network paths: payloads of 0 B, with NUL bytes and of 32 KiB both ways,
// one larger than the receive buffer (the documented error, then a reconnect), retained messages,
// QoS 2 both ways, QoS 1 with a kept session through a link cut, and the keepalive's pong.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "lua_bindings/device/device_network.hpp"
#include "platform_air780ep/cellular_network.hpp"
#include "tests/e2e/e2e.hpp"
#include "tests/support/tcp_proxy.hpp"

using namespace tests;

namespace {

DeviceResult run_on(NetPath path, std::uint16_t port, const std::string& body,
                    std::function<void(lua_bindings::Device&, std::string_view)> on_line = {}) {
    DeviceOptions o;
    o.network = network_to(path, port);
    o.on_line = std::move(on_line);
    o.run_for = std::chrono::milliseconds(40000);
    return run_device(kLuaPrelude + body, o);
}

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = "0123456789abcdef"[i % 16];
    return s;
}

const std::string kNulPayload("a\0b\0\0c", 6);

// The receive side of these tests: each "recv" is logged with the payload's length and whether it is
// the expected one (same_as(payload) in Lua: "", the NUL string or the pattern of that length).
const std::string kPayloadHelpers = R"LUA(
function pattern(n)
    return string.rep("0123456789abcdef", n // 16 + 1):sub(1, n)
end
NUL = "a\0b\0\0c"
function expected(payload)
    return payload == "" or payload == NUL or payload == pattern(#payload)
end
)LUA";

void payloads_both_ways(NetPath path) {
    Mosquitto broker;
    MqttObserver observer(broker.port());
    observer.subscribe("e2e/up/#", 1);
    const DeviceResult r = run_on(path, broker.port(), kPayloadHelpers + R"LUA(
        main(function()
            -- LuatOS's default receive buffer (32 KiB + 4) cannot hold a 32 KiB payload and its header
            local c = mqtt.create(nil, "broker.test", 1883, false, {rxSize = 64 * 1024})
            c:auth("e2e-payloads", "", "", true)
            c:on(function(client, event, data, payload, metas)
                if event == "recv" then log.info("recv", data, #payload, expected(payload)) end
                ev(client, event, data, payload, metas)
            end)
            c:connect()
            wait_ev("conack")
            c:subscribe("e2e/down/#", 1)
            wait_ev("suback")
            c:publish("e2e/up/empty", "", 1)
            c:publish("e2e/up/nul", NUL, 1)
            c:publish("e2e/up/big", pattern(32768), 1)
            for i = 1, 3 do wait_ev("sent") end
            log.info("uplinks sent")
            for i = 1, 3 do wait_ev("recv") end
            c:close()
        end)
    )LUA",
                                  [&](lua_bindings::Device&, std::string_view line) {
                                      if (line == "I/user.uplinks sent") {
                                          observer.publish("e2e/down/empty", "", 1);
                                          observer.publish("e2e/down/nul", kNulPayload, 1);
                                          observer.publish("e2e/down/big", pattern(32768), 1);
                                      }
                                  });
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user.recv"), {
                                                        "I/user.recv e2e/down/empty 0 true",
                                                        "I/user.recv e2e/down/nul 6 true",
                                                        "I/user.recv e2e/down/big 32768 true",
                                                    });
    REQUIRE(observer.wait_for_count("e2e/up/big", 1, 5s));
    const auto up = observer.messages();
    REQUIRE(up.size() == 3);
    CHECK(up[0].topic == "e2e/up/empty");
    CHECK(up[0].payload.empty());
    CHECK(up[1].payload == kNulPayload);
    CHECK(up[2].payload == pattern(32768));
    CHECK(up[2].qos == 1);
}
E2E_ON_BOTH_PATHS("payloads of 0 B, with NUL bytes and of 32 KiB, both ways", payloads_both_ways)

void larger_than_rx_buffer(NetPath path) {
    Mosquitto broker;
    MqttObserver observer(broker.port());
    // The default receive buffer is 32772 bytes: a QoS 1 PUBLISH on e2e/down/fits (13 bytes) has 8
    // bytes of header and topic besides the payload (1 + 3 length bytes + 2 + 13 + 2 for the id).
    const std::size_t fits = 32772 - 1 - 3 - 2 - 13 - 2;
    int subacks = 0;
    const DeviceResult r = run_on(path, broker.port(), kPayloadHelpers + R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-rx-buffer", "", "", true)
            c:autoreconn(true, 1000)
            c:on(function(client, event, data, payload, metas)
                if event == "recv" then log.info("recv", data, #payload, expected(payload)) end
                ev(client, event, data, payload, metas)
                if event == "conack" then client:subscribe("e2e/down/#", 1) end
            end)
            c:connect()
            wait_ev("error")
            wait_ev("recv", 15000)
            c:close()
        end)
    )LUA",
                                  [&](lua_bindings::Device&, std::string_view line) {
                                      if (line != "I/user.ev suback true 1") return;
                                      if (++subacks == 1) {
                                          observer.publish("e2e/down/fits", pattern(fits), 1);
                                          observer.publish("e2e/down/toolarge", pattern(fits + 1), 1);
                                      } else {
                                          observer.publish("e2e/down/small", "small", 1);
                                      }
                                  });
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user.ev"), {
                                                      "I/user.ev conack nil nil",
                                                      "I/user.ev suback true 1",
                                                      "I/user.ev recv e2e/down/fits 32751 1 0 0",
                                                      "I/user.ev disconnect 0 nil",
                                                      "I/user.ev error connect 99",
                                                      "I/user.ev conack nil nil",
                                                      "I/user.ev suback true 1",
                                                      "I/user.ev recv e2e/down/small 5 1 0 0",
                                                  });
    CHECK_LINES(lines_with(r.lines, "I/user.recv"),
                {"I/user.recv e2e/down/fits 32751 true", "I/user.recv e2e/down/small 5 false"});
}
E2E_ON_BOTH_PATHS(
    "a PUBLISH larger than the receive buffer: disconnect(0), error(connect, 99), then reconnect",
    larger_than_rx_buffer)

void retained_on_subscribe(NetPath path) {
    Mosquitto broker;
    MqttObserver observer(broker.port());
    observer.publish("e2e/retained/cfg", "cfg-1", 1, true);
    const DeviceResult r = run_on(path, broker.port(), R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-retained", "", "", true)
            c:on(function(client, event, data, payload, metas)
                ev(client, event, data, payload, metas)
                if event == "recv" then log.info("metas", json.encode(metas)) end
            end)
            c:connect()
            wait_ev("conack")
            c:subscribe("e2e/retained/#", 1)
            wait_ev("recv")
            wait_ev("recv")
            c:close()
        end)
    )LUA",
                                  [&](lua_bindings::Device&, std::string_view line) {
                                      if (line == "I/user.ev suback true 1")
                                          observer.publish("e2e/retained/cfg", "live", 1, false);
                                  });
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."),
                {
                    "I/user.ev conack nil nil",
                    "I/user.ev suback true 1",
                    "I/user.ev recv e2e/retained/cfg 5 1 1 0",
                    "I/user.metas {\"dup\":0,\"message_id\":1,\"qos\":1,\"retain\":1}",
                    "I/user.ev recv e2e/retained/cfg 4 1 0 0",
                    "I/user.metas {\"dup\":0,\"message_id\":2,\"qos\":1,\"retain\":0}",
                });
}
E2E_ON_BOTH_PATHS("a retained message arrives on subscribe with metas.retain == 1", retained_on_subscribe)

void qos2_both_ways(NetPath path) {
    Mosquitto broker;
    MqttObserver observer(broker.port());
    observer.subscribe("e2e/q2/up", 2);
    const DeviceResult r = run_on(path, broker.port(), R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-qos2", "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            c:subscribe("e2e/q2/down/#", 2)
            wait_ev("suback")
            log.info("publish", c:publish("e2e/q2/up", "exactly once", 2))
            wait_ev("sent")
            wait_ev("recv")
            wait_ev("recv")
            c:close()
        end)
    )LUA",
                                  [&](lua_bindings::Device&, std::string_view line) {
                                      // The second message marks the end: a duplicate of the first would come
                                      // before it.
                                      if (line == "I/user.ev sent 2 nil") {
                                          observer.publish("e2e/q2/down/once", "once", 2);
                                          observer.publish("e2e/q2/down/marker", "marker", 2);
                                      }
                                  });
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.ev conack nil nil",
                                                    "I/user.ev suback true 2",
                                                    "I/user.publish 2",
                                                    "I/user.ev sent 2 nil",
                                                    "I/user.ev recv e2e/q2/down/once 4 2 0 0",
                                                    "I/user.ev recv e2e/q2/down/marker 6 2 0 0",
                                                });
    REQUIRE(observer.wait_for_count("e2e/q2/up", 1, 5s));
    const auto up = observer.messages_on("e2e/q2/up");
    REQUIRE(up.size() == 1);
    CHECK(up[0].payload == "exactly once");
    CHECK(up[0].qos == 2);
}
E2E_ON_BOTH_PATHS("QoS 2 both ways: sent after PUBCOMP, received exactly once", qos2_both_ways)

void qos1_through_link_cut(NetPath path) {
    Mosquitto broker;
    TcpProxy proxy(broker.port());
    MqttObserver::Options watcher;
    watcher.client_id = "e2e-cut-watcher";
    watcher.clean_session = false;
    MqttObserver observer(broker.port(), watcher);
    observer.subscribe("e2e/cut", 1);
    // The link goes the moment m60 has reached the broker, before its PUBACK can come back: m60 is
    // unacknowledged on the device whatever the timing.
    proxy.cut_after_publish([](const ProxiedPublish& p) { return p.payload == "m60"; }, 1000ms);
    std::set<std::string> accepted;
    const DeviceResult r = run_on(path, proxy.port(), R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-cut", "", "", false)
            c:autoreconn(true, 1000)
            local sent, accepted, publishing = 0, 0, true
            c:on(function(client, event, data, payload)
                if event == "sent" then
                    sent = sent + 1
                    if not publishing and sent == accepted then sys.publish("ALL_SENT") end
                else
                    ev(client, event, data, payload)
                end
            end)
            c:connect()
            wait_ev("conack")
            for i = 1, 250 do
                if c:publish("e2e/cut", "m" .. i, 1) then
                    accepted = accepted + 1
                    log.info("accepted", "m" .. i)
                end
                sys.wait(8)
            end
            publishing = false
            if sent < accepted then sys.waitUntil("ALL_SENT", 20000) end
            log.info("done", accepted, sent)
            c:close()
        end)
    )LUA",
                                  [&](lua_bindings::Device&, std::string_view line) {
                                      if (line.starts_with("I/user.accepted "))
                                          accepted.insert(std::string(line.substr(16)));
                                  });
    CHECK(r.exit_code == 0);
    CHECK(proxy.cuts() == 1);
    // m60 was sent but not acknowledged when the link went: it went again, with DUP, after the reconnect.
    CHECK(lines_containing(r.lines, "I/mqtt resent ").size() == 1);
    std::vector<std::pair<std::size_t, bool>> m60;  // (connection, DUP) of each m60 that passed
    for (const ProxiedPublish& p : proxy.publishes()) {
        if (p.payload == "m60") m60.emplace_back(p.connection, p.dup);
    }
    REQUIRE(m60.size() == 2);
    CHECK(m60[0] == std::pair<std::size_t, bool>(1, false));
    CHECK(m60[1].first > 1);
    CHECK(m60[1].second);
    CHECK(proxy.connections_accepted() >= 2);  // it did reconnect through the proxy
    CHECK(lines_with(r.lines, "I/user.ev conack").size() >= 2);
    CHECK(accepted.size() >= 60);
    // Every message that publish accepted reaches the persistent subscriber (duplicates allowed).
    const bool all_arrived = observer.wait_for(
        [&](const std::vector<ObservedMessage>& ms) {
            std::set<std::string> got;
            for (const auto& m : ms)
                got.insert(m.payload);
            return std::includes(got.begin(), got.end(), accepted.begin(), accepted.end());
        },
        10s);
    CHECK(all_arrived);
    const Lines done = lines_with(r.lines, "I/user.done");
    REQUIRE(done.size() == 1);
    CHECK(done[0] ==
          "I/user.done " + std::to_string(accepted.size()) + " " + std::to_string(accepted.size()));
}
E2E_ON_BOTH_PATHS("QoS 1 with cleanSession=false through a link cut: every accepted message arrives",
                  qos1_through_link_cut)

TEST_CASE("keepalive 15 s: pong, then sys.publish(\"MQTT_PONG\", client)") {
    Mosquitto broker;
    const DeviceResult r = run_on(NetPath::kLwip, broker.port(), R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-pong", "", "", true)
            c:keepalive(5)  -- raised to the minimum, 15 s: a PINGREQ every 11.25 s
            c:on(ev)
            sys.subscribe("MQTT_PONG", function(client) log.info("MQTT_PONG", client == c) end)
            c:connect()
            wait_ev("conack")
            wait_ev("pong", 15000)
            sys.wait(10)
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."),
                {"I/user.ev conack nil nil", "I/user.ev pong nil nil", "I/user.MQTT_PONG true"});
    CHECK(broker.log().find("as e2e-pong (p2, c1, k15)") != std::string::npos);
}

}  // namespace

namespace {

TEST_CASE(
    "a publish storm over lwIP: past the send budget publish returns nothing, with one warning per storm") {
    Mosquitto broker;
    const DeviceResult r = run_on(NetPath::kLwip, broker.port(), R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-storm", "", "", true)
            local fence = nil
            c:on(function(client, event, data)
                if event == "conack" then sys.publish("UP") end
                if event == "sent" and data == fence then sys.publish("FENCE") end
            end)
            c:connect()
            sys.waitUntil("UP")
            local function storm()
                local accepted, refused = 0, 0
                -- no yield: the simulated module's stack cannot send any of it before the loop runs
                for i = 1, 60000 do
                    if c:publish("e2e/storm", "0123456789abcdef0123456789abcdef", 0) then
                        accepted = accepted + 1
                    else
                        refused = refused + 1
                    end
                end
                return accepted > 0 and refused > 0 and accepted + refused == 60000
            end
            log.info("storm 1", storm())
            -- Until the budget has drained: a QoS 1 publish on the same topic (refused without a second
            -- warning while the budget is full), whose PUBACK says everything before it has gone.
            repeat
                fence = c:publish("e2e/storm", "fence", 1)
                if not fence then sys.wait(10) end
            until fence
            sys.waitUntil("FENCE", 10000)
            log.info("storm 2", storm())
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {"I/user.storm 1 true", "I/user.storm 2 true"});
    CHECK_LINES(lines_with(r.lines, "W/mqtt "),
                {"W/mqtt publish refused: send budget full (topic 'e2e/storm')",
                 "W/mqtt publish refused: send budget full (topic 'e2e/storm')"});
}

}  // namespace

namespace {

TEST_CASE(
    "a dead link is found: the link goes silent, an unanswered PINGREQ gives error(other), then reconnect "
    "(lwip)") {
    Mosquitto broker;
    const DeviceResult r = run_on(NetPath::kLwip, broker.port(), R"LUA(
        sys.subscribe("IP_LOSE", function(adapter) log.info("IP_LOSE", adapter) end)
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-dead-link", "", "", true)
            c:keepalive(15)
            c:autoreconn(true, 1000)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            log.info("link goes down")
            wait_ev("error", 30000)
            wait_ev("conack", 10000)
            c:close()
        end)
    )LUA",
                                  [](lua_bindings::Device& device, std::string_view line) {
                                      auto& link = device.network()->cellular()->link();
                                      if (line == "I/user.link goes down") link.set_down();
                                      if (line == "I/user.ev disconnect 0 nil") link.set_up();
                                  });
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {
                                                    "I/user.ev conack nil nil",
                                                    "I/user.link goes down",
                                                    "I/user.IP_LOSE 1",
                                                    "I/user.ev error other 0",
                                                    "I/user.ev disconnect 0 nil",
                                                    "I/user.ev conack nil nil",
                                                });
    CHECK(lines_containing(r.lines, "W/mqtt no PINGRESP").size() == 1);
}

}  // namespace
