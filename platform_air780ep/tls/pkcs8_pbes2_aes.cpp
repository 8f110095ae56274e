#include "platform_air780ep/tls/pkcs8_pbes2_aes.hpp"

#include <mbedtls/asn1.h>
#include <mbedtls/cipher.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>

#include <array>
#include <cstring>
#include <string_view>

namespace platform_air780ep {

namespace {

// id-aes128-CBC, id-aes192-CBC, id-aes256-CBC (NIST aes 2, 22, 42)
#define LUAT_OID(oid) std::string_view(oid, MBEDTLS_OID_SIZE(oid))
constexpr std::string_view kAes128Cbc = LUAT_OID(MBEDTLS_OID_AES "\x02");
constexpr std::string_view kAes192Cbc = LUAT_OID(MBEDTLS_OID_AES "\x16");
constexpr std::string_view kAes256Cbc = LUAT_OID(MBEDTLS_OID_AES "\x2a");
constexpr std::string_view kPbes2 = LUAT_OID(MBEDTLS_OID_PKCS5_PBES2);
constexpr std::string_view kPbkdf2 = LUAT_OID(MBEDTLS_OID_PKCS5_PBKDF2);
#undef LUAT_OID
constexpr std::size_t kAesBlock = 16;
// A key file asking for more is refused rather than keeping the device busy for minutes.
constexpr int kMaxIterations = 10'000'000;

bool oid_is(const mbedtls_asn1_buf& oid, std::string_view expected) {
    return oid.len == expected.size() && std::memcmp(oid.p, expected.data(), oid.len) == 0;
}

struct Pbes2Params {
    std::span<const std::uint8_t> salt;
    int iterations = 0;
    mbedtls_md_type_t prf = MBEDTLS_MD_SHA1;  // the PBKDF2 default
    mbedtls_cipher_type_t cipher = MBEDTLS_CIPHER_NONE;
    std::size_t key_length = 0;
    std::span<const std::uint8_t> iv;
};

constexpr int kBadFormat = MBEDTLS_ERR_PK_KEY_INVALID_FORMAT;
constexpr int kUnsupported = MBEDTLS_ERR_PKCS5_FEATURE_UNAVAILABLE;

// PBKDF2-params ::= SEQUENCE { salt OCTET STRING, iterationCount INTEGER, keyLength INTEGER OPTIONAL,
//                              prf AlgorithmIdentifier DEFAULT algid-hmacWithSHA1 }
int parse_pbkdf2(const mbedtls_asn1_buf& params, Pbes2Params& out) {
    if (params.tag != (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) return kBadFormat;
    unsigned char* p = params.p;
    const unsigned char* end = p + params.len;
    std::size_t len = 0;
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING) != 0) return kBadFormat;
    out.salt = {p, len};
    p += len;
    if (mbedtls_asn1_get_int(&p, end, &out.iterations) != 0 || out.iterations <= 0) return kBadFormat;
    if (out.iterations > kMaxIterations) return kUnsupported;
    if (p < end && *p == MBEDTLS_ASN1_INTEGER) {
        int key_length = 0;
        if (mbedtls_asn1_get_int(&p, end, &key_length) != 0 || key_length <= 0) return kBadFormat;
        if (static_cast<std::size_t>(key_length) != out.key_length) return kBadFormat;
    }
    if (p < end) {
        mbedtls_asn1_buf prf_oid{};
        mbedtls_asn1_buf prf_params{};
        if (mbedtls_asn1_get_alg(&p, end, &prf_oid, &prf_params) != 0) return kBadFormat;
        if (mbedtls_oid_get_md_hmac(&prf_oid, &out.prf) != 0) return kUnsupported;
    }
    return p == end ? 0 : kBadFormat;
}

// PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme AlgorithmIdentifier }
int parse_pbes2(const mbedtls_asn1_buf& params, Pbes2Params& out) {
    if (params.tag != (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) return kBadFormat;
    unsigned char* p = params.p;
    const unsigned char* end = p + params.len;
    mbedtls_asn1_buf kdf_oid{};
    mbedtls_asn1_buf kdf_params{};
    mbedtls_asn1_buf enc_oid{};
    mbedtls_asn1_buf enc_params{};
    if (mbedtls_asn1_get_alg(&p, end, &kdf_oid, &kdf_params) != 0) return kBadFormat;
    if (mbedtls_asn1_get_alg(&p, end, &enc_oid, &enc_params) != 0 || p != end) return kBadFormat;
    if (!oid_is(kdf_oid, kPbkdf2)) return kUnsupported;
    if (oid_is(enc_oid, kAes128Cbc)) {
        out.cipher = MBEDTLS_CIPHER_AES_128_CBC;
        out.key_length = 16;
    } else if (oid_is(enc_oid, kAes192Cbc)) {
        out.cipher = MBEDTLS_CIPHER_AES_192_CBC;
        out.key_length = 24;
    } else if (oid_is(enc_oid, kAes256Cbc)) {
        out.cipher = MBEDTLS_CIPHER_AES_256_CBC;
        out.key_length = 32;
    } else {
        return kUnsupported;
    }
    if (enc_params.tag != MBEDTLS_ASN1_OCTET_STRING || enc_params.len != kAesBlock) return kBadFormat;
    out.iv = {enc_params.p, enc_params.len};
    return parse_pbkdf2(kdf_params, out);
}

class MdContext {
  public:
    MdContext() { mbedtls_md_init(&ctx); }
    ~MdContext() { mbedtls_md_free(&ctx); }
    MdContext(const MdContext&) = delete;
    MdContext& operator=(const MdContext&) = delete;
    mbedtls_md_context_t ctx;
};

class CipherContext {
  public:
    CipherContext() { mbedtls_cipher_init(&ctx); }
    ~CipherContext() { mbedtls_cipher_free(&ctx); }
    CipherContext(const CipherContext&) = delete;
    CipherContext& operator=(const CipherContext&) = delete;
    mbedtls_cipher_context_t ctx;
};

class PemContext {
  public:
    PemContext() { mbedtls_pem_init(&ctx); }
    ~PemContext() { mbedtls_pem_free(&ctx); }
    PemContext(const PemContext&) = delete;
    PemContext& operator=(const PemContext&) = delete;
    mbedtls_pem_context ctx;
};

int decrypt(const Pbes2Params& params, std::span<const std::uint8_t> encrypted, std::string_view password,
            SecretBytes& plain) {
    std::array<unsigned char, 32> key{};
    MdContext md;
    const mbedtls_md_info_t* md_info = mbedtls_md_info_from_type(params.prf);
    if (md_info == nullptr) return kUnsupported;
    int ret = mbedtls_md_setup(&md.ctx, md_info, 1);
    if (ret == 0) {
        ret = mbedtls_pkcs5_pbkdf2_hmac(&md.ctx, reinterpret_cast<const unsigned char*>(password.data()),
                                        password.size(), params.salt.data(), params.salt.size(),
                                        static_cast<unsigned>(params.iterations),
                                        static_cast<std::uint32_t>(params.key_length), key.data());
    }
    CipherContext cipher;
    const mbedtls_cipher_info_t* cipher_info = mbedtls_cipher_info_from_type(params.cipher);
    if (ret == 0)
        ret = cipher_info == nullptr ? kUnsupported : mbedtls_cipher_setup(&cipher.ctx, cipher_info);
    if (ret == 0) {
        ret = mbedtls_cipher_setkey(&cipher.ctx, key.data(), static_cast<int>(params.key_length * 8),
                                    MBEDTLS_DECRYPT);
    }
    mbedtls_platform_zeroize(key.data(), key.size());
    if (ret != 0) return ret;
    plain.bytes().resize(encrypted.size() + kAesBlock);
    std::size_t out_len = 0;
    ret = mbedtls_cipher_crypt(&cipher.ctx, params.iv.data(), params.iv.size(), encrypted.data(),
                               encrypted.size(), plain.bytes().data(), &out_len);
    if (ret == MBEDTLS_ERR_CIPHER_INVALID_PADDING || ret == MBEDTLS_ERR_CIPHER_FULL_BLOCK_EXPECTED) {
        return MBEDTLS_ERR_PK_PASSWORD_MISMATCH;
    }
    if (ret != 0) return ret;
    mbedtls_platform_zeroize(plain.bytes().data() + out_len, plain.bytes().size() - out_len);
    plain.bytes().resize(out_len);
    return 0;
}

}  // namespace

SecretBytes::~SecretBytes() {
    mbedtls_platform_zeroize(bytes_.data(), bytes_.size());
}

int decrypt_pkcs8_pbes2_aes(std::span<const std::uint8_t> key, std::string_view password,
                            SecretBytes& plain) {
    PemContext pem;
    std::span<const std::uint8_t> der = key;
    const std::string_view text(reinterpret_cast<const char*>(key.data()), key.size());
    if (text.find("-----BEGIN ") != std::string_view::npos) {  // PEM, the NUL included by the caller
        std::size_t used = 0;
        const int ret =
            mbedtls_pem_read_buffer(&pem.ctx, "-----BEGIN ENCRYPTED PRIVATE KEY-----",
                                    "-----END ENCRYPTED PRIVATE KEY-----", key.data(), nullptr, 0, &used);
        if (ret != 0) return ret == MBEDTLS_ERR_PEM_NO_HEADER_FOOTER_PRESENT ? kBadFormat : ret;
        der = {pem.ctx.buf, pem.ctx.buflen};
    }
    // EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET
    // STRING }
    auto* p = const_cast<unsigned char*>(der.data());  // mbedTLS's parser API is not const, it only reads
    const unsigned char* end = p + der.size();
    std::size_t len = 0;
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
        return kBadFormat;
    end = p + len;
    mbedtls_asn1_buf alg_oid{};
    mbedtls_asn1_buf alg_params{};
    if (mbedtls_asn1_get_alg(&p, end, &alg_oid, &alg_params) != 0) return kBadFormat;
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING) != 0) return kBadFormat;
    const std::span<const std::uint8_t> encrypted(p, len);
    if (password.empty()) return MBEDTLS_ERR_PK_PASSWORD_REQUIRED;  // whatever the scheme
    if (!oid_is(alg_oid, kPbes2)) return kUnsupported;
    Pbes2Params params;
    if (const int ret = parse_pbes2(alg_params, params); ret != 0) return ret;
    if (encrypted.empty() || encrypted.size() % kAesBlock != 0) return kBadFormat;
    return decrypt(params, encrypted, password, plain);
}

}  // namespace platform_air780ep
