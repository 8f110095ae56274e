// TlsKeyLog: the TLS sessions' secrets in the NSS key log format that Wireshark reads
// (`CLIENT_RANDOM <client random, hex> <master secret, hex>`, one line per session), so that a
// capture of the link (--pcap) shows the MQTT inside a script's TLS connections. Written only when
// asked (--tls-keylog FILE); anyone with the file can read those sessions (docs/debugging.md).
// TlsConfig gives it mbedTLS 2.28's key export callback (mbedtls_ssl_conf_export_keys_ext_cb).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>

namespace platform_air780ep {

class TlsKeyLog {
  public:
    // Appends to `path` (created if missing, as other programs' SSLKEYLOGFILE). nullptr, with the
    // reason in `error`, when it cannot be opened.
    static std::unique_ptr<TlsKeyLog> create(const std::string& path, std::string& error);
    ~TlsKeyLog();
    TlsKeyLog(const TlsKeyLog&) = delete;
    TlsKeyLog& operator=(const TlsKeyLog&) = delete;

    // One session's line, flushed at once (the file is read while the device runs).
    void add(std::span<const std::uint8_t> client_random, std::span<const std::uint8_t> master_secret);

    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::uint64_t sessions() const { return sessions_; }

  private:
    TlsKeyLog(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}

    std::string path_;
    std::FILE* file_;
    std::uint64_t sessions_ = 0;
};

}  // namespace platform_air780ep
