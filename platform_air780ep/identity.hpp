// The identity of one simulated Air780EP: its chip unique id, IMEI and SIM identifiers.
//
// Everything is derived from the unique id (16 binary bytes, as mcu.unique_id() returns), so a device
// keeps the same IMEI from run to run; --imei / --unique-id override. IMEIs are 15 digits whose last
// digit is the Luhn check digit of the first 14 (a real module's IMEI always validates).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace platform_air780ep {

struct Identity {
    std::string unique_id;  // binary, 16 bytes
    std::string imei;       // 15 digits, valid Luhn digit
    std::string imsi;       // 15 digits (MCC 460, as a China Mobile SIM)
    std::string iccid;      // 20 digits (issuer 8986)
};

// The Luhn check digit ('0'..'9') for a string of decimal digits.
char luhn_check_digit(std::string_view digits);
// True if `imei` is 15 decimal digits whose last digit is the Luhn digit of the other 14.
bool imei_is_valid(std::string_view imei);
// Why `imei` is not a valid IMEI ("" if it is).
std::string imei_problem(std::string_view imei);

// Parse a hex string ("0123ab..."; an even number of digits, 1..64 bytes) into bytes.
std::optional<std::string> parse_hex_id(std::string_view hex, std::string& error);

// Build an identity. `seed` names the device when no unique id is given (the same seed gives the same
// identity); a given IMEI must be valid (error otherwise).
std::optional<Identity> make_identity(std::string_view seed, std::optional<std::string> unique_id,
                                      std::optional<std::string> imei, std::string& error);

}  // namespace platform_air780ep
