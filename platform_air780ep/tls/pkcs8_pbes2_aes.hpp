// PKCS#8 private keys encrypted with PBES2 + AES-CBC, which mbedTLS 2.28 cannot read.
//
// mbedTLS 2.28 decrypts PBES2 only with DES or 3DES and answers "PKCS5 - Requested encryption or
// digest alg not available" otherwise. OpenSSL 3 encrypts with AES-256-CBC by default (`openssl
// genpkey|genrsa|pkey -aes256`, `openssl pkcs8 -topk8`), so a key made the usual way today would be
// refused. This decrypts PBES2 (PBKDF2 with HMAC-SHA1/224/256/384/512, AES-128/192/256-CBC) to the
// plain PrivateKeyInfo DER, which mbedTLS then parses.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace platform_air780ep {

// Bytes that are wiped when they go away (a decrypted private key).
class SecretBytes {
  public:
    SecretBytes() = default;
    ~SecretBytes();
    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;
    std::vector<std::uint8_t>& bytes() { return bytes_; }
    [[nodiscard]] const std::vector<std::uint8_t>& bytes() const { return bytes_; }

  private:
    std::vector<std::uint8_t> bytes_;
};

// `key` is the script's string: PEM ("ENCRYPTED PRIVATE KEY", the terminating NUL included) or DER.
// Returns 0 with `plain` filled, or an mbedTLS error: MBEDTLS_ERR_PK_PASSWORD_REQUIRED (for any
// EncryptedPrivateKeyInfo: mbedTLS says "Invalid key tag or value" for an encrypted DER key without one),
// MBEDTLS_ERR_PK_PASSWORD_MISMATCH (the padding did not check out), MBEDTLS_ERR_PK_KEY_INVALID_FORMAT
// (not an EncryptedPrivateKeyInfo), MBEDTLS_ERR_PKCS5_FEATURE_UNAVAILABLE (some other scheme).
int decrypt_pkcs8_pbes2_aes(std::span<const std::uint8_t> key, std::string_view password, SecretBytes& plain);

}  // namespace platform_air780ep
