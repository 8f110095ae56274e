// The Lua modules that need the device's network: mqtt (mqtt_module.cpp) and uart (uart_module.cpp).
// install_network() adds them to a Device.
#pragma once

#include "lua_bindings/device/run_context.hpp"

namespace lua_bindings {

class DeviceNetwork;

void install_mqtt(RunContext& run, DeviceNetwork& network);
void install_uart(RunContext& run, DeviceNetwork& network);
// socket.create and the rest of LuatOS's socket API (modules/socket/), added to the socket table.
void install_socket_links(RunContext& run, DeviceNetwork& network);

}  // namespace lua_bindings
