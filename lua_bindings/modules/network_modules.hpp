// The Lua modules that need the device's network: mqtt (mqtt_module.cpp), uart (uart_module.cpp) and
// http (http/http_module.cpp).
// install_network() adds them to a Device.
#pragma once

#include "lua_bindings/device/run_context.hpp"

namespace lua_bindings {

class DeviceNetwork;

void install_mqtt(RunContext& run, DeviceNetwork& network);
void install_uart(RunContext& run, DeviceNetwork& network);
void install_http(RunContext& run, DeviceNetwork& network);
void install_websocket(RunContext& run, DeviceNetwork& network);
// ftp (modules/ftp/, docs/modules/ftp.md)
void install_ftp(RunContext& run, DeviceNetwork& network);
// socket.sntp / socket.ntptm / socket.sntp_port (added to the socket table; modules/sntp.md)
void install_sntp(RunContext& run, DeviceNetwork& network);
// socket.create and the rest of LuatOS's socket API (modules/socket/), added to the socket table.
void install_socket_links(RunContext& run, DeviceNetwork& network);
// errDump: the error records and their upload over a socket channel (modules/errdump.md).
void install_errdump(RunContext& run, DeviceNetwork& network);

}  // namespace lua_bindings
