// crypto.pk_sign / pk_verify / pk_type / pk_generate (docs/modules/crypto.md, "Public keys") on
// mbedTLS's pk layer: keys in PEM (recognised by a leading "-----") or DER, RSA (PKCS#1 v1.5, the
// only RSA padding of the module's build) or EC.
#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "lua_bindings/modules/crypto/crypto_internal.hpp"
#include "lua_bindings/modules/crypto/pk.hpp"

namespace lua_bindings {

namespace {

bool is_pem(std::string_view key) {
    return key.size() > 5 && key.starts_with("-----");
}

// mbedTLS parses PEM only with its terminating NUL counted in the length.
std::string key_bytes(std::string_view key) {
    std::string k(key);
    if (is_pem(key)) k.push_back('\0');
    return k;
}

const unsigned char* u8(const std::string& s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

int parse_private(mbedtls_pk_context& pk, std::string_view key, std::string_view password) {
    const std::string k = key_bytes(key);
    return mbedtls_pk_parse_key(&pk, u8(k), k.size(), reinterpret_cast<const unsigned char*>(password.data()),
                                password.size());
}

int parse_public(mbedtls_pk_context& pk, std::string_view key) {
    const std::string k = key_bytes(key);
    return mbedtls_pk_parse_public_key(&pk, u8(k), k.size());
}

// LuatOS's MD_* numbers (mbedTLS 3's) to mbedTLS 2's; any other number is passed through.
mbedtls_md_type_t md_type(int luat_md) {
    switch (luat_md) {
        case kLuatMdMd5:
            return MBEDTLS_MD_MD5;
        case kLuatMdSha1:
            return MBEDTLS_MD_SHA1;
        case kLuatMdSha224:
            return MBEDTLS_MD_SHA224;
        case kLuatMdSha256:
            return MBEDTLS_MD_SHA256;
        case kLuatMdSha384:
            return MBEDTLS_MD_SHA384;
        case kLuatMdSha512:
            return MBEDTLS_MD_SHA512;
        default:
            return static_cast<mbedtls_md_type_t>(luat_md);
    }
}

std::string hex_error(const char* what, int rc) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s -0x%04x", what, static_cast<unsigned>(-rc));
    return buf;
}

std::string_view check_view(lua_State* L, int arg) {
    size_t n = 0;
    const char* s = luaL_checklstring(L, arg, &n);
    return {s, n};
}

}  // namespace

std::optional<std::string> pk_sign(lua_State* L, int luat_md, std::string_view hash, std::string_view key,
                                   std::string_view password) {
    PkContext k;
    int rc = parse_private(k.pk, key, password);
    if (rc != 0) {
        module_log(L, sys_task::kLogError, "crypto", hex_error("pk_sign: parse privkey failed", rc));
        return std::nullopt;
    }
    std::string sig(MBEDTLS_PK_SIGNATURE_MAX_SIZE, '\0');
    size_t sig_len = 0;
    rc = mbedtls_pk_sign(&k.pk, md_type(luat_md), reinterpret_cast<const unsigned char*>(hash.data()),
                         hash.size(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len, host_random_cb,
                         nullptr);
    if (rc != 0) {
        module_log(L, sys_task::kLogError, "crypto", hex_error("pk_sign: sign failed", rc));
        return std::nullopt;
    }
    sig.resize(sig_len);
    return sig;
}

int pk_verify(lua_State* L, int luat_md, std::string_view hash, std::string_view key, std::string_view sig) {
    PkContext k;
    const int rc = parse_public(k.pk, key);
    if (rc != 0) {
        module_log(L, sys_task::kLogError, "crypto", hex_error("pk_verify: parse pubkey failed", rc));
        return rc;
    }
    const int vrc =
        mbedtls_pk_verify(&k.pk, md_type(luat_md), reinterpret_cast<const unsigned char*>(hash.data()),
                          hash.size(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
    if (vrc != 0) {
        module_log(L, sys_task::kLogDebug, "crypto", hex_error("pk_verify: verify failed", vrc));
        return 1;
    }
    return 0;
}

// crypto.pk_sign(md, hash, private_key [, password]) -> signature, or nothing.
int l_pk_sign(lua_State* L) {
    const int md = static_cast<int>(luaL_checkinteger(L, 1));
    const std::string_view hash = check_view(L, 2);
    const std::string_view key = check_view(L, 3);
    const std::string_view password = lua_type(L, 4) == LUA_TSTRING ? check_view(L, 4) : std::string_view();
    const auto sig = pk_sign(L, md, hash, key, password);
    if (!sig) return 0;
    lua_pushlstring(L, sig->data(), sig->size());
    return 1;
}

// crypto.pk_verify(md, hash, public_key, signature) -> boolean
int l_pk_verify(lua_State* L) {
    const int md = static_cast<int>(luaL_checkinteger(L, 1));
    const std::string_view hash = check_view(L, 2);
    const std::string_view key = check_view(L, 3);
    const std::string_view sig = check_view(L, 4);
    lua_pushboolean(L, pk_verify(L, md, hash, key, sig) == 0 ? 1 : 0);
    return 1;
}

// crypto.pk_type(key [, is_private]) -> "rsa", "ec", "ec_dh", "ecdsa"..., or nothing if it does not parse.
int l_pk_type(lua_State* L) {
    const std::string_view key = check_view(L, 1);
    const bool is_private = lua_toboolean(L, 2) != 0;
    PkContext k;
    const int rc = is_private ? parse_private(k.pk, key, {}) : parse_public(k.pk, key);
    if (rc != 0) return 0;
    switch (mbedtls_pk_get_type(&k.pk)) {
        case MBEDTLS_PK_RSA:
            lua_pushliteral(L, "rsa");
            break;
        case MBEDTLS_PK_ECKEY:
            lua_pushliteral(L, "ec");
            break;
        case MBEDTLS_PK_ECKEY_DH:
            lua_pushliteral(L, "ec_dh");
            break;
        case MBEDTLS_PK_ECDSA:
            lua_pushliteral(L, "ecdsa");
            break;
        case MBEDTLS_PK_OPAQUE:
            lua_pushliteral(L, "opaque");
            break;
        default:
            lua_pushliteral(L, "unknown");
            break;
    }
    return 1;
}

// crypto.pk_generate(type [, param]) -> private PEM, public PEM: "rsa" with a bit count (default
// 2048, kept within 512..8192) or "ec"/"ecdsa" with a curve name (P-256 default and for any name
// it does not know, P-384, P-521, or their secpXXXr1 names). Nothing for another type.
int l_pk_generate(lua_State* L) {
    const std::string type = luaL_checkstring(L, 1);
    const std::string param = luaL_optstring(L, 2, "");
    PkContext k;
    int rc = 0;
    if (type == "rsa") {
        int bits = param.empty() ? 2048 : std::atoi(param.c_str());
        if (bits < 512) bits = 512;
        if (bits > 8192) bits = 8192;
        rc = mbedtls_pk_setup(&k.pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
        if (rc == 0)
            rc = mbedtls_rsa_gen_key(mbedtls_pk_rsa(k.pk), host_random_cb, nullptr,
                                     static_cast<unsigned>(bits), 65537);
    } else if (type == "ec" || type == "ecdsa") {
        mbedtls_ecp_group_id curve = MBEDTLS_ECP_DP_SECP256R1;
        if (param == "P-384" || param == "secp384r1") curve = MBEDTLS_ECP_DP_SECP384R1;
        if (param == "P-521" || param == "secp521r1") curve = MBEDTLS_ECP_DP_SECP521R1;
        rc = mbedtls_pk_setup(&k.pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
        if (rc == 0) rc = mbedtls_ecp_gen_key(curve, mbedtls_pk_ec(k.pk), host_random_cb, nullptr);
    } else {
        return 0;
    }
    if (rc != 0) return 0;
    std::string priv(4096, '\0');
    std::string pub(4096, '\0');
    if (mbedtls_pk_write_key_pem(&k.pk, reinterpret_cast<unsigned char*>(priv.data()), priv.size()) != 0 ||
        mbedtls_pk_write_pubkey_pem(&k.pk, reinterpret_cast<unsigned char*>(pub.data()), pub.size()) != 0)
        return 0;
    priv.resize(std::strlen(priv.c_str()));
    pub.resize(std::strlen(pub.c_str()));
    lua_pushlstring(L, priv.data(), priv.size());
    lua_pushlstring(L, pub.data(), pub.size());
    return 2;
}

}  // namespace lua_bindings
