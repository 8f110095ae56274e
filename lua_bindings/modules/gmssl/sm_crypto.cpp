#include "lua_bindings/modules/gmssl/sm_crypto.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <memory>
#include <vector>

namespace lua_bindings {

namespace {

template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T* p) const {
        Free(p);
    }
};
using Bn = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using BnCtx = std::unique_ptr<BN_CTX, Deleter<BN_CTX_free>>;
using Group = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP_free>>;
using Point = std::unique_ptr<EC_POINT, Deleter<EC_POINT_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;
using Sig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;

const unsigned char* u8(std::string_view v) {
    return reinterpret_cast<const unsigned char*>(v.data());
}

Group sm2_group() {
    return Group(EC_GROUP_new_by_curve_name(NID_sm2));
}

Bn bn(const Bytes32& b) {
    return Bn(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr));
}

Bytes32 bytes32(const BIGNUM* v) {
    Bytes32 out{};
    BN_bn2binpad(v, out.data(), static_cast<int>(out.size()));
    return out;
}

Point to_point(const EC_GROUP* g, const Sm2Point& p, BN_CTX* ctx) {
    Point pt(EC_POINT_new(g));
    const Bn x = bn(p.x);
    const Bn y = bn(p.y);
    if (!pt || EC_POINT_set_affine_coordinates(g, pt.get(), x.get(), y.get(), ctx) != 1) return nullptr;
    return pt;
}

std::optional<Sm2Point> from_point(const EC_GROUP* g, const EC_POINT* p, BN_CTX* ctx) {
    if (EC_POINT_is_at_infinity(g, p) == 1) return Sm2Point{};
    const Bn x(BN_new());
    const Bn y(BN_new());
    if (EC_POINT_get_affine_coordinates(g, p, x.get(), y.get(), ctx) != 1) return std::nullopt;
    return Sm2Point{bytes32(x.get()), bytes32(y.get())};
}

std::string md(const EVP_MD* type, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out, &len, type, nullptr);
    return std::string(reinterpret_cast<const char*>(out), len);
}

std::string sm4(const EVP_CIPHER* cipher, bool encrypt, std::string_view key, const unsigned char* iv,
                std::string_view data) {
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    std::string out(data.size() + 16, '\0');
    int len = 0;
    int fin = 0;
    if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, u8(key), iv, encrypt ? 1 : 0) != 1) return {};
    EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
    EVP_CipherUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, u8(data),
                     static_cast<int>(data.size()));
    EVP_CipherFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &fin);
    out.resize(static_cast<std::size_t>(len + fin));
    return out;
}

std::string uncompressed(const Sm2Point& p) {
    std::string s(1, '\x04');
    s.append(reinterpret_cast<const char*>(p.x.data()), 32);
    s.append(reinterpret_cast<const char*>(p.y.data()), 32);
    return s;
}

// An EVP_PKEY of the SM2 curve with the public point and/or the private scalar.
Pkey sm2_pkey(const Sm2Point* pub, const Bytes32* priv) {
    ParamBld bld(OSSL_PARAM_BLD_new());
    if (!bld) return nullptr;
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, SN_sm2, 0);
    const std::string pub_octets = pub != nullptr ? uncompressed(*pub) : std::string();
    if (pub != nullptr)
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub_octets.data(),
                                         pub_octets.size());
    Bn d;
    if (priv != nullptr) {
        d = bn(*priv);
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get());
    }
    Params params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, priv != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                          params.get()) != 1)
        return nullptr;
    return Pkey(key);
}

// DER pieces of the SM2 ciphertext.
void der_length(std::string& out, std::size_t len) {
    if (len < 0x80) {
        out += static_cast<char>(len);
    } else if (len < 0x100) {
        out += '\x81';
        out += static_cast<char>(len);
    } else if (len < 0x10000) {
        out += '\x82';
        out += static_cast<char>(len >> 8);
        out += static_cast<char>(len & 0xFF);
    } else {
        out += '\x83';
        out += static_cast<char>(len >> 16);
        out += static_cast<char>((len >> 8) & 0xFF);
        out += static_cast<char>(len & 0xFF);
    }
}

void der_tlv(std::string& out, char tag, std::string_view value) {
    out += tag;
    der_length(out, value.size());
    out.append(value);
}

std::string der_integer(const Bytes32& v) {
    std::size_t i = 0;
    while (i < 31 && v[i] == 0)
        ++i;  // minimal: no leading zero bytes...
    std::string s;
    if ((v[i] & 0x80) != 0) s += '\0';  // ...but a zero before a set top bit
    s.append(reinterpret_cast<const char*>(v.data()) + i, 32 - i);
    std::string out;
    der_tlv(out, '\x02', s);
    return out;
}

// Reads a DER TLV with `tag` at `p`; its value, advancing `p`.
std::optional<std::string_view> der_read(std::string_view& p, char tag) {
    if (p.size() < 2 || p[0] != tag) return std::nullopt;
    std::size_t len = static_cast<unsigned char>(p[1]);
    std::size_t hdr = 2;
    if ((len & 0x80) != 0) {
        const std::size_t n = len & 0x7F;
        if (n == 0 || n > 3 || p.size() < 2 + n) return std::nullopt;
        len = 0;
        for (std::size_t i = 0; i < n; ++i)
            len = len << 8 | static_cast<unsigned char>(p[2 + i]);
        hdr += n;
    }
    if (p.size() - hdr < len) return std::nullopt;
    const std::string_view value = p.substr(hdr, len);
    p.remove_prefix(hdr + len);
    return value;
}

std::optional<Bytes32> der_read_integer(std::string_view& p) {
    auto v = der_read(p, '\x02');
    if (!v || v->empty()) return std::nullopt;
    std::string_view d = *v;
    if (d.size() > 1 && d[0] == '\0') d.remove_prefix(1);
    if (d.size() > 32) return std::nullopt;
    Bytes32 out{};
    std::copy(d.begin(), d.end(), out.begin() + static_cast<std::ptrdiff_t>(32 - d.size()));
    return out;
}

// SM2's order n, read from OpenSSL on first use (not at start-up: that would initialise OpenSSL in
// every run, gmssl or not).
const Bytes32& sm2_order() {
    static const Bytes32 n = [] {
        const Group g = sm2_group();
        return g ? bytes32(EC_GROUP_get0_order(g.get())) : Bytes32{};
    }();
    return n;
}

}  // namespace

std::string sm3(std::string_view data) {
    return md(EVP_sm3(), data);
}

std::string sm3_hmac(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t len = 0;
    EVP_Q_mac(nullptr, "HMAC", nullptr, "SM3", nullptr, key.data(), key.size(), u8(data), data.size(), out,
              sizeof out, &len);
    return std::string(reinterpret_cast<const char*>(out), len);
}

std::string sm4_ecb(bool encrypt, std::string_view key, std::string_view data) {
    return sm4(EVP_sm4_ecb(), encrypt, key, nullptr, data);
}

std::string sm4_cbc(bool encrypt, std::string_view key, std::string_view iv, std::string_view data) {
    return sm4(EVP_sm4_cbc(), encrypt, key, u8(iv), data);
}

bool sm2_on_curve(const Sm2Point& p) {
    const Group g = sm2_group();
    const BnCtx ctx(BN_CTX_new());
    return g && to_point(g.get(), p, ctx.get()) != nullptr;
}

std::optional<Sm2Point> sm2_mul(const Bytes32& k, const Sm2Point& p) {
    const Group g = sm2_group();
    const BnCtx ctx(BN_CTX_new());
    if (!g || !ctx) return std::nullopt;
    const Point pt = to_point(g.get(), p, ctx.get());
    if (!pt) return std::nullopt;
    Point r(EC_POINT_new(g.get()));
    const Bn kk = bn(k);
    if (!r || EC_POINT_mul(g.get(), r.get(), nullptr, pt.get(), kk.get(), ctx.get()) != 1)
        return std::nullopt;
    return from_point(g.get(), r.get(), ctx.get());
}

std::optional<Sm2Point> sm2_mul_generator(const Bytes32& k) {
    const Group g = sm2_group();
    const BnCtx ctx(BN_CTX_new());
    if (!g || !ctx) return std::nullopt;
    Point r(EC_POINT_new(g.get()));
    const Bn kk = bn(k);
    if (!r || EC_POINT_mul(g.get(), r.get(), kk.get(), nullptr, nullptr, ctx.get()) != 1) return std::nullopt;
    return from_point(g.get(), r.get(), ctx.get());
}

std::optional<Sm2Point> sm2_add(const Sm2Point& p, const Sm2Point& q) {
    const Group g = sm2_group();
    const BnCtx ctx(BN_CTX_new());
    if (!g || !ctx) return std::nullopt;
    const Point a = to_point(g.get(), p, ctx.get());
    const Point b = to_point(g.get(), q, ctx.get());
    Point r(EC_POINT_new(g.get()));
    if (!a || !b || !r || EC_POINT_add(g.get(), r.get(), a.get(), b.get(), ctx.get()) != 1)
        return std::nullopt;
    return from_point(g.get(), r.get(), ctx.get());
}

bool sm2_private_in_range(const Bytes32& d) {
    bool zero = true;
    for (const auto b : d)
        zero = zero && b == 0;
    return !zero && d < sm2_order();
}

std::optional<std::pair<Bytes32, Sm2Point>> sm2_keygen() {
    const Group g = sm2_group();
    const Bn d(BN_new());
    if (!g || !d || BN_priv_rand_range(d.get(), EC_GROUP_get0_order(g.get())) != 1) return std::nullopt;
    if (BN_is_zero(d.get())) BN_one(d.get());
    const Bytes32 priv = bytes32(d.get());
    const auto pub = sm2_mul_generator(priv);
    if (!pub) return std::nullopt;
    return std::pair{priv, *pub};
}

Bytes32 sm2_z(const Sm2Point& pub, std::string_view id) {
    const Group g = sm2_group();
    const Bn a(BN_new());
    const Bn b(BN_new());
    const Bn p(BN_new());
    EC_GROUP_get_curve(g.get(), p.get(), a.get(), b.get(), nullptr);
    const auto gen = from_point(g.get(), EC_GROUP_get0_generator(g.get()), nullptr);
    std::string zin;
    const std::size_t bits = id.size() * 8;
    zin += static_cast<char>((bits >> 8) & 0xFF);
    zin += static_cast<char>(bits & 0xFF);
    zin.append(id);
    for (const Bytes32& v : {bytes32(a.get()), bytes32(b.get()), gen->x, gen->y, pub.x, pub.y})
        zin.append(reinterpret_cast<const char*>(v.data()), v.size());
    const std::string z = sm3(zin);
    Bytes32 out{};
    std::copy(z.begin(), z.end(), out.begin());
    return out;
}

std::optional<std::string> sm2_sign_digest(const Bytes32& d, const Bytes32& digest) {
    const auto pub = sm2_mul_generator(d);
    if (!pub) return std::nullopt;
    const Pkey key = sm2_pkey(&*pub, &d);
    PkeyCtx ctx(key ? EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr) : nullptr);
    unsigned char der[128];
    size_t der_len = sizeof der;
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
        EVP_PKEY_sign(ctx.get(), der, &der_len, digest.data(), digest.size()) != 1)
        return std::nullopt;
    const unsigned char* p = der;
    const Sig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
    if (!sig) return std::nullopt;
    const Bytes32 r = bytes32(ECDSA_SIG_get0_r(sig.get()));
    const Bytes32 s = bytes32(ECDSA_SIG_get0_s(sig.get()));
    std::string out(reinterpret_cast<const char*>(r.data()), 32);
    out.append(reinterpret_cast<const char*>(s.data()), 32);
    return out;
}

bool sm2_verify_digest(const Sm2Point& pub, const Bytes32& digest, std::string_view sig64) {
    const Pkey key = sm2_pkey(&pub, nullptr);
    PkeyCtx ctx(key ? EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr) : nullptr);
    if (!ctx || sig64.size() != 64) return false;
    Sig sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(u8(sig64), 32, nullptr);
    BIGNUM* s = BN_bin2bn(u8(sig64) + 32, 32, nullptr);
    if (!sig || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return false;
    }
    unsigned char* der = nullptr;
    const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
    const bool ok =
        der_len > 0 && EVP_PKEY_verify_init(ctx.get()) == 1 &&
        EVP_PKEY_verify(ctx.get(), der, static_cast<size_t>(der_len), digest.data(), digest.size()) == 1;
    OPENSSL_free(der);
    return ok;
}

std::string sm2_ciphertext_to_der(const Sm2Ciphertext& c) {
    std::string body = der_integer(c.point.x) + der_integer(c.point.y);
    der_tlv(body, '\x04', std::string_view(reinterpret_cast<const char*>(c.hash.data()), 32));
    der_tlv(body, '\x04', c.ciphertext);
    std::string out;
    der_tlv(out, '\x30', body);
    return out;
}

std::optional<Sm2Ciphertext> sm2_ciphertext_from_der(std::string_view der) {
    auto seq = der_read(der, '\x30');
    if (!seq || !der.empty()) return std::nullopt;  // nothing may follow it
    std::string_view p = *seq;
    Sm2Ciphertext c;
    const auto x = der_read_integer(p);
    const auto y = der_read_integer(p);
    const auto hash = der_read(p, '\x04');
    const auto text = der_read(p, '\x04');
    if (!x || !y || !hash || hash->size() != 32 || !text || text->empty() || text->size() > 16384 ||
        !p.empty())
        return std::nullopt;
    c.point = Sm2Point{*x, *y};
    std::copy(hash->begin(), hash->end(), c.hash.begin());
    c.ciphertext = std::string(*text);
    return c;
}

std::optional<Sm2Ciphertext> sm2_encrypt(const Sm2Point& pub, std::string_view data) {
    if (data.empty() || data.size() > 16384) return std::nullopt;
    const Pkey key = sm2_pkey(&pub, nullptr);
    PkeyCtx ctx(key ? EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr) : nullptr);
    size_t len = 0;
    if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
        EVP_PKEY_encrypt(ctx.get(), nullptr, &len, u8(data), data.size()) != 1)
        return std::nullopt;
    std::vector<unsigned char> out(len);
    if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, u8(data), data.size()) != 1) return std::nullopt;
    return sm2_ciphertext_from_der(std::string_view(reinterpret_cast<const char*>(out.data()), len));
}

std::optional<std::string> sm2_decrypt(const Bytes32& d_raw, const Sm2Ciphertext& c) {
    // GmSSL multiplies by the 256-bit value as it is, which is the same as by it modulo n.
    const Bn full = bn(d_raw);
    const Bn n = bn(sm2_order());
    const Bn reduced(BN_new());
    const BnCtx bctx(BN_CTX_new());
    BN_nnmod(reduced.get(), full.get(), n.get(), bctx.get());
    const Bytes32 d = bytes32(reduced.get());
    if (!sm2_private_in_range(d) || !sm2_on_curve(c.point)) return std::nullopt;
    const auto pub = sm2_mul_generator(d);
    const Pkey key = pub ? sm2_pkey(&*pub, &d) : nullptr;
    PkeyCtx ctx(key ? EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr) : nullptr);
    const std::string der = sm2_ciphertext_to_der(c);
    size_t len = 0;
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
        EVP_PKEY_decrypt(ctx.get(), nullptr, &len, u8(der), der.size()) != 1)
        return std::nullopt;
    std::string out(len, '\0');
    if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, u8(der),
                         der.size()) != 1)
        return std::nullopt;
    out.resize(len);
    return out;
}

Bytes32 sm2_fn_add(const Bytes32& a, const Bytes32& b) {
    const Bn x = bn(a);
    const Bn y = bn(b);
    const Bn n = bn(sm2_order());
    const Bn r(BN_new());
    BN_add(r.get(), x.get(), y.get());
    if (BN_cmp(r.get(), n.get()) >= 0) BN_sub(r.get(), r.get(), n.get());
    BN_mask_bits(r.get(), 256);
    return bytes32(r.get());
}

Bytes32 sm2_fn_mul(const Bytes32& a, const Bytes32& b) {
    const Bn x = bn(a);
    const Bn y = bn(b);
    const Bn n = bn(sm2_order());
    const Bn r(BN_new());
    const BnCtx ctx(BN_CTX_new());
    BN_mod_mul(r.get(), x.get(), y.get(), n.get(), ctx.get());
    return bytes32(r.get());
}

}  // namespace lua_bindings
