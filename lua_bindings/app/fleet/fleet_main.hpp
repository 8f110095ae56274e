// `luatos fleet ...`: the entry point of the fleet supervisor (docs/fleet.md).
#pragma once

#include <span>
#include <string>

namespace lua_bindings {

// The arguments after `fleet`; returns the exit status.
int fleet_main(std::span<const std::string> args);

}  // namespace lua_bindings
