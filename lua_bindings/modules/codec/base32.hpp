// Base32 as LuatOS's string.toBase32/fromBase32 and crypto.totp have it (docs/modules/string.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lua_bindings {

// RFC 4648 alphabet, no '=' padding: the last group's bits are padded with zeros.
std::string base32_encode(std::string_view data);

// Lenient decoding, as Google Authenticator's reader that LuatOS uses: letters in either case,
// '0' read as 'O', '1' as 'L', '8' as 'B'; spaces, tabs, CR, LF and '-' skipped; decoding stops at
// a NUL byte; nullopt at any other character (also '=').
std::optional<std::string> base32_decode(std::string_view text);

}  // namespace lua_bindings
