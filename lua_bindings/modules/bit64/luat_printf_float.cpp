#include "luat_printf_float.hpp"

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <cstring>

namespace lua_bindings {

namespace {

constexpr unsigned kPrecision = 6;   // "%f" without a precision
constexpr double kMaxFixed = 1e9;    // past this the printf switches to the exponent form
constexpr std::size_t kDigits = 32;  // its conversion buffer: longer results are cut

std::string exponent_form(double value);

// The fixed form: the whole part through a C int, the fraction as an unsigned number of millionths
// with the printf's rounding (above half up, exactly half to even or up from 0).
std::string fixed_form(double value) {
    if (value != value) return "nan";
    if (value < -DBL_MAX) return "-inf";
    if (value > DBL_MAX) return "inf";
    if (value > kMaxFixed || value < -kMaxFixed) return exponent_form(value);

    const bool negative = value < 0;
    if (negative) value = 0 - value;
    static constexpr double kPow10 = 1e6;
    auto whole = static_cast<int>(value);
    const double scaled = (value - whole) * kPow10;
    auto frac = static_cast<std::uint32_t>(scaled);
    const double diff = scaled - frac;
    if (diff > 0.5) {
        ++frac;
        if (frac >= kPow10) {  // 0.9999996 -> 1.000000
            frac = 0;
            ++whole;
        }
    } else if (diff < 0.5) {
    } else if (frac == 0 || (frac & 1u) != 0) {
        ++frac;
    }

    // Built backwards, as the printf does, within its buffer.
    std::string rev;
    unsigned count = kPrecision;
    while (rev.size() < kDigits) {
        --count;
        rev.push_back(static_cast<char>('0' + frac % 10));
        if ((frac /= 10) == 0) break;
    }
    while (rev.size() < kDigits && count-- > 0)
        rev.push_back('0');
    if (rev.size() < kDigits) rev.push_back('.');
    while (rev.size() < kDigits) {
        rev.push_back(static_cast<char>('0' + whole % 10));
        if ((whole /= 10) == 0) break;
    }
    if (rev.size() < kDigits && negative) rev.push_back('-');
    return {rev.rbegin(), rev.rend()};
}

// The exponent form: a decimal exponent estimated from the binary one, the value scaled by it,
// then the fixed form of the mantissa and "e+NN" (three digits from 100 on).
std::string exponent_form(double value) {
    if (value != value || value > DBL_MAX || value < -DBL_MAX) return fixed_form(value);
    const bool negative = value < 0;
    if (negative) value = -value;

    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, 8);
    int exp2 = static_cast<int>((bits >> 52) & 0x7FF) - 1023;
    bits = (bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1023} << 52);
    double mantissa = 0;  // in [1, 2)
    std::memcpy(&mantissa, &bits, 8);
    int expval =
        static_cast<int>(0.1760912590558 + exp2 * 0.301029995663981 + (mantissa - 1.5) * 0.289529654602168);
    // 10^expval as 2^exp2 * e^z, e^z by a continued fraction
    exp2 = static_cast<int>(expval * 3.321928094887362 + 0.5);
    const double z = expval * 2.302585092994046 - exp2 * 0.6931471805599453;
    const double z2 = z * z;
    bits = static_cast<std::uint64_t>(exp2 + 1023) << 52;
    double power = 0;
    std::memcpy(&power, &bits, 8);
    power *= 1 + 2 * z / (2 - z + (z2 / (6 + (z2 / (10 + z2 / 14)))));
    if (value < power) {
        --expval;
        power /= 10;
    }
    if (expval != 0) value /= power;

    std::string out = fixed_form(negative ? -value : value);
    out.push_back('e');
    out.push_back(expval < 0 ? '-' : '+');
    const std::string digits = std::to_string(expval < 0 ? -expval : expval);
    const std::size_t width = (expval < 100 && expval > -100) ? 2 : 3;
    if (digits.size() < width) out.append(width - digits.size(), '0');
    out += digits;
    return out;
}

}  // namespace

std::string luat_printf_f(double value) {
    return fixed_form(value);
}

}  // namespace lua_bindings
