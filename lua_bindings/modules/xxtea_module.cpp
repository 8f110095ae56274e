// xxtea: XXTEA encryption of a string with its length inside, as LuatOS wraps the xxtea-c library
// (components/xxtea; docs/modules/xxtea.md). The key is the first 16 bytes of `key` up to its first
// NUL, zero-padded; data and key are little-endian 32-bit words; the plain text's length is the
// last word before encryption, so decryption with a wrong key fails (nil) instead of giving noise.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

constexpr std::uint32_t kDelta = 0x9E3779B9;

using Words = std::vector<std::uint32_t>;

Words to_words(std::string_view data, bool with_length) {
    const std::size_t n = (data.size() + 3) / 4;
    Words w(n + (with_length ? 1 : 0), 0);
    for (std::size_t i = 0; i < data.size(); ++i)
        w[i / 4] |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << ((i % 4) * 8);
    if (with_length) w[n] = static_cast<std::uint32_t>(data.size());
    return w;
}

std::string to_bytes(const Words& w, std::size_t n) {
    std::string out(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<char>((w[i / 4] >> ((i % 4) * 8)) & 0xFF);
    return out;
}

std::uint32_t mx(std::uint32_t sum, std::uint32_t y, std::uint32_t z, std::uint32_t p, std::uint32_t e,
                 const std::uint32_t* key) {
    return (((z >> 5) ^ (y << 2)) + ((y >> 3) ^ (z << 4))) ^ ((sum ^ y) + (key[(p & 3) ^ e] ^ z));
}

void encrypt_words(Words& v, const std::uint32_t* key) {
    const auto n = static_cast<std::uint32_t>(v.size() - 1);
    if (n < 1) return;
    std::uint32_t z = v[n];
    std::uint32_t sum = 0;
    for (std::uint32_t q = 6 + 52 / (n + 1); q > 0; --q) {
        sum += kDelta;
        const std::uint32_t e = (sum >> 2) & 3;
        std::uint32_t p = 0;
        for (; p < n; ++p)
            z = v[p] += mx(sum, v[p + 1], z, p, e, key);
        z = v[n] += mx(sum, v[0], z, p, e, key);
    }
}

void decrypt_words(Words& v, const std::uint32_t* key) {
    const auto n = static_cast<std::uint32_t>(v.size() - 1);
    if (n < 1) return;
    const std::uint32_t q = 6 + 52 / (n + 1);
    std::uint32_t sum = q * kDelta;
    std::uint32_t y = v[0];
    while (sum != 0) {
        const std::uint32_t e = (sum >> 2) & 3;
        std::uint32_t p = n;
        for (; p > 0; --p)
            y = v[p] -= mx(sum, y, v[p - 1], p, e, key);
        y = v[0] -= mx(sum, y, v[n], p, e, key);
        sum -= kDelta;
    }
}

// The key as the library fixes it: 16 bytes, everything from the first NUL on zeroed.
Words fixed_key(const char* key) {
    std::string k(key, std::min<std::size_t>(std::strlen(key), 16));
    k.resize(16, '\0');
    return to_words(k, false);
}

std::optional<std::string> xxtea_encrypt(std::string_view data, const char* key) {
    if (data.empty()) return std::nullopt;
    Words v = to_words(data, true);
    const Words k = fixed_key(key);
    encrypt_words(v, k.data());
    return to_bytes(v, v.size() * 4);
}

std::optional<std::string> xxtea_decrypt(std::string_view data, const char* key) {
    if (data.empty()) return std::nullopt;
    Words v = to_words(data, false);
    const Words k = fixed_key(key);
    decrypt_words(v, k.data());
    // The last word is the plain text's length: it must fit the words before it, compared in
    // size_t as the library does (so a single word, room 0, never fits: room - 3 wraps around).
    const std::size_t room = v.size() * 4 - 4;
    const std::size_t m = v.back();
    if (m < room - 3 || m > room) return std::nullopt;
    return to_bytes(v, m);
}

int push_result(lua_State* L, const std::optional<std::string>& r) {
    if (!r) return 0;
    lua_pushlstring(L, r->data(), r->size());
    return 1;
}

// xxtea.encrypt(data, key) -> cipher text, or nothing for empty data.
int l_encrypt(lua_State* L) {
    size_t len = 0;
    const char* data = luaL_checklstring(L, 1, &len);
    const char* key = luaL_checkstring(L, 2);
    return push_result(L, xxtea_encrypt(std::string_view(data, len), key));
}

// xxtea.decrypt(data, key) -> plain text, or nothing when the length inside does not fit.
int l_decrypt(lua_State* L) {
    size_t len = 0;
    const char* data = luaL_checklstring(L, 1, &len);
    const char* key = luaL_checkstring(L, 2);
    return push_result(L, xxtea_decrypt(std::string_view(data, len), key));
}

}  // namespace

void install_xxtea(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "xxtea");
    static const luaL_Reg kFunctions[] = {
        {"encrypt", l_encrypt},
        {"decrypt", l_decrypt},
        {nullptr, nullptr},
    };
    luaL_setfuncs(L, kFunctions, 0);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
