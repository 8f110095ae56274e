// What the simulated module says it is, shared by hmeta, rtos and mobile (docs/modules/hmeta.md).
#pragma once

#include <string>

#include "platform_air780ep/identity.hpp"

namespace lua_bindings {

inline constexpr const char* kModelName = "Air780EP";  // hmeta.model()
// hmeta.hwver(): the part after '_' of the full model name ("Air780EP_A11"); A11 is the revision the
// Air780EP family's core boards report (the Air780EPM hmeta demo's log).
inline constexpr const char* kHardwareVersion = "A11";
inline constexpr const char* kChipName = "EC718P";  // hmeta.chip(), rtos.bsp()
// luat_version_str(): the LuatOS release this runtime follows (rtos.version(), errDump's upload).
inline constexpr const char* kLuatosVersion = "V2035";

// The module's MUID (mobile.muid(), hmeta.muid()): 32 characters, the unique id in upper-case hex.
inline std::string module_muid(const platform_air780ep::Identity& id) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : id.unique_id) {
        const auto b = static_cast<unsigned char>(c);
        out += kHex[b >> 4];
        out += kHex[b & 0x0f];
    }
    if (out.size() > 32) out.resize(32);
    return out;
}

}  // namespace lua_bindings
