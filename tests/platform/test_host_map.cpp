#include <catch2/catch.hpp>

#include "net_test_support.hpp"
#include "platform_air780ep/dns_responder.hpp"
#include "platform_air780ep/host_map.hpp"

using namespace platform_air780ep;

TEST_CASE("host map entries parse NAME=ADDR[:PORT]") {
    HostMap map;
    std::string error;
    REQUIRE(map.add("lbsmqtt.airm2m.com=127.0.0.1:41234", error));
    REQUIRE(map.add("Broker.Example.COM=localhost", error));
    REQUIRE(map.add("120.55.1.1=127.0.0.1:1883", error));
    REQUIRE(map.add("eth.test=192.168.1.50", error));

    const HostTarget* t = map.find("LBSMQTT.airm2m.com");
    REQUIRE(t != nullptr);
    CHECK(t->address == "127.0.0.1");
    CHECK(t->port == std::optional<std::uint16_t>(41234));
    REQUIRE(map.find("broker.example.com.") != nullptr);  // fully qualified, any case
    CHECK(map.find("broker.example.com")->port == std::nullopt);
    CHECK(map.find("unknown.test") == nullptr);

    // A port in the entry replaces the script's; without one the script's stays.
    auto r = map.route("lbsmqtt.airm2m.com", 1884);
    CHECK(r.host == "127.0.0.1");
    CHECK(r.port == 41234);
    CHECK(r.mapped);
    r = map.route("broker.example.com", 8883);
    CHECK(r.host == "localhost");
    CHECK(r.port == 8883);
    r = map.route("120.55.1.1", 1884);
    CHECK(r.host == "127.0.0.1");
    CHECK(r.port == 1883);
    r = map.route("other.test", 1883);
    CHECK(r.host == "other.test");
    CHECK(r.port == 1883);
    CHECK_FALSE(r.mapped);

    // A later entry replaces an earlier one.
    REQUIRE(map.add("lbsmqtt.airm2m.com=127.0.0.1:5000", error));
    CHECK(map.route("lbsmqtt.airm2m.com", 1884).port == 5000);
    CHECK(map.entries().size() == 4);
}

TEST_CASE("bad host map entries are refused with a message") {
    HostMap map;
    std::string error;
    CHECK_FALSE(map.add("no-equals-sign", error));
    CHECK(error == "host map entry 'no-equals-sign' is not NAME=ADDR[:PORT]");
    CHECK_FALSE(map.add("a.test=127.0.0.1:0", error));
    CHECK(error == "host map entry 'a.test=127.0.0.1:0': bad port '0'");
    CHECK_FALSE(map.add("a.test=127.0.0.1:70000", error));
    CHECK_FALSE(map.add("a.test=127.0.0.1:", error));
    CHECK_FALSE(map.add("a.test=127.0.0.1:12x", error));
    CHECK_FALSE(map.add("=127.0.0.1", error));
    CHECK(error == "host map entry '=127.0.0.1': bad name ''");
    CHECK_FALSE(map.add("a..test=127.0.0.1", error));
    CHECK_FALSE(map.add("a.test=", error));
    CHECK(error == "host map entry 'a.test=': bad address ''");
    CHECK_FALSE(map.add("a.test=bad host", error));
    CHECK(map.empty());
}

TEST_CASE("loopback hosts and IPv4 literals") {
    CHECK(is_loopback_host("127.0.0.1"));
    CHECK(is_loopback_host("127.1.2.3"));
    CHECK(is_loopback_host("LocalHost"));
    CHECK_FALSE(is_loopback_host("10.0.2.2"));
    CHECK_FALSE(is_loopback_host("localhost.example"));
    CHECK(parse_ipv4("10.0.2.2") == std::optional<Ipv4>(make_ipv4(10, 0, 2, 2)));
    CHECK(parse_ipv4("255.255.255.255") == std::optional<Ipv4>(0xFFFFFFFFu));
    CHECK_FALSE(parse_ipv4("256.0.0.1"));
    CHECK_FALSE(parse_ipv4("1.2.3"));
    CHECK_FALSE(parse_ipv4("1.2.3.4.5"));
    CHECK_FALSE(parse_ipv4("01.2.3.4"));
    CHECK_FALSE(parse_ipv4("a.b.c.d"));
    CHECK(ipv4_to_string(make_ipv4(10, 0, 2, 15)) == "10.0.2.15");
}

namespace {

constexpr Ipv4 kGateway = make_ipv4(10, 0, 2, 2);
constexpr Ipv4 kGuest = make_ipv4(10, 0, 2, 15);

// An Ethernet/IPv4/UDP DNS query for `name`, type A, from the guest's port 49152.
std::vector<std::uint8_t> dns_query(const std::string& name, std::uint16_t id, std::uint16_t qtype = 1) {
    std::vector<std::uint8_t> dns = {static_cast<std::uint8_t>(id >> 8),
                                     static_cast<std::uint8_t>(id),
                                     0x01,
                                     0x00,
                                     0,
                                     1,
                                     0,
                                     0,
                                     0,
                                     0,
                                     0,
                                     0};
    std::size_t start = 0;
    while (start <= name.size()) {
        auto dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        dns.push_back(static_cast<std::uint8_t>(dot - start));
        dns.insert(dns.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
                   name.begin() + static_cast<std::ptrdiff_t>(dot));
        start = dot + 1;
    }
    dns.push_back(0);
    dns.insert(dns.end(), {static_cast<std::uint8_t>(qtype >> 8), static_cast<std::uint8_t>(qtype), 0, 1});
    return tests::guest_udp_frame(49152, kDnsPort, dns);
}

std::span<const std::uint8_t> dns_part(const std::vector<std::uint8_t>& frame) {
    return std::span<const std::uint8_t>(frame).subspan(kEthHeaderLen + kIpv4MinHeaderLen + kUdpHeaderLen);
}

}  // namespace

TEST_CASE("the link's DNS answers mapped names with the gateway and others with NXDOMAIN") {
    HostMap map;
    std::string error;
    REQUIRE(map.add("lbsmqtt.airm2m.com=127.0.0.1:41234", error));
    REQUIRE(map.add("far.test=192.168.7.7", error));
    DnsResponder dns(map, kGateway);

    const auto query = dns_query("LBSMQTT.airm2m.com", 0x1234);
    REQUIRE(dns.is_query(query));
    const auto answer = dns.answer(query);
    REQUIRE(answer);
    CHECK(answer->name == "lbsmqtt.airm2m.com");
    CHECK(answer->address == std::optional<Ipv4>(kGateway));
    const auto& f = answer->frame;
    // Back to the asker: MACs swapped, gateway -> guest, port 53 -> 49152, valid IP checksum.
    CHECK(std::vector<std::uint8_t>(f.begin(), f.begin() + 6) ==
          std::vector<std::uint8_t>(query.begin() + 6, query.begin() + 12));
    CHECK(load_be32(f, 26) == kGateway);
    CHECK(load_be32(f, 30) == kGuest);
    CHECK(load_be16(f, 34) == kDnsPort);
    CHECK(load_be16(f, 36) == 49152);
    CHECK(checksum_finish(checksum_add(std::span(f).subspan(kEthHeaderLen, kIpv4MinHeaderLen))) == 0);
    const auto msg = dns_part(f);
    CHECK(load_be16(msg, 0) == 0x1234);  // id
    CHECK(load_be16(msg, 2) == 0x8580);  // response, AA, RD, RA, NOERROR
    CHECK(load_be16(msg, 4) == 1);       // one question
    CHECK(load_be16(msg, 6) == 1);       // one answer
    CHECK(load_be32(msg, msg.size() - 4) == kGateway);
    CHECK(load_be32(msg, msg.size() - 10) == 0);  // TTL 0: nothing cached

    const auto unknown = dns.answer(dns_query("nowhere.test", 7));
    REQUIRE(unknown);
    CHECK_FALSE(unknown->address);
    CHECK(load_be16(dns_part(unknown->frame), 2) == 0x8583);  // NXDOMAIN
    CHECK(load_be16(dns_part(unknown->frame), 6) == 0);
    CHECK(unknown->reason ==
          "nowhere.test is not in the host map (use --host nowhere.test=127.0.0.1[:PORT])");

    // Mapped somewhere the link cannot reach: NXDOMAIN, and the reason says so.
    const auto far = dns.answer(dns_query("far.test", 8));
    REQUIRE(far);
    CHECK_FALSE(far->address);
    CHECK(far->reason ==
          "host map sends far.test to 192.168.7.7, which the simulated cellular link cannot reach (only the "
          "host's loopback)");

    // localhost is this host; AAAA gets an empty NOERROR answer (IPv4 only).
    CHECK(dns.answer(dns_query("localhost", 9))->address == std::optional<Ipv4>(kGateway));
    const auto aaaa = dns.answer(dns_query("lbsmqtt.airm2m.com", 10, 28));
    CHECK(load_be16(dns_part(aaaa->frame), 2) == 0x8580);
    CHECK(load_be16(dns_part(aaaa->frame), 6) == 0);

    // Not DNS / not to the gateway: not ours.
    auto to_other = query;
    store_be32(to_other, 30, make_ipv4(8, 8, 8, 8));
    CHECK_FALSE(dns.is_query(to_other));
    auto truncated = query;
    truncated.resize(truncated.size() - 3);
    store_be16(truncated, 16, static_cast<std::uint16_t>(truncated.size() - kEthHeaderLen));
    store_be16(truncated, 38,
               static_cast<std::uint16_t>(truncated.size() - kEthHeaderLen - kIpv4MinHeaderLen));
    const auto formerr = dns.answer(truncated);
    REQUIRE(formerr);
    CHECK((load_be16(dns_part(formerr->frame), 2) & 0xF) == 1);  // FORMERR
}

TEST_CASE(
    "host forms as lwIP's ipaddr_aton reads them: every IPv4 literal form, and names no query can carry") {
    const Ipv4 loopback = make_ipv4(127, 0, 0, 1);
    for (const char* literal : {"127.0.0.1", "127.1", "127.0.1", "0x7f000001", "0X7F000001", "2130706433",
                                "017700000001", "0177.0.0.1", "0x7f.1", "127.0.0.1 trailing"}) {
        INFO(literal);
        CHECK(parse_ipv4_any_form(literal) == std::optional<Ipv4>(loopback));
        CHECK(classify_host(literal).kind == HostForm::Kind::kLiteral);
    }
    CHECK(parse_ipv4_any_form("0") == std::optional<Ipv4>(0));
    CHECK(parse_ipv4_any_form("1.2.3.4") == std::optional<Ipv4>(make_ipv4(1, 2, 3, 4)));
    for (const char* not_literal : {"", "x", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "1.16777216", "08",
                                    "1.2.3.4x", "127.0.0.1.", ".1", "0x1g", "1..2"}) {
        INFO(not_literal);
        CHECK_FALSE(parse_ipv4_any_form(not_literal));
    }

    CHECK(classify_host("broker.test").kind == HostForm::Kind::kName);
    CHECK(classify_host("256.1.1.1").kind == HostForm::Kind::kName);  // asked of DNS, as on the module
    CHECK(classify_host(std::string(63, 'a') + ".b").kind == HostForm::Kind::kName);
    CHECK(classify_host("").reason == "an empty host name");
    CHECK(classify_host("localhost.").reason ==
          "a trailing dot (the module's DNS client would send an empty label)");
    CHECK(classify_host("a..b").reason == "an empty label in the host name (two dots, or a leading dot)");
    CHECK(classify_host(".a").kind == HostForm::Kind::kInvalid);
    CHECK(classify_host(std::string(64, 'a')).reason == "a label of 64 characters (at most 63)");
    CHECK(classify_host(std::string(256, 'a')).reason == "a host name of 256 characters (at most 255)");

    // A literal in another form matches a map entry for its dotted quad.
    HostMap map;
    map.add("127.0.0.1", HostTarget{"127.0.0.1", 41234});
    const auto r = map.route("127.1", classify_host("127.1"), 1883);
    CHECK(r.mapped);
    CHECK(r.port == 41234);
}
