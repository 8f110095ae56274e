// IP-literal host names against iPAddress subjectAltName entries (mbedTLS 2.28 checks only DNS names).
#include <catch2/catch.hpp>

#include <mbedtls/x509_crt.h>

#include <string>

#include "platform_air780ep/tls/ip_san.hpp"
#include "tests/tls/support/test_pki.hpp"

using platform_air780ep::certificate_has_ip_san;
using platform_air780ep::parse_ip_literal;

namespace {

class ParsedCert {
  public:
    explicit ParsedCert(const std::string& pem) {
        mbedtls_x509_crt_init(&crt_);
        REQUIRE(mbedtls_x509_crt_parse(&crt_, reinterpret_cast<const unsigned char*>(pem.c_str()),
                                       pem.size() + 1) == 0);
    }
    ~ParsedCert() { mbedtls_x509_crt_free(&crt_); }
    ParsedCert(const ParsedCert&) = delete;
    ParsedCert& operator=(const ParsedCert&) = delete;
    const mbedtls_x509_crt& get() const { return crt_; }

  private:
    mbedtls_x509_crt crt_;
};

}  // namespace

TEST_CASE("parse_ip_literal: IPv4 and IPv6 literals, not names", "[tls][ip_san]") {
    CHECK(parse_ip_literal("127.0.0.1") == std::vector<std::uint8_t>{127, 0, 0, 1});
    CHECK(parse_ip_literal("10.0.2.2") == std::vector<std::uint8_t>{10, 0, 2, 2});
    const auto v6 = parse_ip_literal("::1");
    REQUIRE(v6);
    CHECK(v6->size() == 16);
    CHECK(v6->back() == 1);
    CHECK_FALSE(parse_ip_literal("localhost"));
    CHECK_FALSE(parse_ip_literal("1.2.3"));
    CHECK_FALSE(parse_ip_literal(""));
    CHECK_FALSE(parse_ip_literal("127.0.0.1.example.com"));
}

TEST_CASE("certificate_has_ip_san: only the addresses the certificate lists", "[tls][ip_san]") {
    const tests::TestPki pki;
    const ParsedCert server(pki.read("server.pem"));  // SAN DNS:localhost, IP:127.0.0.1, IP:::1
    const ParsedCert ca(pki.read("ca.pem"));          // no SAN at all
    CHECK(certificate_has_ip_san(server.get(), *parse_ip_literal("127.0.0.1")));
    CHECK(certificate_has_ip_san(server.get(), *parse_ip_literal("::1")));
    CHECK_FALSE(certificate_has_ip_san(server.get(), *parse_ip_literal("127.0.0.2")));
    CHECK_FALSE(certificate_has_ip_san(server.get(), *parse_ip_literal("::2")));
    CHECK_FALSE(certificate_has_ip_san(ca.get(), *parse_ip_literal("127.0.0.1")));
}
