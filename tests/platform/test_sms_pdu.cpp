// SMS PDUs: LuatOS's SUBMIT coding (with its quirks), the SMS centre's DELIVER and STATUS-REPORT
// PDUs, LuatOS's unpacking of them.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "platform_air780ep/sms_pdu.hpp"

using namespace platform_air780ep::sms_pdu;

namespace {

std::string hex(const std::vector<std::uint8_t>& v) {
    return to_hex(v);
}

const Timestamp kTime{26, 12, 2, 9, 30, 5, 32};

}  // namespace

TEST_CASE("sms pdu: LuatOS's SUBMIT of a short GSM text to a service number (the demo's 10001, 102)") {
    std::uint8_t ref = 254;
    const SubmitMessage m = prepare_submit("10001", "102", true, false, ref);
    REQUIRE(m.parts.size() == 1);
    // no SMSC, SUBMIT, MR 0, 5 digits of unknown type (01 00 F1), PID, DCS 0, UDL 3, "102" packed
    CHECK(hex(build_submit(m.parts[0])) == "00010005810100F100000331980C");
    CHECK(build_submit(m.parts[0]).size() == 14);  // what sms.send logs: "pdu len 14"
    CHECK(ref == 254);
}

TEST_CASE("sms pdu: phone numbers as LuatOS fixes them") {
    std::uint8_t ref = 0;
    auto submit_hex = [&](const char* phone, bool auto_phone) {
        return hex(build_submit(prepare_submit(phone, "a", auto_phone, false, ref).parts.at(0)));
    };
    CHECK(submit_hex("+8613800138000", true) ==
          "0001000D91683108108300F0000001"
          "61");
    CHECK(submit_hex("13800138000", true) ==
          "0001000D91683108108300F0000001"
          "61");  // 11 digits from 1: +86
    CHECK(submit_hex("13800138000", false) ==
          "0001000B813108108300F0000001"
          "61");
    CHECK(submit_hex("8613800138000", false) ==
          "0001000D91683108108300F0000001"
          "61");
    CHECK(submit_hex("12345", true) ==
          "00010005812143F5000001"
          "61");
}

TEST_CASE("sms pdu: a status report request sets SRR and a 30-minute validity") {
    std::uint8_t ref = 0;
    const SubmitMessage m = prepare_submit("10086", "hi", true, true, ref);
    CHECK(hex(build_submit(m.parts.at(0))) == "00310005810180F600000502E834");
}

TEST_CASE("sms pdu: non-GSM text goes as UCS2, through LuatOS's UTF-8 reading") {
    CHECK(hex(luatos_utf8_to_ucs2("A\xe4\xbd\xa0")) == "00414F60");  // A, 你
    // Every non-ASCII byte starts a three-byte sequence: é (C3 A9) swallows the next byte.
    CHECK(hex(luatos_utf8_to_ucs2("\xc3\xa9!")) == "3A61");
    CHECK(gsm7_septet_count("a`b") == -1);
    CHECK(gsm7_septet_count("[x]") == 5);
    std::uint8_t ref = 0;
    const SubmitMessage m = prepare_submit("10086", "\xe4\xbd\xa0\xe5\xa5\xbd", true, false, ref);
    CHECK(hex(build_submit(m.parts.at(0))) == "00010005810180F60008044F60597D");
    CHECK(luatos_ucs2_hex_to_utf8("4F60597D") == "\xe4\xbd\xa0\xe5\xa5\xbd");
    CHECK(luatos_ucs2_hex_to_utf8("00410000FFFF") == "A");  // stops at U+0000
    // A surrogate pair comes out as two three-byte sequences (CESU-8), as LuatOS codes it.
    CHECK(luatos_ucs2_hex_to_utf8("D83DDE00") == "\xed\xa0\xbd\xed\xb8\x80");
}

TEST_CASE("sms pdu: long texts in parts of 153 septets or 134 bytes, with LuatOS's reference") {
    std::uint8_t ref = 254;
    const SubmitMessage gsm = prepare_submit("10086", std::string(161, 'a'), true, false, ref);
    CHECK(ref == 0);
    REQUIRE(gsm.parts.size() == 2);
    CHECK(gsm.parts[0].udl == 160);
    CHECK(gsm.parts[1].udl == 7 + 8);
    CHECK(gsm.parts[1].seq_num == 2);
    CHECK(gsm.parts[1].max_num == 2);
    const std::vector<std::uint8_t> p2 = build_submit(gsm.parts[1]);
    CHECK(hex(p2).starts_with("00410005810180F600000F050003000202"));
    const SubmitMessage ucs =
        prepare_submit("10086", std::string(70, 'a') + "\xe4\xbd\xa0", true, false, ref);
    CHECK(ref == 1);
    REQUIRE(ucs.parts.size() == 2);  // 140 bytes fit one SMS, 142 do not
    CHECK(ucs.parts[0].payload.size() == 134);
    CHECK(ucs.parts[1].payload.size() == 8);
    CHECK(ucs.parts[1].udl == 14);
    std::string error;
    const auto parsed = parse_submit(build_submit(ucs.parts[1]), error);
    REQUIRE(parsed);
    CHECK(parsed->text == "aaa\xe4\xbd\xa0");
    CHECK(parsed->ref == 1);
    CHECK(parsed->seq == 2);
    CHECK(parsed->max == 2);
    const auto parsed_gsm = parse_submit(p2, error);
    REQUIRE(parsed_gsm);
    CHECK(parsed_gsm->text == std::string(8, 'a'));
    CHECK(parsed_gsm->destination == "10086");
}

TEST_CASE("sms pdu: a DELIVER from the SMS centre as LuatOS unpacks it") {
    const auto pdus = build_deliver("+8613800138000", "hello {world}", kTime, 7);
    REQUIRE(pdus.size() == 1);
    const auto r = unpack(pdus[0]);
    REQUIRE(r);
    CHECK_FALSE(r->status_report);
    CHECK(r->phone == "8613800138000");  // no '+'
    CHECK(r->buffer == "hello {world}");
    CHECK(r->alphabet == 0);
    CHECK(r->max == 0);
    CHECK(r->seq == 0);
    CHECK(r->year == 26);
    CHECK(r->month == 12);
    CHECK(r->day == 2);
    CHECK(r->hour == 9);
    CHECK(r->minute == 30);
    CHECK(r->second == 5);

    const auto u = unpack(build_deliver("10086", "\xe4\xbd\xa0\xe5\xa5\xbd", kTime, 7).at(0));
    REQUIRE(u);
    CHECK(u->alphabet == 8);
    CHECK(u->buffer == "4F60597D");
    CHECK(u->phone == "10086");
}

TEST_CASE("sms pdu: long DELIVERs carry reference, count and sequence, every character survives") {
    std::string text;
    for (int i = 0; i < 40; ++i)
        text += "abc[]{}~|^\\$@_0123 ";  // extension characters take two septets
    const auto pdus = build_deliver("10086", text, kTime, 42);
    REQUIRE(pdus.size() > 1);
    std::string joined;
    for (std::size_t i = 0; i < pdus.size(); ++i) {
        const auto r = unpack(pdus[i]);
        REQUIRE(r);
        CHECK(r->ref == 42);
        CHECK(r->max == static_cast<int>(pdus.size()));
        CHECK(r->seq == static_cast<int>(i + 1));
        joined += r->buffer;
    }
    CHECK(joined == text);
    // A full single SMS of 160 septets.
    const auto full = unpack(build_deliver("10086", std::string(160, 'z'), kTime, 0).at(0));
    REQUIRE(full);
    CHECK(full->buffer == std::string(160, 'z'));
    // UCS2 in 67-unit parts; a surrogate pair is not cut.
    std::string emoji;
    for (int i = 0; i < 40; ++i)
        emoji += "\xf0\x9f\x98\x80";
    const auto ucs = build_deliver("10086", emoji, kTime, 1);
    REQUIRE(ucs.size() == 2);
    const auto first = unpack(ucs[0]);
    REQUIRE(first);
    CHECK(first->buffer.size() == 132 * 2);
}

TEST_CASE("sms pdu: a STATUS-REPORT as LuatOS unpacks it") {
    const Timestamp dt{26, 12, 2, 9, 31, 7, 32};
    const auto r = unpack(build_status_report(5, "10086", 0x81, kTime, dt, 0));
    REQUIRE(r);
    CHECK(r->status_report);
    CHECK(r->message_reference == 5);
    CHECK(r->phone == "10086");
    CHECK(r->discharge_time == "26-12-02 09:31:07");
    CHECK(r->status == 0);
}

TEST_CASE("sms pdu: malformed PDUs are refused, not read past their end") {
    using Bytes = std::vector<std::uint8_t>;
    CHECK_FALSE(unpack(Bytes{}));
    CHECK_FALSE(unpack(Bytes{0x00}));
    CHECK_FALSE(unpack(Bytes{0x00, 0x04, 0x05}));
    CHECK_FALSE(unpack(Bytes{0x20}));
    std::string error;
    CHECK_FALSE(parse_submit(Bytes{}, error));
    CHECK_FALSE(parse_submit(Bytes{0x00, 0x04, 0x00, 0x05, 0x81}, error));
    CHECK(error == "not an SMS-SUBMIT");
    CHECK_FALSE(parse_submit(Bytes{0x00, 0x01, 0x00, 0x05, 0x81, 0x01}, error));
    CHECK(error == "PDU too short for its destination");
}

// The PDUs of LuatOS's own SMS testcase (testcase/func/network/sms/scripts/sms_test.lua), captured
// from real networks, through the same unpacking and text decoding the sms module uses.
namespace {

struct Decoded {
    std::string phone;
    std::string text;
    int ref = 0;
    int max = 0;
    int seq = 0;
};

Decoded decode_hex(const std::string& hex_pdu) {
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i + 1 < hex_pdu.size(); i += 2)
        bytes.push_back(static_cast<std::uint8_t>(std::stoi(hex_pdu.substr(i, 2), nullptr, 16)));
    const auto r = unpack(bytes);
    REQUIRE(r);
    return Decoded{r->phone, r->alphabet == 0 ? r->buffer : luatos_ucs2_hex_to_utf8(r->buffer), r->ref,
                   r->max, r->seq};
}

}  // namespace

TEST_CASE(
    "sms pdu: LuatOS's testcase PDUs: a GSM SMS, UCS2 in three scripts, long SMS with 8- and 16-bit "
    "references") {
    const Decoded single =
        decode_hex("07919761989900F0040B919761564321F60000911060317391800AE8329BFD4697D9EC37");
    CHECK(single.phone == "79166534126");
    CHECK(single.text == "hellohello");
    CHECK(single.max == 0);

    CHECK(decode_hex("00040B911732547698F00008621070819583000C041F04400438043204350442").text ==
          "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");  // Привет
    const Decoded ja = decode_hex("00040C911809214365870008621070819583000A30533093306B306B3061");
    CHECK(ja.phone == "819012345678");
    CHECK(ja.text == "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xab\xe3\x81\xa1");  // こんににち
    CHECK(decode_hex("00040C912801214365870008621070819583000AC548B155D558C138C694").text ==
          "\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8\xec\x9a\x94");  // 안녕하세요

    const std::vector<std::string> english = {
        "00040A912143658709000862107021000000800500036A02010054006800690073002000690073002000610020006C006F00"
        "6E006700"
        "200045006E0067006C00690073006800200053004D00530020006D0065007300730061006700650020007400680061007400"
        "20007300"
        "700061006E0073002000740077006F002000700061007200740073002E00200050006100720074",
        "00040A912143658709000862107021000000820500036A020200200031002F0032003A0020004C006F00720065006D002000"
        "6900700073"
        "0075006D00200064006F006C006F0072002000730069007400200061006D00650074002C00200063006F006E007300650063"
        "00740065"
        "007400750072002000610064006900700069007300630069006E006700200065006C00690074002E"};
    std::string joined;
    for (const auto& p : english) {
        const Decoded d = decode_hex(p);
        CHECK(d.phone == "1234567890");
        CHECK(d.ref == 0x6A);
        CHECK(d.max == 2);
        joined += d.text;
    }
    CHECK(joined ==
          "This is a long English SMS message that spans two parts. Part 1/2: Lorem ipsum dolor sit amet, "
          "consectetur adipiscing elit.");

    // A five-part message from China Mobile with a 16-bit reference; the testcase saw refNum 48160.
    const Decoded part = decode_hex(
        "0891683108200955F1640AA0015688000300086210708195832321060804BC2005054E2D56FD79FB52A80058652F4ED85B9D"
        "53CC00564F"
        "1A54583011");
    CHECK(part.phone == "1065880030");
    CHECK(part.ref == 48160);
    CHECK(part.max == 5);
    CHECK(part.seq == 5);
    CHECK(part.text ==
          "\xe4\xb8\xad\xe5\x9b\xbd\xe7\xa7\xbb\xe5\x8a\xa8X\xe6\x94\xaf\xe4\xbb\x98\xe5\xae\x9d\xe5\x8f\x8c"
          "V\xe4\xbc\x9a\xe5\x91\x98\xe3\x80\x91");  // 中国移动X支付宝双V会员】

    CHECK_FALSE(unpack(std::vector<std::uint8_t>{0x00, 0x11, 0x22, 0x33}));
}
