#include "lua_bindings/modules/miniz/zip_reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace lua_bindings {

namespace {

constexpr std::uint32_t kEndOfCentralDir = 0x06054b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;
constexpr std::uint32_t kZip64EndOfCentralDir = 0x06064b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::size_t kEocdSize = 22;

std::uint16_t u16(const unsigned char* p) {
    return static_cast<std::uint16_t>(p[0] | p[1] << 8);
}
std::uint32_t u32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
std::uint64_t u64(const unsigned char* p) {
    return static_cast<std::uint64_t>(u32(p)) | static_cast<std::uint64_t>(u32(p + 4)) << 32;
}

}  // namespace

bool ZipReader::read_at(std::uint64_t offset, void* out, std::size_t len) const {
    if (offset > size_ || len > size_ - offset) return false;
    if (std::fseek(f_, static_cast<long>(offset), SEEK_SET) != 0) return false;
    return std::fread(out, 1, len, f_) == len;
}

std::optional<ZipReader> ZipReader::open(FILE* f, std::uint64_t size, int& error) {
    ZipReader r(f, size);
    if (size < kEocdSize) {
        error = kZipNotAnArchive;
        return std::nullopt;
    }
    // The end-of-central-directory record is in the last 64 KiB + 22 bytes (after a comment).
    const std::uint64_t tail_len = std::min<std::uint64_t>(size, 0xFFFF + kEocdSize);
    std::vector<unsigned char> tail(tail_len);
    if (!r.read_at(size - tail_len, tail.data(), tail.size())) {
        error = kZipFileReadFailed;
        return std::nullopt;
    }
    std::optional<std::size_t> eocd;
    for (std::size_t i = tail.size() - kEocdSize + 1; i-- > 0;) {
        if (u32(&tail[i]) == kEndOfCentralDir) {
            eocd = i;
            break;
        }
    }
    if (!eocd) {
        error = kZipFailedFindingCentralDir;
        return std::nullopt;
    }
    const unsigned char* e = &tail[*eocd];
    std::uint64_t count = u16(e + 10);
    std::uint64_t cd_size = u32(e + 12);
    std::uint64_t cd_offset = u32(e + 16);
    if (u16(e + 4) != 0 || u16(e + 6) != 0 || u16(e + 8) != u16(e + 10)) {
        error = kZipUnsupportedMultidisk;
        return std::nullopt;
    }
    const std::uint64_t eocd_offset = size - tail_len + *eocd;
    if (eocd_offset >= 20 && (count == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF)) {
        unsigned char loc[20];
        unsigned char z[56];
        if (r.read_at(eocd_offset - 20, loc, sizeof loc) && u32(loc) == kZip64Locator &&
            r.read_at(u64(loc + 8), z, sizeof z) && u32(z) == kZip64EndOfCentralDir) {
            count = u64(z + 32);
            cd_size = u64(z + 40);
            cd_offset = u64(z + 48);
        }
    }
    std::vector<unsigned char> cd(cd_size);
    if (cd_offset > size || cd_size > size - cd_offset || !r.read_at(cd_offset, cd.data(), cd.size())) {
        error = kZipInvalidHeaderOrCorrupted;
        return std::nullopt;
    }
    std::size_t pos = 0;
    for (std::uint64_t n = 0; n < count; ++n) {
        if (cd.size() - pos < 46 || u32(&cd[pos]) != kCentralHeader) {
            error = kZipInvalidHeaderOrCorrupted;
            return std::nullopt;
        }
        const unsigned char* h = &cd[pos];
        const std::size_t name_len = u16(h + 28);
        const std::size_t extra_len = u16(h + 30);
        const std::size_t comment_len = u16(h + 32);
        if (cd.size() - pos - 46 < name_len + extra_len + comment_len) {
            error = kZipInvalidHeaderOrCorrupted;
            return std::nullopt;
        }
        ZipEntry entry;
        entry.flags = u16(h + 8);
        entry.method = u16(h + 10);
        entry.crc32 = u32(h + 16);
        entry.compressed_size = u32(h + 20);
        entry.size = u32(h + 24);
        entry.local_header_offset = u32(h + 42);
        entry.name.assign(reinterpret_cast<const char*>(h + 46), name_len);
        // ZIP64 extended information: the 8-byte values of the fields that are all ones, in order.
        const unsigned char* x = h + 46 + name_len;
        for (std::size_t i = 0; i + 4 <= extra_len;) {
            const std::uint16_t id = u16(x + i);
            const std::size_t len = u16(x + i + 2);
            if (i + 4 + len > extra_len) break;
            if (id == 0x0001) {
                std::size_t k = i + 4;
                for (std::uint64_t* field :
                     {&entry.size, &entry.compressed_size, &entry.local_header_offset}) {
                    if (*field == 0xFFFFFFFF && k + 8 <= i + 4 + len) {
                        *field = u64(x + k);
                        k += 8;
                    }
                }
            }
            i += 4 + len;
        }
        // A directory, as miniz sees one: a name ending in '/' or the DOS directory attribute.
        const std::uint32_t external = u32(h + 38);
        entry.is_directory = (!entry.name.empty() && entry.name.back() == '/') || (external & 0x10) != 0;
        r.entries_.push_back(std::move(entry));
        pos += 46 + name_len + extra_len + comment_len;
    }
    error = kZipNoError;
    return r;
}

bool ZipReader::extract(std::size_t i, const std::function<bool(std::string_view)>& write, int& error) const {
    const ZipEntry& e = entries_.at(i);
    if ((e.flags & 0x1) != 0) {
        error = kZipUnsupportedEncryption;
        return false;
    }
    if (e.method != 0 && e.method != Z_DEFLATED) {
        error = kZipUnsupportedMethod;
        return false;
    }
    unsigned char local[30];
    if (!read_at(e.local_header_offset, local, sizeof local) || u32(local) != kLocalHeader) {
        error = kZipInvalidHeaderOrCorrupted;
        return false;
    }
    std::uint64_t offset = e.local_header_offset + 30 + u16(local + 26) + u16(local + 28);
    if (offset > size_ || e.compressed_size > size_ - offset) {
        error = kZipInvalidHeaderOrCorrupted;
        return false;
    }
    std::uint64_t left = e.compressed_size;
    std::uint64_t produced = 0;
    uLong crc = crc32(0L, Z_NULL, 0);
    unsigned char in[4096];
    unsigned char out[16384];
    auto emit = [&](const unsigned char* p, std::size_t n) {
        produced += n;
        crc = crc32(crc, p, static_cast<uInt>(n));
        if (!write(std::string_view(reinterpret_cast<const char*>(p), n))) {
            error = kZipWriteCallbackFailed;
            return false;
        }
        return true;
    };
    if (e.method == 0) {
        while (left > 0) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, sizeof in));
            if (!read_at(offset, in, n)) {
                error = kZipFileReadFailed;
                return false;
            }
            if (!emit(in, n)) return false;
            offset += n;
            left -= n;
        }
    } else {
        z_stream z{};
        if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
            error = kZipDecompressionFailed;
            return false;
        }
        int rc = Z_OK;
        while (rc != Z_STREAM_END) {
            if (z.avail_in == 0 && left > 0) {
                const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, sizeof in));
                if (!read_at(offset, in, n)) {
                    inflateEnd(&z);
                    error = kZipFileReadFailed;
                    return false;
                }
                offset += n;
                left -= n;
                z.next_in = in;
                z.avail_in = static_cast<uInt>(n);
            }
            z.next_out = out;
            z.avail_out = sizeof out;
            rc = inflate(&z, Z_NO_FLUSH);
            const std::size_t n = sizeof out - z.avail_out;
            if ((rc != Z_OK && rc != Z_STREAM_END) ||
                (rc == Z_OK && n == 0 && z.avail_in == 0 && left == 0)) {
                inflateEnd(&z);
                error = kZipDecompressionFailed;
                return false;
            }
            if (n > 0 && !emit(out, n)) {
                inflateEnd(&z);
                return false;
            }
        }
        inflateEnd(&z);
    }
    if (produced != e.size) {
        error = kZipUnexpectedDecompressedSize;
        return false;
    }
    if (crc != e.crc32) {
        error = kZipCrcCheckFailed;
        return false;
    }
    error = kZipNoError;
    return true;
}

}  // namespace lua_bindings
