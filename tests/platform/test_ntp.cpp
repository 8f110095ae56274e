// The NTP packets of the module's SNTP client and of the simulated network's server, the link's
// NTP responder at the gateway, and the `clock` command's argument (docs/network.md, "Time").
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "net_test_support.hpp"
#include "platform_air780ep/module_clock.hpp"
#include "platform_air780ep/ntp_packet.hpp"
#include "platform_air780ep/ntp_responder.hpp"

using namespace platform_air780ep;

namespace {

constexpr Ipv4 kGateway = make_ipv4(10, 0, 2, 2);
constexpr Ipv4 kGuest = make_ipv4(10, 0, 2, 15);

std::vector<std::uint8_t> udp_frame(std::uint16_t dst_port, std::span<const std::uint8_t> payload) {
    return tests::guest_udp_frame(50001, dst_port, payload);
}

}  // namespace

TEST_CASE("NTP timestamps convert to and from Unix time, across the 2036 era boundary") {
    // 2025-10-28 08:10:53.250 UTC
    const NtpTimestamp t = ntp_timestamp_from_unix_ms(1761639053250);
    CHECK(t.seconds == 1761639053U + kNtpUnixOffset);
    CHECK(t.fraction == 0x40000000U);  // a quarter second
    CHECK(unix_ms_from_ntp(t) == 1761639053250);
    // 2040: the seconds field wrapped (era 1) and still reads as 2040.
    const NtpTimestamp late = ntp_timestamp_from_unix_ms(2208988800000LL);
    CHECK(late.seconds == 123010304U);  // 2208988800 + 2208988800 - 2^32
    CHECK(unix_ms_from_ntp(late) == 2208988800000LL);
    CHECK(unix_ms_from_ntp(NtpTimestamp{}) == 0);
}

TEST_CASE("LuatOS's request is 0x1B and its transmit timestamp; the reply echoes it as originate") {
    const NtpTimestamp mine{0x12345678U, 0x9ABCDEF0U};
    const auto request = make_ntp_request(mine);
    CHECK(request[0] == 0x1B);
    CHECK(std::all_of(request.begin() + 1, request.begin() + 40, [](std::uint8_t b) { return b == 0; }));
    CHECK(load_be32(request, 40) == 0x12345678U);

    const auto reply = make_ntp_reply(request, 1761639053250);
    REQUIRE(reply);
    const auto p = parse_ntp_packet(*reply);
    REQUIRE(p);
    CHECK(p->mode == 4);
    CHECK(p->version == 3);
    CHECK(p->leap == 0);
    CHECK(p->stratum == 1);
    CHECK(p->originate == mine);
    CHECK(unix_ms_from_ntp(p->receive) == 1761639053250);
    CHECK(unix_ms_from_ntp(p->transmit) == 1761639053250);

    // Not a client request: no answer.
    auto server_mode = request;
    server_mode[0] = 0x1C;
    CHECK_FALSE(make_ntp_reply(server_mode, 0));
    CHECK_FALSE(make_ntp_reply(std::span(request).first(47), 0));
    // The client reads 44 bytes or more, as LuatOS (NTP_RESP_SIZE).
    CHECK(parse_ntp_packet(std::span(*reply).first(44)));
    CHECK_FALSE(parse_ntp_packet(std::span(*reply).first(43)));
}

TEST_CASE("the link's NTP responder answers the gateway's port 123 from the skewed network time") {
    NetworkTime time;
    time.set_skew_seconds(3600);
    NtpResponder ntp(time, kGateway);
    const auto request = make_ntp_request({});
    const auto frame = udp_frame(kNtpPort, request);
    REQUIRE(ntp.is_request(frame));
    const std::int64_t before = host_unix_ms();
    const auto answer = ntp.answer(frame);
    const std::int64_t after = host_unix_ms();
    REQUIRE(answer);
    const auto& f = *answer;
    CHECK(load_be32(f, 26) == kGateway);
    CHECK(load_be32(f, 30) == kGuest);
    CHECK(load_be16(f, 34) == kNtpPort);
    CHECK(load_be16(f, 36) == 50001);
    CHECK(checksum_finish(checksum_add(std::span(f).subspan(kEthHeaderLen, kIpv4MinHeaderLen))) == 0);
    const auto p = parse_ntp_packet(std::span(f).subspan(kEthHeaderLen + kIpv4MinHeaderLen + kUdpHeaderLen));
    REQUIRE(p);
    CHECK(p->mode == 4);
    const std::int64_t served = unix_ms_from_ntp(p->transmit);
    CHECK(served >= before + 3600 * 1000);
    CHECK(served <= after + 3600 * 1000);

    // Other ports, other addresses and non-requests are not its business / get no answer.
    CHECK_FALSE(ntp.is_request(udp_frame(53, request)));
    auto elsewhere = frame;
    store_be32(elsewhere, 30, make_ipv4(8, 8, 8, 8));
    CHECK_FALSE(ntp.is_request(elsewhere));
    const std::uint8_t junk[] = {1, 2, 3};
    CHECK_FALSE(ntp.answer(udp_frame(kNtpPort, junk)));
}

TEST_CASE("the clock command takes +SECONDS, -SECONDS or 0") {
    std::string error;
    CHECK(parse_clock_skew("+3600", error) == std::optional<std::int64_t>(3600));
    CHECK(parse_clock_skew("-90", error) == std::optional<std::int64_t>(-90));
    CHECK(parse_clock_skew("0", error) == std::optional<std::int64_t>(0));
    for (const char* bad : {"3600", "+", "+1h", "+99999999999", "", "- 5"}) {
        error.clear();
        CHECK_FALSE(parse_clock_skew(bad, error));
        CHECK_FALSE(error.empty());
    }
}
