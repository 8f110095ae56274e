// A ZIP archive reader for miniz.unzip (docs/modules/miniz.md): the central directory (with ZIP64),
// stored and deflated entries inflated by zlib, sizes and CRC-32 checked. Errors are miniz's
// mz_zip_error numbers, which the module's log lines show.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lua_bindings {

// miniz's mz_zip_error values that this reader reports.
enum ZipError : int {
    kZipNoError = 0,
    kZipUnsupportedMethod = 4,
    kZipUnsupportedEncryption = 5,
    kZipFailedFindingCentralDir = 7,
    kZipNotAnArchive = 8,
    kZipInvalidHeaderOrCorrupted = 9,
    kZipUnsupportedMultidisk = 10,
    kZipDecompressionFailed = 11,
    kZipUnexpectedDecompressedSize = 13,
    kZipCrcCheckFailed = 14,
    kZipFileReadFailed = 20,
    kZipWriteCallbackFailed = 31,
};

struct ZipEntry {
    std::string name;
    bool is_directory = false;
    std::uint16_t flags = 0;
    std::uint16_t method = 0;
    std::uint32_t crc32 = 0;
    std::uint64_t compressed_size = 0;
    std::uint64_t size = 0;
    std::uint64_t local_header_offset = 0;
};

class ZipReader {
  public:
    // Reads the central directory of the archive in `f` (`size` bytes); nullopt with `error` set if
    // it is not a ZIP archive this reader can read.
    static std::optional<ZipReader> open(FILE* f, std::uint64_t size, int& error);

    [[nodiscard]] const std::vector<ZipEntry>& entries() const { return entries_; }

    // Inflates entry `i`, giving its bytes to `write` in chunks (a false return stops it); false
    // with `error` set on any failure.
    bool extract(std::size_t i, const std::function<bool(std::string_view)>& write, int& error) const;

  private:
    ZipReader(FILE* f, std::uint64_t size) : f_(f), size_(size) {}
    bool read_at(std::uint64_t offset, void* out, std::size_t len) const;

    FILE* f_;
    std::uint64_t size_;
    std::vector<ZipEntry> entries_;
};

}  // namespace lua_bindings
