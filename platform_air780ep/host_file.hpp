// Reading a whole file of the host, with POSIX calls.
//
// Not with <fstream>/<sstream>: the first C++ stream built brings up the std::locale machinery, which
// in a statically linked luatos is ~450 KiB of code and tables that would be mapped (and resident)
// from start-up on, and ~0.1 ms of start-up (bench/README.md, "Memory and start-up").
#pragma once

#include <optional>
#include <string>

namespace platform_air780ep {

// The content of the file at `path`. nullopt, with the failing call's reason in `error` (e.g. "No such
// file or directory"), when it cannot be opened or read.
std::optional<std::string> read_host_file(const std::string& path, std::string& error);

}  // namespace platform_air780ep
