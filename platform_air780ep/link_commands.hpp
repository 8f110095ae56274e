// The control-socket commands of the simulated link:
//   link KEY=VALUE...   change the link (LinkSettings syntax), e.g. `link loss=0.1 delay=300`
//   outage SECONDS      link down now, up again after SECONDS (IP_LOSE ... IP_READY)
//   down / up           link down until `up` / up now
//   status              state, settings and counters
#pragma once

#include "platform_air780ep/control_server.hpp"
#include "platform_air780ep/slirp_link.hpp"

namespace platform_air780ep {

void add_link_commands(ControlServer& server, SlirpLink& link);

}  // namespace platform_air780ep
