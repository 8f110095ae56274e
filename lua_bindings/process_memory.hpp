// The process's real memory figures, for rtos.meminfo("sys") and the boot lines.
#pragma once

#include <cstddef>

namespace luat::lua {

struct ProcessMemory {
    std::size_t total = 0;     // physical memory of the host
    std::size_t used = 0;      // resident set size now
    std::size_t max_used = 0;  // peak resident set size
};

ProcessMemory process_memory();

}  // namespace luat::lua
