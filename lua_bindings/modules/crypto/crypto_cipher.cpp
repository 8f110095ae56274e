// crypto.cipher_encrypt / cipher_decrypt / cipher_list (docs/modules/crypto.md, "Ciphers"): the
// module's luat_crypto_cipher_xxx step by step on mbedTLS, with its quirks kept because scripts and
// servers depend on the bytes: ECB padding is added by hand and always adds a block, GCM takes the
// fixed additional data "1234567890123456", an error after the set-up returns what was produced
// so far, and decryption never checks a GCM tag.
#include <mbedtls/cipher.h>

#include <cstring>
#include <string>
#include <string_view>

#include "lua_bindings/modules/crypto/crypto_internal.hpp"

namespace lua_bindings {

namespace {

// What the module's mbedTLS build (mbedtls_ec7xx_config.h) has: AES (ECB, CBC, CTR, GCM, CCM) and
// DES / 3DES (ECB, CBC); no CFB, OFB, XTS, Camellia, ARIA, Blowfish, ARC4 or ChaCha20.
constexpr mbedtls_cipher_type_t kModuleCiphers[] = {
    MBEDTLS_CIPHER_AES_128_ECB, MBEDTLS_CIPHER_AES_192_ECB,  MBEDTLS_CIPHER_AES_256_ECB,
    MBEDTLS_CIPHER_AES_128_CBC, MBEDTLS_CIPHER_AES_192_CBC,  MBEDTLS_CIPHER_AES_256_CBC,
    MBEDTLS_CIPHER_AES_128_CTR, MBEDTLS_CIPHER_AES_192_CTR,  MBEDTLS_CIPHER_AES_256_CTR,
    MBEDTLS_CIPHER_AES_128_GCM, MBEDTLS_CIPHER_AES_192_GCM,  MBEDTLS_CIPHER_AES_256_GCM,
    MBEDTLS_CIPHER_AES_128_CCM, MBEDTLS_CIPHER_AES_192_CCM,  MBEDTLS_CIPHER_AES_256_CCM,
    MBEDTLS_CIPHER_DES_ECB,     MBEDTLS_CIPHER_DES_CBC,      MBEDTLS_CIPHER_DES_EDE_ECB,
    MBEDTLS_CIPHER_DES_EDE_CBC, MBEDTLS_CIPHER_DES_EDE3_ECB, MBEDTLS_CIPHER_DES_EDE3_CBC,
};

bool manual_padding(mbedtls_cipher_mode_t mode, std::string_view pad) {
    // mbedTLS pads CBC itself; ECB has no padding there, so the module pads it by hand.
    if (mode != MBEDTLS_MODE_ECB) return false;
    return pad == "PKCS7" || pad == "ZERO" || pad == "ZEROS" || pad == "ZEROS_AND_LEN" ||
           pad == "ONE_AND_ZEROS";
}

std::string mbedtls_error(const char* what, int rc, const char* cipher) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s fail -0x%04x %s", what, static_cast<unsigned>(-rc), cipher);
    return buf;
}

std::string step_error(const char* what, int rc, const char* cipher) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s fail 0x%04X %s", what, static_cast<unsigned>(-rc), cipher);
    return buf;
}

// Strip the padding of the last ECB block as the module does; false (with its line) for bad PKCS7.
bool strip_padding(lua_State* L, std::string_view pad, const unsigned char* out, std::size_t& n,
                   const char* cipher) {
    if (pad == "PKCS7") {
        const unsigned char padding = n > 0 ? out[n - 1] : 0;
        bool bad = n == 0 || padding == 0 || padding > n;
        for (std::size_t i = n - (bad ? 0 : padding); !bad && i < n; ++i)
            bad = out[i] != padding;
        if (bad) {
            module_log(L, sys_task::kLogError, "crypto",
                       step_error("get_pkcs_padding", MBEDTLS_ERR_CIPHER_INVALID_PADDING, cipher));
            return false;
        }
        n -= padding;
    } else if (pad == "ZEROS_AND_LEN") {
        if (n > 0 && out[n - 1] > 0 && out[n - 1] <= n) n -= out[n - 1];
    } else if (pad == "ONE_AND_ZEROS") {
        std::size_t j = n;
        while (j > 0 && out[j - 1] == 0x00)
            --j;
        if (j > 0 && out[j - 1] == 0x80) n = j - 1;
    } else {  // ZERO, ZEROS
        while (n > 0 && out[n - 1] == 0x00)
            --n;
    }
    return true;
}

struct CipherContext {
    mbedtls_cipher_context_t ctx;
    CipherContext() { mbedtls_cipher_init(&ctx); }
    ~CipherContext() { mbedtls_cipher_free(&ctx); }
    CipherContext(const CipherContext&) = delete;
    CipherContext& operator=(const CipherContext&) = delete;
};

int cipher(lua_State* L, bool encrypt) {
    const char* name = luaL_optstring(L, 1, "AES-128-ECB");
    const char* pad_name = luaL_optstring(L, 2, "PKCS7");
    size_t len = 0;
    const char* str = luaL_checklstring(L, 3, &len);
    size_t key_len = 0;
    const char* key = luaL_checklstring(L, 4, &key_len);
    size_t iv_len = 0;
    const char* iv = luaL_optlstring(L, 5, "", &iv_len);
    const std::string_view pad(pad_name);

    const mbedtls_cipher_info_t* info = module_cipher(name);
    if (info == nullptr) {
        module_log(L, sys_task::kLogError, "crypto",
                   std::string("mbedtls_cipher_info fail ") + name + " not support");
        return 0;
    }
    CipherContext c;
    int rc = mbedtls_cipher_setup(&c.ctx, info);
    if (rc != 0) {
        module_log(L, sys_task::kLogError, "crypto", mbedtls_error("mbedtls_cipher_setup", rc, name));
        return 0;
    }
    rc = mbedtls_cipher_setkey(&c.ctx, reinterpret_cast<const unsigned char*>(key),
                               static_cast<int>(key_len * 8), encrypt ? MBEDTLS_ENCRYPT : MBEDTLS_DECRYPT);
    if (rc != 0) {
        module_log(L, sys_task::kLogError, "crypto", mbedtls_error("mbedtls_cipher_setkey", rc, name));
        return 0;
    }
    const bool gcm = info->mode == MBEDTLS_MODE_GCM;
    if (iv_len > 0) {
        rc = mbedtls_cipher_set_iv(&c.ctx, reinterpret_cast<const unsigned char*>(iv), iv_len);
        if (rc != 0) {
            module_log(L, sys_task::kLogError, "crypto", mbedtls_error("mbedtls_cipher_set_iv", rc, name));
            return 0;
        }
        if (gcm) {
            rc = mbedtls_cipher_update_ad(&c.ctx, reinterpret_cast<const unsigned char*>("1234567890123456"),
                                          16);
            if (rc != 0) {
                module_log(L, sys_task::kLogError, "crypto",
                           mbedtls_error("mbedtls_cipher_update_ad", rc, name));
                return 0;
            }
        }
    }
    // Refused (and ignored) for modes other than CBC, as on the module.
    if (pad == "PKCS7")
        mbedtls_cipher_set_padding_mode(&c.ctx, MBEDTLS_PADDING_PKCS7);
    else if (pad == "ZERO" || pad == "ZEROS")
        mbedtls_cipher_set_padding_mode(&c.ctx, MBEDTLS_PADDING_ZEROS);
    else if (pad == "ONE_AND_ZEROS")
        mbedtls_cipher_set_padding_mode(&c.ctx, MBEDTLS_PADDING_ONE_AND_ZEROS);
    else if (pad == "ZEROS_AND_LEN")
        mbedtls_cipher_set_padding_mode(&c.ctx, MBEDTLS_PADDING_ZEROS_AND_LEN);
    else
        mbedtls_cipher_set_padding_mode(&c.ctx, MBEDTLS_PADDING_NONE);
    mbedtls_cipher_reset(&c.ctx);

    const std::size_t block = mbedtls_cipher_get_block_size(&c.ctx);
    const bool by_hand = manual_padding(info->mode, pad);
    std::string input(str, len);
    if (by_hand && encrypt) {
        // Always one more block (a full one when the data is aligned), as the module pads.
        const std::size_t padded = (len / block + 1) * block;
        input.resize(padded, '\0');
        if (pad == "PKCS7") {
            const auto value = static_cast<char>(block - len % block);
            for (std::size_t i = len; i < padded; ++i)
                input[i] = value;
        } else if (pad == "ZEROS_AND_LEN") {
            input[padded - 1] = static_cast<char>(padded - len);
        } else if (pad == "ONE_AND_ZEROS") {
            input[len] = static_cast<char>(0x80);
        }
    }

    std::string out;
    bool failed = false;
    unsigned char buf[32];
    for (std::size_t i = 0; i < input.size() && !failed; i += block) {
        const std::size_t n = std::min(block, input.size() - i);
        std::size_t produced = 0;
        rc = mbedtls_cipher_update(&c.ctx, reinterpret_cast<const unsigned char*>(input.data() + i), n, buf,
                                   &produced);
        if (rc != 0) {
            module_log(L, sys_task::kLogError, "crypto", step_error("mbedtls_cipher_update", rc, name));
            failed = true;
            break;
        }
        const bool last = input.size() - i <= block;
        if (last && by_hand && !encrypt && !strip_padding(L, pad, buf, produced, name)) {
            failed = true;
            break;
        }
        out.append(reinterpret_cast<const char*>(buf), produced);
    }
    unsigned char tag[16];
    bool with_tag = false;
    if (!failed) {
        std::size_t produced = 0;
        rc = mbedtls_cipher_finish(&c.ctx, buf, &produced);
        if (rc != 0) {
            module_log(L, sys_task::kLogError, "crypto", step_error("mbedtls_cipher_finish", rc, name));
        } else {
            if (gcm && encrypt) {
                mbedtls_cipher_write_tag(&c.ctx, tag, sizeof tag);
                with_tag = true;
            }
            out.append(reinterpret_cast<const char*>(buf), produced);
        }
    }
    lua_pushlstring(L, out.data(), out.size());
    if (with_tag) {
        lua_pushlstring(L, reinterpret_cast<const char*>(tag), sizeof tag);
        return 2;
    }
    return 1;
}

}  // namespace

const mbedtls_cipher_info_t* module_cipher(const char* name) {
    const mbedtls_cipher_info_t* info = mbedtls_cipher_info_from_string(name);
    return info != nullptr && module_has_cipher(info->type) ? info : nullptr;
}

bool module_has_cipher(mbedtls_cipher_type_t type) {
    for (const auto t : kModuleCiphers) {
        if (t == type) return true;
    }
    return false;
}

int l_cipher_encrypt(lua_State* L) {
    return cipher(L, true);
}

int l_cipher_decrypt(lua_State* L) {
    return cipher(L, false);
}

// crypto.cipher_list() -> the names of the module's ciphers, in mbedTLS's order.
int l_cipher_list(lua_State* L) {
    lua_newtable(L);
    lua_Integer n = 0;
    for (const int* t = mbedtls_cipher_list(); *t != 0; ++t) {
        const auto type = static_cast<mbedtls_cipher_type_t>(*t);
        if (!module_has_cipher(type)) continue;
        lua_pushstring(L, mbedtls_cipher_info_from_type(type)->name);
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

}  // namespace lua_bindings
