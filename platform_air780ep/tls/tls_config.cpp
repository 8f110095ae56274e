#include "platform_air780ep/tls/tls_config.hpp"

#include <sys/random.h>

#include <mbedtls/pkcs5.h>
#include <mbedtls/ssl.h>

#include <cerrno>

#include "platform_air780ep/tls/pkcs8_pbes2_aes.hpp"
#include "platform_air780ep/tls/tls_text.hpp"

namespace platform_air780ep {

namespace {

constexpr std::string_view kPemMarker = "-----BEGIN ";
constexpr std::string_view kDrbgPersonalization = "luatos-air780ep-tls";

bool looks_like_pem(std::string_view data) {
    return data.find(kPemMarker) != std::string_view::npos;
}

// mbedTLS parses PEM only when the terminating NUL is part of the length (LuatOS passes #s + 1);
// a Lua string has no NUL of its own, but a script may have added one.
std::string pem_with_nul(std::string_view pem) {
    std::string out(pem);
    if (out.empty() || out.back() != '\0') out.push_back('\0');
    return out;
}

// The DRBG's entropy source (seed and reseeds): the kernel's CSPRNG.
int kernel_entropy(void* /*unused*/, unsigned char* out, std::size_t len) {
    while (len > 0) {
        const ssize_t n = ::getrandom(out, len, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
        }
        out += n;
        len -= static_cast<std::size_t>(n);
    }
    return 0;
}

const auto* bytes_of(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

std::size_t count_certificates(const mbedtls_x509_crt& chain) {
    std::size_t n = 0;
    for (const mbedtls_x509_crt* c = &chain; c != nullptr; c = c->next) {
        if (c->raw.len > 0) ++n;
    }
    return n;
}

// Appends the certificates in `data` (PEM, one or more; or DER, one or more back to back) to `chain`.
// Returns the reason on failure, empty on success.
std::string parse_certificates(mbedtls_x509_crt& chain, std::string_view data) {
    if (data.empty() || (data.size() == 1 && data[0] == '\0')) return "empty";
    if (looks_like_pem(data)) {
        const std::string pem = pem_with_nul(data);
        const int ret = mbedtls_x509_crt_parse(&chain, bytes_of(pem), pem.size());
        if (ret < 0) return mbedtls_error_text(ret);
        if (ret > 0) {
            return std::to_string(ret) + (ret == 1 ? " certificate" : " certificates") +
                   " in the PEM text could not be parsed";
        }
        return {};
    }
    // DER: mbedtls_x509_crt_parse takes one DER certificate; a chain is certificates back to back.
    std::string_view rest = data;
    while (!rest.empty()) {
        const std::size_t before = count_certificates(chain);
        const int ret = mbedtls_x509_crt_parse_der(&chain, bytes_of(rest), rest.size());
        if (ret != 0) return mbedtls_error_text(ret);
        const mbedtls_x509_crt* last = &chain;
        while (last->next != nullptr)
            last = last->next;
        if (count_certificates(chain) != before + 1 || last->raw.len == 0 || last->raw.len > rest.size()) {
            return "DER certificate length does not add up";
        }
        rest.remove_prefix(last->raw.len);
    }
    return {};
}

}  // namespace

bool check_certificates(std::string_view data, std::string& error) {
    mbedtls_x509_crt chain;
    mbedtls_x509_crt_init(&chain);
    error = parse_certificates(chain, data);
    mbedtls_x509_crt_free(&chain);
    return error.empty();
}

TlsConfig::TlsConfig() {
    mbedtls_ctr_drbg_init(&drbg_);
    mbedtls_x509_crt_init(&ca_chain_);
    mbedtls_x509_crt_init(&client_cert_);
    mbedtls_pk_init(&client_key_);
    mbedtls_ssl_config_init(&ssl_conf_);
}

TlsConfig::~TlsConfig() {
    mbedtls_ssl_config_free(&ssl_conf_);
    mbedtls_pk_free(&client_key_);
    mbedtls_x509_crt_free(&client_cert_);
    mbedtls_x509_crt_free(&ca_chain_);
    mbedtls_ctr_drbg_free(&drbg_);
}

std::unique_ptr<TlsConfig> TlsConfig::create_insecure(std::string& error) {
    return create_insecure(TlsDeviceSettings{}, error);
}

std::unique_ptr<TlsConfig> TlsConfig::create_insecure(const TlsDeviceSettings& device, std::string& error) {
    TlsOptions options;
    options.verify = 0;
    std::vector<std::string> warnings;  // verify 0 has none
    return create(options, device, warnings, error);
}

std::unique_ptr<TlsConfig> TlsConfig::create(const TlsOptions& options, std::vector<std::string>& warnings,
                                             std::string& error) {
    return create(options, TlsDeviceSettings{}, warnings, error);
}

std::unique_ptr<TlsConfig> TlsConfig::create(const TlsOptions& options, const TlsDeviceSettings& device,
                                             std::vector<std::string>& warnings, std::string& error) {
    std::unique_ptr<TlsConfig> config(new TlsConfig());
    error = config->init(options, device, warnings);
    if (!error.empty()) return nullptr;
    return config;
}

std::string TlsConfig::init(const TlsOptions& options, const TlsDeviceSettings& device,
                            std::vector<std::string>& warnings) {
    if (options.verify < 0 || options.verify > 2) {
        return "verify: must be 0 (none), 1 (optional) or 2 (required), not " +
               std::to_string(options.verify);
    }
    verify_ = static_cast<TlsVerify>(options.verify);

    if (options.server_cert) {
        if (std::string why = parse_certificates(ca_chain_, *options.server_cert); !why.empty()) {
            return "server_cert: " + why;
        }
        ca_count_ = count_certificates(ca_chain_);
    } else if (verify_ == TlsVerify::kRequired) {
        warnings.emplace_back(
            "ssl: verify = 2 without server_cert: no CA to check the server against, "
            "every handshake will be refused");
    }

    // After the script's own certificates, so that a malformed server_cert is refused as without it.
    if (!device.trust_ca.empty() && verify_ != TlsVerify::kNone) {
        if (std::string why = parse_certificates(ca_chain_, device.trust_ca); !why.empty()) {
            return "--trust-ca " + device.trust_ca_path + ": " + why;
        }
        test_ca_path_ = device.trust_ca_path.empty() ? "(test CA)" : device.trust_ca_path;
    }

    if (options.client_cert) {
        if (std::string why = load_client_identity(options); !why.empty()) return why;
    } else if (options.client_key) {
        warnings.emplace_back("ssl: client_key given without client_cert: ignored (as LuatOS)");
    } else if (options.client_password) {
        warnings.emplace_back("ssl: client_password given without client_cert and client_key: ignored");
    }

    if (const int ret = mbedtls_ctr_drbg_seed(&drbg_, &kernel_entropy, nullptr,
                                              bytes_of(kDrbgPersonalization), kDrbgPersonalization.size());
        ret != 0) {
        return "ssl: random generator: " + mbedtls_error_text(ret);
    }
    if (const int ret = mbedtls_ssl_config_defaults(&ssl_conf_, MBEDTLS_SSL_IS_CLIENT,
                                                    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
        ret != 0) {
        return "ssl: " + mbedtls_error_text(ret);
    }
    // TLS 1.2 is what Debian's mbedTLS 2.28 speaks well (its TLS 1.3 is experimental and off).
    mbedtls_ssl_conf_min_version(&ssl_conf_, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&ssl_conf_, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_authmode(&ssl_conf_, static_cast<int>(verify_));
    mbedtls_ssl_conf_rng(&ssl_conf_, mbedtls_ctr_drbg_random, &drbg_);
    if (count_certificates(ca_chain_) > 0) mbedtls_ssl_conf_ca_chain(&ssl_conf_, &ca_chain_, nullptr);
    if (device.keylog) {
        keylog_ = device.keylog;
        mbedtls_ssl_conf_export_keys_ext_cb(&ssl_conf_, &TlsConfig::export_keys, keylog_.get());
    }
    if (has_client_cert_) {
        if (const int ret = mbedtls_ssl_conf_own_cert(&ssl_conf_, &client_cert_, &client_key_); ret != 0) {
            return "client_cert: " + mbedtls_error_text(ret);
        }
    }
    return {};
}

int TlsConfig::export_keys(void* keylog, const unsigned char* master_secret,
                           const unsigned char* /*key_block*/, std::size_t /*mac_length*/,
                           std::size_t /*key_length*/, std::size_t /*iv_length*/,
                           const unsigned char client_random[32], const unsigned char* /*server_random*/,
                           mbedtls_tls_prf_types /*prf*/) {
    // The master secret is 48 bytes in every TLS 1.2 suite (RFC 5246, 8.1).
    static_cast<TlsKeyLog*>(keylog)->add({client_random, 32}, {master_secret, 48});
    return 0;
}

std::string TlsConfig::load_client_identity(const TlsOptions& options) {
    if (std::string why = parse_certificates(client_cert_, *options.client_cert); !why.empty()) {
        return "client_cert: " + why;
    }
    if (!options.client_key) return "client_key: missing (client_cert needs its private key)";
    const std::string_view key = *options.client_key;
    if (key.empty()) return "client_key: empty";
    const std::string key_bytes = looks_like_pem(key) ? pem_with_nul(key) : std::string(key);
    const std::string_view password = options.client_password.value_or(std::string_view{});
    int ret = mbedtls_pk_parse_key(&client_key_, bytes_of(key_bytes), key_bytes.size(),
                                   password.empty() ? nullptr : bytes_of(password), password.size());
    if (ret == MBEDTLS_ERR_PKCS5_FEATURE_UNAVAILABLE || ret == MBEDTLS_ERR_PK_KEY_INVALID_FORMAT) {
        // PBES2 with AES (OpenSSL 3's default for an encrypted key): mbedTLS 2.28 lacks it, we decrypt.
        // (In DER it reports such a key, and any encrypted key given without a password, as invalid.)
        SecretBytes plain;
        const int decrypted =
            decrypt_pkcs8_pbes2_aes({bytes_of(key_bytes), key_bytes.size()}, password, plain);
        if (decrypted == 0) {
            mbedtls_pk_free(&client_key_);
            mbedtls_pk_init(&client_key_);
            ret = mbedtls_pk_parse_key(&client_key_, plain.bytes().data(), plain.bytes().size(), nullptr, 0);
            // Padding that checks out by chance (1 in 256) with a wrong password decrypts to garbage.
            if (ret != 0) ret = MBEDTLS_ERR_PK_PASSWORD_MISMATCH;
        } else if (decrypted != MBEDTLS_ERR_PKCS5_FEATURE_UNAVAILABLE &&
                   decrypted != MBEDTLS_ERR_PK_KEY_INVALID_FORMAT) {
            ret = decrypted;
        }
    }
    // A legacy encrypted PEM key (DEK-Info, 3DES/AES-CBC) is decrypted by mbedTLS itself; with a wrong
    // password its padding check passes by chance about once in 256 tries, and the garbage then fails
    // to parse as an "invalid key tag". That is still a wrong password, and must say so.
    const bool invalid_format = ret != 0 && (-ret & 0xFF80) == -MBEDTLS_ERR_PK_KEY_INVALID_FORMAT;
    if (invalid_format && !password.empty() && key.find("ENCRYPTED") != std::string_view::npos) {
        ret = MBEDTLS_ERR_PK_PASSWORD_MISMATCH;
    }
    if (ret != 0) return "client_key: " + mbedtls_error_text(ret);
    if (const int pair = mbedtls_pk_check_pair(&client_cert_.pk, &client_key_); pair != 0) {
        return "client_key: does not match client_cert (" + mbedtls_error_text(pair) + ")";
    }
    has_client_cert_ = true;
    return {};
}

}  // namespace platform_air780ep
