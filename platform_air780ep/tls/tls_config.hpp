// TlsConfig: what a LuatOS script's `ssl` argument to mqtt.create means, parsed once.
//
// `ssl = true` gives TLS without certificate checks (verify 0), as LuatOS does. `ssl = {...}` gives
// `verify` (default 2 = required), `server_cert` (the CA certificates to trust: PEM, a chain allowed,
// or DER), `client_cert` + `client_key` (+ `client_password`) for mutual TLS. The strings are taken
// exactly as a script gives them: PEM with or without the terminating NUL (LuatOS passes #s + 1),
// or DER.
//
// A config is immutable once created and is shared (std::shared_ptr<const TlsConfig>, made from what
// create() returns) by every connection and reconnection of one client. It owns its DRBG, seeded from the
// kernel (getrandom): no state is shared between configs, so many devices can run in one process. (Not an
// mbedtls_entropy_context: Debian builds it with HAVEGE, 38 KB per instance for nothing getrandom
// does not already give.)
#pragma once

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform_air780ep/tls/tls_keylog.hpp"

namespace platform_air780ep {

// mbedtls_ssl_conf_authmode values, as LuatOS passes `verify` straight through.
enum class TlsVerify : int {
    kNone = MBEDTLS_SSL_VERIFY_NONE,          // 0: no check at all
    kOptional = MBEDTLS_SSL_VERIFY_OPTIONAL,  // 1: checked; a failure is only a warning
    kRequired = MBEDTLS_SSL_VERIFY_REQUIRED,  // 2: checked; a failure refuses the server
};

// The fields of the script's `ssl` table. The views need only live during TlsConfig::create().
struct TlsOptions {
    int verify = 2;
    std::optional<std::string_view> server_cert;
    std::optional<std::string_view> client_cert;
    std::optional<std::string_view> client_key;
    std::optional<std::string_view> client_password;
};

// What the device (its command line) adds to every TLS config of its scripts, for debugging
// (docs/debugging.md). Empty by default: a config then is exactly what the script asked for.
struct TlsDeviceSettings {
    // --tls-keylog FILE: each session's secrets go there (NSS key log), whatever `verify` says.
    std::shared_ptr<TlsKeyLog> keylog;
    // --trust-ca FILE (test-only): certificates (PEM or DER, as read from the file) that verification
    // accepts as well as the script's server_cert; the host name is still checked. Empty: none.
    std::string trust_ca;
    std::string trust_ca_path;  // the file, for messages
};

// Whether `data` holds at least one certificate TlsConfig can load (PEM, a PEM chain, or DER);
// false with mbedTLS's reason in `error`. The command line checks --trust-ca with it at start-up.
bool check_certificates(std::string_view data, std::string& error);

class TlsConfig {
  public:
    // `ssl = true`: encrypted, the server certificate is not checked. nullptr, with the reason in
    // `error`, only if the random generator cannot be seeded.
    static std::unique_ptr<TlsConfig> create_insecure(std::string& error);
    static std::unique_ptr<TlsConfig> create_insecure(const TlsDeviceSettings& device, std::string& error);
    // `ssl = {...}`. nullptr, with the field and mbedTLS's reason in `error` (e.g. "client_key: PK -
    // Password mismatch"), for: `verify` not 0/1/2; a certificate or key that does not parse; an
    // encrypted key with a wrong or missing password; `client_cert` without `client_key` or with a
    // key that does not match it. Ignored as LuatOS ignores them, each with a line appended to
    // `warnings`: `client_key` / `client_password` without `client_cert` (LuatOS only reads the key
    // when a certificate is given), verify 2 without `server_cert`.
    static std::unique_ptr<TlsConfig> create(const TlsOptions& options, std::vector<std::string>& warnings,
                                             std::string& error);
    // The same, with the device's additions: the key log; the test CA, appended to the chain when the
    // server is checked (verify 1 or 2). The script's server_cert is parsed, and refused, first and
    // exactly as without them.
    static std::unique_ptr<TlsConfig> create(const TlsOptions& options, const TlsDeviceSettings& device,
                                             std::vector<std::string>& warnings, std::string& error);

    ~TlsConfig();
    TlsConfig(const TlsConfig&) = delete;
    TlsConfig& operator=(const TlsConfig&) = delete;

    [[nodiscard]] TlsVerify verify() const { return verify_; }
    [[nodiscard]] std::size_t trusted_ca_count() const { return ca_count_; }
    [[nodiscard]] bool has_client_certificate() const { return has_client_cert_; }
    // Whether the device's test CA (--trust-ca) is trusted too, and its file.
    [[nodiscard]] bool trusts_test_ca() const { return !test_ca_path_.empty(); }
    [[nodiscard]] const std::string& test_ca_path() const { return test_ca_path_; }
    // The line every TLS connect logs while --trust-ca widens verification; empty otherwise.
    [[nodiscard]] std::string connect_warning() const {
        if (!trusts_test_ca()) return {};
        return "TLS verification also trusts the test CA " + test_ca_path_ + " (--trust-ca, test only)";
    }
    // For mbedtls_ssl_setup(); the config stays valid as long as this object.
    [[nodiscard]] const mbedtls_ssl_config* ssl_config() const { return &ssl_conf_; }

  private:
    TlsConfig();
    std::string init(const TlsOptions& options, const TlsDeviceSettings& device,
                     std::vector<std::string>& warnings);
    // mbedtls_ssl_conf_export_keys_ext_cb's callback: one key log line per session.
    static int export_keys(void* keylog, const unsigned char* master_secret, const unsigned char* key_block,
                           std::size_t mac_length, std::size_t key_length, std::size_t iv_length,
                           const unsigned char client_random[32], const unsigned char server_random[32],
                           mbedtls_tls_prf_types prf);
    std::string load_client_identity(const TlsOptions& options);

    TlsVerify verify_ = TlsVerify::kRequired;
    std::size_t ca_count_ = 0;
    bool has_client_cert_ = false;
    std::string test_ca_path_;
    std::shared_ptr<TlsKeyLog> keylog_;
    // mbedTLS keeps pointers between these (the ssl config points at the rest): never moved.
    mbedtls_ctr_drbg_context drbg_;
    mbedtls_x509_crt ca_chain_;
    mbedtls_x509_crt client_cert_;
    mbedtls_pk_context client_key_;
    mbedtls_ssl_config ssl_conf_;
};

}  // namespace platform_air780ep
