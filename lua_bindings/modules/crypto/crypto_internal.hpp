// What the files of the crypto module share (docs/modules/crypto.md). Every C function of the module
// carries the RunContext as upvalue 1 (its logger and file system).
#pragma once

#include <mbedtls/cipher.h>
#include <mbedtls/md.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "lua_bindings/device/run_context.hpp"
#include "sys_task/logger.hpp"

namespace lua_bindings {

// A C-side line of the module (`E/crypto ...`), as LuatOS's LLOGE/LLOGW/LLOGI/LLOGD print them.
void module_log(lua_State* L, int level, std::string_view tag, std::string_view text);

// Bytes from the host's kernel random source (getrandom); false if it failed.
bool host_random(void* out, std::size_t len);
// mbedTLS's RNG callback over host_random.
int host_random_cb(void* unused, unsigned char* out, std::size_t len);

// The message digest named `name` ("MD5", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512"), only
// if the module's mbedTLS build has it; nullptr otherwise (RIPEMD160 is in Debian's, not there).
const mbedtls_md_info_t* module_md(const char* name);

// The symmetric cipher named `name` (mbedTLS's names, "AES-128-ECB"...), only if the module's
// mbedTLS build has it (AES ECB/CBC/CTR/GCM/CCM, DES and 3DES ECB/CBC); nullptr otherwise.
const mbedtls_cipher_info_t* module_cipher(const char* name);
bool module_has_cipher(mbedtls_cipher_type_t type);

std::string hex_upper(const unsigned char* data, std::size_t len);

// crypto_cipher.cpp
int l_cipher_encrypt(lua_State* L);
int l_cipher_decrypt(lua_State* L);
int l_cipher_list(lua_State* L);

// crypto_crc.cpp
int l_crc16(lua_State* L);
int l_crc16_modbus(lua_State* L);
int l_crc32(lua_State* L);
int l_crc8(lua_State* L);
int l_crc7(lua_State* L);
int l_crc_file(lua_State* L);
int l_checksum(lua_State* L);

// crypto_pk.cpp
int l_pk_sign(lua_State* L);
int l_pk_verify(lua_State* L);
int l_pk_type(lua_State* L);
int l_pk_generate(lua_State* L);

}  // namespace lua_bindings
