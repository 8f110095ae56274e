// Base64 as LuatOS's string.toBase64/fromBase64 and crypto.base64_* have it (mbedTLS's codec:
// spaces at line ends and CR/LF are skipped, at most two '=' and only at the end).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lua_bindings {

std::string base64_encode(std::string_view data);
// nullopt when `text` is not base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace lua_bindings
