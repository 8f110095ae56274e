// rsa (components/rsa/binding/luat_lib_rsa.c of LuatOS; docs/modules/rsa.md): PKCS#1 v1.5
// encryption with a PEM public key, decryption with a PEM private key, and signatures through the
// crypto module's pk layer (crypto.pk_sign / pk_verify).
#include <mbedtls/pk.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/crypto/crypto_internal.hpp"
#include "lua_bindings/modules/crypto/pk.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

constexpr std::size_t kOutMax = 1024;  // the module's output buffer

std::string_view check_view(lua_State* L, int arg) {
    size_t n = 0;
    const char* s = luaL_checklstring(L, arg, &n);
    return {s, n};
}

void warn(lua_State* L, const char* what, int rc) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s %04X", what, static_cast<unsigned>(-rc));
    module_log(L, sys_task::kLogWarn, "rsa", buf);
}

// The key with its Lua terminator counted, as the module passes it (so only PEM keys parse).
const unsigned char* key_bytes(std::string_view key) {
    return reinterpret_cast<const unsigned char*>(key.data());
}

// rsa.encrypt(public_pem, data) -> cipher text, or nothing.
int l_encrypt(lua_State* L) {
    const std::string_view key = check_view(L, 1);
    const std::string_view data = check_view(L, 2);
    PkContext k;
    int rc = mbedtls_pk_parse_public_key(&k.pk, key_bytes(key), key.size() + 1);
    if (rc != 0) {
        warn(L, "bad public key", rc);
        return 0;
    }
    unsigned char out[kOutMax];
    size_t olen = 0;
    rc = mbedtls_pk_encrypt(&k.pk, reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
                            &olen, sizeof out, host_random_cb, nullptr);
    if (rc != 0) {
        warn(L, "mbedtls_rsa_pkcs1_encrypt", rc);
        return 0;
    }
    lua_pushlstring(L, reinterpret_cast<const char*>(out), olen);
    return 1;
}

// rsa.decrypt(private_pem, data [, password = ""]) -> plain text, or nothing.
int l_decrypt(lua_State* L) {
    const std::string_view key = check_view(L, 1);
    const std::string_view data = check_view(L, 2);
    size_t pwd_len = 0;
    const char* pwd = luaL_optlstring(L, 3, "", &pwd_len);
    PkContext k;
    int rc = mbedtls_pk_parse_key(&k.pk, key_bytes(key), key.size() + 1,
                                  reinterpret_cast<const unsigned char*>(pwd), pwd_len);
    if (rc != 0) {
        warn(L, "bad private key", rc);
        return 0;
    }
    const std::size_t rsa_len = (mbedtls_pk_get_bitlen(&k.pk) + 7) / 8;
    if (rsa_len != data.size()) {
        module_log(
            L, sys_task::kLogWarn, "rsa",
            "data len NOT match expect " + std::to_string(rsa_len) + " but " + std::to_string(data.size()));
        return 0;
    }
    unsigned char out[kOutMax];
    size_t olen = 0;
    rc = mbedtls_pk_decrypt(&k.pk, reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
                            &olen, sizeof out, host_random_cb, nullptr);
    if (rc != 0) {
        warn(L, "mbedtls_rsa_pkcs1_decrypt", rc);
        return 0;
    }
    lua_pushlstring(L, reinterpret_cast<const char*>(out), olen);
    return 1;
}

// rsa.verify(public_key, md, hash, sig) -> true / false, nothing if the key does not parse.
int l_verify(lua_State* L) {
    const std::string_view key = check_view(L, 1);
    const int md = static_cast<int>(luaL_checkinteger(L, 2));
    const std::string_view hash = check_view(L, 3);
    const std::string_view sig = check_view(L, 4);
    const int rc = pk_verify(L, md, hash, key, sig);
    if (rc < 0) return 0;
    lua_pushboolean(L, rc == 0 ? 1 : 0);
    return 1;
}

// rsa.sign(private_key, md, hash [, password = ""]) -> signature, or nothing.
int l_sign(lua_State* L) {
    const std::string_view key = check_view(L, 1);
    const int md = static_cast<int>(luaL_checkinteger(L, 2));
    const std::string_view hash = check_view(L, 3);
    size_t pwd_len = 0;
    const char* pwd = luaL_optlstring(L, 4, "", &pwd_len);
    const auto sig = pk_sign(L, md, hash, key, std::string_view(pwd, pwd_len));
    if (!sig) return 0;
    lua_pushlstring(L, sig->data(), sig->size());
    return 1;
}

}  // namespace

void install_rsa(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "rsa");
    static const luaL_Reg kFunctions[] = {
        {"encrypt", l_encrypt}, {"decrypt", l_decrypt}, {"verify", l_verify},
        {"sign", l_sign},       {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    static const IntConstant kConstants[] = {
        {"MD_MD5", kLuatMdMd5},
        {"MD_SHA1", kLuatMdSha1},
        {"MD_SHA224", kLuatMdSha224},
        {"MD_SHA256", kLuatMdSha256},
    };
    set_int_constants(L, kConstants);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
