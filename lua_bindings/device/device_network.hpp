// The network of one simulated Air780EP, built from its NetworkOptions and kept for the device's
// lifetime (reboots included), in this order and torn down in reverse:
//   host map, link settings (the options) -> CellularNetwork (socket.LWIP_GP: the link + lwIP)
//   -> LinkCapture (--pcap, `pcap start`: the link's frames into a pcap file)
//   -> ChannelPool (the socket channels shared by every adapter: 8, or --channels) -> ControlServer
//   (--control, with the link commands and the board's, board_commands.hpp) -> the MQTT hub (the mqtt
//   module's per-device part).
//
// It also drives the adapters: socket.ETH0 (host sockets) comes up by the generic simulated attach of
// each boot; socket.LWIP_GP comes up `attach_delay_ms` after boot *and after each link outage*, and
// goes down (IP_LOSE) the moment its link does.
//
// When a run ends, the device waits (briefly, see Device::RunEndDrain) until what the closed lwIP
// connections still had to send, their DISCONNECT and FIN, has reached the host's sockets.
//
// install_network() adds it to a Device together with the Lua modules that use it (mqtt, uart, http, and
// the per-boot network setup). The `luatos` command does this with its command-line options; tests do
// it with their own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "lua_bindings/device/network_options.hpp"
#include "lua_bindings/modules/mqtt/mqtt_hub.hpp"
#include "luat_mqtt/transport.hpp"
#include "platform_air780ep/channel_pool.hpp"
#include "platform_air780ep/datagram_socket.hpp"
#include "platform_air780ep/host_port_map.hpp"
#include "platform_air780ep/ntp_responder.hpp"
#include "platform_air780ep/slirp_link.hpp"
#include "platform_air780ep/sntp_client.hpp"
#include "platform_air780ep/tcp_listener.hpp"
#include "platform_air780ep/tls/tls_config.hpp"
#include "sys_task/event_loop.hpp"

namespace platform_air780ep {
class CellularNetwork;
class ControlServer;
class LinkCapture;
class HostNtpServer;
}  // namespace platform_air780ep

namespace lua_bindings {

class Device;
class RunContext;

class DeviceNetwork final : private platform_air780ep::LinkStateListener {
  public:
    // nullptr, with the reason in `error`, when a part cannot be set up (the cellular link: libslirp,
    // or lwIP already in use in this process; the control socket).
    static std::unique_ptr<DeviceNetwork> create(Device& device, NetworkOptions options, std::string& error);
    ~DeviceNetwork();
    DeviceNetwork(const DeviceNetwork&) = delete;
    DeviceNetwork& operator=(const DeviceNetwork&) = delete;

    [[nodiscard]] const NetworkOptions& options() const { return options_; }
    [[nodiscard]] Device& device() { return device_; }
    [[nodiscard]] const platform_air780ep::HostMap& hosts() const { return options_.hosts; }
    [[nodiscard]] platform_air780ep::ChannelPool& channels() { return channels_; }
    // nullptr when the device has no cellular link.
    [[nodiscard]] platform_air780ep::CellularNetwork* cellular() { return cellular_.get(); }
    [[nodiscard]] platform_air780ep::ControlServer* control() { return control_.get(); }
    // The pcap capture of the cellular link (--pcap, `pcap start`); nullptr without a cellular link.
    [[nodiscard]] platform_air780ep::LinkCapture* capture() { return capture_.get(); }
    // What the device adds to its scripts' TLS configs (--tls-keylog, --trust-ca).
    [[nodiscard]] const platform_air780ep::TlsDeviceSettings& tls_settings() const { return tls_; }
    // How the mqtt clients of every run reach the event loop (it outlives the runs and what they post).
    [[nodiscard]] MqttHub& mqtt_hub() { return mqtt_hub_; }

    // A TCP stream of `adapter` (socket.LWIP_GP or socket.ETH0). nullptr, with the reason in `error`,
    // for an adapter this device does not have.
    std::unique_ptr<luat_mqtt::Transport> make_tcp_stream(int adapter, std::string& error);

    // The simulated network's time (its NTP servers, the time given at attach; `clock` skews it).
    [[nodiscard]] platform_air780ep::NetworkTime& network_time() { return network_time_; }
    // The UDP path of an SNTP sync on `adapter`, holding one socket channel. nullptr, with the
    // reason in `error`, for an adapter this device does not have or when no channel is free.
    std::unique_ptr<platform_air780ep::NtpPath> make_ntp_path(int adapter, std::string& error);
    // A UDP socket of `adapter`, likewise (the `socket` module's UDP links).
    std::unique_ptr<platform_air780ep::DatagramSocket> make_udp_socket(int adapter, std::string& error);

    // A TCP server socket of `adapter` (socket.listen), likewise.
    std::unique_ptr<platform_air780ep::TcpListener> make_tcp_listener(int adapter, std::string& error);

    // At each boot: the default adapter, LWIP_GP's attach (flight mode is off again).
    void on_boot(RunContext& run);
    // mobile.flymode: on, LWIP_GP goes down (IP_LOSE) and stays down; off, a new attach (IP_READY
    // once the link is up). mobile.reset: off and on again.
    void set_flight_mode(bool on);
    [[nodiscard]] bool flight_mode() const { return flight_mode_; }
    // The link's profile ("ideal", "good", "cat1", "poor4g"); "" without a cellular link.
    [[nodiscard]] std::string link_profile();

  private:
    DeviceNetwork(Device& device, NetworkOptions options);
    bool start(std::string& error);
    bool start_capture(std::string& error);
    bool load_tls_settings(std::string& error);
    void on_link_down() override;
    void on_link_up() override;
    void schedule_attach();
    void cancel_attach();
    void network_time_at_attach();

    Device& device_;
    NetworkOptions options_;
    platform_air780ep::HostPortMap eth0_ports_;  // options_.forwards, for ETH0's listeners and UDP sockets
    platform_air780ep::TlsDeviceSettings tls_;
    platform_air780ep::NetworkTime network_time_;
    std::unique_ptr<platform_air780ep::NtpResponder> ntp_;  // the link's, at the gateway's port 123
    std::unique_ptr<platform_air780ep::CellularNetwork> cellular_;
    std::unique_ptr<platform_air780ep::LinkCapture> capture_;     // after cellular_: taps its link
    std::unique_ptr<platform_air780ep::HostNtpServer> host_ntp_;  // ETH0's, on a loopback port
    platform_air780ep::ChannelPool channels_;
    std::unique_ptr<platform_air780ep::ControlServer> control_;
    MqttHub mqtt_hub_;
    sys_task::EventLoop::TimerId attach_timer_ = 0;
    std::uint64_t attach_generation_ = 0;  // an attach whose message was already queued checks it
    bool flight_mode_ = false;
};

// Gives `device` its DeviceNetwork and the modules mqtt, uart and http (before run()). nullptr, with the
// reason in `error`, when the network cannot be set up; the device is then left as it was.
DeviceNetwork* install_network(Device& device, NetworkOptions options, std::string& error);

}  // namespace lua_bindings
