#pragma once
// Private crypto primitives. lib/src/crypto.cpp is the sole includer of <sodium.h>.
// Exported (hidden-visibility build) only so that unit tests and fuzz targets can call them.

#include <tenuo/bytes.hpp>
#include <tenuo/export.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace tenuo::detail {

using Sha256 = std::array<std::uint8_t, 32>;
using Ed25519Public = std::array<std::uint8_t, 32>;
using Ed25519Signature = std::array<std::uint8_t, 64>;
inline constexpr std::size_t kEd25519SeedSize = 32;
inline constexpr std::size_t kEd25519SecretSize = 64;  // libsodium's seed || public key

// Initialises libsodium once (thread-safe); false if it cannot be initialised.
TENUO_EXPORT bool crypto_init() noexcept;
[[nodiscard]] TENUO_EXPORT Sha256 sha256(ByteView data) noexcept;
// SHA-256 over the concatenation of `parts` (no copies).
[[nodiscard]] TENUO_EXPORT Sha256 sha256_parts(std::span<const ByteView> parts) noexcept;

// Incremental SHA-256 (for streams: receipts chains, large files).
class TENUO_EXPORT Sha256Hasher {
 public:
  Sha256Hasher() noexcept;
  void update(ByteView data) noexcept;
  // Returns the digest; the hasher must not be updated afterwards.
  [[nodiscard]] Sha256 finish() noexcept;

 private:
  alignas(8) std::array<std::uint8_t, 104> m_state{};  // crypto_hash_sha256_state
};

// Fills `out` from the system CSPRNG.
TENUO_EXPORT void random_bytes(std::span<std::uint8_t> out) noexcept;
// Wipes `n` bytes at `p` in a way the compiler cannot elide.
TENUO_EXPORT void secure_zero(void* p, std::size_t n) noexcept;
// Guarded, locked allocation for secrets (sodium_malloc); nullptr on failure.
[[nodiscard]] TENUO_EXPORT std::uint8_t* secure_alloc(std::size_t n) noexcept;
// Wipes and frees memory from secure_alloc; nullptr is a no-op.
TENUO_EXPORT void secure_free(std::uint8_t* p) noexcept;

// Derives the 64-byte secret (seed || public) and the public key from a 32-byte seed.
TENUO_EXPORT bool ed25519_seed_keypair(std::span<const std::uint8_t, kEd25519SeedSize> seed,
                                       std::span<std::uint8_t, kEd25519SecretSize> secret,
                                       Ed25519Public& pub) noexcept;
// Deterministic RFC 8032 signature of `message` with the 64-byte secret.
[[nodiscard]] TENUO_EXPORT Ed25519Signature
ed25519_sign(std::span<const std::uint8_t, kEd25519SecretSize> secret, ByteView message) noexcept;
// A canonical encoding of a curve point in the prime-order subgroup and not of small order.
[[nodiscard]] TENUO_EXPORT bool ed25519_is_valid_public_key(const Ed25519Public& pub) noexcept;
// Strict Ed25519 verification (canonical S, no small-order R or A) of `sig` over `message`.
[[nodiscard]] TENUO_EXPORT bool ed25519_verify(const std::array<std::uint8_t, 32>& pub,
                                               ByteView message, ByteView sig) noexcept;
// Same, over the concatenation of `parts` (multi-part message).
[[nodiscard]] TENUO_EXPORT bool ed25519_verify_parts(const std::array<std::uint8_t, 32>& pub,
                                                     std::span<const ByteView> parts,
                                                     ByteView sig) noexcept;

}  // namespace tenuo::detail
