// The control-socket commands of the simulated board (docs/board.md):
//   gpio [PIN [0|1|z]]            show the pins / one pin; drive a pin's input to 0 or 1, or release it
//   adc [CH MV]                   show / set an ADC input: CH 0..3 in mV, vbat (or -2) in mV, cpu (or
//                                 -1) in degrees Celsius
//   sms [FROM TEXT | outbox]      send TEXT from FROM (digits, optional '+') to the module; show the
//                                 counts / what the module sent
//   wlan [scan-list [LIST]]       show / set the access points a scan finds:
//                                 SSID,BSSID,RSSI[,CH];SSID,BSSID,RSSI[,CH]... (empty: none)
//   status                        extended with the board's state
#pragma once

#include "platform_air780ep/board.hpp"
#include "platform_air780ep/control_server.hpp"

namespace platform_air780ep {

void add_board_commands(ControlServer& server, Board& board);

// The parsers behind the commands, for tests. nullopt with the reason on bad input.
std::optional<std::vector<WifiAccessPoint>> parse_scan_list(std::string_view text, std::string& error);
// C-style escapes in a control line's text: \n \r \t \\ \xHH.
std::optional<std::string> unescape_text(std::string_view text, std::string& error);

}  // namespace platform_air780ep
