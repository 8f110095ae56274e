// The mqtt and uart modules' surface, without a broker: constants, the MQTTCTRL* userdata, argument
// errors (exact messages, method and module-function forms), mqtt.create's refusals and the socket
// channel budget.
#include <catch2/catch.hpp>

#include "tests/e2e/e2e.hpp"

using namespace tests;

namespace {

// In-process, ETH0 only (no cellular link): nothing here reaches a broker.
DeviceResult run_offline(const std::string& script) {
    DeviceOptions o;
    o.network = network_to(NetPath::kEth0, 1);
    return run_device(script, o);
}

const std::string kTry = R"LUA(
local function try(f)
    local ok, err = pcall(f)
    log.info("e", ok, (tostring(err):gsub('^%[string "main.lua"%]:%d+: ', "")))
end
)LUA";

}  // namespace

TEST_CASE("mqtt and uart constants, the MQTTCTRL* userdata and its methods as module functions") {
    const DeviceResult r = run_offline(R"LUA(
        log.info("k", mqtt.STATE_DISCONNECT, mqtt.STATE_SCONNECT, mqtt.STATE_MQTT, mqtt.STATE_READY,
                 mqtt.VERIFY_NONE, mqtt.VERIFY_OPTION, mqtt.VERIFY_REQUIRED)
        log.info("u", uart.None, uart.Odd, uart.Even, uart.NONE, uart.ODD, uart.EVEN, uart.LSB, uart.MSB, uart.VUART_0)
        local c = mqtt.create(nil, "broker.test", 1883)
        local mt = getmetatable(c)
        log.info("t", type(c), mt.__name, mt.__index == mqtt, tostring(c):match("^MQTTCTRL%*: %x+$") ~= nil)
        log.info("m", c.publish == mqtt.publish, c:state(), mqtt.state(c), c:ready(), mqtt.ready(c))
        log.info("r", require("mqtt") == mqtt, require("uart") == uart)
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), Lines{
                                                    "I/user.k 0 1 2 3 0 1 2",
                                                    "I/user.u 0 1 2 0 1 2 0 1 32",
                                                    "I/user.t userdata MQTTCTRL* true true",
                                                    "I/user.m true 0 0 false false",
                                                    "I/user.r true true",
                                                });
}

TEST_CASE("getmetatable(c) is LuatOS's (__name, __index, no __gc): a script cannot finalise a live client") {
    const DeviceResult r = run_offline(kTry + R"LUA(
        local c = mqtt.create(nil, "broker.test", 1883)
        local mt = getmetatable(c)
        log.info("mt", type(mt), mt.__name, mt.__index == mqtt, mt.__gc,
                 mt == getmetatable(mqtt.create(nil, "broker.test", 1883)))
        try(function() getmetatable(c).__gc(c) end)
        try(function() getmetatable(c).__gc(c) end)
        log.info("live", c:state(), c:auth("id"), c:will("t", "p"), tostring(c):match("^MQTTCTRL%*: ") ~= nil)
        c:close()
        c = nil
        collectgarbage()
        collectgarbage()
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."),
                Lines{
                    "I/user.mt table MQTTCTRL* true nil true",
                    "I/user.e false attempt to call a nil value (field '__gc')",
                    "I/user.e false attempt to call a nil value (field '__gc')",
                    "I/user.live 0 true true true",
                });
}

TEST_CASE(
    "the real finaliser (debug.getmetatable) runs once: a finalised client raises one error in every "
    "method") {
    const DeviceResult r = run_offline(kTry + R"LUA(
        local c = mqtt.create(nil, "broker.test", 1883)
        c:auth("id")
        local gc = debug.getmetatable(c).__gc
        gc(c)
        gc(c)  -- a second run finds nothing to free
        for _, name in ipairs({"auth", "keepalive", "autoreconn", "on", "connect", "disconnect", "close",
                               "publish", "subscribe", "unsubscribe", "ready", "state", "will", "debug"}) do
            try(function() mqtt[name](c, "t", "p") end)
        end
        try(function() c:publish("t", "p", 1) end)
        try(function() gc("not a client") end)
        log.info("tostring", tostring(c):match("^MQTTCTRL%*: ") ~= nil)
        -- its socket channel came back: eight more clients fit
        local n = 0
        for i = 1, 8 do if mqtt.create(nil, "broker.test", 1883) then n = n + 1 end end
        log.info("channels", n)
        c = nil
        collectgarbage()  -- the collector runs the finaliser again: still harmless
        collectgarbage()
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    Lines expected(15, "I/user.e false attempt to use a destroyed mqtt client");
    expected.insert(expected.end(),
                    {"I/user.e false bad argument #1 to 'gc' (MQTTCTRL* expected, got string)",
                     "I/user.tostring true", "I/user.channels 8"});
    CHECK_LINES(lines_with(r.lines, "I/user."), expected);
}

TEST_CASE("a client finalised by hand inside its own callback: no more events, every method raises") {
    // Nothing listens on 127.0.0.1:1: the connect fails with error, disconnect, close.
    const DeviceResult r = run_offline(kTry + R"LUA(
        local c = mqtt.create(nil, "broker.test", 1883)
        c:auth("id")
        c:on(function(client, event, data)
            log.info("ev", event, data)
            debug.getmetatable(client).__gc(client)
            try(function() client:state() end)
        end)
        sys.taskInit(function()
            log.info("connect", c:connect())
            sys.wait(300)
            try(function() c:close() end)
            os.exit(0)
        end)
        sys.run()
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), Lines{
                                                    "I/user.connect true",
                                                    "I/user.ev error connect",
                                                    "I/user.e false attempt to use a destroyed mqtt client",
                                                    "I/user.e false attempt to use a destroyed mqtt client",
                                                });
}

TEST_CASE("every mqtt function given wrong types raises a LuatOS-style argument error, and runs on") {
    const DeviceResult r = run_offline(kTry + R"LUA(
        local c = mqtt.create(nil, "broker.test", 1883)
        -- create
        try(function() mqtt.create("x", "h", 1) end)
        try(function() mqtt.create(nil, nil, 1) end)
        try(function() mqtt.create(nil, {}, 1) end)
        try(function() mqtt.create(nil, true, 1) end)
        try(function() mqtt.create(nil, "h") end)
        try(function() mqtt.create(nil, "h", "p") end)
        try(function() mqtt.create(nil, "h", 1.5) end)
        -- the methods: c:m(...) counts arguments after self, mqtt.m(c, ...) counts them all
        try(function() c:auth({}) end)
        try(function() mqtt.auth(c, {}) end)
        try(function() c:auth("id", true) end)
        try(function() c:auth("id", "u", {}) end)
        try(function() c:keepalive("x") end)
        try(function() mqtt.keepalive(c, {}) end)
        try(function() c:autoreconn(true, "x") end)
        try(function() mqtt.autoreconn(c, true, {}) end)
        try(function() c:publish({}) end)
        try(function() mqtt.publish(c, {}) end)
        try(function() c:publish() end)
        try(function() c:publish("t", "p", "x") end)
        try(function() c:publish("t", "p", 0, true) end)
        try(function() mqtt.publish(c, "t", "p", 1, {}) end)
        try(function() c:subscribe("t", "x") end)
        try(function() c:subscribe({["a/b"] = "x"}) end)
        try(function() mqtt.subscribe(c, {[true] = 1}) end)
        try(function() c:unsubscribe({"a", {}}) end)
        try(function() mqtt.unsubscribe(c, {"a", "b", false}) end)
        try(function() c:will() end)
        try(function() c:will("t") end)
        try(function() mqtt.will(c, "t", {}) end)
        try(function() c:will("t", "p", "x") end)
        try(function() c:will("t", "p", 1, {}) end)
        -- self must be a client
        try(function() c.publish(nil, "t") end)
        try(function() mqtt.publish() end)
        try(function() mqtt.connect({}) end)
        try(function() mqtt.state("c") end)
        try(function() mqtt.ready(5) end)
        try(function() mqtt.close(nil) end)
        try(function() mqtt.disconnect(true) end)
        try(function() mqtt.on() end)
        try(function() mqtt.debug({}) end)
        try(function() mqtt.subscribe(nil, "t") end)
        try(function() mqtt.unsubscribe(nil, "t") end)
        -- what is not an error, as in LuatOS
        log.info("ok", c:keepalive(), c:autoreconn(), c:on(5), c:debug("x"), c:subscribe(nil), c:unsubscribe(true))
        log.info("still running", c:state())
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    // LuatOS reads a table's qos with luaL_optinteger(L, -1, 0), its topics with luaL_checklstring(L,
    // -1): the index in the message is -1, -2 under the method rule.
    CHECK_LINES(lines_with(r.lines, "I/user."),
                Lines{
                    "I/user.e false bad argument #1 to 'create' (number expected, got string)",
                    "I/user.e false bad argument #2 to 'create' (string expected, got nil)",
                    "I/user.e false bad argument #2 to 'create' (string expected, got table)",
                    "I/user.e false bad argument #2 to 'create' (string expected, got boolean)",
                    "I/user.e false bad argument #3 to 'create' (number expected, got no value)",
                    "I/user.e false bad argument #3 to 'create' (number expected, got string)",
                    "I/user.e false bad argument #3 to 'create' (number has no integer representation)",
                    "I/user.e false bad argument #1 to 'auth' (string expected, got table)",
                    "I/user.e false bad argument #2 to 'auth' (string expected, got table)",
                    "I/user.e false bad argument #2 to 'auth' (string expected, got boolean)",
                    "I/user.e false bad argument #3 to 'auth' (string expected, got table)",
                    "I/user.e false bad argument #1 to 'keepalive' (number expected, got string)",
                    "I/user.e false bad argument #2 to 'keepalive' (number expected, got table)",
                    "I/user.e false bad argument #2 to 'autoreconn' (number expected, got string)",
                    "I/user.e false bad argument #3 to 'autoreconn' (number expected, got table)",
                    "I/user.e false bad argument #1 to 'publish' (string expected, got table)",
                    "I/user.e false bad argument #2 to 'publish' (string expected, got table)",
                    "I/user.e false bad argument #1 to 'publish' (string expected, got no value)",
                    "I/user.e false bad argument #3 to 'publish' (number expected, got string)",
                    "I/user.e false bad argument #4 to 'publish' (number expected, got boolean)",
                    "I/user.e false bad argument #5 to 'publish' (number expected, got table)",
                    "I/user.e false bad argument #2 to 'subscribe' (number expected, got string)",
                    "I/user.e false bad argument #-2 to 'subscribe' (number expected, got string)",
                    "I/user.e false bad argument #2 to 'subscribe' (topic expected as key, got boolean)",
                    "I/user.e false bad argument #-2 to 'unsubscribe' (string expected, got table)",
                    "I/user.e false bad argument #-1 to 'unsubscribe' (string expected, got boolean)",
                    "I/user.e false bad argument #1 to 'will' (string expected, got no value)",
                    "I/user.e false bad argument #2 to 'will' (string expected, got no value)",
                    "I/user.e false bad argument #3 to 'will' (string expected, got table)",
                    "I/user.e false bad argument #3 to 'will' (number expected, got string)",
                    "I/user.e false bad argument #4 to 'will' (number expected, got table)",
                    "I/user.e false bad argument #1 to 'publish' (MQTTCTRL* expected, got nil)",
                    "I/user.e false bad argument #1 to 'publish' (MQTTCTRL* expected, got no value)",
                    "I/user.e false bad argument #1 to 'connect' (MQTTCTRL* expected, got table)",
                    "I/user.e false bad argument #1 to 'state' (MQTTCTRL* expected, got string)",
                    "I/user.e false bad argument #1 to 'ready' (MQTTCTRL* expected, got number)",
                    "I/user.e false bad argument #1 to 'close' (MQTTCTRL* expected, got nil)",
                    "I/user.e false bad argument #1 to 'disconnect' (MQTTCTRL* expected, got boolean)",
                    "I/user.e false bad argument #1 to 'on' (MQTTCTRL* expected, got no value)",
                    "I/user.e false bad argument #1 to 'debug' (MQTTCTRL* expected, got table)",
                    "I/user.e false bad argument #1 to 'subscribe' (MQTTCTRL* expected, got nil)",
                    "I/user.e false bad argument #1 to 'unsubscribe' (MQTTCTRL* expected, got nil)",
                    "I/user.ok nil nil nil nil 0 0",
                    "I/user.still running 0",
                });
}

// The integers as luat_lib_mqtt.c reads them, where that differs from a plain luaL_checkinteger: a
// table's qos at index -1, mqtt.create's adapter (a C int, looked at before the host and the port) and
// a WebSocket URL's port (read only when an integer), the client's __index (luaL_checkstring).
TEST_CASE("mqtt integers: table qos at index -1, create's adapter first, a ws:// port never raises") {
    const DeviceResult r = run_offline(R"LUA(
        local function try(f)
            local r = table.pack(pcall(f))
            for i = 2, r.n do r[i] = tostring(r[i]) end
            log.info("e", r[1], r.n - 1, (table.concat(r, " ", 2, r.n):gsub('^%[string "main.lua"%]:%d+: ', "")))
        end
        local c = mqtt.create(nil, "broker.test", 1883)
        try(function() return c:subscribe({["a/b"] = 1.5}) end)
        try(function() return mqtt.subscribe(c, {["a/b"] = 1.5}) end)
        try(function() return c:subscribe({["a/b"] = true}) end)
        try(function() return c:subscribe("a/b", 1.5) end)
        try(function() return c:unsubscribe({"a", 1, {}}) end)
        try(function() return c:publish("t", "p", 1.5) end)
        try(function() return c:publish("t", "p", 0, 1.5) end)
        try(function() return c:will("t", "p", 1.5) end)
        try(function() return c:keepalive(1.5) end)
        try(function() return c:autoreconn(true, 1.5) end)
        try(function() return mqtt.create(99) end)
        try(function() return mqtt.create(-1, {}) end)
        try(function() return mqtt.create(nil, "ws://h/mqtt") end)
        try(function() return mqtt.create(nil, "wss://h/mqtt", 1.5) end)
        try(function() return mqtt.create(1.5, "h", 1) end)
        try(function() return type(mqtt.create((1 << 32) + 17, "h", 1)) end)
        try(function() return c[true] end)
        try(function() return c[1], c.STATE_READY, c.publish == mqtt.publish end)
        -- no channel left: nothing, before the host and the port are looked at
        local clients = {}
        while true do
            local x = mqtt.create(nil, "broker.test", 1883)
            if not x then break end
            clients[#clients + 1] = x
        end
        try(function() return mqtt.create(nil, nil, nil) end)
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."),
                Lines{
                    "I/user.e false 1 bad argument #-2 to 'subscribe' (number has no integer representation)",
                    "I/user.e false 1 bad argument #-1 to 'subscribe' (number has no integer representation)",
                    "I/user.e false 1 bad argument #-2 to 'subscribe' (number expected, got boolean)",
                    "I/user.e false 1 bad argument #2 to 'subscribe' (number has no integer representation)",
                    "I/user.e false 1 bad argument #-2 to 'unsubscribe' (string expected, got table)",
                    "I/user.e false 1 bad argument #3 to 'publish' (number has no integer representation)",
                    "I/user.e false 1 bad argument #4 to 'publish' (number has no integer representation)",
                    "I/user.e false 1 bad argument #3 to 'will' (number has no integer representation)",
                    "I/user.e false 1 bad argument #1 to 'keepalive' (number has no integer representation)",
                    "I/user.e false 1 bad argument #2 to 'autoreconn' (number has no integer representation)",
                    "I/user.e true 0 ",
                    "I/user.e true 0 ",
                    "I/user.e true 0 ",
                    "I/user.e true 0 ",
                    "I/user.e false 1 bad argument #1 to 'create' (number has no integer representation)",
                    "I/user.e true 1 userdata",
                    "I/user.e false 1 bad argument #2 to '__index' (string expected, got boolean)",
                    "I/user.e true 3 nil 3 true",
                    "I/user.e true 0 ",
                });
    CHECK_LINES(lines_with(r.lines, "E/mqtt "),
                Lines{
                    "E/mqtt mqtt.create: no network adapter 99",
                    "E/mqtt mqtt.create: no network adapter -1",
                    "E/mqtt mqtt.create: MQTT over WebSocket (ws://h/mqtt) is not supported",
                    "E/mqtt mqtt.create: MQTT over WebSocket (wss://h/mqtt) is not supported",
                    // the loop's last create, then the one with no host
                    "E/mqtt mqtt.create: no free socket channel for mqtt: all 8 in use "
                    "(mqtt,mqtt,mqtt,mqtt,mqtt,mqtt,mqtt,mqtt)",
                    "E/mqtt mqtt.create: no free socket channel for mqtt: all 8 in use "
                    "(mqtt,mqtt,mqtt,mqtt,mqtt,mqtt,mqtt,mqtt)",
                });
}

TEST_CASE("every uart function given wrong types raises a LuatOS-style argument error, and runs on") {
    const DeviceResult r = run_offline(kTry + R"LUA(
        try(function() uart.setup("x") end)
        try(function() uart.setup(1, "fast") end)
        try(function() uart.setup(1, 9600, {}) end)
        try(function() uart.setup(1, 9600, 8, "one") end)
        try(function() uart.setup(1, 9600, 8, 1, {}) end)
        try(function() uart.setup(1, 9600, 8, 1, uart.None, uart.LSB, "big") end)
        try(function() uart.on(nil, "receive", print) end)
        try(function() uart.on(1, nil, print) end)
        try(function() uart.read({}) end)
        try(function() uart.read(1, "all") end)
        try(function() uart.write({}, "x") end)
        try(function() uart.write(1, nil) end)
        try(function() uart.write(1, {}) end)
        try(function() uart.close() end)
        try(function() uart.exist(nil) end)
        try(function() uart.rxSize({}) end)
        try(function() uart.rxClear(true) end)
        -- not errors: an unknown UART
        log.info("ok", uart.setup(7), uart.on(9, "receive", print), uart.read(2), uart.write(2, "x"),
                 uart.exist(1), uart.exist(4), uart.exist(uart.VUART_0), uart.rxSize(1))
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."),
                Lines{
                    "I/user.e false bad argument #1 to 'setup' (number expected, got string)",
                    "I/user.e false bad argument #2 to 'setup' (number expected, got string)",
                    "I/user.e false bad argument #3 to 'setup' (number expected, got table)",
                    "I/user.e false bad argument #4 to 'setup' (number expected, got string)",
                    "I/user.e false bad argument #5 to 'setup' (number expected, got table)",
                    "I/user.e false bad argument #7 to 'setup' (number expected, got string)",
                    "I/user.e false bad argument #1 to 'on' (number expected, got nil)",
                    "I/user.e false bad argument #2 to 'on' (string expected, got nil)",
                    "I/user.e false bad argument #1 to 'read' (number expected, got table)",
                    "I/user.e false bad argument #2 to 'read' (number expected, got string)",
                    "I/user.e false bad argument #1 to 'write' (number expected, got table)",
                    "I/user.e false bad argument #2 to 'write' (string expected, got nil)",
                    "I/user.e false bad argument #2 to 'write' (string expected, got table)",
                    "I/user.e false bad argument #1 to 'close' (number expected, got no value)",
                    "I/user.e false bad argument #1 to 'exist' (number expected, got nil)",
                    "I/user.e false bad argument #1 to 'rxSize' (number expected, got table)",
                    "I/user.e false bad argument #1 to 'rxClear' (number expected, got boolean)",
                    "I/user.ok -1 no such uart id  0 true false true 0",
                });
    CHECK_LINES(lines_with(r.lines, "E/uart "),
                Lines{"E/uart uart7 does not exist (the Air780EP has 0..3 and VUART_0)"});
}

TEST_CASE("mqtt.create refuses what LuatOS refuses with nothing returned, and leaks no channel") {
    const DeviceResult r = run_offline(R"LUA(
        local function count(...) return select('#', ...) end
        log.info("refused", count(mqtt.create(-1, "h", 1)), count(mqtt.create(18, "h", 1)),
                 count(mqtt.create(socket.LWIP_STA, "h", 1)), count(mqtt.create(nil, string.rep("a", 192), 1)),
                 count(mqtt.create(nil, 3232235777, 1)), count(mqtt.create(nil, "ws://h/mqtt", 80)),
                 count(mqtt.create(nil, "h", 0)), count(mqtt.create(nil, "h", 65536)),
                 count(mqtt.create(socket.LWIP_GP, "h", 1)))
        -- argument errors, many times: none of them may keep a channel
        for i = 1, 20 do
            pcall(mqtt.create, nil, {}, 1)
            pcall(mqtt.create, nil, "h", "port")
            pcall(mqtt.create, "adapter", "h", 1)
        end
        local longest = mqtt.create(nil, string.rep("a", 191), 1)
        log.info("191", longest ~= nil)
        longest:close()
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), Lines{"I/user.refused 0 0 0 0 0 0 0 0 0", "I/user.191 true"});
    CHECK_LINES(
        lines_with(r.lines, "E/mqtt "),
        Lines{
            "E/mqtt mqtt.create: no network adapter -1",
            "E/mqtt mqtt.create: no network adapter 18",
            "E/mqtt mqtt.create: adapter 2 is not available on the Air780EP (LWIP_GP 1 and ETH0 17 are)",
            "E/mqtt mqtt.create: host is 192 bytes, longer than 191",
            "E/mqtt mqtt.create: the host must be a name or an address as text, not the number 3232235777",
            "E/mqtt mqtt.create: MQTT over WebSocket (ws://h/mqtt) is not supported",
            "E/mqtt mqtt.create: port 0 is not a TCP port (1..65535)",
            "E/mqtt mqtt.create: port 65536 is not a TCP port (1..65535)",
            "E/mqtt mqtt.create: adapter 1 (LWIP_GP) is off: this device has no cellular link",
        });
}

TEST_CASE("8 socket channels: the ninth mqtt.create gives nothing, a close() gives one back") {
    const DeviceResult r = run_offline(R"LUA(
        local function count(...) return select('#', ...) end
        local clients = {}
        for i = 1, 8 do clients[i] = mqtt.create(nil, "broker.test", 1883) end
        log.info("eight", #clients, count(mqtt.create(nil, "broker.test", 1883)))
        clients[3]:close()
        clients[3]:close()  -- a second close gives nothing back twice
        local again = mqtt.create(nil, "broker.test", 1883)
        log.info("after close", again ~= nil, count(mqtt.create(nil, "broker.test", 1883)))
        -- a client dropped without close() keeps its channel (pinned, as LuatOS)
        again = nil
        collectgarbage()
        collectgarbage()
        log.info("dropped", count(mqtt.create(nil, "broker.test", 1883)))
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."),
                Lines{"I/user.eight 8 0", "I/user.after close true 0", "I/user.dropped 0"});
    const Lines refusals = lines_with(r.lines, "E/mqtt ");
    REQUIRE(refusals.size() == 3);
    CHECK(refusals[0] ==
          "E/mqtt mqtt.create: no free socket channel for mqtt: all 8 in use "
          "(mqtt,mqtt,mqtt,mqtt,mqtt,mqtt,mqtt,mqtt)");
}

TEST_CASE("a closed client: no channel, nothing sent, state 0, and closing again is harmless") {
    const DeviceResult r = run_offline(R"LUA(
        local c = mqtt.create(nil, "broker.test", 1883)
        c:auth("id")
        c:close()
        local function count(...) return select('#', ...) end
        log.info("closed", c:state(), c:ready(), c:connect(), c:disconnect(), count(c:publish("t", "p")),
                 count(c:subscribe("t")), count(c:unsubscribe("t")), c:will("t", "p"), count(c:auth("x")))
        c:close()
        log.info("tostring", tostring(c):match("^MQTTCTRL%*: ") ~= nil)
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."),
                Lines{"I/user.closed 0 false false true 0 0 0 false 0", "I/user.tostring true"});
}

TEST_CASE("publish, subscribe and unsubscribe before connect() return nothing, quietly") {
    const DeviceResult r = run_offline(R"LUA(
        local c = mqtt.create(nil, "broker.test", 1883)
        c:auth("id")
        local function count(...) return select('#', ...) end
        log.info("before connect", count(c:publish("t", "p", 0)), count(c:publish("t", "p", 1)),
                 count(c:subscribe("t")), count(c:subscribe({a = 1, b = 2})), count(c:unsubscribe({"a"})),
                 c:subscribe(5 == 6), c:state())
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), Lines{"I/user.before connect 0 0 0 0 0 0 0"});
    CHECK(lines_with(r.lines, "W/mqtt ").empty());
}
