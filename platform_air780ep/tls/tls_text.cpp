#include "platform_air780ep/tls/tls_text.hpp"

#include <mbedtls/error.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <array>
#include <string_view>

namespace platform_air780ep {

std::string mbedtls_error_text(int code) {
    std::array<char, 256> buf{};
    mbedtls_strerror(code, buf.data(), buf.size());
    return std::string(buf.data());
}

std::string verify_flags_text(std::uint32_t flags) {
    if (flags == 0) return {};
    std::array<char, 1024> buf{};
    const int n = mbedtls_x509_crt_verify_info(buf.data(), buf.size(), "", flags);
    if (n <= 0) return "certificate verification failed (flags 0x" + std::to_string(flags) + ")";
    // One reason per line, each ending in '\n': join them on one log line.
    std::string out;
    std::string_view rest(buf.data(), static_cast<std::size_t>(n));
    while (!rest.empty()) {
        const std::size_t eol = rest.find('\n');
        std::string_view line = rest.substr(0, eol);
        if (!line.empty()) {
            if (!out.empty()) out += "; ";
            out += line;
        }
        if (eol == std::string_view::npos) break;
        rest.remove_prefix(eol + 1);
    }
    return out;
}

std::string alert_text(unsigned alert) {
    const char* name = "unknown alert";
    switch (alert) {
        case MBEDTLS_SSL_ALERT_MSG_CLOSE_NOTIFY:
            name = "close_notify";
            break;
        case MBEDTLS_SSL_ALERT_MSG_UNEXPECTED_MESSAGE:
            name = "unexpected_message";
            break;
        case MBEDTLS_SSL_ALERT_MSG_BAD_RECORD_MAC:
            name = "bad_record_mac";
            break;
        case MBEDTLS_SSL_ALERT_MSG_DECRYPTION_FAILED:
            name = "decryption_failed";
            break;
        case MBEDTLS_SSL_ALERT_MSG_RECORD_OVERFLOW:
            name = "record_overflow";
            break;
        case MBEDTLS_SSL_ALERT_MSG_DECOMPRESSION_FAILURE:
            name = "decompression_failure";
            break;
        case MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE:
            name = "handshake_failure";
            break;
        case MBEDTLS_SSL_ALERT_MSG_NO_CERT:
            name = "no_certificate";
            break;
        case MBEDTLS_SSL_ALERT_MSG_BAD_CERT:
            name = "bad_certificate";
            break;
        case MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT:
            name = "unsupported_certificate";
            break;
        case MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED:
            name = "certificate_revoked";
            break;
        case MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED:
            name = "certificate_expired";
            break;
        case MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN:
            name = "certificate_unknown";
            break;
        case MBEDTLS_SSL_ALERT_MSG_ILLEGAL_PARAMETER:
            name = "illegal_parameter";
            break;
        case MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA:
            name = "unknown_ca";
            break;
        case MBEDTLS_SSL_ALERT_MSG_ACCESS_DENIED:
            name = "access_denied";
            break;
        case MBEDTLS_SSL_ALERT_MSG_DECODE_ERROR:
            name = "decode_error";
            break;
        case MBEDTLS_SSL_ALERT_MSG_DECRYPT_ERROR:
            name = "decrypt_error";
            break;
        case MBEDTLS_SSL_ALERT_MSG_EXPORT_RESTRICTION:
            name = "export_restriction";
            break;
        case MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION:
            name = "protocol_version";
            break;
        case MBEDTLS_SSL_ALERT_MSG_INSUFFICIENT_SECURITY:
            name = "insufficient_security";
            break;
        case MBEDTLS_SSL_ALERT_MSG_INTERNAL_ERROR:
            name = "internal_error";
            break;
        case MBEDTLS_SSL_ALERT_MSG_INAPROPRIATE_FALLBACK:
            name = "inappropriate_fallback";
            break;
        case MBEDTLS_SSL_ALERT_MSG_USER_CANCELED:
            name = "user_canceled";
            break;
        case MBEDTLS_SSL_ALERT_MSG_NO_RENEGOTIATION:
            name = "no_renegotiation";
            break;
        case 109:
            name = "missing_extension";
            break;  // TLS 1.3 alerts a newer broker may send
        case MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_EXT:
            name = "unsupported_extension";
            break;
        case MBEDTLS_SSL_ALERT_MSG_UNRECOGNIZED_NAME:
            name = "unrecognized_name";
            break;
        case MBEDTLS_SSL_ALERT_MSG_UNKNOWN_PSK_IDENTITY:
            name = "unknown_psk_identity";
            break;
        case 116:
            name = "certificate_required";
            break;
        case MBEDTLS_SSL_ALERT_MSG_NO_APPLICATION_PROTOCOL:
            name = "no_application_protocol";
            break;
        default:
            break;
    }
    return std::string(name) + " (" + std::to_string(alert) + ")";
}

}  // namespace platform_air780ep
