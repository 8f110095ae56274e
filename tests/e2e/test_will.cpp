// The will: delivered when the device dies without a goodbye (the luatos process killed, or a run
// that ends with the client connected, as a module that reboots), not after disconnect(); and the
// will_retain demo's retained configuration (metas.retain == 1).
#include <signal.h>
#include <catch2/catch.hpp>

#include <thread>

#include "tests/e2e/e2e.hpp"

using namespace luat::test;

namespace {

constexpr const char* kImei = "864291050111210";

bool wait_for_log(const Mosquitto& broker, const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (broker.log().find(text) == std::string::npos) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

std::vector<std::string> payloads(const std::vector<ObservedMessage>& ms) {
    std::vector<std::string> out;
    for (const auto& m : ms)
        out.push_back(m.payload);
    return out;
}

void killed_device_will(NetPath path) {
    Mosquitto broker;
    const std::string status = std::string("/luatos/status/") + kImei;
    const std::string config = std::string("/luatos/config/") + kImei;
    MqttObserver observer(broker.port());
    observer.publish(config, "cfg-v1", 1, true);
    observer.subscribe(status, 1);
    std::vector<std::string> args = network_args(path, broker.port());
    args.insert(args.end(), {"--imei", kImei, "--run-for", "30s", demo_folder("will_retain").string()});
    LuatosProcess device(args);
    REQUIRE(device.wait_for_line("I/user.will config", 10s));
    REQUIRE(observer.wait_for_count(status, 1, 5s));
    device.signal(SIGKILL);
    CHECK(device.wait() == 128 + SIGKILL);
    REQUIRE(observer.wait_for_count(status, 2, 10s));
    CHECK(payloads(observer.messages_on(status)) == std::vector<std::string>{"online", "offline"});
    // ... and it was retained: a newcomer reads it.
    MqttObserver newcomer(broker.port());
    newcomer.subscribe(status, 1);
    REQUIRE(newcomer.wait_for_count(status, 1, 5s));
    CHECK(newcomer.messages_on(status)[0].payload == "offline");
    CHECK(newcomer.messages_on(status)[0].retain);
    CHECK_LINES(lines_with(device.lines(), "I/user.will"),
                {"I/user.will connected", "I/user.will suback true 1",
                 "I/user.will config " + config + " cfg-v1 retain 1"});
}
E2E_ON_BOTH_PATHS("will: the device process killed, the broker publishes the will (retained)",
                  killed_device_will)

const std::string kWillScript = R"LUA(
    main(function()
        local c = mqtt.create(nil, "broker.test", 1883)
        c:auth("e2e-will", "", "", true)
        c:keepalive(60)
        log.info("will", c:will("e2e/will", "WILL", 1, 0))
        c:on(ev)
        c:connect()
        wait_ev("conack")
        if GOODBYE then
            c:disconnect()
            wait_ev("close")
            c:close()
            -- the device carries on: over lwIP the DISCONNECT needs the loop to leave the module
            sys.wait(200)
        end
        -- without a goodbye the run ends with the client connected: no DISCONNECT, as a reboot
    end)
)LUA";

void no_will_after_disconnect(NetPath path) {
    Mosquitto broker;
    MqttObserver observer(broker.port());
    observer.subscribe("e2e/will", 1);
    DeviceOptions o;
    o.network = network_to(path, broker.port());
    const DeviceResult r = run_device(kLuaPrelude + "GOODBYE = true\n" + kWillScript, o);
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {"I/user.will true", "I/user.ev conack nil nil",
                                                 "I/user.ev disconnect 0 nil", "I/user.ev close nil nil"});
    // Once the broker has handled the DISCONNECT, a marker: a will would have come before it.
    REQUIRE(wait_for_log(broker, "Client e2e-will disconnected.", 5s));
    observer.publish("e2e/will", "marker", 1);
    REQUIRE(observer.wait_for_count("e2e/will", 1, 5s));
    CHECK(payloads(observer.messages_on("e2e/will")) == std::vector<std::string>{"marker"});
}
E2E_ON_BOTH_PATHS("will: not delivered after disconnect()", no_will_after_disconnect)

void will_after_reboot_like_end(NetPath path) {
    Mosquitto broker;
    MqttObserver observer(broker.port());
    observer.subscribe("e2e/will", 1);
    DeviceOptions o;
    o.network = network_to(path, broker.port());
    const DeviceResult r = run_device(kLuaPrelude + "GOODBYE = false\n" + kWillScript, o);
    CHECK(r.exit_code == 0);
    REQUIRE(observer.wait_for_count("e2e/will", 1, 5s));
    CHECK(payloads(observer.messages_on("e2e/will")) == std::vector<std::string>{"WILL"});
}
E2E_ON_BOTH_PATHS("will: delivered when the run ends with the client still connected (no DISCONNECT)",
                  will_after_reboot_like_end)

}  // namespace
