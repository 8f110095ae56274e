#include "platform_air780ep/tls/ip_san.hpp"

#include <arpa/inet.h>
#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

namespace platform_air780ep {

namespace {

// GeneralName ::= CHOICE { ... iPAddress [7] IMPLICIT OCTET STRING ... }
constexpr int kGeneralNameIpAddress = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7;

bool san_value_has_ip(unsigned char* p, const unsigned char* end, const std::vector<std::uint8_t>& address) {
    std::size_t len = 0;
    // SubjectAltName ::= GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
        return false;
    const unsigned char* names_end = p + len;
    while (p < names_end) {
        const int tag = *p++;
        if (mbedtls_asn1_get_len(&p, names_end, &len) != 0) return false;
        if (tag == kGeneralNameIpAddress && len == address.size() &&
            std::equal(address.begin(), address.end(), p)) {
            return true;
        }
        p += len;
    }
    return false;
}

}  // namespace

std::optional<std::vector<std::uint8_t>> parse_ip_literal(std::string_view host) {
    const std::string text(host);  // inet_pton needs a NUL-terminated string
    std::array<std::uint8_t, 16> bytes{};
    if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) {
        return std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 4);
    }
    if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) {
        return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
    }
    return std::nullopt;
}

bool certificate_has_ip_san(const mbedtls_x509_crt& cert, const std::vector<std::uint8_t>& address) {
    if (cert.v3_ext.p == nullptr || cert.v3_ext.len == 0) return false;
    // v3_ext is the content of the [3] wrapper: Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension
    unsigned char* p = cert.v3_ext.p;
    const unsigned char* end = p + cert.v3_ext.len;
    std::size_t len = 0;
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
        return false;
    end = p + len;
    while (p < end) {
        // Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
        if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) {
            return false;
        }
        unsigned char* ext_end = p + len;
        if (mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_OID) != 0) return false;
        const bool is_san = len == MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME) &&
                            std::memcmp(p, MBEDTLS_OID_SUBJECT_ALT_NAME, len) == 0;
        p += len;
        int critical = 0;
        if (const int ret = mbedtls_asn1_get_bool(&p, ext_end, &critical);
            ret != 0 && ret != MBEDTLS_ERR_ASN1_UNEXPECTED_TAG) {
            return false;
        }
        if (mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_OCTET_STRING) != 0) return false;
        if (is_san) return san_value_has_ip(p, p + len, address);
        p = ext_end;
    }
    return false;
}

}  // namespace platform_air780ep
