// SMS PDUs (3GPP TS 23.040) on both sides of the simulated air interface (docs/modules/sms.md).
//
// The module's side is LuatOS's own coding, quirks included, because scripts see its results:
//   - what `sms.send` puts into an SMS-SUBMIT (components/sms/src/luat_sms.c: GSM 7-bit when every
//     byte is in its ASCII->GSM table, else UCS2 through luat_str_utf8_to_ucs2, which reads every
//     non-ASCII lead byte as a three-byte sequence), and the PDU length it logs;
//   - how it unpacks an SMS-DELIVER or SMS-STATUS-REPORT (luat_sms_pdu_message_unpack): the phone
//     number as digits without '+', UCS2 text as a hex string, the time stamp without its zone.
// The network's side is plain 3GPP: the SMS centre delivers GSM 7-bit when it can, else UCS2, cut
// into concatenated parts with an 8-bit reference when the text is too long for one.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace platform_air780ep::sms_pdu {

inline constexpr std::uint8_t kDcsGsm7 = 0x00;
inline constexpr std::uint8_t kDcsUcs2 = 0x08;
inline constexpr std::size_t kShortGsm7Septets = 160;  // one SMS
inline constexpr std::size_t kLongGsm7Septets = 153;   // one part of a long SMS (after a 6-byte UDH)
inline constexpr std::size_t kShortUcs2Bytes = 140;
inline constexpr std::size_t kLongUcs2Bytes = 134;

// ---- LuatOS's coding (the module's side) ----

// The number of septets `text` takes in GSM 7-bit by LuatOS's ASCII table (extension characters
// take two), or -1 when a byte is not in it (LuatOS then sends UCS2).
int gsm7_septet_count(std::string_view text);
// The septets of `text` (ESC + index for an extension character); empty if not encodable.
std::vector<std::uint8_t> gsm7_septets(std::string_view text);
// Septets packed 7 bits each, LSB first, starting `bit_offset` bits into the first byte.
std::vector<std::uint8_t> pack_gsm7(std::span<const std::uint8_t> septets, std::size_t bit_offset);
// luat_str_utf8_to_ucs2: ASCII bytes become 00 xx; every other byte starts a three-byte sequence
// (missing bytes read as 0), whatever its real length.
std::vector<std::uint8_t> luatos_utf8_to_ucs2(std::string_view text);
// luat_str_ucs2_to_char on a hex string of big-endian UCS2: stops at U+0000, codes every unit (a
// surrogate too) as UTF-8 of up to three bytes.
std::string luatos_ucs2_hex_to_utf8(std::string_view hex);
// Upper-case hex, as luat_str_tohex writes it.
std::string to_hex(std::span<const std::uint8_t> bytes);

// luat_sms_pdu_packet_t: one part of an SMS-SUBMIT as LuatOS fills it.
struct SubmitPart {
    std::string phone;
    bool auto_phone = true;
    int max_num = 1;  // parts in the message
    int seq_num = 1;
    int ref_num = 0;
    std::uint8_t dcs = kDcsGsm7;
    std::size_t udl = 0;  // TP-UDL; 0: the payload length (+6 for a part of a long one)
    bool status_report = false;
    std::uint8_t validity = 0;  // relative TP-VP; 0: none
    std::vector<std::uint8_t> payload;
};
// luat_sms_pdu_packet: the PDU (with an empty SMSC address in front); empty for a phone number it
// refuses (longer than 29 characters).
std::vector<std::uint8_t> build_submit(const SubmitPart& part);

// What sms.send / sms.sendLong prepare (sms_encode_and_pack and the continuation in
// luat_sms_send_cb): every part of the message, in order.
struct SubmitMessage {
    std::vector<SubmitPart> parts;
};
// `next_long_ref` is LuatOS's ref_idx (254 at boot); it advances when the text needs several parts.
SubmitMessage prepare_submit(std::string_view phone, std::string_view text, bool auto_phone,
                             bool status_report, std::uint8_t& next_long_ref);

// ---- the network's side ----

struct Submitted {
    std::string destination;  // the semi-octets as digits (hex letters for nibbles above 9)
    std::uint8_t type_of_address = 0x81;
    std::uint8_t dcs = kDcsGsm7;
    bool status_report = false;
    int ref = 0;  // concatenation, 0/1/1 for a single SMS
    int max = 1;
    int seq = 1;
    std::string text;  // UTF-8
};
std::optional<Submitted> parse_submit(std::span<const std::uint8_t> pdu, std::string& error);

// A service-centre time stamp: two-digit year, local time, zone in quarter hours east of UTC.
struct Timestamp {
    int year = 0;
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int zone_quarters = 0;
};
// The SMS-DELIVER PDUs that bring `text` from `from` (digits, or '+' and digits), one per part.
std::vector<std::vector<std::uint8_t>> build_deliver(std::string_view from, std::string_view text,
                                                     const Timestamp& time, std::uint8_t concatenation_ref);
// An SMS-STATUS-REPORT for the part with reference `mr` sent to `recipient`.
std::vector<std::uint8_t> build_status_report(std::uint8_t mr, std::string_view recipient,
                                              std::uint8_t type_of_address, const Timestamp& submitted,
                                              const Timestamp& discharged, std::uint8_t status);

// ---- LuatOS's unpacking (the module's side again) ----

// luat_sms_recv_msg_t after luat_sms_pdu_message_unpack.
struct Received {
    bool status_report = false;
    std::string phone;          // the number as LuatOS reads it (digits, no '+')
    std::string buffer;         // sms_buffer: the text for GSM 7-bit and 8-bit, a hex string for UCS2
    std::uint8_t alphabet = 0;  // dcs_info.alpha_bet: the DCS coding group (0, 4 or 8)
    int ref = 0;
    int max = 0;
    int seq = 0;
    int year = 0;
    int month = 0;
    int day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    // A status report's fields.
    std::uint8_t message_reference = 0;
    std::string discharge_time;  // "YY-MM-DD HH:MM:SS"
    std::uint8_t status = 0;
};
std::optional<Received> unpack(std::span<const std::uint8_t> pdu);

}  // namespace platform_air780ep::sms_pdu
