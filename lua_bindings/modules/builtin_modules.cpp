#include "builtin_modules.hpp"

#include "lua_bindings/device/device.hpp"

namespace lua_bindings {

std::vector<LuaModule> builtin_modules() {
    return {
        {"base", install_base},   {"log", install_log},       {"os", install_os},
        {"io", install_io},       {"fs", install_fs},         {"string", install_string_ext},
        {"json", install_json},   {"crypto", install_crypto}, {"iotauth", install_iotauth},
        {"xxtea", install_xxtea}, {"iconv", install_iconv},   {"miniz", install_miniz},
        {"rsa", install_rsa},     {"gmssl", install_gmssl},   {"rtos", install_rtos},
        {"mcu", install_mcu},     {"mobile", install_mobile}, {"socket", install_socket},
        {"zbuff", install_zbuff}, {"pack", install_pack},     {"bit64", install_bit64},
        {"bit32", install_bit32}, {"gpio", install_gpio},     {"adc", install_adc},
        {"pwm", install_pwm},     {"i2c", install_i2c},       {"spi", install_spi},
        {"sms", install_sms},     {"wlan", install_wlan},     {"hmeta", install_hmeta},
        {"fskv", install_fskv},   {"pm", install_pm},         {"wdt", install_wdt},
        {"rtc", install_rtc},     {"pins", install_pins},
    };
}

}  // namespace lua_bindings
