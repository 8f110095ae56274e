#include "platform_air780ep/tls/tls_keylog.hpp"

#include <cerrno>
#include <cstring>

namespace platform_air780ep {

namespace {

void append_hex(std::string& out, std::span<const std::uint8_t> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    for (const std::uint8_t b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0x0F]);
    }
}

}  // namespace

std::unique_ptr<TlsKeyLog> TlsKeyLog::create(const std::string& path, std::string& error) {
    std::FILE* file = std::fopen(path.c_str(), "ae");
    if (file == nullptr) {
        error = "cannot open " + path + ": " + std::strerror(errno);
        return nullptr;
    }
    return std::unique_ptr<TlsKeyLog>(new TlsKeyLog(path, file));
}

TlsKeyLog::~TlsKeyLog() {
    std::fclose(file_);
}

void TlsKeyLog::add(std::span<const std::uint8_t> client_random,
                    std::span<const std::uint8_t> master_secret) {
    std::string line = "CLIENT_RANDOM ";
    append_hex(line, client_random);
    line.push_back(' ');
    append_hex(line, master_secret);
    line.push_back('\n');
    std::fputs(line.c_str(), file_);
    std::fflush(file_);
    ++sessions_;
}

}  // namespace platform_air780ep
