// json.encode's float text: the shape LuatOS's bundled printf (components/printf/printf.c, the
// snprintf_ lua_cjson.c calls) gives "%.<p>f" and "%.<p>g", with the C library's correctly rounded
// digits:
//   f: |v| > 1e9 is written in exponent form ("%.<p>e"); at most 9 fractional digits are computed,
//      a larger precision is filled with zeros ("12f": 1.5 -> 1.500000000000);
//   g: for 1e-4 <= |v| < 1e6 fixed notation with p - 1 - exponent decimals (none when the exponent
//      reaches p) and the trailing zeros kept (4g: 12345.6789 -> 12346, 3.14159 -> 3.142); otherwise
//      exponent form with p - 1 decimals;
//   the fixed part is at most 32 characters (the printf's buffer keeps the last ones it wrote), and
//   lua_cjson.c's 32-byte number buffer ends a 32-character text with a NUL after 31 characters.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "lua_bindings/modules/json/json_codec.hpp"

namespace lua_bindings {

namespace {

constexpr std::size_t kPrintfBuffer = 32;  // PRINTF_FTOA_BUFFER_SIZE
constexpr int kComputedDecimals = 9;       // the printf computes at most 9 fractional digits
constexpr double kMaxFixed = 1e9;          // PRINTF_MAX_FLOAT

// printf.c's _ftoa for |v| <= 1e9.
std::string fixed(double v, int precision) {
    const int computed = std::min(precision, kComputedDecimals);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", computed, v);
    std::string s(buf);
    s.append(static_cast<std::size_t>(precision - computed), '0');
    if (s.size() > kPrintfBuffer) s.erase(0, s.size() - kPrintfBuffer);
    return s;
}

// printf.c's _etoa: mantissa with `precision` decimals, then e+XX.
std::string exponent(double v, int precision) {
    const int computed = std::min(precision, kComputedDecimals);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*e", computed, v);
    std::string s(buf);
    const std::size_t e = s.find('e');
    std::string mantissa = s.substr(0, e);
    mantissa.append(static_cast<std::size_t>(precision - computed), '0');
    if (mantissa.size() > kPrintfBuffer) mantissa.erase(0, mantissa.size() - kPrintfBuffer);
    return mantissa + s.substr(e);
}

}  // namespace

std::string format_json_float(double v, const JsonNumberFormat& fmt) {
    std::string s;
    if (fmt.conversion == 'f') {
        s = std::fabs(v) > kMaxFixed ? exponent(v, fmt.precision) : fixed(v, fmt.precision);
    } else {
        const double a = std::fabs(v);
        const int exp10 = static_cast<int>(std::floor(std::log10(a)));
        if (a >= 1e-4 && a < 1e6) {
            s = fixed(v, fmt.precision > exp10 ? fmt.precision - exp10 - 1 : 0);
        } else {
            s = exponent(v, fmt.precision > 0 ? fmt.precision - 1 : 0);
        }
    }
    if (s.size() >= kPrintfBuffer) {
        s.resize(kPrintfBuffer - 1);
        s += '\0';
    }
    return s;
}

}  // namespace lua_bindings
