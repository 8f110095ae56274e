// The native side's memory figures, for rtos.meminfo("sys") and the boot line "loadlibs sys".
//
// On the module, "sys" is the RTOS heap that C code allocates from (the LuatOS PC simulator prints its
// 2 MiB pool: "loadlibs sys   2097144 72280 ..."). Here the native side is this whole process, so its
// figures are the kernel's, against a fixed total for the simulated module:
//   total     kSimulatedSysRam: the RAM the simulated Air780EP gives its native side. One device
//             running the demos stays well under it (its peak is about 3 MB); a process that holds more
//             than a module (a test binary, a bench with --channels 100) may go past it.
//   used      resident set size now (VmRSS of /proc/self/status)
//   max_used  peak resident set size (VmHWM). Not getrusage()'s ru_maxrss: Linux carries the parent's
//             peak into the child at fork(), so a runtime started from a large process would report
//             its parent's memory.
#pragma once

#include <cstddef>

namespace lua_bindings {

inline constexpr std::size_t kSimulatedSysRam = 8 * 1024 * 1024;

struct ProcessMemory {
    std::size_t total = kSimulatedSysRam;
    std::size_t used = 0;      // bytes resident now
    std::size_t max_used = 0;  // peak bytes resident
};

ProcessMemory process_memory();

}  // namespace lua_bindings
