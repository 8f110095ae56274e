#include "rig.hpp"

#include <catch2/catch.hpp>

namespace tests {

namespace {

std::string quoted(Bytes b) {
    return "'" + std::string(as_text(b)) + "'";
}

}  // namespace

std::string describe_event(const Event& e) {
    std::string s = to_string(e.type);
    switch (e.type) {
        case EventType::kRecv:
            s += " " + std::string(e.topic) + " " + quoted(e.payload) +
                 " id=" + std::to_string(e.meta.message_id) + " q" + std::to_string(e.meta.qos) + " r" +
                 std::to_string(e.meta.retain) + " d" + std::to_string(e.meta.dup);
            break;
        case EventType::kSent:
        case EventType::kDisconnect:
            s += " " + std::to_string(e.value);
            break;
        case EventType::kSuback:
            s += std::string(e.ok ? " true " : " false ") + std::to_string(e.value);
            break;
        case EventType::kError:
            s += std::string(" ") + to_string(e.error_kind) + " " + std::to_string(e.value);
            break;
        default:
            break;
    }
    return s;
}

std::vector<std::string> Rig::events() {
    std::vector<std::string> out;
    EventQueue::Item item;
    while (s.events().pop(item)) {
        if (item.is_log) {
            logs.emplace_back(item.log_text);
        } else {
            out.push_back(describe_event(item.event));
        }
    }
    return out;
}

std::vector<ByteVec> Rig::sent_raw() {
    ByteQueue& q = s.output();
    std::vector<ByteVec> packets = split_packets(q.data());
    q.consume(q.size());
    return packets;
}

std::vector<std::string> Rig::sent() {
    std::vector<std::string> out;
    for (const ByteVec& p : sent_raw())
        out.push_back(describe_packet(p));
    return out;
}

std::vector<std::string> Rig::requests() {
    std::vector<std::string> out;
    TransportRequest r{};
    while (s.take_transport_request(r))
        out.emplace_back(r == TransportRequest::kOpen ? "open" : "close");
    return out;
}

void Rig::run_until(std::uint64_t t) {
    for (auto d = s.next_deadline(); d && *d <= t; d = s.next_deadline()) {
        if (*d > clock.now) clock.now = *d;
        s.on_time();
    }
    clock.now = t;
}

void Rig::connect_ok(bool session_present) {
    REQUIRE(s.connect());
    REQUIRE(requests() == std::vector<std::string>{"open"});
    REQUIRE(s.state() == ConnectionState::kConnecting);
    s.on_transport_connected();
    REQUIRE(s.state() == ConnectionState::kAwaitingConnack);
    const auto packets = sent();
    REQUIRE(packets.size() == 1);
    REQUIRE(packets[0].rfind("CONNECT ", 0) == 0);
    broker_packet(ConnackPacket{session_present, 0});
    REQUIRE(s.state() == ConnectionState::kReady);
    REQUIRE(events() == std::vector<std::string>{"conack"});
}

}  // namespace tests
