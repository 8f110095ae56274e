#include "lua_bindings/modules/fskv/fskv_store.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <system_error>

namespace lua_bindings {

namespace fs = std::filesystem;

bool FskvStore::formatted() const {
    std::error_code ec;
    return fs::is_directory(folder_, ec);
}

bool FskvStore::format() {
    std::error_code ec;
    fs::create_directories(folder_, ec);
    return !ec;
}

// A littlefs file name in the partition's root: not empty, not "." or "..", no '/', at most
// LFS_NAME_MAX bytes (lfs_file_open fails otherwise, and fskv.set returns false).
bool FskvStore::valid_name(std::string_view key) {
    return !key.empty() && key != "." && key != ".." && key.find('/') == std::string_view::npos &&
           key.size() <= kNameMax;
}

std::size_t FskvStore::blocks_for(std::size_t size) {
    return size <= kInlineMax ? 0 : (size + kBlockBytes - 1) / kBlockBytes;
}

std::optional<std::string> FskvStore::get(std::string_view key) const {
    if (!valid_name(key)) return std::nullopt;
    std::ifstream in(folder_ / std::string(key), std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The metadata pair (2 blocks) and the blocks of every file too large to be inlined.
std::size_t FskvStore::used_blocks_without(std::string_view key) const {
    std::size_t blocks = 2;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder_, ec)) {
        if (!entry.is_regular_file(ec) || entry.path().filename() == key) continue;
        blocks += blocks_for(static_cast<std::size_t>(entry.file_size(ec)));
    }
    return blocks;
}

bool FskvStore::set(std::string_view key, std::string_view bytes) {
    if (!valid_name(key) || !formatted()) return false;
    if ((used_blocks_without(key) + blocks_for(bytes.size())) * kBlockBytes > kTotalBytes) return false;
    std::ofstream out(folder_ / std::string(key), std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    return !out.fail();
}

void FskvStore::remove(std::string_view key) {
    if (!valid_name(key)) return;
    std::error_code ec;
    fs::remove(folder_ / std::string(key), ec);
}

bool FskvStore::clear() {
    std::error_code ec;
    fs::remove_all(folder_, ec);
    return format();
}

FskvStore::Status FskvStore::status() const {
    Status s;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder_, ec)) {
        if (entry.is_regular_file(ec)) ++s.count;
    }
    s.used_bytes = used_blocks_without({}) * kBlockBytes;
    return s;
}

std::optional<std::string> FskvStore::key_at(std::size_t index) const {
    std::set<std::string> names;  // littlefs keeps a directory's entries sorted by name
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder_, ec)) {
        if (entry.is_regular_file(ec)) names.insert(entry.path().filename().string());
    }
    if (index >= names.size()) return std::nullopt;
    return *std::next(names.begin(), static_cast<std::ptrdiff_t>(index));
}

}  // namespace lua_bindings
