#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "platform_air780ep/frame_filter.hpp"
#include "platform_air780ep/gateway_firewall.hpp"

using namespace platform_air780ep;

namespace {

constexpr Ipv4 kGateway = make_ipv4(10, 0, 2, 2);
constexpr Ipv4 kGuest = make_ipv4(10, 0, 2, 15);

std::vector<std::uint8_t> ethernet(std::uint16_t type, std::size_t payload_len) {
    std::vector<std::uint8_t> f(kEthHeaderLen + payload_len, 0);
    for (int i = 0; i < 6; ++i)
        f[static_cast<std::size_t>(i)] = 0xFF;  // broadcast, as ARP requests are
    f[6] = 0x02;
    store_be16(f, 12, type);
    return f;
}

std::vector<std::uint8_t> arp(std::uint16_t op, Ipv4 sender, Ipv4 target) {
    auto f = ethernet(kEtherTypeArp, 28);
    store_be16(f, 14, 1);
    store_be16(f, 16, kEtherTypeIpv4);
    f[18] = 6;
    f[19] = 4;
    store_be16(f, 20, op);
    store_be32(f, 28, sender);
    store_be32(f, 38, target);
    return f;
}

std::vector<std::uint8_t> ipv4(Ipv4 src, Ipv4 dst, std::uint8_t proto = kIpProtoTcp,
                               std::size_t payload = 20) {
    auto f = ethernet(kEtherTypeIpv4, kIpv4MinHeaderLen + payload);
    f[14] = 0x45;
    store_be16(f, 16, static_cast<std::uint16_t>(kIpv4MinHeaderLen + payload));
    f[22] = 64;
    f[23] = proto;
    store_be32(f, 26, src);
    store_be32(f, 30, dst);
    return f;
}

}  // namespace

TEST_CASE("only frames addressed to the gateway pass the safety filter") {
    // ARP asking for the gateway, and ARP replies to it, pass.
    CHECK(classify_guest_frame(arp(1, kGuest, kGateway), kGateway) == FrameVerdict::kPass);
    CHECK(classify_guest_frame(arp(2, kGuest, kGateway), kGateway) == FrameVerdict::kPass);
    // IPv4 to the gateway (TCP, UDP) passes.
    CHECK(classify_guest_frame(ipv4(kGuest, kGateway), kGateway) == FrameVerdict::kPass);
    CHECK(classify_guest_frame(ipv4(kGuest, kGateway, kIpProtoUdp), kGateway) == FrameVerdict::kPass);

    // ARP for anyone else (a gratuitous ARP for ourselves, another host) is dropped.
    CHECK(classify_guest_frame(arp(1, kGuest, kGuest), kGateway) == FrameVerdict::kDropNotGateway);
    CHECK(classify_guest_frame(arp(1, kGuest, make_ipv4(10, 0, 2, 3)), kGateway) ==
          FrameVerdict::kDropNotGateway);
    // IPv4 to a real address, the subnet broadcast, the limited broadcast, loopback: dropped.
    for (Ipv4 dst : {make_ipv4(8, 8, 8, 8), make_ipv4(192, 168, 1, 1), make_ipv4(10, 0, 2, 255),
                     make_ipv4(255, 255, 255, 255), make_ipv4(127, 0, 0, 1), make_ipv4(10, 0, 2, 3)}) {
        CAPTURE(ipv4_to_string(dst));
        CHECK(classify_guest_frame(ipv4(kGuest, dst), kGateway) == FrameVerdict::kDropNotGateway);
    }
    // Other EtherTypes (IPv6, VLAN) are dropped.
    CHECK(classify_guest_frame(ethernet(0x86DD, 40), kGateway) == FrameVerdict::kDropOtherType);
    CHECK(classify_guest_frame(ethernet(0x8100, 40), kGateway) == FrameVerdict::kDropOtherType);
}

TEST_CASE("malformed frames are dropped by the safety filter") {
    CHECK(classify_guest_frame(std::vector<std::uint8_t>(10, 0), kGateway) == FrameVerdict::kDropMalformed);
    auto truncated_arp = arp(1, kGuest, kGateway);
    truncated_arp.resize(30);
    CHECK(classify_guest_frame(truncated_arp, kGateway) == FrameVerdict::kDropMalformed);
    auto bad_version = ipv4(kGuest, kGateway);
    bad_version[14] = 0x65;
    CHECK(classify_guest_frame(bad_version, kGateway) == FrameVerdict::kDropMalformed);
    auto lying_length = ipv4(kGuest, kGateway);
    store_be16(lying_length, 16, 1400);  // longer than the frame
    CHECK(classify_guest_frame(lying_length, kGateway) == FrameVerdict::kDropMalformed);
    auto short_header = ipv4(kGuest, kGateway);
    short_header[14] = 0x44;  // IHL 4 = 16 bytes < 20
    CHECK(classify_guest_frame(short_header, kGateway) == FrameVerdict::kDropMalformed);
}

TEST_CASE("the frame filter counts what it passes and drops") {
    FrameFilter filter(kGateway);
    CHECK(filter.admit(arp(1, kGuest, kGateway)));
    CHECK(filter.admit(ipv4(kGuest, kGateway)));
    CHECK_FALSE(filter.admit(ipv4(kGuest, make_ipv4(1, 1, 1, 1))));
    CHECK_FALSE(filter.admit(arp(1, kGuest, kGuest)));
    CHECK_FALSE(filter.admit(ethernet(0x86DD, 40)));
    CHECK(filter.counts().passed == 2);
    CHECK(filter.counts().dropped == 3);
}

namespace {

std::vector<std::uint8_t> tcp_segment(std::uint16_t dst_port, std::uint8_t flags, std::uint32_t seq) {
    auto f = ipv4(kGuest, kGateway, kIpProtoTcp, 20);
    store_be16(f, 34, 40000);  // source port
    store_be16(f, 36, dst_port);
    store_be32(f, 38, seq);
    f[46] = 0x50;  // data offset 5
    f[47] = flags;
    return f;
}

}  // namespace

TEST_CASE(
    "the gateway firewall: only ports the host map names for this host pass; a SYN elsewhere gets a reset") {
    HostMap hosts;
    GatewayFirewall firewall(hosts, kGateway);
    CHECK(firewall.check(tcp_segment(22, 0x02, 1000)));  // an empty map names nothing
    hosts.add("broker.test", HostTarget{"127.0.0.1", 1883});
    hosts.add("far.test", HostTarget{"192.0.2.1", 2222});  // not this host: opens nothing here
    CHECK_FALSE(firewall.check(tcp_segment(1883, 0x02, 1000)));
    CHECK(firewall.check(tcp_segment(2222, 0x02, 1000)));
    CHECK_FALSE(firewall.check(ipv4(kGuest, kGateway, 1, 8)));  // ICMP is slirp's own business

    const auto refused = firewall.check(tcp_segment(22, 0x02, 1000));
    REQUIRE(refused);
    CHECK(refused->destination == "TCP 10.0.2.2:22");
    CHECK(refused->log);
    const auto& rst = refused->reply;
    REQUIRE(rst.size() == kEthHeaderLen + 40);
    CHECK(load_be32(rst, 26) == kGateway);
    CHECK(load_be32(rst, 30) == kGuest);
    CHECK(load_be16(rst, 34) == 22);
    CHECK(load_be16(rst, 36) == 40000);
    CHECK(load_be32(rst, 42) == 1001);  // acknowledges the SYN
    CHECK(rst[47] == 0x14);             // RST|ACK
    // Checksums verify: the IP header's and the TCP segment's (with its pseudo header) sum to zero.
    CHECK(checksum_finish(checksum_add(std::span(rst).subspan(14, 20))) == 0);
    std::uint32_t sum = checksum_add(std::span(rst).subspan(26, 8)) + kIpProtoTcp + 20;
    CHECK(checksum_finish(checksum_add(std::span(rst).subspan(34, 20), sum)) == 0);

    // A stray ACK is reset without a log line; a reset is never answered; UDP is dropped with a line.
    const auto ack = firewall.check(tcp_segment(22, 0x10, 5));
    REQUIRE(ack);
    CHECK_FALSE(ack->log);
    CHECK(ack->reply[47] == 0x04);
    CHECK(firewall.check(tcp_segment(22, 0x04, 5))->reply.empty());
    const auto udp = firewall.check(ipv4(kGuest, kGateway, kIpProtoUdp, 8));
    REQUIRE(udp);
    CHECK(udp->reply.empty());
    CHECK(udp->log);

    // An entry naming this host without a port opens every port.
    hosts.add("127.0.0.1", HostTarget{"127.0.0.1", std::nullopt});
    CHECK_FALSE(firewall.check(tcp_segment(22, 0x02, 1000)));
}
