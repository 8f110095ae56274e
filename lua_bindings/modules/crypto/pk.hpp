// Public-key signatures over mbedTLS's pk layer, as LuatOS's luat_crypto_pk_sign/verify have them
// (crypto.pk_sign/pk_verify and the rsa module; docs/modules/crypto.md, docs/modules/rsa.md).
#pragma once

#include <mbedtls/pk.h>

#include <optional>
#include <string>
#include <string_view>

struct lua_State;

namespace lua_bindings {

// LuatOS's MD_* constants (mbedTLS 3's numbering), as crypto.MD_* and rsa.MD_* give them.
inline constexpr int kLuatMdMd5 = 0x03;
inline constexpr int kLuatMdSha1 = 0x05;
inline constexpr int kLuatMdSha224 = 0x08;
inline constexpr int kLuatMdSha256 = 0x09;
inline constexpr int kLuatMdSha384 = 0x0a;
inline constexpr int kLuatMdSha512 = 0x0b;

// An mbedTLS pk context for one call, freed however the call ends (Lua errors unwind as exceptions).
struct PkContext {
    mbedtls_pk_context pk;
    PkContext() { mbedtls_pk_init(&pk); }
    ~PkContext() { mbedtls_pk_free(&pk); }
    PkContext(const PkContext&) = delete;
    PkContext& operator=(const PkContext&) = delete;
};

// Sign `hash` with a private key (PEM, recognised by its "-----" start, or DER). nullopt on any
// failure, with LuatOS's `E/<tag> pk_sign: ...` line.
std::optional<std::string> pk_sign(lua_State* L, int luat_md, std::string_view hash, std::string_view key,
                                   std::string_view password);

// 0: the signature is valid; 1: it is not; < 0: the public key did not parse (mbedTLS's error).
int pk_verify(lua_State* L, int luat_md, std::string_view hash, std::string_view key, std::string_view sig);

}  // namespace lua_bindings
