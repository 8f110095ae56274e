#include "lua_bindings/device/device_network.hpp"

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/network_modules.hpp"
#include "platform_air780ep/board_commands.hpp"
#include "platform_air780ep/cellular_network.hpp"
#include "platform_air780ep/control_server.hpp"
#include "platform_air780ep/host_tcp_stream.hpp"
#include "platform_air780ep/link_commands.hpp"

namespace lua_bindings {

std::unique_ptr<DeviceNetwork> DeviceNetwork::create(Device& device, NetworkOptions options,
                                                     std::string& error) {
    std::unique_ptr<DeviceNetwork> network(new DeviceNetwork(device, std::move(options)));
    if (!network->start(error)) return nullptr;
    return network;
}

DeviceNetwork::DeviceNetwork(Device& device, NetworkOptions options)
    : device_(device), options_(std::move(options)), channels_(options_.channels), mqtt_hub_(device.loop()) {}

bool DeviceNetwork::start(std::string& error) {
    if (options_.cellular) {
        platform_air780ep::SlirpLinkConfig config;
        config.link = options_.link;
        cellular_ = platform_air780ep::CellularNetwork::create(device_.loop(), device_.logger(),
                                                               options_.hosts, config, error);
        if (!cellular_) return false;
        cellular_->link().add_listener(this);
    }
    if (!options_.control_path.empty()) {
        std::string why;
        control_ = platform_air780ep::ControlServer::create(device_.loop(), device_.logger(),
                                                            options_.control_path, why);
        if (!control_) {
            error = "cannot listen on the control socket " + options_.control_path + ": " + why;
            return false;
        }
        if (cellular_) platform_air780ep::add_link_commands(*control_, cellular_->link());
        platform_air780ep::add_board_commands(*control_, device_.board());
    }
    // Only now that nothing can fail: the device keeps these until it goes.
    // LWIP_GP's readiness is its link's (or never, without one), not the generic attach timer's.
    device_.adapters().set_auto_attach(platform_air780ep::kAdapterLwipGp, false);
    if (cellular_) {
        // A DISCONNECT (and FIN) written just before the run ends must still leave the module.
        device_.add_run_end_drain(Device::RunEndDrain{
            [this] { return cellular_->output_in_flight(); }, [this] { return cellular_->drain_budget_ms(); },
            [this](std::uint64_t waited_ms) {
                device_.logger().warn("net", "run end: closed connections still had bytes on the way after " +
                                                 std::to_string(waited_ms) + " ms; dropped with the stack");
            }});
    }
    return true;
}

DeviceNetwork::~DeviceNetwork() {
    cancel_attach();
    control_.reset();
    if (cellular_) cellular_->link().remove_listener(this);
}

std::unique_ptr<luat_mqtt::Transport> DeviceNetwork::make_tcp_stream(int adapter, std::string& error) {
    if (adapter == platform_air780ep::kAdapterEth0) {
        return std::make_unique<platform_air780ep::HostTcpStream>(device_.loop(), options_.hosts);
    }
    if (adapter == platform_air780ep::kAdapterLwipGp) {
        if (cellular_) return cellular_->make_tcp_stream();
        error = "adapter " + std::to_string(adapter) + " (LWIP_GP) is off: this device has no cellular link";
        return nullptr;
    }
    error = "adapter " + std::to_string(adapter) + " is not available on the Air780EP (LWIP_GP " +
            std::to_string(platform_air780ep::kAdapterLwipGp) + " and ETH0 " +
            std::to_string(platform_air780ep::kAdapterEth0) + " are)";
    return nullptr;
}

void DeviceNetwork::on_boot(RunContext& /*run*/) {
    device_.adapters().set_default(options_.default_adapter);
    flight_mode_ = false;
    cancel_attach();
    if (cellular_ && cellular_->link().is_up()) schedule_attach();
}

void DeviceNetwork::on_link_down() {
    cancel_attach();
    device_.adapters().set_up(platform_air780ep::kAdapterLwipGp, false);
}

void DeviceNetwork::on_link_up() {
    if (!flight_mode_) schedule_attach();
}

void DeviceNetwork::set_flight_mode(bool on) {
    flight_mode_ = on;
    cancel_attach();
    if (on) {
        device_.adapters().set_up(platform_air780ep::kAdapterLwipGp, false);
    } else if (cellular_ && cellular_->link().is_up()) {
        schedule_attach();
    }
}

std::string DeviceNetwork::link_profile() {
    return cellular_ ? cellular_->link().settings().profile : std::string();
}

void DeviceNetwork::schedule_attach() {
    cancel_attach();
    const std::uint64_t generation = attach_generation_;
    attach_timer_ = device_.loop().add_timer(device_.config().attach_delay_ms, [this, generation] {
        if (generation != attach_generation_) return;  // cancelled after its message was queued
        attach_timer_ = 0;
        if (cellular_ && cellular_->link().is_up()) {
            device_.adapters().set_up(platform_air780ep::kAdapterLwipGp, true, cellular_->address());
        }
    });
}

void DeviceNetwork::cancel_attach() {
    if (attach_timer_ != 0) device_.loop().cancel_timer(attach_timer_);
    attach_timer_ = 0;
    ++attach_generation_;
}

DeviceNetwork* install_network(Device& device, NetworkOptions options, std::string& error) {
    std::unique_ptr<DeviceNetwork> owned = DeviceNetwork::create(device, std::move(options), error);
    if (!owned) return nullptr;
    DeviceNetwork& network = device.set_network(std::move(owned));
    device.add_module(LuaModule{"network", [&network](RunContext& run) { network.on_boot(run); }});
    device.add_module(LuaModule{"mqtt", [&network](RunContext& run) { install_mqtt(run, network); }});
    device.add_module(LuaModule{"uart", [&network](RunContext& run) { install_uart(run, network); }});
    return &network;
}

}  // namespace lua_bindings
