// Test support: one command to a running device's control socket (luatos --control PATH), as a user
// would send it with socat: the line out, the answer line back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tests {

// The answer line (without its newline), or "cannot connect: <why>".
std::string control_command(const std::string& socket_path, const std::string& command);

// A counter of the link's `status` answer: counter_in_status(s, "up", "lost") reads "up: ... lost=N".
// -1 when it is not there.
std::int64_t counter_in_status(std::string_view status, std::string_view direction, std::string_view counter);

}  // namespace tests
