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
    CHECK(submit_hex("+8613800138000", true) == "0001000D91683108108300F0000001" "61");
    CHECK(submit_hex("13800138000", true) == "0001000D91683108108300F0000001" "61");  // 11 digits from 1: +86
    CHECK(submit_hex("13800138000", false) == "0001000B813108108300F0000001" "61");
    CHECK(submit_hex("8613800138000", false) == "0001000D91683108108300F0000001" "61");
    CHECK(submit_hex("12345", true) == "00010005812143F5000001" "61");
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
    const SubmitMessage ucs = prepare_submit("10086", std::string(70, 'a') + "\xe4\xbd\xa0", true, false, ref);
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

TEST_CASE("sms pdu: long DELIVERs carry reference, count and sequence; every character survives") {
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
