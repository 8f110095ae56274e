// The network adapters of the simulated module, with LuatOS's adapter ids (socket.LWIP_GP, ...).
//
// This device has two: LWIP_GP, the cellular data link (the module's own lwIP stack; the default
// adapter) and ETH0, host sockets (as the LuatOS PC simulator has). An adapter is up or down; whoever
// drives it (the simulated attach, the lwIP link) calls set_up(), and listeners hear every change
// (the Device turns them into IP_READY / IP_LOSE messages).
//
// Only one adapter *attaches* (docs/network.md, "The adapters"): the Air780EP has one data link, so
// a script sees one IP_READY per attach. The other is a silent extra: it comes up and goes down as
// before, for a script that names it, but is never announced and not offered by first_ready().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace platform_air780ep {

// LuatOS adapter ids at HEAD (components/network/adapter/luat_network_adapter.h).
enum AdapterId : int {
    kAdapterLwipGp = 1,  // cellular (GPRS/LTE) data link
    kAdapterLwipSta = 2,
    kAdapterLwipAp = 3,
    kAdapterLwipEth = 4,
    kAdapterLwipSpi = 5,
    kAdapterLwipUser0 = 7,  // .. LWIP_USER7 = 14
    kAdapterLwipGpGw = 15,
    kAdapterLwipUsb = 16,
    kAdapterEth0 = 17,   // hardware-stack Ethernet; the PC simulator's adapter
    kAdapterCount = 18,  // NW_ADAPTER_QTY
};

struct AdapterInfo {
    int id = 0;
    std::string name;
    std::string ip;
    std::string netmask;
    std::string gateway;
    bool up = false;
    bool auto_attach = true;  // brought up by the simulated network attach
    bool attaches = true;     // announced (IP_READY / IP_LOSE); otherwise a silent extra
};

class AdapterTable {
  public:
    using Listener = std::function<void(const AdapterInfo& adapter)>;  // after each up/down change
    using ListenerId = std::uint64_t;

    // The table of this device: LWIP_GP (10.0.2.15, default, attaches) then ETH0 (127.0.0.1, a silent
    // extra), both down.
    static AdapterTable air780ep();

    // Register (or re-register) an adapter; the last registered one is remembered (socket.dft()).
    void register_adapter(AdapterInfo info);
    [[nodiscard]] const AdapterInfo* find(int id) const;
    [[nodiscard]] std::vector<int> ids() const;  // registration order

    // Bring an adapter up (optionally with a new address) or down; listeners are told of a change.
    // Returns false for an unknown adapter.
    bool set_up(int id, bool up, std::optional<std::string> ip = std::nullopt);
    // Put every adapter down without telling anyone (a reboot: the new run starts detached).
    void reset_all_down();
    // Whether the simulated attach of each boot brings this adapter up (LWIP_GP's readiness comes
    // from its link instead). Returns false for an unknown adapter.
    bool set_auto_attach(int id, bool auto_attach);

    // Make `id` the one adapter that attaches; every other one becomes a silent extra. Returns false
    // (and changes nothing) for an unknown adapter.
    bool set_attaching(int id);

    [[nodiscard]] bool is_ready(int id) const;
    // The first ready attaching adapter, from LWIP_GP upwards (socket.adapter() without an id).
    [[nodiscard]] std::optional<int> first_ready() const;

    [[nodiscard]] int default_id() const { return default_id_; }
    // socket.dft(id): any id in 1..kAdapterCount-1 is accepted (LuatOS does not check registration).
    bool set_default(int id);
    [[nodiscard]] int last_registered() const { return last_registered_; }

    ListenerId add_listener(Listener l);
    void remove_listener(ListenerId id);

  private:
    std::map<int, AdapterInfo> adapters_;
    std::vector<int> order_;
    int default_id_ = -1;
    int last_registered_ = -1;
    std::map<ListenerId, Listener> listeners_;
    ListenerId next_listener_ = 1;
};

}  // namespace platform_air780ep
