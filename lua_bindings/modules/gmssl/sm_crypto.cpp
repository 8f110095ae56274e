#include "lua_bindings/modules/gmssl/sm_crypto.hpp"

// Without the short mpi_* macros and the deprecated declarations of gcrypt.h.
#define GCRYPT_NO_MPI_MACROS
#define GCRYPT_NO_DEPRECATED
#include <gcrypt.h>

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <vector>

#include "lua_bindings/modules/crypto/crypto_internal.hpp"

namespace lua_bindings {

namespace {

// libgcrypt must be initialised once per process before any other call, and what that sets up (its
// FIPS-mode flag, hardware features, allocator and secure-memory settings) is process-wide state of
// the library that it never lets go. It is this backend's one global, for the same reason as lwIP's
// are the stack's: the library has it, not us; nothing of a device is kept in it (every handle,
// number and point below lives for one call). It is set up on first use, not at start-up, so that a
// run that never calls gmssl never initialises it, and std::call_once makes that first use safe when
// devices of one process run on several threads (docs/modules/gmssl.md, "The backend: libgcrypt").
bool gcrypt_ready() {
    static std::once_flag once;
    static bool ready = false;
    std::call_once(once, [] {
        if (gcry_check_version(GCRYPT_VERSION) == nullptr) return;
        // Not in FIPS mode, whatever the host's /proc/sys/crypto/fips_enabled, /etc/gcrypt/fips_enabled
        // or LIBGCRYPT_FORCE_FIPS_MODE say: FIPS mode refuses SM3 and SM4, which the module has. 1.10
        // checks the host during gcry_check_version even when told before it, so it is said here, after
        // it and before INITIALIZATION_FINISHED (the last point at which libgcrypt accepts it).
        gcry_control(GCRYCTL_NO_FIPS_MODE, 0);
        // No secure-memory pool (a locked mmap, and privileges dropped if the process is root): the keys
        // arrive as Lua strings in ordinary memory anyway.
        gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
        gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
        ready = gcry_fips_mode_active() == 0;
    });
    return ready;
}

template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T* p) const {
        Free(p);
    }
};
using Mpi = std::unique_ptr<gcry_mpi, Deleter<gcry_mpi_release>>;
using Point = std::unique_ptr<gcry_mpi_point, Deleter<gcry_mpi_point_release>>;
using Context = std::unique_ptr<gcry_context, Deleter<gcry_ctx_release>>;
using Cipher = std::unique_ptr<gcry_cipher_handle, Deleter<gcry_cipher_close>>;

Mpi mpi(const Bytes32& b) {
    gcry_mpi_t m = nullptr;
    if (gcry_mpi_scan(&m, GCRYMPI_FMT_USG, b.data(), b.size(), nullptr) != 0) return nullptr;
    return Mpi(m);
}

// A secret scalar (a private key, an ephemeral k): flagged "secure", for which libgcrypt's point
// multiplication is constant-time (with secure memory disabled it stays in ordinary memory).
Mpi secret_mpi(const Bytes32& b) {
    Mpi m = mpi(b);
    if (m) gcry_mpi_set_flag(m.get(), GCRYMPI_FLAG_SECURE);
    return m;
}

Mpi new_mpi() {
    return Mpi(gcry_mpi_new(0));
}

// The low 256 bits of a non-negative number, big-endian.
Bytes32 bytes32(gcry_mpi_t v) {
    Mpi low(gcry_mpi_copy(v));
    gcry_mpi_clear_highbit(low.get(), 256);
    unsigned char buf[32];
    size_t n = 0;
    Bytes32 out{};
    if (gcry_mpi_print(GCRYMPI_FMT_USG, buf, sizeof buf, &n, low.get()) == 0 && n <= out.size())
        std::copy(buf, buf + n, out.end() - static_cast<std::ptrdiff_t>(n));
    return out;
}

bool is_zero(gcry_mpi_t v) {
    return gcry_mpi_cmp_ui(v, 0) == 0;
}

// SM3 of the concatenated pieces; with `hmac`, the first piece is the key.
std::string sm3_of(std::initializer_list<std::string_view> pieces, bool hmac = false) {
    if (!gcrypt_ready()) return {};
    std::vector<gcry_buffer_t> iov;
    for (const auto p : pieces)
        iov.push_back(gcry_buffer_t{p.size(), 0, p.size(), const_cast<char*>(p.data())});
    std::string out(32, '\0');
    if (gcry_md_hash_buffers(GCRY_MD_SM3, hmac ? GCRY_MD_FLAG_HMAC : 0, out.data(), iov.data(),
                             static_cast<int>(iov.size())) != 0)
        return {};
    return out;
}

std::string_view view(const Bytes32& b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// The SM2 curve of GB/T 32918.5 (libgcrypt's "sm2p256v1") for one computation.
class Curve {
  public:
    static std::optional<Curve> create() {
        gcry_ctx_t ctx = nullptr;
        if (!gcrypt_ready() || gcry_mpi_ec_new(&ctx, nullptr, "sm2p256v1") != 0) return std::nullopt;
        Curve c(ctx);
        if (!c.p_ || !c.n_ || !c.g_) return std::nullopt;
        return c;
    }

    [[nodiscard]] gcry_ctx_t ctx() const { return ctx_.get(); }
    // The order n and the generator G.
    [[nodiscard]] gcry_mpi_t n() const { return n_.get(); }
    [[nodiscard]] gcry_mpi_point_t g() const { return g_.get(); }
    // A parameter of the curve ("a", "b"...), a copy.
    [[nodiscard]] Mpi param(const char* name) const { return Mpi(gcry_mpi_ec_get_mpi(name, ctx(), 1)); }

    // The affine point (x, y), if it is on the curve. Coordinates are read modulo p, as GmSSL's field
    // arithmetic takes them (libgcrypt refuses a coordinate of p or more).
    [[nodiscard]] Point point(const Sm2Point& p) const {
        Mpi x = mpi(p.x);
        Mpi y = mpi(p.y);
        if (!x || !y) return nullptr;
        gcry_mpi_mod(x.get(), x.get(), p_.get());
        gcry_mpi_mod(y.get(), y.get(), p_.get());
        Point pt(gcry_mpi_point_snatch_set(nullptr, x.release(), y.release(), gcry_mpi_set_ui(nullptr, 1)));
        if (gcry_mpi_ec_curve_point(pt.get(), ctx()) != 1) return nullptr;
        return pt;
    }

    // The affine coordinates; the point at infinity is (0, 0), as GmSSL writes it.
    [[nodiscard]] Sm2Point affine(gcry_mpi_point_t p) const {
        const Mpi x = new_mpi();
        const Mpi y = new_mpi();
        if (gcry_mpi_ec_get_affine(x.get(), y.get(), p, ctx()) != 0) return Sm2Point{};
        return Sm2Point{bytes32(x.get()), bytes32(y.get())};
    }

    [[nodiscard]] Sm2Point mul(gcry_mpi_t k, gcry_mpi_point_t p) const {
        const Point r(gcry_mpi_point_new(0));
        gcry_mpi_ec_mul(r.get(), k, p, ctx());
        return affine(r.get());
    }

    // A uniformly random scalar in [1, n - 1], from the host's kernel random source as the rest of
    // the runtime's randomness (crypto.trng, the TLS DRBG's seed); nullptr if that failed.
    [[nodiscard]] Mpi random_scalar() const {
        for (int tries = 0; tries < 100; ++tries) {
            Bytes32 b{};
            if (!host_random(b.data(), b.size())) return nullptr;
            Mpi k = secret_mpi(b);
            if (k && !is_zero(k.get()) && gcry_mpi_cmp(k.get(), n()) < 0) return k;
        }
        return nullptr;
    }

    // d in [1, n - 1].
    [[nodiscard]] bool in_range(gcry_mpi_t d) const { return !is_zero(d) && gcry_mpi_cmp(d, n()) < 0; }

    // v mod n.
    [[nodiscard]] Mpi mod_n(gcry_mpi_t v) const {
        Mpi r = new_mpi();
        gcry_mpi_mod(r.get(), v, n());
        return r;
    }

  private:
    // (gcry_mpi_ec_get_mpi and _get_point give copies of the curve's values, to be released.)
    explicit Curve(gcry_ctx_t ctx)
        : ctx_(ctx),
          p_(gcry_mpi_ec_get_mpi("p", ctx, 1)),
          n_(gcry_mpi_ec_get_mpi("n", ctx, 1)),
          g_(gcry_mpi_ec_get_point("g", ctx, 1)) {}
    Context ctx_;
    Mpi p_;
    Mpi n_;
    Point g_;
};

// KDF of GB/T 32918.4: SM3(Z || counter) for counter = 1, 2, ... (32-bit big-endian), `len` bytes.
std::string kdf(std::string_view z, std::size_t len) {
    std::string out;
    out.reserve(len + 32);
    for (std::uint32_t counter = 1; out.size() < len; ++counter) {
        const char ct[4] = {static_cast<char>(counter >> 24), static_cast<char>(counter >> 16),
                            static_cast<char>(counter >> 8), static_cast<char>(counter)};
        const std::string block = sm3_of({z, std::string_view(ct, 4)});
        if (block.empty()) return {};
        out += block;
    }
    out.resize(len);
    return out;
}

bool all_zero(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == '\0'; });
}

std::string sm4(int mode, bool encrypt, std::string_view key, std::string_view iv, std::string_view data) {
    if (!gcrypt_ready() || key.size() != 16 || data.size() % 16 != 0) return {};
    gcry_cipher_hd_t h = nullptr;
    if (gcry_cipher_open(&h, GCRY_CIPHER_SM4, mode, 0) != 0) return {};
    const Cipher cipher(h);
    if (gcry_cipher_setkey(h, key.data(), key.size()) != 0) return {};
    if (!iv.empty() && gcry_cipher_setiv(h, iv.data(), iv.size()) != 0) return {};
    std::string out(data);
    const auto rc = encrypt ? gcry_cipher_encrypt(h, out.data(), out.size(), nullptr, 0)
                            : gcry_cipher_decrypt(h, out.data(), out.size(), nullptr, 0);
    return rc == 0 ? out : std::string();
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

}  // namespace

std::string sm3(std::string_view data) {
    return sm3_of({data});
}

std::string sm3_hmac(std::string_view key, std::string_view data) {
    return sm3_of({key, data}, true);
}

std::string sm4_ecb(bool encrypt, std::string_view key, std::string_view data) {
    return sm4(GCRY_CIPHER_MODE_ECB, encrypt, key, {}, data);
}

std::string sm4_cbc(bool encrypt, std::string_view key, std::string_view iv, std::string_view data) {
    if (iv.size() != 16) return {};
    return sm4(GCRY_CIPHER_MODE_CBC, encrypt, key, iv, data);
}

bool sm2_on_curve(const Sm2Point& p) {
    const auto curve = Curve::create();
    return curve && curve->point(p) != nullptr;
}

std::optional<Sm2Point> sm2_mul(const Bytes32& k, const Sm2Point& p) {
    const auto curve = Curve::create();
    if (!curve) return std::nullopt;
    const Point pt = curve->point(p);
    const Mpi kk = secret_mpi(k);
    if (!pt || !kk) return std::nullopt;
    return curve->mul(kk.get(), pt.get());
}

std::optional<Sm2Point> sm2_mul_generator(const Bytes32& k) {
    const auto curve = Curve::create();
    const Mpi kk = secret_mpi(k);
    if (!curve || !kk) return std::nullopt;
    return curve->mul(kk.get(), curve->g());
}

std::optional<Sm2Point> sm2_add(const Sm2Point& p, const Sm2Point& q) {
    const auto curve = Curve::create();
    if (!curve) return std::nullopt;
    const Point a = curve->point(p);
    const Point b = curve->point(q);
    if (!a || !b) return std::nullopt;
    const Point r(gcry_mpi_point_new(0));
    gcry_mpi_ec_add(r.get(), a.get(), b.get(), curve->ctx());
    return curve->affine(r.get());
}

bool sm2_private_in_range(const Bytes32& d) {
    const auto curve = Curve::create();
    const Mpi dd = mpi(d);
    return curve && dd && curve->in_range(dd.get());
}

std::optional<std::pair<Bytes32, Sm2Point>> sm2_keygen() {
    const auto curve = Curve::create();
    if (!curve) return std::nullopt;
    const Mpi d = curve->random_scalar();
    if (!d) return std::nullopt;
    return std::pair{bytes32(d.get()), curve->mul(d.get(), curve->g())};
}

Bytes32 sm2_z(const Sm2Point& pub, std::string_view id) {
    Bytes32 out{};
    const auto curve = Curve::create();
    if (!curve) return out;
    const Mpi a_param = curve->param("a");
    const Mpi b_param = curve->param("b");
    if (!a_param || !b_param) return out;
    const Bytes32 a = bytes32(a_param.get());
    const Bytes32 b = bytes32(b_param.get());
    const Sm2Point g = curve->affine(curve->g());
    const std::size_t bits = id.size() * 8;
    const char entl[2] = {static_cast<char>((bits >> 8) & 0xFF), static_cast<char>(bits & 0xFF)};
    const std::string z = sm3_of(
        {std::string_view(entl, 2), id, view(a), view(b), view(g.x), view(g.y), view(pub.x), view(pub.y)});
    std::copy(z.begin(), z.end(), out.begin());
    return out;
}

// GB/T 32918.2 as GmSSL's sm2_do_sign has it: e = digest, k random in [1, n - 1], (x1, y1) = kG,
// r = (e + x1) mod n (again if r = 0 or r + k = n), s = (1 + d)^-1 (k - r d) mod n (again if 0).
std::optional<std::string> sm2_sign_digest(const Bytes32& d_bytes, const Bytes32& digest) {
    const auto curve = Curve::create();
    if (!curve) return std::nullopt;
    gcry_mpi_t n = curve->n();
    const Mpi d = secret_mpi(d_bytes);
    const Mpi e_full = mpi(digest);
    if (!d || !e_full || !curve->in_range(d.get())) return std::nullopt;
    const Mpi e = curve->mod_n(e_full.get());
    // (1 + d)^-1 mod n; d = n - 1 has none (GmSSL fails there too)
    const Mpi d1_inv = new_mpi();
    gcry_mpi_add_ui(d1_inv.get(), d.get(), 1);
    gcry_mpi_mod(d1_inv.get(), d1_inv.get(), n);
    if (is_zero(d1_inv.get()) || gcry_mpi_invm(d1_inv.get(), d1_inv.get(), n) == 0) return std::nullopt;
    const Mpi r = new_mpi();
    const Mpi s = new_mpi();
    const Mpi t = new_mpi();
    for (int tries = 0; tries < 100; ++tries) {
        const Mpi k = curve->random_scalar();
        if (!k) return std::nullopt;
        const Sm2Point p = curve->mul(k.get(), curve->g());
        const Mpi x1 = mpi(p.x);
        gcry_mpi_addm(r.get(), e.get(), x1.get(), n);
        gcry_mpi_add(t.get(), r.get(), k.get());
        if (is_zero(r.get()) || gcry_mpi_cmp(t.get(), n) == 0) continue;
        gcry_mpi_mulm(t.get(), r.get(), d.get(), n);
        gcry_mpi_subm(t.get(), k.get(), t.get(), n);
        gcry_mpi_mulm(s.get(), d1_inv.get(), t.get(), n);
        if (is_zero(s.get())) continue;
        const Bytes32 rb = bytes32(r.get());
        const Bytes32 sb = bytes32(s.get());
        return std::string(view(rb)) + std::string(view(sb));
    }
    return std::nullopt;
}

// GmSSL's sm2_do_verify: r, s in [1, n - 1], t = (r + s) mod n not 0, (x1, y1) = sG + tP,
// accepted if (e + x1) mod n = r. P must be on the curve (GmSSL computes with any point).
bool sm2_verify_digest(const Sm2Point& pub, const Bytes32& digest, std::string_view sig64) {
    if (sig64.size() != 64) return false;
    const auto curve = Curve::create();
    if (!curve) return false;
    gcry_mpi_t n = curve->n();
    const Point p = curve->point(pub);
    Bytes32 rb{};
    Bytes32 sb{};
    std::copy(sig64.begin(), sig64.begin() + 32, rb.begin());
    std::copy(sig64.begin() + 32, sig64.end(), sb.begin());
    const Mpi r = mpi(rb);
    const Mpi s = mpi(sb);
    const Mpi e_full = mpi(digest);
    if (!p || !r || !s || !e_full || !curve->in_range(r.get()) || !curve->in_range(s.get())) return false;
    const Mpi t = new_mpi();
    gcry_mpi_addm(t.get(), r.get(), s.get(), n);
    if (is_zero(t.get())) return false;
    const Point sg(gcry_mpi_point_new(0));
    const Point tp(gcry_mpi_point_new(0));
    gcry_mpi_ec_mul(sg.get(), s.get(), curve->g(), curve->ctx());
    gcry_mpi_ec_mul(tp.get(), t.get(), p.get(), curve->ctx());
    gcry_mpi_ec_add(sg.get(), sg.get(), tp.get(), curve->ctx());
    const Mpi x1 = mpi(curve->affine(sg.get()).x);  // 0 at infinity, as GmSSL's sm2_jacobian_point_get_xy
    const Mpi e = curve->mod_n(e_full.get());
    gcry_mpi_addm(t.get(), e.get(), x1.get(), n);
    return gcry_mpi_cmp(t.get(), r.get()) == 0;
}

std::string sm2_ciphertext_to_der(const Sm2Ciphertext& c) {
    std::string body = der_integer(c.point.x) + der_integer(c.point.y);
    der_tlv(body, '\x04', view(c.hash));
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

// GB/T 32918.4 as GmSSL's sm2_do_encrypt has it: k random in [1, n - 1], C1 = kG, (x2, y2) = kP,
// t = KDF(x2 || y2, len) (again if all zero), C2 = M xor t, C3 = SM3(x2 || M || y2).
std::optional<Sm2Ciphertext> sm2_encrypt(const Sm2Point& pub, std::string_view data) {
    if (data.empty() || data.size() > 16384) return std::nullopt;
    const auto curve = Curve::create();
    if (!curve) return std::nullopt;
    const Point p = curve->point(pub);
    if (!p) return std::nullopt;
    for (int tries = 0; tries < 100; ++tries) {
        const Mpi k = curve->random_scalar();
        if (!k) return std::nullopt;
        Sm2Ciphertext c;
        c.point = curve->mul(k.get(), curve->g());
        const Sm2Point kp = curve->mul(k.get(), p.get());
        std::string t = kdf(std::string(view(kp.x)) + std::string(view(kp.y)), data.size());
        if (t.size() != data.size()) return std::nullopt;
        if (all_zero(t)) continue;
        for (std::size_t i = 0; i < t.size(); ++i)
            t[i] = static_cast<char>(t[i] ^ data[i]);
        c.ciphertext = std::move(t);
        const std::string hash = sm3_of({view(kp.x), data, view(kp.y)});
        if (hash.size() != 32) return std::nullopt;
        std::copy(hash.begin(), hash.end(), c.hash.begin());
        return c;
    }
    return std::nullopt;
}

// GmSSL's sm2_do_decrypt: C1 on the curve, (x2, y2) = d C1, t = KDF(x2 || y2, len) not all zero,
// M = C2 xor t, accepted if SM3(x2 || M || y2) = C3.
std::optional<std::string> sm2_decrypt(const Bytes32& d_raw, const Sm2Ciphertext& c) {
    const auto curve = Curve::create();
    if (!curve) return std::nullopt;
    // GmSSL multiplies by the 256-bit value as it is, which is the same as by it modulo n.
    const Mpi full = secret_mpi(d_raw);
    if (!full) return std::nullopt;
    const Mpi d = curve->mod_n(full.get());
    gcry_mpi_set_flag(d.get(), GCRYMPI_FLAG_SECURE);
    const Point c1 = curve->point(c.point);
    if (!curve->in_range(d.get()) || !c1) return std::nullopt;
    const Sm2Point kp = curve->mul(d.get(), c1.get());
    std::string m = kdf(std::string(view(kp.x)) + std::string(view(kp.y)), c.ciphertext.size());
    if (m.size() != c.ciphertext.size() || all_zero(m)) return std::nullopt;
    for (std::size_t i = 0; i < m.size(); ++i)
        m[i] = static_cast<char>(m[i] ^ c.ciphertext[i]);
    const std::string hash = sm3_of({view(kp.x), m, view(kp.y)});
    if (hash != view(c.hash)) return std::nullopt;
    return m;
}

Bytes32 sm2_fn_add(const Bytes32& a, const Bytes32& b) {
    const auto curve = Curve::create();
    const Mpi x = mpi(a);
    const Mpi y = mpi(b);
    if (!curve || !x || !y) return Bytes32{};
    const Mpi r = new_mpi();
    gcry_mpi_add(r.get(), x.get(), y.get());
    if (gcry_mpi_cmp(r.get(), curve->n()) >= 0) gcry_mpi_sub(r.get(), r.get(), curve->n());
    return bytes32(r.get());  // kept to 256 bits
}

Bytes32 sm2_fn_mul(const Bytes32& a, const Bytes32& b) {
    const auto curve = Curve::create();
    const Mpi x = mpi(a);
    const Mpi y = mpi(b);
    if (!curve || !x || !y) return Bytes32{};
    const Mpi r = new_mpi();
    gcry_mpi_mulm(r.get(), x.get(), y.get(), curve->n());
    return bytes32(r.get());
}

}  // namespace lua_bindings
