#include "lua_bindings/modules/crypto/crc.hpp"

namespace lua_bindings {

namespace {

template <class T>
T reflect(T v, int bits) {
    T out = 0;
    for (int i = 0; i < bits; ++i) {
        if ((v >> i) & 1u) out = static_cast<T>(out | (T{1} << (bits - 1 - i)));
    }
    return out;
}

}  // namespace

std::uint8_t crc8(std::string_view data, std::uint8_t start, std::uint8_t poly, bool reflected) {
    std::uint8_t crc = start;
    if (reflected) {
        const std::uint8_t rpoly = reflect<std::uint8_t>(poly, 8);
        for (const char ch : data) {
            crc = static_cast<std::uint8_t>(crc ^ static_cast<std::uint8_t>(ch));
            for (int i = 0; i < 8; ++i)
                crc = (crc & 1u) ? static_cast<std::uint8_t>((crc >> 1) ^ rpoly)
                                 : static_cast<std::uint8_t>(crc >> 1);
        }
    } else {
        for (const char ch : data) {
            crc = static_cast<std::uint8_t>(crc ^ static_cast<std::uint8_t>(ch));
            for (int i = 0; i < 8; ++i)
                crc = (crc & 0x80u) ? static_cast<std::uint8_t>((crc << 1) ^ poly)
                                    : static_cast<std::uint8_t>(crc << 1);
        }
    }
    return crc;
}

std::uint16_t crc16(std::string_view data, std::uint16_t start, std::uint16_t final_xor, std::uint16_t poly,
                    bool reflected) {
    std::uint16_t crc = start;
    if (reflected) {
        const std::uint16_t rpoly = reflect<std::uint16_t>(poly, 16);
        for (const char ch : data) {
            crc = static_cast<std::uint16_t>(crc ^ static_cast<std::uint8_t>(ch));
            for (int i = 0; i < 8; ++i)
                crc = (crc & 1u) ? static_cast<std::uint16_t>((crc >> 1) ^ rpoly)
                                 : static_cast<std::uint16_t>(crc >> 1);
        }
    } else {
        for (const char ch : data) {
            crc = static_cast<std::uint16_t>(crc ^ (static_cast<std::uint8_t>(ch) << 8));
            for (int i = 0; i < 8; ++i)
                crc = (crc & 0x8000u) ? static_cast<std::uint16_t>((crc << 1) ^ poly)
                                      : static_cast<std::uint16_t>(crc << 1);
        }
    }
    return static_cast<std::uint16_t>(crc ^ final_xor);
}

std::uint16_t reverse16(std::uint16_t v) {
    return reflect<std::uint16_t>(v, 16);
}

std::uint16_t crc16_modbus(std::string_view data) {
    return crc16(data, 0xFFFF, 0x0000, 0x8005, true);
}

std::uint32_t crc32(std::string_view data, std::uint32_t start, std::uint32_t poly) {
    const std::uint32_t rpoly = reflect<std::uint32_t>(poly == 0 ? 0x04C11DB7u : poly, 32);
    std::uint32_t crc = start;
    for (const char ch : data) {
        crc ^= static_cast<std::uint8_t>(ch);
        for (int i = 0; i < 8; ++i)
            crc = (crc & 1u) ? (crc >> 1) ^ rpoly : crc >> 1;
    }
    return crc;
}

std::uint8_t crc7(std::string_view data, std::uint8_t poly, std::uint8_t start) {
    std::uint8_t p = poly & 0x7F;
    if (p == 0) p = 0x09;
    std::uint8_t crc = start & 0x7F;
    for (const char ch : data) {
        const auto byte = static_cast<std::uint8_t>(ch);
        for (int bit = 7; bit >= 0; --bit) {
            const bool feedback = (((crc >> 6) ^ (byte >> bit)) & 1u) != 0;
            crc = static_cast<std::uint8_t>((crc << 1) & 0x7F);
            if (feedback) crc ^= p;
        }
    }
    return crc;
}

}  // namespace lua_bindings
