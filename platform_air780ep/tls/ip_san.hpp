// IP-address host names checked against a certificate's iPAddress subjectAltName entries.
//
// mbedTLS 2.28 compares the expected host name only with dNSName entries and the CN, so a broker
// reached by address ("127.0.0.1", "10.0.2.2") always fails verification with "CN mismatch" even when
// its certificate lists that address. RFC 6125 says an IP reference identity is matched against
// iPAddress entries; TlsStream uses these helpers in its verify callback to do that.
#pragma once

#include <mbedtls/x509_crt.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace platform_air780ep {

// The 4 (IPv4) or 16 (IPv6) address bytes if `host` is an IP literal, nothing for a DNS name.
std::optional<std::vector<std::uint8_t>> parse_ip_literal(std::string_view host);

// True if the certificate has an iPAddress subjectAltName equal to `address` (4 or 16 bytes).
// A certificate whose extensions cannot be walked never matches.
bool certificate_has_ip_san(const mbedtls_x509_crt& cert, const std::vector<std::uint8_t>& address);

}  // namespace platform_air780ep
