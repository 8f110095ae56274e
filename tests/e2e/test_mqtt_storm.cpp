// A QoS 0 publish storm from one tight loop (the bench's case 1): the loop gets no event until it
// yields, so thousands of "sent" events wait at once. Each must still reach the callback as its own
// native message, in order, with the sys queue drained before each (they are queued as one
// repeatable message: EventLoop::post_repeatable), and none may be lost or added.
#include <string>

#include "e2e.hpp"

using namespace tests;

namespace {

void qos0_storm(NetPath path) {
    Mosquitto broker;
    DeviceOptions o;
    o.network = network_to(path, broker.port());
    o.run_for = std::chrono::milliseconds(60000);
    const DeviceResult r = run_device(kLuaPrelude + R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 1883)
            c:auth("e2e-storm0", "", "", true)
            local sent, drained, fence, in_order = 0, 0, nil, true
            c:on(function(client, event, data)
                if event == "conack" then
                    sys.publish("UP")
                elseif event == "sent" and data == 0 then
                    sent = sent + 1
                    -- what the previous sent(0) published was delivered before this one
                    if drained ~= sent - 1 then in_order = false end
                    sys.publish("SENT0")
                elseif event == "sent" and data == fence then
                    sys.publish("FENCE")
                end
            end)
            sys.subscribe("SENT0", function() drained = drained + 1 end)
            c:connect()
            sys.waitUntil("UP", 5000)
            local accepted = 0
            for i = 1, 20000 do
                while not c:publish("e2e/storm0", string.format("%06d", i), 0) do sys.wait(1) end
                accepted = accepted + 1
            end
            fence = c:publish("e2e/storm0/fence", "f", 1)
            log.info("fence", sys.waitUntil("FENCE", 20000))
            log.info("storm", accepted, sent, drained, in_order)
            c:close()
        end)
    )LUA",
                                      o);
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {"I/user.fence true", "I/user.storm 20000 20000 20000 true"});
}

}  // namespace

E2E_ON_BOTH_PATHS("a QoS 0 storm from a tight loop: one sent(0) per publish, each its own message, in order",
                  qos0_storm)
