// gmssl (components/gmssl/bind/luat_lib_gmssl.c of LuatOS; docs/modules/gmssl.md): the Chinese
// national algorithms SM2 (encryption, signatures, key generation and the point arithmetic of the
// GB/T 32918.3 key exchange), SM3 (hash, HMAC) and SM4 (ECB, CBC with the module's paddings), with
// the binding's checks, log lines and returns, on libgcrypt (sm_crypto.cpp).
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "lua_bindings/modules/builtin_modules.hpp"
#include "lua_bindings/modules/crypto/crypto_internal.hpp"
#include "lua_bindings/modules/gmssl/sm_crypto.hpp"
#include "lua_bindings/modules/lua_util.hpp"

namespace lua_bindings {

namespace {

constexpr const char* kTag = "sm";  // the binding's log tag
constexpr std::size_t kMaxPlain = 16384;

void log_line(lua_State* L, int level, const std::string& text) {
    module_log(L, level, kTag, text);
}

std::string format(const char* fmt, auto... args) {
    char buf[256];
    std::snprintf(buf, sizeof buf, fmt, args...);
    return buf;
}

// luat_str_fromhex: pairs of characters, each read as '0'..'9' or (c & 7) + 9, no checks.
Bytes32 from_hex(std::string_view hex) {
    Bytes32 out{};
    auto nibble = [](unsigned char c) { return c <= '9' ? c - '0' : (c & 0x7) + 9; };
    for (std::size_t i = 0; i < 32 && 2 * i + 1 < hex.size(); ++i)
        out[i] = static_cast<std::uint8_t>((nibble(static_cast<unsigned char>(hex[2 * i])) << 4) +
                                           nibble(static_cast<unsigned char>(hex[2 * i + 1])));
    return out;
}

// GmSSL's hex2bin (sm2bnadd / sm2bnmul): hex digits of either case; zero for anything else.
Bytes32 from_strict_hex(std::string_view hex) {
    Bytes32 out{};
    auto value = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < 32; ++i) {
        const int hi = value(hex[2 * i]);
        const int lo = value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return Bytes32{};
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return out;
}

std::string to_hex(const Bytes32& b) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const auto v : b) {
        out += kHex[v >> 4];
        out += kHex[v & 0xF];
    }
    return out;
}

void push_bytes(lua_State* L, std::string_view s) {
    lua_pushlstring(L, s.data(), s.size());
}

void push_point(lua_State* L, const Sm2Point& p) {
    push_bytes(L, to_hex(p.x));
    push_bytes(L, to_hex(p.y));
}

std::string_view to_view(lua_State* L, int arg) {
    size_t n = 0;
    const char* s = lua_tolstring(L, arg, &n);
    return s != nullptr ? std::string_view(s, n) : std::string_view();
}

std::string_view check_view(lua_State* L, int arg) {
    size_t n = 0;
    const char* s = luaL_checklstring(L, arg, &n);
    return {s, n};
}

bool opt_bool(lua_State* L, int arg) {
    return lua_isboolean(L, arg) && lua_toboolean(L, arg) != 0;
}

// gmssl.sm2encrypt(pkx, pky, data [, raw_mode [, c1c2c3]]): DER by default; raw_mode gives
// C1 (x || y) C3 C2, or with c1c2c3 04 || x || y || C2 || C3.
int l_sm2encrypt(lua_State* L) {
    const std::string_view pkx = to_view(L, 1);
    const std::string_view pky = to_view(L, 2);
    const std::string_view data = to_view(L, 3);
    if (pkx.size() != 64) {
        log_line(L, sys_task::kLogError,
                 format("invalid pkx password length=%d", static_cast<int>(pkx.size())));
        return 0;
    }
    if (pky.size() != 64) {
        log_line(L, sys_task::kLogError,
                 format("invalid pky password length=%d", static_cast<int>(pky.size())));
        return 0;
    }
    if (data.size() > kMaxPlain) {
        log_line(L, sys_task::kLogDebug,
                 format("data too large max %d but %d", static_cast<int>(kMaxPlain),
                        static_cast<int>(data.size())));
        return 0;
    }
    const bool raw = opt_bool(L, 4);
    const bool c1c2c3 = opt_bool(L, 5);
    const Sm2Point pub{from_hex(pkx), from_hex(pky)};
    if (!sm2_on_curve(pub)) {
        log_line(L, sys_task::kLogDebug, "sm2_key_set_public_key -1");
        return 0;
    }
    const auto c = sm2_encrypt(pub, data);
    if (!c) {
        log_line(L, sys_task::kLogDebug, "sm2_encrypt ret -1");
        return 0;
    }
    const auto point = [&](const Bytes32& v) {
        return std::string(reinterpret_cast<const char*>(v.data()), 32);
    };
    std::string out;
    if (!raw)
        out = sm2_ciphertext_to_der(*c);
    else if (!c1c2c3)
        out = point(c->point.x) + point(c->point.y) + point(c->hash) + c->ciphertext;
    else
        out = "\x04" + point(c->point.x) + point(c->point.y) + c->ciphertext + point(c->hash);
    push_bytes(L, out);
    return 1;
}

// gmssl.sm2decrypt(private, data [, raw_mode [, c1c2c3]])
int l_sm2decrypt(lua_State* L) {
    const std::string_view priv = to_view(L, 1);
    std::string_view data = to_view(L, 2);
    const bool raw = opt_bool(L, 3);
    const bool c1c2c3 = opt_bool(L, 4);
    if (priv.size() != 64) {
        log_line(L, sys_task::kLogError,
                 format("invalid private password length=%d", static_cast<int>(priv.size())));
        return 0;
    }
    if (data.size() < 97) {
        log_line(L, sys_task::kLogError, "待数据太短,应该要97字节以上");
        return 0;
    }
    std::optional<Sm2Ciphertext> c;
    if (raw) {
        if (c1c2c3) data.remove_prefix(1);
        const std::size_t ct_size = data.size() - 96;
        if (ct_size > kMaxPlain) {
            log_line(L, sys_task::kLogError, format("ciphertext too large: %d", static_cast<int>(ct_size)));
            return 0;
        }
        Sm2Ciphertext parts;
        auto take = [&](std::size_t at, Bytes32& into) { std::memcpy(into.data(), data.data() + at, 32); };
        take(0, parts.point.x);
        take(32, parts.point.y);
        if (c1c2c3) {
            parts.ciphertext = std::string(data.substr(64, ct_size));
            take(64 + ct_size, parts.hash);
        } else {
            take(64, parts.hash);
            parts.ciphertext = std::string(data.substr(96));
        }
        c = parts;
    } else {
        c = sm2_ciphertext_from_der(data);
    }
    const auto plain = c ? sm2_decrypt(from_hex(priv), *c) : std::nullopt;
    if (!plain) {
        log_line(L, sys_task::kLogDebug, "sm2_decrypt ret -1");
        return 0;
    }
    push_bytes(L, *plain);
    return 1;
}

// gmssl.sm3(data) / sm3update(data) -> the 32-byte digest; nil for nil or "".
int l_sm3(lua_State* L) {
    const std::string_view data = to_view(L, 1);
    if (data.empty()) {
        lua_pushnil(L);
        return 1;
    }
    push_bytes(L, sm3(data));
    return 1;
}

// gmssl.sm3hmac(data, key) -> the 32-byte HMAC-SM3; nil when either is nil or "".
int l_sm3hmac(lua_State* L) {
    const std::string_view data = to_view(L, 1);
    const std::string_view key = to_view(L, 2);
    if (data.empty() || key.empty()) {
        lua_pushnil(L);
        return 1;
    }
    push_bytes(L, sm3_hmac(key, data));
    return 1;
}

bool valid_padding(std::string_view p) {
    return p == "NONE" || p == "PKCS5" || p == "PKCS7" || p == "ZERO";
}

// gmssl.sm4encrypt(mode, padding, data, key [, iv]): ECB or CBC; NONE, PKCS5/PKCS7 or ZERO
// padding (ZERO and PKCS add a whole block to aligned data).
int l_sm4encrypt(lua_State* L) {
    const std::string mode = luaL_checkstring(L, 1);
    const std::string padding = luaL_checkstring(L, 2);
    const std::string_view data = check_view(L, 3);
    const std::string_view key = check_view(L, 4);
    const std::string_view iv = to_view(L, 5);
    if (data.empty()) {
        lua_pushnil(L);
        return 1;
    }
    if (key.size() != 16)
        return luaL_error(L, "invalid password length=%d, only support 128bit Password",
                          static_cast<int>(key.size()));
    if (mode != "ECB" && mode != "CBC")
        return luaL_error(L, "invalid mode=%s, only support ECB,CBC", mode.c_str());
    if (!valid_padding(padding))
        return luaL_error(L, "invalid padding=%s, only support NONE,PKCS5,PKCS7,ZERO", padding.c_str());
    if (mode == "CBC" && iv.size() != 16)
        return luaL_error(L, "invalid iv length=%d, only support 128bit IV", static_cast<int>(iv.size()));
    std::string in(data);
    const std::size_t pad = 16 - data.size() % 16;
    if (padding == "PKCS5" || padding == "PKCS7") {
        in.append(pad, static_cast<char>(pad));
    } else if (padding == "ZERO") {
        in.append(pad, '\0');
    } else if (data.size() % 16 != 0) {
        return luaL_error(L, "buf len should be multiple of 16, len=%d", static_cast<int>(data.size()));
    }
    push_bytes(L, mode == "ECB" ? sm4_ecb(true, key, in) : sm4_cbc(true, key, iv, in));
    return 1;
}

// The binding's DeletePaddingBuf on the decrypted bytes: false when the padding is not right
// (ZERO needs at least 6 trailing zero bytes there).
bool strip_padding(const std::string& padding, std::string& out) {
    if (padding == "PKCS5" || padding == "PKCS7") {
        const auto n = static_cast<unsigned char>(out.back());
        if (n == 0 || n > 16) return false;
        for (std::size_t i = 0; i < n; ++i) {
            if (static_cast<unsigned char>(out[out.size() - 1 - i]) != n) return false;
        }
        out.resize(out.size() - n);
    } else if (padding == "ZERO") {
        std::size_t n = 0;
        while (n < 16 && out[out.size() - 1 - n] == '\0')
            ++n;
        if (n < 6) return false;
        out.resize(out.size() - n);
    }
    return true;
}

// gmssl.sm4decrypt(mode, padding, data, key [, iv]) -> plain text; nil for a wrong padding.
int l_sm4decrypt(lua_State* L) {
    const std::string mode = luaL_checkstring(L, 1);
    const std::string padding = luaL_checkstring(L, 2);
    const std::string_view data = check_view(L, 3);
    const std::string_view key = check_view(L, 4);
    const std::string_view iv = to_view(L, 5);
    if (data.empty()) {
        lua_pushnil(L);
        return 1;
    }
    const bool cbc = mode == "CBC";
    const bool ecb = mode == "ECB";
    if ((cbc || ecb) && data.size() % 16 != 0)
        return luaL_error(L, "invalid BufLen length=%d, BufLen must be Integer multiples of 16",
                          static_cast<int>(data.size()));
    if (key.size() != 16)
        return luaL_error(L, "invalid password length=%d, only support 128, 192, 256 bits",
                          static_cast<int>(key.size()));
    if (!cbc && !ecb) return luaL_error(L, "invalid mode=%s, only support ECB,CBC,CTR", mode.c_str());
    if (!valid_padding(padding))
        return luaL_error(L, "invalid padding=%s, only support NONE,PKCS5,PKCS7,ZERO", padding.c_str());
    if (cbc && iv.size() != 16)
        return luaL_error(L, "invalid iv length=%d, only support 16", static_cast<int>(iv.size()));
    std::string out = ecb ? sm4_ecb(false, key, data) : sm4_cbc(false, key, iv, data);
    if (!strip_padding(padding, out)) {
        lua_pushnil(L);
        return 1;
    }
    push_bytes(L, out);
    return 1;
}

constexpr std::string_view kDefaultId = "1234567812345678";

Bytes32 message_digest(const Sm2Point& pub, std::string_view id, std::string_view data) {
    std::string in;
    if (!id.empty()) {
        const Bytes32 z = sm2_z(pub, id);
        in.assign(reinterpret_cast<const char*>(z.data()), z.size());
    }
    in.append(data);
    const std::string h = sm3(in);
    Bytes32 out{};
    std::memcpy(out.data(), h.data(), 32);
    return out;
}

// gmssl.sm2sign(private, data [, id = "1234567812345678"]) -> r || s (64 bytes); "" id: no Z.
int l_sm2sign(lua_State* L) {
    const std::string_view priv = check_view(L, 1);
    const std::string_view data = check_view(L, 2);
    size_t id_len = 0;
    const char* id = luaL_optlstring(L, 3, kDefaultId.data(), &id_len);
    if (priv.size() != 64) {
        log_line(L, sys_task::kLogWarn, "private key len must be 64 byte HEX string");
        return 0;
    }
    if (data.empty()) {
        log_line(L, sys_task::kLogWarn, "待签名数据不能为空字符串");
        return 0;
    }
    const Bytes32 d = from_hex(priv);
    const auto pub = sm2_private_in_range(d) ? sm2_mul_generator(d) : std::nullopt;
    if (!pub) {
        log_line(L, sys_task::kLogWarn, "sm2_key_set_private_key -1");
        return 0;
    }
    const auto sig = sm2_sign_digest(d, message_digest(*pub, std::string_view(id, id_len), data));
    if (!sig) return 0;
    push_bytes(L, *sig);
    return 1;
}

// gmssl.sm2verify(pkx, pky, data [, id], sig) -> boolean
int l_sm2verify(lua_State* L) {
    const std::string_view pkx = check_view(L, 1);
    const std::string_view pky = check_view(L, 2);
    const std::string_view data = check_view(L, 3);
    size_t id_len = 0;
    const char* id = luaL_optlstring(L, 4, kDefaultId.data(), &id_len);
    const std::string_view sig = check_view(L, 5);
    if (pkx.size() != 64 || pky.size() != 64) {
        log_line(L, sys_task::kLogWarn, "public key x/y len must be 64 byte HEX string");
        return 0;
    }
    if (data.empty()) {
        log_line(L, sys_task::kLogWarn, "待签名数据不能为空字符串");
        return 0;
    }
    if (sig.size() != 64) {
        log_line(L, sys_task::kLogWarn, "sig数据长度应该在64字节");
        return 0;
    }
    const Sm2Point pub{from_hex(pkx), from_hex(pky)};
    const bool ok = sm2_verify_digest(pub, message_digest(pub, std::string_view(id, id_len), data), sig);
    lua_pushboolean(L, ok ? 1 : 0);
    return 1;
}

// gmssl.sm2keygen() -> pkx, pky, private (uppercase hex)
int l_sm2keygen(lua_State* L) {
    const auto key = sm2_keygen();
    if (!key) {
        log_line(L, sys_task::kLogWarn, "sm2_keygen -1");
        return 0;
    }
    push_point(L, key->second);
    push_bytes(L, to_hex(key->first));
    return 3;
}

bool all_64(std::initializer_list<std::string_view> args) {
    for (const auto a : args) {
        if (a.size() != 64) return false;
    }
    return true;
}

// gmssl.sm2pointmul(k, px, py) -> k * P
int l_sm2pointmul(lua_State* L) {
    const std::string_view k = check_view(L, 1);
    const std::string_view px = check_view(L, 2);
    const std::string_view py = check_view(L, 3);
    if (!all_64({k, px, py})) {
        log_line(
            L, sys_task::kLogError,
            format("sm2pointmul: k/px/py must be 64-char HEX strings, got %d/%d/%d",
                   static_cast<int>(k.size()), static_cast<int>(px.size()), static_cast<int>(py.size())));
        return 0;
    }
    const auto r = sm2_mul(from_hex(k), Sm2Point{from_hex(px), from_hex(py)});
    if (!r) {
        log_line(L, sys_task::kLogError, "sm2pointmul: sm2_point_mul failed");
        return 0;
    }
    push_point(L, *r);
    return 2;
}

// gmssl.sm2ecdh(private, peer_x, peer_y) -> d * P
int l_sm2ecdh(lua_State* L) {
    const std::string_view priv = check_view(L, 1);
    const std::string_view px = check_view(L, 2);
    const std::string_view py = check_view(L, 3);
    if (!all_64({priv, px, py})) {
        log_line(
            L, sys_task::kLogError,
            format("sm2ecdh: priv/px/py must be 64-char HEX strings, got %d/%d/%d",
                   static_cast<int>(priv.size()), static_cast<int>(px.size()), static_cast<int>(py.size())));
        return 0;
    }
    const Bytes32 d = from_hex(priv);
    if (!sm2_private_in_range(d)) {
        log_line(L, sys_task::kLogError, "sm2ecdh: private key out of range [1, n-1]");
        return 0;
    }
    const auto r = sm2_mul(d, Sm2Point{from_hex(px), from_hex(py)});
    if (!r) {
        log_line(L, sys_task::kLogError, "sm2ecdh: sm2_point_mul failed");
        return 0;
    }
    push_point(L, *r);
    return 2;
}

// gmssl.sm2pointadd(px1, py1, px2, py2) -> P + Q
int l_sm2pointadd(lua_State* L) {
    const std::string_view a = check_view(L, 1);
    const std::string_view b = check_view(L, 2);
    const std::string_view c = check_view(L, 3);
    const std::string_view d = check_view(L, 4);
    if (!all_64({a, b, c, d})) {
        log_line(L, sys_task::kLogError,
                 format("sm2pointadd: all params must be 64-char HEX strings, got %d/%d/%d/%d",
                        static_cast<int>(a.size()), static_cast<int>(b.size()), static_cast<int>(c.size()),
                        static_cast<int>(d.size())));
        return 0;
    }
    const auto r = sm2_add(Sm2Point{from_hex(a), from_hex(b)}, Sm2Point{from_hex(c), from_hex(d)});
    if (!r) {
        log_line(L, sys_task::kLogError, "sm2pointadd: sm2_point_add failed");
        return 0;
    }
    push_point(L, *r);
    return 2;
}

// gmssl.sm2pointisoncurve(px, py) -> boolean
int l_sm2pointisoncurve(lua_State* L) {
    const std::string_view px = check_view(L, 1);
    const std::string_view py = check_view(L, 2);
    if (!all_64({px, py})) {
        log_line(L, sys_task::kLogError,
                 format("sm2pointisoncurve: px/py must be 64-char HEX strings, got %d/%d",
                        static_cast<int>(px.size()), static_cast<int>(py.size())));
        lua_pushboolean(L, 0);
        return 1;
    }
    lua_pushboolean(L, sm2_on_curve(Sm2Point{from_hex(px), from_hex(py)}) ? 1 : 0);
    return 1;
}

int bn_op(lua_State* L, const char* name, Bytes32 (*op)(const Bytes32&, const Bytes32&)) {
    const std::string_view a = check_view(L, 1);
    const std::string_view b = check_view(L, 2);
    if (!all_64({a, b})) {
        log_line(L, sys_task::kLogError,
                 format("%s: a/b must be 64-char HEX strings, got %d/%d", name, static_cast<int>(a.size()),
                        static_cast<int>(b.size())));
        return 0;
    }
    push_bytes(L, to_hex(op(from_strict_hex(a), from_strict_hex(b))));
    return 1;
}

// gmssl.sm2bnadd(a, b) -> (a + b) mod n;  gmssl.sm2bnmul(a, b) -> (a * b) mod n
int l_sm2bnadd(lua_State* L) {
    return bn_op(L, "sm2bnadd", sm2_fn_add);
}
int l_sm2bnmul(lua_State* L) {
    return bn_op(L, "sm2bnmul", sm2_fn_mul);
}

}  // namespace

void install_gmssl(RunContext& ctx) {
    lua_State* L = ctx.state();
    push_module_table(L, "gmssl");
    static const luaL_Reg kFunctions[] = {
        {"sm2encrypt", l_sm2encrypt},
        {"sm2decrypt", l_sm2decrypt},
        {"sm3update", l_sm3},
        {"sm3", l_sm3},
        {"sm3hmac", l_sm3hmac},
        {"sm4encrypt", l_sm4encrypt},
        {"sm4decrypt", l_sm4decrypt},
        {"sm2sign", l_sm2sign},
        {"sm2verify", l_sm2verify},
        {"sm2keygen", l_sm2keygen},
        {"sm2pointmul", l_sm2pointmul},
        {"sm2ecdh", l_sm2ecdh},
        {"sm2pointadd", l_sm2pointadd},
        {"sm2pointisoncurve", l_sm2pointisoncurve},
        {"sm2bnadd", l_sm2bnadd},
        {"sm2bnmul", l_sm2bnmul},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, &ctx);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
