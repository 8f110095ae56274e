#include "lua_bindings/device/device_network.hpp"

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/network_modules.hpp"
#include "platform_air780ep/board_commands.hpp"
#include "platform_air780ep/cellular_network.hpp"
#include "platform_air780ep/clock_commands.hpp"
#include "platform_air780ep/control_server.hpp"
#include "platform_air780ep/host_file.hpp"
#include "platform_air780ep/host_ntp_server.hpp"
#include "platform_air780ep/host_tcp_stream.hpp"
#include "platform_air780ep/host_udp_socket.hpp"
#include "platform_air780ep/link_capture.hpp"
#include "platform_air780ep/link_commands.hpp"

namespace lua_bindings {

std::unique_ptr<DeviceNetwork> DeviceNetwork::create(Device& device, NetworkOptions options,
                                                     std::string& error) {
    std::unique_ptr<DeviceNetwork> network(new DeviceNetwork(device, std::move(options)));
    if (!network->start(error)) return nullptr;
    return network;
}

DeviceNetwork::DeviceNetwork(Device& device, NetworkOptions options)
    : device_(device), options_(std::move(options)), channels_(options_.channels), mqtt_hub_(device.loop()) {
    // A host port can be had once: the forwards serve the default adapter (--adapter), slirp's for
    // LWIP_GP, ETH0's own sockets for ETH0.
    if (options_.default_adapter == platform_air780ep::kAdapterEth0) {
        for (const PortForward& f : options_.forwards)
            (f.udp ? eth0_ports_.udp : eth0_ports_.tcp)[f.device_port] = f.host_port;
    }
}

bool DeviceNetwork::start(std::string& error) {
    if (!load_tls_settings(error)) return false;
    if (options_.cellular) {
        platform_air780ep::SlirpLinkConfig config;
        config.link = options_.link;
        cellular_ = platform_air780ep::CellularNetwork::create(device_.loop(), device_.logger(),
                                                               options_.hosts, config, error);
        if (!cellular_) return false;
        cellular_->link().add_listener(this);
        capture_ = std::make_unique<platform_air780ep::LinkCapture>(device_.loop(), cellular_->link(),
                                                                    device_.logger());
        ntp_ = std::make_unique<platform_air780ep::NtpResponder>(network_time_, config.gateway);
        cellular_->link().set_ntp_responder(ntp_.get());
        if (options_.default_adapter != platform_air780ep::kAdapterEth0) {
            for (const PortForward& f : options_.forwards)
                if (!cellular_->link().add_forward(f.host_port, f.device_port, error, f.udp)) return false;
        }
    }
    {
        std::string why;
        host_ntp_ = platform_air780ep::HostNtpServer::create(device_.loop(), network_time_, 0, why);
        if (!host_ntp_) {
            error = "cannot serve the simulated network's NTP for ETH0: " + why;
            return false;
        }
    }
    if (!options_.pcap_path.empty() && !start_capture(error)) return false;
    if (!options_.control_path.empty()) {
        std::string why;
        control_ = platform_air780ep::ControlServer::create(device_.loop(), device_.logger(),
                                                            options_.control_path, why);
        if (!control_) {
            error = "cannot listen on the control socket " + options_.control_path + ": " + why;
            return false;
        }
        if (cellular_) {
            platform_air780ep::add_link_commands(*control_, cellular_->link());
            platform_air780ep::add_capture_commands(*control_, *capture_);
        }
        platform_air780ep::add_board_commands(*control_, device_.board());
        platform_air780ep::add_clock_commands(*control_, network_time_);
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

bool DeviceNetwork::load_tls_settings(std::string& error) {
    sys_task::Logger& log = device_.logger();
    if (!options_.trust_ca_path.empty()) {
        std::string why;
        auto data = platform_air780ep::read_host_file(options_.trust_ca_path, why);
        if (!data || !platform_air780ep::check_certificates(*data, why)) {
            error = "--trust-ca " + options_.trust_ca_path + ": " + why;
            return false;
        }
        tls_.trust_ca = std::move(*data);
        tls_.trust_ca_path = options_.trust_ca_path;
        log.warn("tls",
                 "--trust-ca " + options_.trust_ca_path +
                     " (test only): TLS verification also accepts servers whose chain leads to this CA; "
                     "host names are still checked");
    }
    if (!options_.tls_keylog_path.empty()) {
        std::string why;
        std::shared_ptr<platform_air780ep::TlsKeyLog> keylog =
            platform_air780ep::TlsKeyLog::create(options_.tls_keylog_path, why);
        if (!keylog) {
            error = "--tls-keylog: " + why;
            return false;
        }
        tls_.keylog = std::move(keylog);
        log.warn("tls", "--tls-keylog " + options_.tls_keylog_path +
                            ": the secrets of every TLS session are written there; whoever has the file "
                            "can decrypt the traffic");
    }
    return true;
}

bool DeviceNetwork::start_capture(std::string& error) {
    if (!capture_) {
        error = "--pcap captures the simulated cellular link, and this device has none";
        return false;
    }
    if (!capture_->start(options_.pcap_path, error)) return false;
    if (options_.default_adapter == platform_air780ep::kAdapterEth0) {
        // ETH0 is this host's own sockets: its traffic never crosses the simulated link.
        device_.logger().warn("pcap",
                              "the default adapter is ETH0 (host sockets), which has no simulated "
                              "link: only socket.LWIP_GP traffic is captured; for ETH0 use "
                              "`tcpdump -i lo -w FILE port PORT`");
    }
    return true;
}

DeviceNetwork::~DeviceNetwork() {
    cancel_attach();
    control_.reset();
    capture_.reset();
    if (cellular_) {
        cellular_->link().remove_listener(this);
        cellular_->link().set_ntp_responder(nullptr);
    }
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

std::unique_ptr<platform_air780ep::NtpPath> DeviceNetwork::make_ntp_path(int adapter, std::string& error) {
    std::unique_ptr<platform_air780ep::NtpPath> path;
    if (adapter == platform_air780ep::kAdapterEth0) {
        path = platform_air780ep::make_host_ntp_path(device_.loop(), options_.hosts, host_ntp_->port());
    } else if (adapter == platform_air780ep::kAdapterLwipGp && cellular_) {
        path = platform_air780ep::make_lwip_ntp_path(cellular_->stack(), options_.hosts);
    } else {
        error = "adapter " + std::to_string(adapter) + " is not available on this device";
        return nullptr;
    }
    auto channel = channels_.acquire("sntp", error);
    if (!channel) return nullptr;
    path->hold(std::move(*channel));
    return path;
}

// The network's time at attach (NITZ: the simulated SIM is China Mobile's, whose network sends
// it), unless mobile.syncTime(false): the clock takes it and the scripts hear NTP_UPDATE(1), as
// from LuatOS's mobile event LUAT_MOBILE_EVENT_TIME_SYNC (docs/modules/rtc.md).
void DeviceNetwork::network_time_at_attach() {
    auto& clock = device_.clock();
    if (!clock.network_sync()) return;
    clock.set_unix_ms(network_time_.unix_ms());
    device_.logger().debug("mobile", "TIME_SYNC 0 tm " + std::to_string(clock.unix_seconds()));
    if (RunContext* run = device_.current_run()) {
        run->scheduler().post_publish("NTP_UPDATE", {static_cast<lua_Integer>(1)});
    }
}

std::unique_ptr<platform_air780ep::DatagramSocket> DeviceNetwork::make_udp_socket(int adapter,
                                                                                  std::string& error) {
    if (adapter == platform_air780ep::kAdapterEth0) {
        return std::make_unique<platform_air780ep::HostUdpSocket>(device_.loop(), options_.hosts,
                                                                  &eth0_ports_);
    }
    if (adapter == platform_air780ep::kAdapterLwipGp && cellular_) return cellular_->make_udp_socket();
    make_tcp_stream(adapter, error);  // nullptr for the same adapters, with the same reason
    return nullptr;
}

std::unique_ptr<platform_air780ep::TcpListener> DeviceNetwork::make_tcp_listener(int adapter,
                                                                                 std::string& error) {
    if (adapter == platform_air780ep::kAdapterEth0) {
        return std::make_unique<platform_air780ep::HostTcpListener>(device_.loop(), &eth0_ports_);
    }
    if (adapter == platform_air780ep::kAdapterLwipGp && cellular_) {
        return std::make_unique<platform_air780ep::LwipTcpListener>(cellular_->stack());
    }
    make_tcp_stream(adapter, error);  // nullptr for the same adapters, with the same reason
    return nullptr;
}

void DeviceNetwork::on_boot(RunContext& /*run*/) {
    device_.adapters().set_default(options_.default_adapter);
    // Only the default adapter attaches (docs/network.md, "The adapters").
    device_.adapters().set_attaching(options_.default_adapter);
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
            network_time_at_attach();
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
    device.add_module(
        LuaModule{"socket", [&network](RunContext& run) { install_socket_links(run, network); }});
    device.add_module(LuaModule{"http", [&network](RunContext& run) { install_http(run, network); }});
    device.add_module(
        LuaModule{"websocket", [&network](RunContext& run) { install_websocket(run, network); }});
    device.add_module(LuaModule{"sntp", [&network](RunContext& run) { install_sntp(run, network); }});
    device.add_module(LuaModule{"ftp", [&network](RunContext& run) { install_ftp(run, network); }});
    device.add_module(LuaModule{"errDump", [&network](RunContext& run) { install_errdump(run, network); }});
    return &network;
}

}  // namespace lua_bindings
