#include "luat_mqtt/outgoing_store.hpp"

#include <algorithm>

namespace luat_mqtt {

void OutgoingStore::add(std::uint16_t id, std::uint8_t qos, std::vector<std::uint8_t> packet) {
    stored_bytes_ += packet.size();
    outbox_.push_back(Message{id, qos, Stage::kQueued, std::move(packet)});
}

std::deque<OutgoingStore::Message>::iterator OutgoingStore::find(std::uint16_t id) {
    return std::find_if(inflight_.begin(), inflight_.end(), [id](const Message& m) { return m.id == id; });
}

void OutgoingStore::forget_packet(Message& m) {
    stored_bytes_ -= m.packet.size();
    std::vector<std::uint8_t>().swap(m.packet);
}

OutgoingStore::Ack OutgoingStore::on_puback(std::uint16_t id) {
    const auto it = find(id);
    if (it == inflight_.end() || it->stage != Stage::kWaitPuback) return Ack::kUnknown;
    forget_packet(*it);
    inflight_.erase(it);
    return Ack::kCompleted;
}

OutgoingStore::Ack OutgoingStore::on_pubrec(std::uint16_t id) {
    const auto it = find(id);
    if (it == inflight_.end()) return Ack::kUnknown;
    if (it->stage == Stage::kWaitPubrec) {
        // The broker owns the message now (§4.3.3): from here on only PUBREL is ever sent again.
        forget_packet(*it);
        it->stage = Stage::kWaitPubcomp;
        return Ack::kSendPubrel;
    }
    // A repeated PUBREC: our PUBREL may have been lost, send it again.
    return it->stage == Stage::kWaitPubcomp ? Ack::kSendPubrel : Ack::kUnknown;
}

OutgoingStore::Ack OutgoingStore::on_pubcomp(std::uint16_t id) {
    const auto it = find(id);
    if (it == inflight_.end() || it->stage != Stage::kWaitPubcomp) return Ack::kUnknown;
    inflight_.erase(it);
    return Ack::kCompleted;
}

}  // namespace luat_mqtt
