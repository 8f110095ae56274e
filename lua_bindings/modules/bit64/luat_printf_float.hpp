// "%f" as LuatOS's own printf (components/printf, a small embedded printf) formats a double, for
// bit64.show (docs/modules/bit64.md, "Functions"). It differs from C's: six decimals by its own rounding,
// and beyond +-1e9 the exponent form "%e" gives ("1.082093e+09") instead of every digit.
#pragma once

#include <string>

namespace lua_bindings {

std::string luat_printf_f(double value);

}  // namespace lua_bindings
