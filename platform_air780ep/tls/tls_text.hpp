// Human-readable reasons for TLS failures, for the device log: mbedTLS error codes, certificate
// verification flags and TLS alerts, each turned into the text a user can act on.
#pragma once

#include <cstdint>
#include <string>

namespace platform_air780ep {

// mbedtls_strerror's text, e.g. "PK - Password mismatch" (high and low level parts joined by " : ").
std::string mbedtls_error_text(int code);

// mbedtls_x509_crt_verify_info's lines joined with "; ", e.g.
// "The certificate validity has expired; The certificate is not correctly signed by the trusted CA".
// Empty when no flag is set.
std::string verify_flags_text(std::uint32_t flags);

// The RFC 5246/8446 name of a TLS alert, e.g. "handshake_failure (40)".
std::string alert_text(unsigned alert);

}  // namespace platform_air780ep
