// The checksums of LuatOS's crypto module (luat_crc.c, docs/modules/crypto.md): CRC-7, CRC-8 and
// CRC-16 with any polynomial, CRC-32 with any polynomial (reflected), Modbus CRC-16, and the XOR /
// sum checksum. Each continues from `start`, so a file can be fed in chunks.
#pragma once

#include <cstdint>
#include <string_view>

namespace lua_bindings {

// MSB-first CRC-8 with `poly`, or (reflected) LSB-first with the bit-reversed polynomial.
std::uint8_t crc8(std::string_view data, std::uint8_t start, std::uint8_t poly, bool reflected);

// CRC-16 with `poly`: MSB-first, or LSB-first (reflected input) with the bit-reversed polynomial;
// the result is XORed with `final_xor`.
std::uint16_t crc16(std::string_view data, std::uint16_t start, std::uint16_t final_xor, std::uint16_t poly,
                    bool reflected);

// The 16 bits of `v` in reverse order (LuatOS's "output reverse").
std::uint16_t reverse16(std::uint16_t v);

// Modbus CRC-16: reflected 0x8005, starting at 0xFFFF, no final XOR.
std::uint16_t crc16_modbus(std::string_view data);

// Reflected CRC-32 of polynomial `poly` (0 means 0x04C11DB7), no final XOR: the caller XORs.
std::uint32_t crc32(std::string_view data, std::uint32_t start, std::uint32_t poly);

// CRC-7, MSB-first: `poly` without its x^7 term (its low 7 bits; 0 means 0x09), 7-bit result.
std::uint8_t crc7(std::string_view data, std::uint8_t poly, std::uint8_t start);

}  // namespace lua_bindings
