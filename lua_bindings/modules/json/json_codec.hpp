// JSON for the `json` module, with LuatOS's rules (components/lua-cjson/lua_cjson.c):
//   encode: integers plain; floats "%.7f" by default, in the shape LuatOS's printf gives them
//   (json_number.cpp: 1.5 -> 1.5000000, 1e20 -> 1.0000000e+20), within DBL_EPSILON of 0 -> 0;
//   NaN/Inf refused; strings escaped as cjson (", \, control characters and 0x7F; '/' is not escaped
//   since 2026-01-04); a table whose keys are all positive integers is an array (holes -> null;
//   excessively sparse arrays refused); anything else an object ("{}" when empty), number keys
//   written as strings. Object keys are written in sorted order (numbers, then strings) so output is
//   deterministic (Lua's own key order changes from run to run). Nesting deeper than 1000 is refused.
//   decode: cjson's tokenizer: numbers through strtod, those without '.' that strtoll reads as
//   non-zero become integers (so "1e2" stops after "1"); null becomes json.null; errors name the
//   token and its 1-based position as cjson does.
#pragma once

#include <string>
#include <string_view>

#include "sys_task/lua_cxx.hpp"

namespace lua_bindings {

struct JsonNumberFormat {
    char conversion = 'f';  // 'f' or 'g'
    int precision = 7;      // 0..999
};

// Parse a json.encode format argument: "<1-3 digits>f|g" or "%.<1-3 digits>f|g". False if not one.
bool parse_json_number_format(std::string_view spec, JsonNumberFormat& out);

// The text of a float (not NaN/Inf, not within DBL_EPSILON of 0) as LuatOS's printf writes it.
std::string format_json_float(double v, const JsonNumberFormat& fmt);

// Encode the value at `idx`. On failure returns false with cjson's message in `error`.
bool encode_json(lua_State* L, int idx, const JsonNumberFormat& fmt, std::string& out, std::string& error);

// Decode `text` (NUL-terminated at text.size(), as a Lua string is) and push the value. On failure
// pushes nothing and returns false with cjson's message.
bool decode_json(lua_State* L, std::string_view text, std::string& error);

}  // namespace lua_bindings
