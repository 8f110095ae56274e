// The control-socket command of the simulated network's time (docs/network.md, "Time"):
//   clock              the skew and the network's time now
//   clock +SECONDS     the simulated NTP servers (and the network time given at attach) run SECONDS
//   clock -SECONDS     ahead of / behind the host's clock; `clock 0` undoes it. Not cumulative.
#pragma once

#include "platform_air780ep/control_server.hpp"
#include "platform_air780ep/ntp_responder.hpp"

namespace platform_air780ep {

void add_clock_commands(ControlServer& server, NetworkTime& time);

}  // namespace platform_air780ep
