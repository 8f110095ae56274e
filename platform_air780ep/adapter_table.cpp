#include "adapter_table.hpp"

#include <algorithm>

namespace platform_air780ep {

AdapterTable AdapterTable::air780ep() {
    AdapterTable t;
    t.register_adapter(
        AdapterInfo{kAdapterLwipGp, "LWIP_GP", "10.0.2.15", "255.255.255.0", "10.0.2.2", false, true});
    t.register_adapter(
        AdapterInfo{kAdapterEth0, "ETH0", "127.0.0.1", "255.0.0.0", "127.0.0.1", false, true, false});
    t.set_default(kAdapterLwipGp);
    return t;
}

void AdapterTable::register_adapter(AdapterInfo info) {
    const int id = info.id;
    if (!adapters_.contains(id)) order_.push_back(id);
    adapters_[id] = std::move(info);
    last_registered_ = id;
}

const AdapterInfo* AdapterTable::find(int id) const {
    auto it = adapters_.find(id);
    return it == adapters_.end() ? nullptr : &it->second;
}

std::vector<int> AdapterTable::ids() const {
    return order_;
}

bool AdapterTable::set_up(int id, bool up, std::optional<std::string> ip) {
    auto it = adapters_.find(id);
    if (it == adapters_.end()) return false;
    AdapterInfo& a = it->second;
    const bool changed = a.up != up || (ip && *ip != a.ip);
    a.up = up;
    if (ip) a.ip = std::move(*ip);
    if (!changed) return true;
    const AdapterInfo snapshot = a;
    const auto listeners = listeners_;  // a listener may remove itself
    for (const auto& [lid, l] : listeners)
        l(snapshot);
    return true;
}

void AdapterTable::reset_all_down() {
    for (auto& [id, a] : adapters_)
        a.up = false;
}

bool AdapterTable::set_auto_attach(int id, bool auto_attach) {
    auto it = adapters_.find(id);
    if (it == adapters_.end()) return false;
    it->second.auto_attach = auto_attach;
    return true;
}

bool AdapterTable::set_attaching(int id) {
    if (!adapters_.contains(id)) return false;
    for (auto& [aid, a] : adapters_)
        a.attaches = aid == id;
    return true;
}

bool AdapterTable::is_ready(int id) const {
    const AdapterInfo* a = find(id);
    return a != nullptr && a->up;
}

std::optional<int> AdapterTable::first_ready() const {
    for (const auto& [id, a] : adapters_) {  // ordered by id, from LWIP_GP up
        if (id >= kAdapterLwipGp && id < kAdapterCount && a.up && a.attaches) return id;
    }
    return std::nullopt;
}

bool AdapterTable::set_default(int id) {
    if (id <= 0 || id >= kAdapterCount) return false;
    default_id_ = id;
    return true;
}

AdapterTable::ListenerId AdapterTable::add_listener(Listener l) {
    const ListenerId id = next_listener_++;
    listeners_.emplace(id, std::move(l));
    return id;
}

void AdapterTable::remove_listener(ListenerId id) {
    listeners_.erase(id);
}

}  // namespace platform_air780ep
