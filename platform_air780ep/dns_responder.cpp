#include "platform_air780ep/dns_responder.hpp"

#include <algorithm>

namespace platform_air780ep {

namespace {

constexpr std::size_t kDnsHeaderLen = 12;
constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kClassIn = 1;
constexpr std::uint16_t kRcodeNxDomain = 3;
constexpr std::uint16_t kRcodeFormErr = 1;

struct Question {
    std::string name;
    std::size_t end;  // offset just past QTYPE/QCLASS
    std::uint16_t type;
    std::uint16_t klass;
};

// The first question of a DNS message. No compression pointers are expected in a query.
std::optional<Question> parse_question(std::span<const std::uint8_t> msg) {
    std::size_t pos = kDnsHeaderLen;
    std::string name;
    while (true) {
        if (pos >= msg.size()) return std::nullopt;
        const std::size_t len = msg[pos++];
        if (len == 0) break;
        if (len > 63 || pos + len > msg.size()) return std::nullopt;
        if (!name.empty()) name += '.';
        name.append(reinterpret_cast<const char*>(msg.data() + pos), len);
        pos += len;
        if (name.size() > 253) return std::nullopt;
    }
    if (pos + 4 > msg.size()) return std::nullopt;
    return Question{lower_case(name), pos + 4, load_be16(msg, pos), load_be16(msg, pos + 2)};
}

}  // namespace

bool DnsResponder::is_query(std::span<const std::uint8_t> frame) const {
    const auto ip = parse_ipv4_frame(frame);
    if (!ip || ip->protocol != kIpProtoUdp || ip->destination != gateway_) return false;
    const std::size_t udp = ip->offset + ip->header_len;
    if (udp + kUdpHeaderLen > ip->offset + ip->total_len) return false;
    return load_be16(frame, udp + 2) == kDnsPort;
}

std::optional<Ipv4> DnsResponder::resolve(const std::string& name, std::string& reason) const {
    if (const HostTarget* target = hosts_.find(name)) {
        if (is_loopback_host(target->address)) {
            reason = "host map: " + name + " -> " + target->address;
            return gateway_;
        }
        reason = "host map sends " + name + " to " + target->address +
                 ", which the simulated cellular link cannot reach (only the host's loopback)";
        return std::nullopt;
    }
    if (is_loopback_host(name)) {
        reason = name + " is this host";
        return gateway_;
    }
    reason = name + " is not in the host map (use --host " + name + "=127.0.0.1[:PORT])";
    return std::nullopt;
}

std::optional<DnsAnswer> DnsResponder::answer(std::span<const std::uint8_t> frame) const {
    if (!is_query(frame)) return std::nullopt;
    const auto ip = parse_ipv4_frame(frame);
    const std::size_t udp = ip->offset + ip->header_len;
    const std::size_t udp_len = load_be16(frame, udp + 4);
    if (udp_len < kUdpHeaderLen + kDnsHeaderLen || udp + udp_len > ip->offset + ip->total_len)
        return std::nullopt;
    const auto query = frame.subspan(udp + kUdpHeaderLen, udp_len - kUdpHeaderLen);
    const std::uint16_t flags = load_be16(query, 2);
    if ((flags & 0x8000) != 0) return std::nullopt;  // a response, not a query
    const auto question = load_be16(query, 4) >= 1 ? parse_question(query) : std::nullopt;

    DnsAnswer result;
    std::uint16_t rcode = 0;
    if (!question || ((flags >> 11) & 0xF) != 0) {
        rcode = kRcodeFormErr;
        result.reason = "malformed query";
    } else {
        result.name = question->name;
        if (question->klass == kClassIn) result.address = resolve(question->name, result.reason);
        if (!result.address) {
            rcode = kRcodeNxDomain;
        } else if (question->type != kTypeA) {
            result.address.reset();  // the name exists, with no record of that type (IPv4 only)
            result.reason += " (no record of type " + std::to_string(question->type) + ")";
        }
    }

    // DNS message: header, the question echoed, at most one A record (name by pointer to 0x0C).
    std::vector<std::uint8_t> dns(kDnsHeaderLen);
    const std::size_t question_end = question ? question->end : kDnsHeaderLen;
    dns.insert(dns.end(), query.begin() + kDnsHeaderLen,
               query.begin() + static_cast<std::ptrdiff_t>(question_end));
    store_be16(dns, 0, load_be16(query, 0));  // id
    // QR, opcode 0, AA, RD copied, RA, rcode
    store_be16(dns, 2, static_cast<std::uint16_t>(0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode));
    store_be16(dns, 4, question ? 1 : 0);
    store_be16(dns, 6, result.address ? 1 : 0);
    if (result.address) {
        const std::uint8_t record[] = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0};
        const std::size_t at = dns.size();
        dns.insert(dns.end(), std::begin(record), std::end(record));
        store_be32(dns, at + 12, *result.address);
    }

    result.frame = make_udp_reply(frame, gateway_, kDnsPort, dns);
    return result;
}

}  // namespace platform_air780ep
