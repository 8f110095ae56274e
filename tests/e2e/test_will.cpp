// The will: delivered when the device dies without a goodbye (the luatos process killed, or a run
// that ends with the client connected, as a module that reboots), not after disconnect() or close(),
// even when the run ends right after them; and the will_retain demo's retained configuration
// (metas.retain == 1).
#include <signal.h>
#include <catch2/catch.hpp>

#include <thread>

#include "tests/e2e/e2e.hpp"

using namespace tests;

namespace {

constexpr const char* kImei = "864291050111210";

// Until the broker's log has one of `texts`.
bool wait_for_log(const Mosquitto& broker, const std::vector<std::string>& texts,
                  std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const std::string log = broker.log();
        for (const auto& t : texts) {
            if (log.find(t) != std::string::npos) return true;
        }
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(2ms);
    }
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

// HOW says how the script says goodbye and how its run ends, at once, without giving the loop a
// turn: over lwIP the DISCONNECT then still has to leave the simulated module when the run is over.
const std::string kWillScript = R"LUA(
    sys.taskInit(function()
        if io.exists("/rebooted") then os.exit(0) end  -- the boot after HOW == "close, reboot"
        sys.waitUntil("IP_READY")
        local c = mqtt.create(nil, "broker.test", 1883)
        c:auth("e2e-will", "", "", true)
        c:keepalive(60)
        log.info("will", c:will("e2e/will", "WILL", 1, 0))
        c:on(ev)
        c:connect()
        wait_ev("conack")
        if HOW == "disconnect, exit" then
            c:disconnect()
            wait_ev("close")
            c:close()
            os.exit(0)
        elseif HOW == "close, exit" then
            c:close()
            os.exit(0)
        elseif HOW == "close, reboot" then
            c:close()
            io.writeFile("/rebooted", "1")
            rtos.reboot()
        elseif HOW == "close, error" then
            c:close()
            error("boom")
        end
        -- HOW == "exit": the run ends with the client connected, no DISCONNECT, as a reboot
        os.exit(0)
    end)
    sys.run()
)LUA";

DeviceResult run_will_script(NetPath path, const Mosquitto& broker, const std::string& how) {
    DeviceOptions o;
    o.network = network_to(path, broker.port());
    return run_device(kLuaPrelude + "HOW = \"" + how + "\"\n" + kWillScript, o);
}

void no_will_after_goodbye(NetPath path) {
    for (const std::string how : {"disconnect, exit", "close, exit", "close, reboot", "close, error"}) {
        INFO(how);
        Mosquitto broker;
        MqttObserver observer(broker.port());
        observer.subscribe("e2e/will", 1);
        const DeviceResult r = run_will_script(path, broker, how);
        CHECK(r.exit_code == (how == "close, error" ? 1 : 0));
        Lines expected = {"I/user.will true", "I/user.ev conack nil nil"};
        if (how == "disconnect, exit")
            expected.insert(expected.end(), {"I/user.ev disconnect 0 nil", "I/user.ev close nil nil"});
        CHECK_LINES(lines_with(r.lines, "I/user."), expected);
        CHECK(lines_with(r.lines, "W/net ").empty());
        // How the broker saw the end: "disconnected." after a DISCONNECT, "closed its connection." without.
        REQUIRE(wait_for_log(
            broker, {"Client e2e-will disconnected.", "Client e2e-will closed its connection."}, 5s));
        CHECK(broker.log().find("Client e2e-will disconnected.") != std::string::npos);
        // Then a marker: a will would have come before it.
        observer.publish("e2e/will", "marker", 1);
        REQUIRE(observer.wait_for_count("e2e/will", 1, 5s));
        CHECK(payloads(observer.messages_on("e2e/will")) == std::vector<std::string>{"marker"});
    }
}
E2E_ON_BOTH_PATHS(
    "will: not delivered after disconnect() or close() just before the run ends (exit, reboot, error)",
    no_will_after_goodbye)

void will_after_reboot_like_end(NetPath path) {
    Mosquitto broker;
    MqttObserver observer(broker.port());
    observer.subscribe("e2e/will", 1);
    const DeviceResult r = run_will_script(path, broker, "exit");
    CHECK(r.exit_code == 0);
    REQUIRE(observer.wait_for_count("e2e/will", 1, 5s));
    CHECK(payloads(observer.messages_on("e2e/will")) == std::vector<std::string>{"WILL"});
}
E2E_ON_BOTH_PATHS("will: delivered when the run ends with the client still connected (no DISCONNECT)",
                  will_after_reboot_like_end)

}  // namespace
