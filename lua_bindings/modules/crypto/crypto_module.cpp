// crypto (luat_lib_crypto.c + luat_crypto_mbedtls.c of LuatOS; docs/modules/crypto.md): digests and
// HMACs as uppercase hex, md / md_file / hash streams by name, base64, TOTP, TRNG, the symmetric
// ciphers, CRCs and checksums, and public-key signatures, all on mbedTLS with the algorithms the
// module's own mbedTLS build has.
#include <sys/random.h>

#include <mbedtls/md.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <new>
#include <string>
#include <string_view>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/codec/base32.hpp"
#include "lua_bindings/modules/codec/base64.hpp"
#include "lua_bindings/modules/crypto/crypto_internal.hpp"
#include "lua_bindings/modules/crypto/pk.hpp"
#include "lua_bindings/modules/device_file.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

void module_log(lua_State* L, int level, std::string_view tag, std::string_view text) {
    RunContext::from_upvalue(L).device().logger().log(level, tag, text);
}

bool host_random(void* out, std::size_t len) {
    auto* p = static_cast<unsigned char*>(out);
    while (len > 0) {
        const ssize_t n = ::getrandom(p, len, 0);
        if (n <= 0) return false;
        p += n;
        len -= static_cast<std::size_t>(n);
    }
    return true;
}

int host_random_cb(void* /*unused*/, unsigned char* out, std::size_t len) {
    return host_random(out, len) ? 0 : -1;
}

const mbedtls_md_info_t* module_md(const char* name) {
    // The module's mbedTLS (mbedtls_ec7xx_config.h) has MD5, SHA-1, SHA-256 (with 224) and SHA-512
    // (with 384); mbedtls_md_info_from_string compares names exactly, as on the module.
    static constexpr std::array<std::string_view, 6> kNames = {"MD5",    "SHA1",   "SHA224",
                                                               "SHA256", "SHA384", "SHA512"};
    for (const auto n : kNames) {
        if (n == name) return mbedtls_md_info_from_string(name);
    }
    return nullptr;
}

std::string hex_upper(const unsigned char* data, std::size_t len) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out(len * 2, '0');
    for (std::size_t i = 0; i < len; ++i) {
        out[2 * i] = kHex[data[i] >> 4];
        out[2 * i + 1] = kHex[data[i] & 0xF];
    }
    return out;
}

namespace {

constexpr const char* kStreamType = "crypto";  // LuatOS's metatable name for hash streams

void push_hex(lua_State* L, const unsigned char* data, std::size_t len) {
    const std::string hex = hex_upper(data, len);
    lua_pushlstring(L, hex.data(), hex.size());
}

const unsigned char* bytes(const char* p) {
    return reinterpret_cast<const unsigned char*>(p);
}

int digest(lua_State* L, const char* md_name, bool hmac) {
    size_t len = 0;
    const char* data = luaL_checklstring(L, 1, &len);
    size_t key_len = 0;
    const char* key = hmac ? luaL_checklstring(L, 2, &key_len) : nullptr;
    const mbedtls_md_info_t* info = mbedtls_md_info_from_string(md_name);
    unsigned char out[MBEDTLS_MD_MAX_SIZE];
    // On the module an empty HMAC key means no key: hmac_md5(s, "") is md5(s) (luat_crypto_md).
    const int rc = key_len > 0 ? mbedtls_md_hmac(info, bytes(key), key_len, bytes(data), len, out)
                               : mbedtls_md(info, bytes(data), len, out);
    if (rc != 0) return 0;
    push_hex(L, out, mbedtls_md_get_size(info));
    return 1;
}

int l_md5(lua_State* L) {
    return digest(L, "MD5", false);
}
int l_sha1(lua_State* L) {
    return digest(L, "SHA1", false);
}
int l_sha256(lua_State* L) {
    return digest(L, "SHA256", false);
}
int l_sha512(lua_State* L) {
    return digest(L, "SHA512", false);
}
int l_hmac_md5(lua_State* L) {
    return digest(L, "MD5", true);
}
int l_hmac_sha1(lua_State* L) {
    return digest(L, "SHA1", true);
}
int l_hmac_sha256(lua_State* L) {
    return digest(L, "SHA256", true);
}
int l_hmac_sha512(lua_State* L) {
    return digest(L, "SHA512", true);
}

// crypto.md(type, data [, hmac_key]) -> hex, or nothing for an unknown type.
int l_md(lua_State* L) {
    const char* md = luaL_checkstring(L, 1);
    size_t len = 0;
    const char* data = luaL_checklstring(L, 2, &len);
    size_t key_len = 0;
    const char* key = lua_type(L, 3) == LUA_TSTRING ? luaL_checklstring(L, 3, &key_len) : nullptr;
    const mbedtls_md_info_t* info = module_md(md);
    if (info == nullptr) {
        module_log(L, sys_task::kLogWarn, "crypto", std::string("no such message digest ") + md);
        module_log(L, sys_task::kLogError, "crypto", "luat_crypto_md return -1");
        return 0;
    }
    unsigned char out[MBEDTLS_MD_MAX_SIZE];
    if (key_len > 0)
        mbedtls_md_hmac(info, bytes(key), key_len, bytes(data), len, out);
    else
        mbedtls_md(info, bytes(data), len, out);
    push_hex(L, out, mbedtls_md_get_size(info));
    return 1;
}

// crypto.md_file(type, path [, hmac_key]) -> hex, or nothing (unknown type, no such file).
int l_md_file(lua_State* L) {
    const char* md = luaL_checkstring(L, 1);
    size_t path_len = 0;
    const char* path = luaL_checklstring(L, 2, &path_len);
    if (path_len < 2) return 0;
    size_t key_len = 0;
    const char* key = lua_type(L, 3) == LUA_TSTRING ? luaL_checklstring(L, 3, &key_len) : nullptr;
    const mbedtls_md_info_t* info = module_md(md);
    if (info == nullptr) {
        module_log(L, sys_task::kLogInfo, "crypto", std::string("no such message digest ") + md);
        return 0;
    }
    UniqueFile f(open_device_file(device_fs(RunContext::from_upvalue(L)), path, "rb"));
    if (!f) {
        module_log(L, sys_task::kLogInfo, "crypto", std::string("no such file ") + path);
        return 0;
    }
    mbedtls_md_context_t ctx;
    mbedtls_md_init(&ctx);
    mbedtls_md_setup(&ctx, info, key_len > 0 ? 1 : 0);
    if (key_len > 0)
        mbedtls_md_hmac_starts(&ctx, bytes(key), key_len);
    else
        mbedtls_md_starts(&ctx);
    unsigned char buf[512];
    for (size_t n = 0; (n = std::fread(buf, 1, sizeof buf, f.get())) > 0;) {
        if (key_len > 0)
            mbedtls_md_hmac_update(&ctx, buf, n);
        else
            mbedtls_md_update(&ctx, buf, n);
    }
    unsigned char out[MBEDTLS_MD_MAX_SIZE];
    const int rc = key_len > 0 ? mbedtls_md_hmac_finish(&ctx, out) : mbedtls_md_finish(&ctx, out);
    mbedtls_md_free(&ctx);
    if (rc != 0) {
        module_log(L, sys_task::kLogInfo, "crypto", "md finish ret " + std::to_string(rc));
        return 0;
    }
    push_hex(L, out, mbedtls_md_get_size(info));
    return 1;
}

// A hash stream of crypto.hash_init: finished (ctx freed) by hash_finish or by the collector.
struct HashStream {
    mbedtls_md_context_t ctx;
    bool live = false;  // set up and not finished
    bool hmac = false;
    std::size_t size = 0;  // of the digest
};

HashStream* check_stream(lua_State* L) {
    return static_cast<HashStream*>(luaL_checkudata(L, 1, kStreamType));
}

int stream_gc(lua_State* L) {
    auto* s = static_cast<HashStream*>(lua_touserdata(L, 1));
    if (s->live) mbedtls_md_free(&s->ctx);
    s->live = false;
    return 0;
}

// crypto.hash_init(type [, hmac_key]) -> stream, or nothing for an unknown type.
int l_hash_init(lua_State* L) {
    auto* s = new (lua_newuserdatauv(L, sizeof(HashStream), 0)) HashStream{};
    const char* md = luaL_checkstring(L, 1);
    size_t key_len = 0;
    const char* key = lua_type(L, 2) == LUA_TSTRING ? luaL_checklstring(L, 2, &key_len) : nullptr;
    const mbedtls_md_info_t* info = module_md(md);
    if (info == nullptr) return 0;
    mbedtls_md_init(&s->ctx);
    if (mbedtls_md_setup(&s->ctx, info, key_len > 0 ? 1 : 0) != 0) {
        mbedtls_md_free(&s->ctx);
        return 0;
    }
    s->live = true;
    s->hmac = key_len > 0;
    s->size = mbedtls_md_get_size(info);
    if (s->hmac)
        mbedtls_md_hmac_starts(&s->ctx, bytes(key), key_len);
    else
        mbedtls_md_starts(&s->ctx);
    luaL_setmetatable(L, kStreamType);
    return 1;
}

// crypto.hash_update(stream, data): nothing happens on a finished stream (as on the module).
int l_hash_update(lua_State* L) {
    HashStream* s = check_stream(L);
    size_t len = 0;
    const char* data = luaL_checklstring(L, 2, &len);
    if (!s->live) return 0;
    if (s->hmac)
        mbedtls_md_hmac_update(&s->ctx, bytes(data), len);
    else
        mbedtls_md_update(&s->ctx, bytes(data), len);
    return 0;
}

// crypto.hash_finish(stream) -> hex; a finished stream gives nothing, with the line LuatOS logs
// for the failed finish (mbedTLS's "bad input" for the freed context).
int l_hash_finish(lua_State* L) {
    HashStream* s = check_stream(L);
    if (!s->live) {
        module_log(L, sys_task::kLogInfo, "crypto",
                   "md finish ret " + std::to_string(MBEDTLS_ERR_MD_BAD_INPUT_DATA));
        return 0;
    }
    unsigned char out[MBEDTLS_MD_MAX_SIZE];
    const int rc = s->hmac ? mbedtls_md_hmac_finish(&s->ctx, out) : mbedtls_md_finish(&s->ctx, out);
    const std::size_t size = s->size;
    mbedtls_md_free(&s->ctx);
    s->live = false;
    if (rc != 0) {
        module_log(L, sys_task::kLogInfo, "crypto", "md finish ret " + std::to_string(rc));
        return 0;
    }
    push_hex(L, out, size);
    return 1;
}

// crypto.trng(len) -> `len` random bytes (at most 128). len is a size_t on the module: 0 gives
// nothing, a negative number is huge and gives 128 bytes.
int l_trng(lua_State* L) {
    auto len = static_cast<std::size_t>(luaL_checkinteger(L, 1));
    if (len < 1) return 0;
    if (len > 128) len = 128;
    unsigned char buf[128];
    if (!host_random(buf, len)) return 0;
    lua_pushlstring(L, reinterpret_cast<const char*>(buf), len);
    return 1;
}

// crypto.totp(base32_secret [, unix_time]) -> the 6-digit RFC 6238 code (HMAC-SHA1, 30 s steps);
// without an integer time, the device's clock.
int l_totp(lua_State* L) {
    size_t len = 0;
    const char* secret_b32 = luaL_checklstring(L, 1, &len);
    // The module decodes into a buffer of len + 1 bytes, which base32 never fills.
    const auto secret = base32_decode(std::string_view(secret_b32, len));
    if (!secret) return luaL_error(L, "invalid base32 secret");
    std::uint64_t t = 0;
    if (lua_isinteger(L, 2))
        t = static_cast<std::uint64_t>(luaL_checkinteger(L, 2)) / 30;
    else
        t = static_cast<std::uint64_t>(std::time(nullptr)) / 30;
    unsigned char msg[8];
    for (int i = 7; i >= 0; --i) {
        msg[i] = static_cast<unsigned char>(t & 0xFF);
        t >>= 8;
    }
    unsigned char mac[20];
    // An empty secret is "no key" for the module's luat_crypto_md: a plain SHA-1 of the counter.
    const mbedtls_md_info_t* sha1 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
    const int rc = secret->empty()
                       ? mbedtls_md(sha1, msg, sizeof msg, mac)
                       : mbedtls_md_hmac(sha1, bytes(secret->data()), secret->size(), msg, sizeof msg, mac);
    if (rc != 0) return 0;
    const unsigned offset = mac[19] & 0x0F;
    const std::uint32_t code = ((static_cast<std::uint32_t>(mac[offset] & 0x7F) << 24) |
                                (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                                (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3]) %
                               1000000u;
    lua_pushinteger(L, static_cast<lua_Integer>(code));
    return 1;
}

int l_base64_encode(lua_State* L) {
    size_t len = 0;
    const char* data = luaL_checklstring(L, 1, &len);
    const std::string out = base64_encode(std::string_view(data, len));
    lua_pushlstring(L, out.data(), out.size());
    return 1;
}

int l_base64_decode(lua_State* L) {
    size_t len = 0;
    const char* data = luaL_checklstring(L, 1, &len);
    const auto out = base64_decode(std::string_view(data, len));
    if (!out) {
        lua_pushliteral(L, "");  // LuatOS returns an empty string for bad input
        return 1;
    }
    lua_pushlstring(L, out->data(), out->size());
    return 1;
}

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

}  // namespace

void install_crypto(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "crypto");
    static const luaL_Reg kFunctions[] = {
        {"md5", l_md5},
        {"sha1", l_sha1},
        {"sha256", l_sha256},
        {"sha512", l_sha512},
        {"hmac_md5", l_hmac_md5},
        {"hmac_sha1", l_hmac_sha1},
        {"hmac_sha256", l_hmac_sha256},
        {"hmac_sha512", l_hmac_sha512},
        {"cipher", l_cipher_encrypt},
        {"cipher_encrypt", l_cipher_encrypt},
        {"cipher_decrypt", l_cipher_decrypt},
        {"cipher_list", l_cipher_list},
        {"cipher_suites", l_cipher_suites},
        {"crc16", l_crc16},
        {"crc16_modbus", l_crc16_modbus},
        {"crc32", l_crc32},
        {"crc8", l_crc8},
        {"crc7", l_crc7},
        {"trng", l_trng},
        {"totp", l_totp},
        {"base64_encode", l_base64_encode},
        {"base64_decode", l_base64_decode},
        {"md_file", l_md_file},
        {"md", l_md},
        {"checksum", l_checksum},
        {"hash_init", l_hash_init},
        {"hash_update", l_hash_update},
        {"hash_finish", l_hash_finish},
        {"crc_file", l_crc_file},
        {"pk_sign", l_pk_sign},
        {"pk_verify", l_pk_verify},
        {"pk_type", l_pk_type},
        {"pk_generate", l_pk_generate},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    static const IntConstant kConstants[] = {
        {"MD_MD5", kLuatMdMd5},       {"MD_SHA1", kLuatMdSha1},     {"MD_SHA224", kLuatMdSha224},
        {"MD_SHA256", kLuatMdSha256}, {"MD_SHA384", kLuatMdSha384}, {"MD_SHA512", kLuatMdSha512},
    };
    set_int_constants(L, kConstants);
    lua_pop(L, 1);
    luaL_newmetatable(L, kStreamType);
    lua_pushcfunction(L, stream_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
}

}  // namespace lua_bindings
