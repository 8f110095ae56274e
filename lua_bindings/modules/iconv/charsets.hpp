// The conversions of LuatOS's built-in iconv (components/iconv; docs/modules/iconv.md), byte for
// byte: GB2312 <-> UCS-2 (little or big endian) through the module's tables, UTF-8 <-> UCS-2 with
// the module's own reader (3-byte sequences at most, a continuation byte read as a Latin-1 letter).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lua_bindings {

enum class Charset { kGb2312, kUcs2, kUcs2Be, kUtf8 };

// The charset named as iconv.open names it ("gb2312", "ucs2", "ucs2be", "utf8"), if any.
std::optional<Charset> charset_named(std::string_view name);

// Whether the module converts `from` to `to` (UCS-2 is in every pair; GB2312 <-> UTF-8 is not).
bool conversion_exists(Charset to, Charset from);

// The converted text; nullopt where the module's converter fails (a GB2312 lead byte at the end,
// a UTF-8 sequence it does not read).
std::optional<std::string> convert_charset(Charset to, Charset from, std::string_view in);

}  // namespace lua_bindings
