#include "tests/tls/support/test_pki.hpp"

#include <filesystem>

namespace tests {

namespace {

std::string openssl_config(const std::filesystem::path& dir,
                           const std::vector<std::string>& extra_server_names) {
    std::string names = "DNS:localhost";
    for (const std::string& name : extra_server_names)
        names += ",DNS:" + name;
    const std::string db = (dir / "ca-db").string();
    return "[req]\n"
           "distinguished_name = dn\n"
           "prompt = no\n"
           "[dn]\n"
           "[ca]\n"
           "default_ca = test_ca\n"
           "[test_ca]\n"
           "database = " +
           db +
           "/index.txt\n"
           "new_certs_dir = " +
           db +
           "\n"
           "serial = " +
           db +
           "/serial\n"
           "default_md = sha256\n"
           "policy = any_name\n"
           "unique_subject = no\n"
           "[any_name]\n"
           "commonName = supplied\n"
           "[ca_ext]\n"
           "basicConstraints = critical,CA:TRUE\n"
           "keyUsage = critical,keyCertSign,cRLSign\n"
           "subjectKeyIdentifier = hash\n"
           "[server_ext]\n"
           "basicConstraints = CA:FALSE\n"
           "subjectAltName = " +
           names +
           ",IP:127.0.0.1,IP:::1\n"
           "extendedKeyUsage = serverAuth\n"
           "[client_ext]\n"
           "basicConstraints = CA:FALSE\n"
           "extendedKeyUsage = clientAuth\n";
}

}  // namespace

TestPki::TestPki(KeyKind kind, const std::vector<std::string>& extra_server_names)
    : kind_(kind), dir_("luatos-tls-pki") {
    write_file(path("openssl.cnf"), openssl_config(dir_.path(), extra_server_names));
    std::filesystem::create_directory(path("ca-db"));
    write_file(path("ca-db/index.txt"), "");
    write_file(path("ca-db/serial"), "1000\n");

    for (const char* name : {"ca", "wrong_ca", "server", "client", "stranger"})
        make_key(name);
    for (const auto& [name, subject] :
         {std::pair{"ca", "/CN=LuatOS Test CA"}, std::pair{"wrong_ca", "/CN=Wrong CA"}}) {
        openssl({"req", "-config", path("openssl.cnf"), "-new", "-x509", "-key",
                 path(std::string(name) + ".key"), "-subj", subject, "-days", "3650", "-extensions", "ca_ext",
                 "-out", path(std::string(name) + ".pem")});
    }
    make_signed("server", "/CN=localhost", "ca", "server_ext", 2);
    make_signed("client", "/CN=luatos-client", "ca", "client_ext", 3);
    make_signed("stranger", "/CN=stranger", "wrong_ca", "client_ext", 4);
    // The expired certificate: `openssl ca` is the OpenSSL 3.0 tool that takes explicit dates.
    openssl({"ca", "-config", path("openssl.cnf"), "-batch", "-notext", "-cert", path("ca.pem"), "-keyfile",
             path("ca.key"), "-in", path("server.csr"), "-startdate", "20200101000000Z", "-enddate",
             "20210101000000Z", "-extensions", "server_ext", "-out", path("expired.pem")});

    openssl({"x509", "-in", path("ca.pem"), "-outform", "DER", "-out", path("ca.der")});
    openssl({"pkey", "-in", path("client.key"), "-outform", "DER", "-out", path("client.key.der")});
    const std::string pass = std::string("pass:") + kClientKeyPassword;
    openssl({"pkey", "-in", path("client.key"), "-aes256", "-passout", pass, "-out", path("client_enc.key")});
    openssl({"pkey", "-in", path("client.key"), "-traditional", "-aes256", "-passout", pass, "-out",
             path("client_enc_legacy.key")});
    openssl({"pkcs8", "-topk8", "-in", path("client.key"), "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1",
             "-passout", pass, "-outform", "DER", "-out", path("client_enc_aes128.key.der")});
    openssl({"pkcs8", "-topk8", "-in", path("client.key"), "-v2", "des3", "-passout", pass, "-out",
             path("client_enc_3des.key")});
}

void TestPki::openssl(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    run_command(argv, path("openssl.log"));
}

void TestPki::make_key(const std::string& name) const {
    if (kind_ == KeyKind::kEcP256) {
        openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                 path(name + ".key")});
    } else {
        openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
                 path(name + ".key")});
    }
    // mosquitto may drop root privileges before it reads its key (docs/dependencies.md).
    std::filesystem::permissions(
        path(name + ".key"), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                 std::filesystem::perms::group_read | std::filesystem::perms::others_read);
}

void TestPki::make_signed(const std::string& name, const std::string& subject, const std::string& issuer,
                          const std::string& extensions, int serial) const {
    openssl({"req", "-config", path("openssl.cnf"), "-new", "-key", path(name + ".key"), "-subj", subject,
             "-out", path(name + ".csr")});
    openssl({"x509", "-req", "-in", path(name + ".csr"), "-CA", path(issuer + ".pem"), "-CAkey",
             path(issuer + ".key"), "-set_serial", std::to_string(serial), "-days", "825", "-extfile",
             path("openssl.cnf"), "-extensions", extensions, "-out", path(name + ".pem")});
}

}  // namespace tests
