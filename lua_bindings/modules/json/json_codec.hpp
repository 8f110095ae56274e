// JSON for the `json` module, with LuatOS's rules (its lua-cjson):
//   encode: integers plain; floats "%.7f" by default ("1.5" -> 1.5000000, 0.0 -> 0), switching to
//   "%.7e" above 1e9 in magnitude as LuatOS's printf does (1e20 -> 1.0000000e+20); NaN/Inf refused;
//   strings escaped as cjson ('/' -> "\/", control characters as \uXXXX); a table whose keys are all
//   positive integers is an array (holes -> null; excessively sparse arrays refused); anything else
//   an object ("{}" when empty), number keys written as strings. Object keys are written in sorted
//   order (numbers, then strings) so output is deterministic (Lua's own key order changes from run
//   to run). Nesting deeper than 1000 is refused.
//   decode: JSON values; numbers without a fraction become integers; exponents ("1e2") are refused
//   as on LuatOS; null becomes json.null.
#pragma once

#include <string>
#include <string_view>

#include "sys_task/lua_cxx.hpp"

namespace lua_bindings {

struct JsonNumberFormat {
    char conversion = 'f';  // 'f', 'g' or 'e'
    int precision = 7;
};

// Parse a json.encode format argument like "7f", "12g" (precision 1..14). False if malformed.
bool parse_json_number_format(std::string_view spec, JsonNumberFormat& out);

// Encode the value at `idx`. On failure returns false with cjson's message in `error`.
bool encode_json(lua_State* L, int idx, const JsonNumberFormat& fmt, std::string& out, std::string& error);

// Decode `text` and push the value. On failure pushes nothing and returns false with a message.
bool decode_json(lua_State* L, std::string_view text, std::string& error);

}  // namespace lua_bindings
