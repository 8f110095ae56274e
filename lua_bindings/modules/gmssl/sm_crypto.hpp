// SM2 / SM3 / SM4 on libgcrypt 1.10 (Debian's libgcrypt20-dev: SM3, HMAC-SM3, SM4 and the SM2 curve's
// point arithmetic; the SM2 schemes of GB/T 32918 are written here on its numbers and points), shaped
// as GmSSL's functions that LuatOS's gmssl binding calls (docs/modules/gmssl.md).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lua_bindings {

using Bytes32 = std::array<std::uint8_t, 32>;

struct Sm2Point {
    Bytes32 x{};
    Bytes32 y{};
};

// SM2's ciphertext parts: C1 (a point), C3 (the SM3 hash), C2 (the masked text).
struct Sm2Ciphertext {
    Sm2Point point;
    Bytes32 hash{};
    std::string ciphertext;
};

std::string sm3(std::string_view data);
std::string sm3_hmac(std::string_view key, std::string_view data);

// SM4 of whole blocks (no padding), ECB or CBC with a 16-byte iv.
std::string sm4_ecb(bool encrypt, std::string_view key, std::string_view data);
std::string sm4_cbc(bool encrypt, std::string_view key, std::string_view iv, std::string_view data);

bool sm2_on_curve(const Sm2Point& p);
// k * P for P on the curve (any 256-bit k); the point at infinity is (0, 0), as GmSSL writes it.
std::optional<Sm2Point> sm2_mul(const Bytes32& k, const Sm2Point& p);
std::optional<Sm2Point> sm2_mul_generator(const Bytes32& k);
std::optional<Sm2Point> sm2_add(const Sm2Point& p, const Sm2Point& q);
// A private key in [1, n - 1].
bool sm2_private_in_range(const Bytes32& d);
// A random key pair: private key, public key.
std::optional<std::pair<Bytes32, Sm2Point>> sm2_keygen();

// Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) of GB/T 32918.
Bytes32 sm2_z(const Sm2Point& pub, std::string_view id);
// Signature r || s (64 bytes) of a 32-byte digest; nullopt if the key is not usable.
std::optional<std::string> sm2_sign_digest(const Bytes32& d, const Bytes32& digest);
bool sm2_verify_digest(const Sm2Point& pub, const Bytes32& digest, std::string_view sig64);

// Encryption of 1..16384 bytes; GmSSL's DER form (SEQUENCE of x, y INTEGER, hash, text OCTET STRING).
std::optional<Sm2Ciphertext> sm2_encrypt(const Sm2Point& pub, std::string_view data);
std::string sm2_ciphertext_to_der(const Sm2Ciphertext& c);
std::optional<Sm2Ciphertext> sm2_ciphertext_from_der(std::string_view der);
std::optional<std::string> sm2_decrypt(const Bytes32& d, const Sm2Ciphertext& c);

// (a + b) reduced once by n, kept to 256 bits, and (a * b) mod n: GmSSL's sm2_fn_add / sm2_fn_mul.
Bytes32 sm2_fn_add(const Bytes32& a, const Bytes32& b);
Bytes32 sm2_fn_mul(const Bytes32& a, const Bytes32& b);

}  // namespace lua_bindings
