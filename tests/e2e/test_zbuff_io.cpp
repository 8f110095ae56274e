// A zbuff where LuatOS's functions take one (docs/modules/zbuff.md, "Other modules"): uart.write sends
// from the cursor to the capacity, uart.read fills from the cursor, uart.tx / uart.rx, and an MQTT
// publish of a zbuff sends its used bytes.
#include <catch2/catch.hpp>

#include <optional>

#include "tests/e2e/e2e.hpp"
#include "tests/e2e/uart_terminal.hpp"

using namespace tests;

TEST_CASE("uart: read into a zbuff, rx appends and grows it, write and tx send the parts LuatOS sends") {
    TempDir dir("e2e-uart-zbuff");
    const std::string link = (dir.path() / "uart2").string();
    std::optional<UartTerminal> terminal;
    std::string got;
    DeviceOptions o;
    o.network = network_to(NetPath::kEth0, 1);
    o.network.uart_links[2] = link;
    o.on_line = [&](lua_bindings::Device&, std::string_view line) {
        if (line == "I/user.uart ready") {
            terminal.emplace(link);
            terminal->write("ping!");
        } else if (line == "I/user.sent 2") {
            got = terminal->read_at_least(12, std::chrono::seconds(1));
        }
    };
    const DeviceResult r = run_device(R"LUA(
        local function try(f)
            local ok, e = pcall(f)
            log.info("e", ok, (e:gsub('^%[string "main.lua"%]:%d+: ', "")))
        end
        try(function() uart.write(2, io.open("/luadb/main.lua")) end)
        try(function() uart.read(2, 1, io.open("/luadb/main.lua")) end)
        try(function() uart.tx(2, io.open("/luadb/main.lua")) end)
        try(function() uart.rx(2, io.open("/luadb/main.lua")) end)
        log.info("not set up", uart.read(2, 4, zbuff.create(4)), uart.rx(2, zbuff.create(4)), uart.write(2, zbuff.create(2)),
                 uart.tx(2, zbuff.create(2, "ab")))
        log.info("setup", uart.setup(2, 115200))
        uart.on(2, "receive", function(id, len)
            uart.on(2, "receive", nil)
            local b = zbuff.create(8)
            b:seek(6)
            log.info("read", uart.read(id, 10, b), b:used(), b:toStr(6, 2))
            local b1 = zbuff.create(8)
            log.info("read", uart.read(id, 1, b1), b1:used(), b1:toStr(0, 1))
            local r = zbuff.create(1)
            log.info("rx", uart.rx(id, r), r:used(), r:len(), r:query())
            log.info("nothing left", uart.rx(id, r), uart.rx(id, "x"), uart.read(id, 4, zbuff.create(2)), r:len())
            local w = zbuff.create(6, "abcdef")
            log.info("write", uart.write(id, w))
            w:seek(2)
            log.info("write", uart.write(id, w), uart.write(id, w, 2), uart.tx(id, w), uart.tx(id, w, 4),
                     uart.tx(id, w, 6), uart.tx(id, w, -1), uart.tx(id, "s"), uart.tx(id, w, 4, -1))
        end)
        uart.on(2, "sent", function(id)
            log.info("sent", id)
            uart.close(2)
            os.exit(0)
        end)
        log.info("uart ready")
        sys.run()
    )LUA",
                                      o);
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."),
                {
                    "I/user.e false bad argument #2 to 'write' (ZBUFF* expected, got FILE*)",
                    "I/user.e false bad argument #3 to 'read' (ZBUFF* expected, got FILE*)",
                    "I/user.e false bad argument #2 to 'tx' (ZBUFF* expected, got FILE*)",
                    "I/user.e false bad argument #2 to 'rx' (ZBUFF* expected, got FILE*)",
                    "I/user.not set up 0 0 0 0",
                    "I/user.setup 0",
                    "I/user.uart ready",
                    "I/user.read 2 8 pi",
                    "I/user.read 1 1 n",
                    "I/user.rx 2 2 3 g!",
                    "I/user.nothing left 0 0 0 3",
                    "I/user.write 0",
                    "I/user.write 4 2 2 2 0 0 0 2",
                    "I/user.sent 2",
                });
    REQUIRE(terminal);
    CHECK(got == "cdefcdabefef");
}

namespace {

void publish_zbuff(NetPath path) {
    Mosquitto broker;
    MqttObserver observer(broker.port());
    observer.subscribe("e2e/zbuff/#", 1);
    DeviceOptions o;
    o.network = network_to(path, broker.port());
    const DeviceResult r = run_device(kLuaPrelude + R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-zbuff", "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            local b = zbuff.create(16)
            b:write("hello zbuff")
            b:seek(5)
            log.info("ids", c:publish("e2e/zbuff/used", b, 1) ~= nil)
            wait_ev("sent")
            c:publish("e2e/zbuff/empty", zbuff.create(4), 1)
            wait_ev("sent")
            c:publish("e2e/zbuff/other", true, 1)
            wait_ev("sent")
            b:seek(0)
            b:write(0, 1, 2)
            c:publish("e2e/zbuff/binary", b, 1)
            wait_ev("sent")
            c:close()
        end)
    )LUA",
                                      o);
    CHECK(r.exit_code == 0);
    CHECK(lines_with(r.lines, "D/mqtt only support") == Lines{"D/mqtt only support string or zbuff"});
    REQUIRE(observer.wait_for_count("e2e/zbuff/binary", 1, 5s));
    const auto messages = observer.messages();
    REQUIRE(messages.size() == 4);
    CHECK(messages[0].topic == "e2e/zbuff/used");
    CHECK(messages[0].payload == "hello");
    CHECK(messages[1].topic == "e2e/zbuff/empty");
    CHECK(messages[1].payload.empty());
    CHECK(messages[2].topic == "e2e/zbuff/other");
    CHECK(messages[2].payload.empty());
    CHECK(messages[3].topic == "e2e/zbuff/binary");
    CHECK(messages[3].payload == std::string("\0\1\2", 3));
}

}  // namespace

E2E_ON_BOTH_PATHS("mqtt: publish(topic, zbuff) sends the zbuff's used bytes", publish_zbuff)
