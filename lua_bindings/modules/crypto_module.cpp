// crypto: cipher_suites() (the TLS suites the module's mbedTLS has, as LuatOS reports them), the
// digests and HMACs scripts use to sign cloud logins (uppercase hex, as LuatOS returns them) and
// base64.
#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>

#include <string>

#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

int l_cipher_suites(lua_State* L) {
    const int* ids = mbedtls_ssl_list_ciphersuites();
    lua_newtable(L);
    lua_Integer n = 0;
    for (; ids != nullptr && *ids != 0; ++ids) {
        const char* name = mbedtls_ssl_get_ciphersuite_name(*ids);
        if (name == nullptr) continue;
        lua_pushstring(L, name);
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

void push_hex(lua_State* L, const unsigned char* data, std::size_t len) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out(len * 2, '0');
    for (std::size_t i = 0; i < len; ++i) {
        out[2 * i] = kHex[data[i] >> 4];
        out[2 * i + 1] = kHex[data[i] & 0xF];
    }
    lua_pushlstring(L, out.data(), out.size());
}

int digest(lua_State* L, mbedtls_md_type_t type, bool hmac) {
    size_t len = 0;
    const char* data = luaL_checklstring(L, 1, &len);
    size_t key_len = 0;
    const char* key = hmac ? luaL_checklstring(L, 2, &key_len) : nullptr;
    const mbedtls_md_info_t* info = mbedtls_md_info_from_type(type);
    unsigned char out[MBEDTLS_MD_MAX_SIZE];
    const auto* in = reinterpret_cast<const unsigned char*>(data);
    const int rc =
        hmac ? mbedtls_md_hmac(info, reinterpret_cast<const unsigned char*>(key), key_len, in, len, out)
             : mbedtls_md(info, in, len, out);
    if (rc != 0) return luaL_error(L, "digest failed (mbedTLS error %d)", rc);
    push_hex(L, out, mbedtls_md_get_size(info));
    return 1;
}

int l_md5(lua_State* L) {
    return digest(L, MBEDTLS_MD_MD5, false);
}
int l_sha1(lua_State* L) {
    return digest(L, MBEDTLS_MD_SHA1, false);
}
int l_sha256(lua_State* L) {
    return digest(L, MBEDTLS_MD_SHA256, false);
}
int l_sha512(lua_State* L) {
    return digest(L, MBEDTLS_MD_SHA512, false);
}
int l_hmac_md5(lua_State* L) {
    return digest(L, MBEDTLS_MD_MD5, true);
}
int l_hmac_sha1(lua_State* L) {
    return digest(L, MBEDTLS_MD_SHA1, true);
}
int l_hmac_sha256(lua_State* L) {
    return digest(L, MBEDTLS_MD_SHA256, true);
}
int l_hmac_sha512(lua_State* L) {
    return digest(L, MBEDTLS_MD_SHA512, true);
}

int l_base64_encode(lua_State* L) {
    size_t len = 0;
    const char* data = luaL_checklstring(L, 1, &len);
    std::string out(4 * ((len + 2) / 3) + 1, '\0');
    size_t olen = 0;
    mbedtls_base64_encode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &olen,
                          reinterpret_cast<const unsigned char*>(data), len);
    lua_pushlstring(L, out.data(), olen);
    return 1;
}

int l_base64_decode(lua_State* L) {
    size_t len = 0;
    const char* data = luaL_checklstring(L, 1, &len);
    std::string out(len, '\0');
    size_t olen = 0;
    if (mbedtls_base64_decode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &olen,
                              reinterpret_cast<const unsigned char*>(data), len) != 0) {
        lua_pushliteral(L, "");  // LuatOS returns an empty string for bad input
        return 1;
    }
    lua_pushlstring(L, out.data(), olen);
    return 1;
}

}  // namespace

void install_crypto(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "crypto");
    static const luaL_Reg kFunctions[] = {
        {"cipher_suites", l_cipher_suites},
        {"md5", l_md5},
        {"sha1", l_sha1},
        {"sha256", l_sha256},
        {"sha512", l_sha512},
        {"hmac_md5", l_hmac_md5},
        {"hmac_sha1", l_hmac_sha1},
        {"hmac_sha256", l_hmac_sha256},
        {"hmac_sha512", l_hmac_sha512},
        {"base64_encode", l_base64_encode},
        {"base64_decode", l_base64_decode},
        {nullptr, nullptr},
    };
    luaL_setfuncs(L, kFunctions, 0);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
