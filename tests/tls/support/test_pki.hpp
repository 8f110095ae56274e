// Test-only: a small PKI made with openssl at test time, in a temporary folder.
//
//   ca.pem / ca.key            "LuatOS Test CA" (the broker's CA)         ca.der: the same, DER
//   wrong_ca.pem               another CA that signed nothing the broker uses
//   server.pem / server.key    CN=localhost, SAN DNS:localhost (+ extra names), IP:127.0.0.1, IP:::1,
//                              signed by ca
//   expired.pem                the same server key and names, valid 2020-01-01 .. 2021-01-01
//   client.pem / client.key    CN=luatos-client, clientAuth, signed by ca    client.key.der: DER key
//   client_enc.key             client.key as OpenSSL 3 encrypts it by default (PKCS#8, PBES2, AES-256-CBC,
//                              HMAC-SHA256), password kClientKeyPassword (as for all the encrypted ones)
//   client_enc_legacy.key      client.key encrypted the traditional PEM way (Proc-Type / DEK-Info)
//   client_enc_aes128.key.der  client.key as PKCS#8 DER, PBES2 with AES-128-CBC and HMAC-SHA1
//   client_enc_3des.key        client.key as PKCS#8 PEM, PBES2 with 3DES (mbedTLS reads it itself)
//   stranger.pem / .key        a client certificate signed by wrong_ca
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace tests {

enum class KeyKind { kEcP256, kRsa2048 };

class TestPki {
  public:
    static constexpr const char* kClientKeyPassword = "luatos-pass";

    // `extra_server_names`: more DNS names for the server certificates, e.g. a script's broker host
    // ("broker.emqx.io") that the platform's host map sends to the local broker.
    explicit TestPki(KeyKind kind = KeyKind::kEcP256,
                     const std::vector<std::string>& extra_server_names = {});
    [[nodiscard]] std::filesystem::path path(const std::string& name) const { return dir_.path() / name; }
    [[nodiscard]] std::string read(const std::string& name) const { return read_file(path(name)); }

  private:
    void openssl(const std::vector<std::string>& args) const;
    void make_key(const std::string& name) const;
    void make_signed(const std::string& name, const std::string& subject, const std::string& issuer,
                     const std::string& extensions, int serial) const;

    KeyKind kind_;
    TempDir dir_;
};

}  // namespace tests
