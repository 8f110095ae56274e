// The GB2312 tables of the iconv module, generated at build time from glibc's iconv by
// gen_gb2312_tables.cpp (what each holds is said there).
#pragma once

#include <cstdint>

namespace lua_bindings {

inline constexpr unsigned kGbRows = 0xF7 - 0xA0 + 1;  // lead bytes 0xA0..0xF7
extern const std::uint16_t kGbToUcs[kGbRows * 94];
extern const std::uint16_t kUcsCjkToGb[0xA000 - 0x4E00];

struct GbPair {
    std::uint16_t ucs;
    std::uint16_t gb;
};
inline constexpr unsigned kUcsOtherCount = 46;
extern const GbPair kUcsOtherToGb[kUcsOtherCount];

}  // namespace lua_bindings
