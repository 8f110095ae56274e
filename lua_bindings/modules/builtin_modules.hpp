// The Lua modules every run gets (each in its own file).
#pragma once

#include "lua_bindings/device/run_context.hpp"

namespace lua_bindings {

void install_base(RunContext& ctx);        // print, require from /luadb/, loadfile, dofile
void install_log(RunContext& ctx);         // log
void install_os(RunContext& ctx);          // os.date/time in the module's zone, os.exit, sandboxed files
void install_io(RunContext& ctx);          // io on the device file system, io.readFile/writeFile/...
void install_fs(RunContext& ctx);          // io.fsstat/lsdir/dexist/mkfs/lsmount, the fs library
void install_string_ext(RunContext& ctx);  // string.toHex/fromHex/split/startsWith/endsWith/trim
void install_json(RunContext& ctx);        // json
void install_crypto(RunContext& ctx);      // crypto
void install_iotauth(RunContext& ctx);     // iotauth: MQTT logins of the IoT clouds
void install_xxtea(RunContext& ctx);       // xxtea
void install_iconv(RunContext& ctx);       // iconv: GB2312 / UCS-2 / UTF-8
void install_miniz(RunContext& ctx);       // miniz: zlib compress/uncompress, unzip
void install_rsa(RunContext& ctx);         // rsa
void install_gmssl(RunContext& ctx);       // gmssl: SM2 / SM3 / SM4
void install_rtos(RunContext& ctx);        // rtos
void install_mcu(RunContext& ctx);         // mcu
void install_mobile(RunContext& ctx);      // mobile
void install_pm(RunContext& ctx);          // pm: sleep modes, deep-sleep timers, last boot reasons
void install_wdt(RunContext& ctx);         // wdt: the hardware watchdog
void install_hmeta(RunContext& ctx);       // hmeta: model, hardware version, chip
void install_fskv(RunContext& ctx);        // fskv: the key-value store kept across reboots (modules/fskv/)
void install_socket(RunContext& ctx);      // socket.dft/adapter/localIP and the adapter constants
void install_zbuff(RunContext& ctx);       // zbuff (modules/zbuff/)
void install_pack(RunContext& ctx);        // pack (modules/pack/)
void install_bit64(RunContext& ctx);       // bit64 (modules/bit64/)
void install_bit32(RunContext& ctx);       // bit32 and bit (one table)
// The peripherals, on the simulated board (docs/board.md).
void install_gpio(RunContext& ctx);  // gpio: pins, interrupts from the board, debounce, pulse
void install_adc(RunContext& ctx);   // adc: the EC718's channels and ranges
void install_pwm(RunContext& ctx);   // pwm: open/close and setup/start/stop/setDuty/setFreq
void install_i2c(RunContext& ctx);   // i2c: hardware and software buses with no device
void install_spi(RunContext& ctx);   // spi: hardware and software buses with no device
void install_sms(RunContext& ctx);   // sms: the simulated SMS network
void install_wlan(RunContext& ctx);  // wlan: scan only, as the EC718 firmware
void install_pins(RunContext& ctx);  // pins: the pin multiplexing (routes kept on the board)

// rtc: the module's clock (UTC, Device::clock()) and time zone.
void install_rtc(RunContext& ctx);

}  // namespace lua_bindings
