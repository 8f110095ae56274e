// miniz (luat_lib_miniz.c of LuatOS; docs/modules/miniz.md): compress / uncompress of zlib or raw
// deflate data up to 32 KiB, with the module's tdefl/tinfl flags, on zlib; unzip of a ZIP archive
// into a folder of the device's file system.
#include <zlib.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/crypto/crypto_internal.hpp"
#include "lua_bindings/modules/device_file.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/miniz/zip_reader.hpp"

namespace lua_bindings {

namespace {

// miniz's tdefl / tinfl flags, as the module exposes them.
constexpr lua_Integer kWriteZlibHeader = 0x01000;
constexpr lua_Integer kComputeAdler32 = 0x02000;
constexpr lua_Integer kGreedyParsing = 0x04000;
constexpr lua_Integer kNondeterministicParsing = 0x08000;
constexpr lua_Integer kRleMatches = 0x10000;
constexpr lua_Integer kFilterMatches = 0x20000;
constexpr lua_Integer kForceAllStaticBlocks = 0x40000;
constexpr lua_Integer kForceAllRawBlocks = 0x80000;
constexpr lua_Integer kParseZlibHeader = 1;
constexpr lua_Integer kHasMoreInput = 2;
constexpr lua_Integer kUsingNonWrappingOutputBuf = 4;

constexpr std::size_t kMaxInput = 32 * 1024;
// tinfl writes into one buffer of TDEFL_OUT_BUF_SIZE bytes (64 KiB * 13 / 10): no more comes out.
constexpr std::size_t kMaxUncompressed = 64 * 1024 * 13 / 10;

void log_line(lua_State* L, int level, const std::string& text) {
    module_log(L, level, "miniz", text);
}

// tdefl's probe counts of zlib's levels 0..9 (tdefl_create_comp_flags_from_zip_params): the zlib
// level closest to the flags' probe count.
int zlib_level(lua_Integer flags) {
    if ((flags & kForceAllRawBlocks) != 0) return 0;
    static constexpr int kProbes[] = {0, 1, 6, 32, 16, 32, 128, 256, 512, 768};
    const auto probes = static_cast<int>(flags & 0xFFF);
    for (int level = 1; level <= 9; ++level) {
        if (kProbes[level] >= probes) return level;
    }
    return 9;
}

// miniz.compress(data [, flags = miniz.WRITE_ZLIB_HEADER]) -> deflate data, or nothing.
int l_compress(lua_State* L) {
    size_t len = 0;
    const char* data = luaL_checklstring(L, 1, &len);
    const auto flags = static_cast<int>(luaL_optinteger(L, 2, kWriteZlibHeader));
    if (len > kMaxInput) {
        log_line(L, sys_task::kLogError, "only 32k data is allow");
        return 0;
    }
    int strategy = Z_DEFAULT_STRATEGY;
    if ((flags & kRleMatches) != 0) strategy = Z_RLE;
    if ((flags & kFilterMatches) != 0) strategy = Z_FILTERED;
    if ((flags & kForceAllStaticBlocks) != 0) strategy = Z_FIXED;
    z_stream z{};
    const int window = (flags & kWriteZlibHeader) != 0 ? MAX_WBITS : -MAX_WBITS;
    if (deflateInit2(&z, zlib_level(flags), Z_DEFLATED, window, 8, strategy) != Z_OK) {
        log_line(L, sys_task::kLogWarn, "compress fail ret=0");
        return 0;
    }
    std::string out(deflateBound(&z, static_cast<uLong>(len)), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z.avail_in = static_cast<uInt>(len);
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        log_line(L, sys_task::kLogWarn, "compress fail ret=0");
        return 0;
    }
    lua_pushlstring(L, out.data(), out.size());
    return 1;
}

// miniz.uncompress(data [, flags = miniz.PARSE_ZLIB_HEADER]) -> the data, or nothing.
int l_uncompress(lua_State* L) {
    size_t len = 0;
    const char* data = luaL_checklstring(L, 1, &len);
    const auto flags = static_cast<int>(luaL_optinteger(L, 2, kParseZlibHeader));
    if (len > kMaxInput) {
        log_line(L, sys_task::kLogError, "only 32k data is allow");
        return 0;
    }
    z_stream z{};
    if (inflateInit2(&z, (flags & kParseZlibHeader) != 0 ? MAX_WBITS : -MAX_WBITS) != Z_OK) {
        log_line(L, sys_task::kLogWarn, "decompress fail");
        return 0;
    }
    std::string out(kMaxUncompressed, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z.avail_in = static_cast<uInt>(len);
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_FINISH);
    out.resize(z.total_out);
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        log_line(L, sys_task::kLogWarn, "decompress fail");
        return 0;
    }
    lua_pushlstring(L, out.data(), out.size());
    return 1;
}

// A ZIP entry name that could leave the target folder: absolute, a drive letter, a ".." segment.
bool unsafe_path(std::string_view path) {
    if (path.empty() || path[0] == '/' || path[0] == '\\') return true;
    if (path.size() > 1 && path[1] == ':' &&
        ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z')))
        return true;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= path.size(); ++i) {
        if (i == path.size() || path[i] == '/' || path[i] == '\\') {
            if (path.substr(start, i - start) == "..") return true;
            start = i + 1;
        }
    }
    return false;
}

struct Unzip {
    lua_State* L;
    DeviceFs fs;
    bool debug;
    std::chrono::steady_clock::time_point start;
    std::uint32_t timeout_ms;

    [[nodiscard]] bool timed_out() const {
        return timeout_ms > 0 &&
               std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(timeout_ms);
    }

    void info(const std::string& text) const {
        if (debug) log_line(L, sys_task::kLogInfo, text);
    }

    // Every folder of a device path ending in '/', as luat_mkdir_recursive creates them.
    bool mkdirs(std::string path) const {
        if (path.empty()) return true;
        if (path.back() != '/') path += '/';
        for (std::size_t i = 1; i < path.size(); ++i) {
            if (path[i] != '/') continue;
            const DeviceFs::Resolved r = fs.resolve(path.substr(0, i + 1));
            if (r.kind == DeviceFs::Resolved::Kind::kImage) return false;  // read-only
            std::error_code ec;
            std::filesystem::create_directory(r.host_path, ec);
            if (!std::filesystem::is_directory(r.host_path, ec)) return false;
        }
        return true;
    }

    bool parent_dirs(const std::string& full_path) const {
        const auto slash = full_path.rfind('/');
        if (slash == std::string::npos || slash == 0) return true;
        return mkdirs(full_path.substr(0, slash));
    }
};

std::uint64_t device_file_size(const DeviceFs& fs, const char* path) {
    const DeviceFs::Resolved r = fs.resolve(path);
    if (r.kind == DeviceFs::Resolved::Kind::kImage) return r.image_file != nullptr ? r.image_file->size() : 0;
    std::error_code ec;
    const auto size = std::filesystem::file_size(r.host_path, ec);
    return ec ? 0 : size;
}

// miniz.unzip(zip_path, target_dir [, debug [, timeout_ms = 30000]]) -> true, or false on any failure
// (with the module's log line for it). target_dir must end with '/'.
int l_unzip(lua_State* L) {
    const char* zip_path = luaL_checkstring(L, 1);
    const char* target_dir = luaL_checkstring(L, 2);
    Unzip u{L, device_fs(RunContext::from_upvalue(L)), lua_toboolean(L, 3) != 0,
            std::chrono::steady_clock::now(), static_cast<std::uint32_t>(luaL_optinteger(L, 4, 30000))};
    luaL_optinteger(L, 5, 256 * 1024);  // the staging memory of /lfs2n/ targets, which the device has not
    auto fail = [&](const std::string& text) {
        log_line(L, sys_task::kLogError, text);
        lua_pushboolean(L, 0);
        return 1;
    };
    const std::uint64_t zip_size = device_file_size(u.fs, zip_path);
    if (zip_size == 0) return fail(std::string("ZIP file is empty: ") + zip_path);
    u.info("ZIP file size: " + std::to_string(static_cast<unsigned>(zip_size)) + " bytes");
    const std::string target(target_dir);
    if (target.empty() || target.back() != '/') return fail("target_dir must end with '/': " + target);
    if (!u.mkdirs(target)) return fail("Failed to create target directory: " + target);
    UniqueFile zip(open_device_file(u.fs, zip_path, "rb"));
    if (!zip) return fail(std::string("Failed to open ZIP file: ") + zip_path);
    int error = 0;
    const auto reader = ZipReader::open(zip.get(), zip_size, error);
    if (!reader) return fail("Failed to initialize ZIP reader err " + std::to_string(error));
    const auto& entries = reader->entries();
    u.info("ZIP file contains " + std::to_string(entries.size()) + " files");
    bool success = true;
    for (std::size_t i = 0; i < entries.size() && success; ++i) {
        const ZipEntry& e = entries[i];
        if (u.timed_out()) {
            const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - u.start);
            log_line(L, sys_task::kLogError,
                     "Unzip timeout before file #" + std::to_string(i) +
                         ", timeout=" + std::to_string(u.timeout_ms) +
                         " ms elapsed=" + std::to_string(elapsed.count()) + " ms");
            success = false;
            break;
        }
        if (unsafe_path(e.name)) {
            log_line(L, sys_task::kLogError, "Unsafe ZIP entry path: " + e.name);
            success = false;
            continue;
        }
        std::string full_path = target + e.name;
        std::replace(full_path.begin(), full_path.end(), '\\', '/');
        if (e.is_directory) {
            if (!u.mkdirs(full_path)) {
                log_line(L, sys_task::kLogError, "Failed to create directory: " + full_path);
                success = false;
            } else {
                u.info("Created directory: " + full_path);
            }
            continue;
        }
        if (!u.parent_dirs(full_path)) {
            log_line(L, sys_task::kLogError, "Failed to create parent directory for: " + full_path);
            success = false;
            continue;
        }
        u.info("Processing file [" + std::to_string(i + 1) + "/" + std::to_string(entries.size()) +
               "]: " + e.name + " -> " + full_path);
        UniqueFile out(open_device_file(u.fs, full_path.c_str(), "wb+"));
        if (!out) {
            log_line(L, sys_task::kLogError, "Failed to create output file: " + full_path);
            success = false;
            continue;
        }
        std::size_t written = 0;
        std::size_t next_log = 32 * 1024;
        bool timed_out = false;
        const bool ok = reader->extract(
            i,
            [&](std::string_view chunk) {
                if (u.timed_out()) {
                    timed_out = true;
                    return false;
                }
                written += std::fwrite(chunk.data(), 1, chunk.size(), out.get());
                if (u.debug && written >= next_log) {
                    u.info("Extracting " + e.name + ": wrote " + std::to_string(written) + " bytes");
                    next_log += 32 * 1024;
                }
                return true;
            },
            error);
        if (!ok) {
            if (timed_out)
                log_line(L, sys_task::kLogError,
                         "Failed to extract file: " + e.name + " timeout=" + std::to_string(u.timeout_ms) +
                             " ms wrote=" + std::to_string(written));
            log_line(L, sys_task::kLogError,
                     "Failed to extract file: " + e.name + " err=" + std::to_string(error) +
                         " wrote=" + std::to_string(written));
            success = false;
        } else {
            u.info("Extracted done: " + e.name + " (" + std::to_string(written) + " bytes)");
        }
    }
    lua_pushboolean(L, success ? 1 : 0);
    return 1;
}

}  // namespace

void install_miniz(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "miniz");
    static const luaL_Reg kFunctions[] = {
        {"compress", l_compress},
        {"uncompress", l_uncompress},
        {"unzip", l_unzip},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    static const IntConstant kConstants[] = {
        {"WRITE_ZLIB_HEADER", kWriteZlibHeader},
        {"COMPUTE_ADLER32", kComputeAdler32},
        {"GREEDY_PARSING_FLAG", kGreedyParsing},
        {"NONDETERMINISTIC_PARSING_FLAG", kNondeterministicParsing},
        {"RLE_MATCHES", kRleMatches},
        {"FILTER_MATCHES", kFilterMatches},
        {"FORCE_ALL_STATIC_BLOCKS", kForceAllStaticBlocks},
        {"FORCE_ALL_RAW_BLOCKS", kForceAllRawBlocks},
        {"PARSE_ZLIB_HEADER", kParseZlibHeader},
        {"HAS_MORE_INPUT", kHasMoreInput},
        {"USING_NON_WRAPPING_OUTPUT_BUF", kUsingNonWrappingOutputBuf},
    };
    set_int_constants(L, kConstants);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
