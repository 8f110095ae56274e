#include "process_memory.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

namespace luat::lua {

ProcessMemory process_memory() {
    ProcessMemory m;
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page_size = ::sysconf(_SC_PAGESIZE);
    if (pages > 0 && page_size > 0)
        m.total = static_cast<std::size_t>(pages) * static_cast<std::size_t>(page_size);
    if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
        unsigned long size = 0;
        unsigned long resident = 0;
        if (std::fscanf(f, "%lu %lu", &size, &resident) == 2 && page_size > 0) {
            m.used = static_cast<std::size_t>(resident) * static_cast<std::size_t>(page_size);
        }
        std::fclose(f);
    }
    rusage ru{};
    if (::getrusage(RUSAGE_SELF, &ru) == 0) m.max_used = static_cast<std::size_t>(ru.ru_maxrss) * 1024;
    if (m.max_used < m.used) m.max_used = m.used;  // ru_maxrss is sampled; it can lag the current figure
    return m;
}

}  // namespace luat::lua
