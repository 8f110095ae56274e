#include "lua_bindings/modules/codec/base64.hpp"

#include <mbedtls/base64.h>

namespace lua_bindings {

namespace {
const unsigned char* bytes(std::string_view v) {
    return reinterpret_cast<const unsigned char*>(v.data());
}
}  // namespace

std::string base64_encode(std::string_view data) {
    if (data.empty()) return {};
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    size_t olen = 0;
    mbedtls_base64_encode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &olen, bytes(data),
                          data.size());
    out.resize(olen);
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.empty()) return std::string();
    std::string out(text.size(), '\0');
    size_t olen = 0;
    if (mbedtls_base64_decode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &olen, bytes(text),
                              text.size()) != 0)
        return std::nullopt;
    out.resize(olen);
    return out;
}

}  // namespace lua_bindings
