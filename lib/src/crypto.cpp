// The only translation unit that includes <sodium.h>.
#include "detail/crypto.hpp"

#include <sodium.h>

#include <array>
#include <new>
#include <vector>

namespace tenuo::detail {

static_assert(crypto_hash_sha256_BYTES == std::tuple_size_v<Sha256>);
static_assert(crypto_sign_ed25519_PUBLICKEYBYTES == std::tuple_size_v<Ed25519Public>);
static_assert(crypto_sign_ed25519_BYTES == std::tuple_size_v<Ed25519Signature>);
static_assert(crypto_sign_ed25519_SEEDBYTES == kEd25519SeedSize);
static_assert(crypto_sign_ed25519_SECRETKEYBYTES == kEd25519SecretSize);
static_assert(sizeof(crypto_hash_sha256_state) <= 104);
static_assert(alignof(crypto_hash_sha256_state) <= 8);

bool crypto_init() noexcept {
  // A function-local static is initialised exactly once, even with concurrent callers;
  // sodium_init() is itself idempotent (returns 1 when already initialised).
  static const bool ok = sodium_init() >= 0;
  return ok;
}

Sha256 sha256(ByteView data) noexcept {
  Sha256 out{};
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

Sha256 sha256_parts(std::span<const ByteView> parts) noexcept {
  Sha256Hasher h;
  for (const auto& p : parts) h.update(p);
  return h.finish();
}

namespace {
crypto_hash_sha256_state* state_of(std::array<std::uint8_t, 104>& raw) noexcept {
  return reinterpret_cast<crypto_hash_sha256_state*>(raw.data());  // NOLINT
}
}  // namespace

Sha256Hasher::Sha256Hasher() noexcept { crypto_hash_sha256_init(state_of(m_state)); }

void Sha256Hasher::update(ByteView data) noexcept {
  crypto_hash_sha256_update(state_of(m_state), data.data(), data.size());
}

Sha256 Sha256Hasher::finish() noexcept {
  Sha256 out{};
  crypto_hash_sha256_final(state_of(m_state), out.data());
  return out;
}

void random_bytes(std::span<std::uint8_t> out) noexcept {
  (void)crypto_init();
  randombytes_buf(out.data(), out.size());
}

void secure_zero(void* p, std::size_t n) noexcept {
  if (p != nullptr && n > 0) sodium_memzero(p, n);
}

std::uint8_t* secure_alloc(std::size_t n) noexcept {
  if (!crypto_init()) return nullptr;
  return static_cast<std::uint8_t*>(sodium_malloc(n));
}

void secure_free(std::uint8_t* p) noexcept {
  if (p != nullptr) sodium_free(p);  // wipes before releasing the guarded pages
}

bool ed25519_seed_keypair(std::span<const std::uint8_t, kEd25519SeedSize> seed,
                          std::span<std::uint8_t, kEd25519SecretSize> secret,
                          Ed25519Public& pub) noexcept {
  if (!crypto_init()) return false;
  return crypto_sign_ed25519_seed_keypair(pub.data(), secret.data(), seed.data()) == 0;
}

Ed25519Signature ed25519_sign(std::span<const std::uint8_t, kEd25519SecretSize> secret,
                              ByteView message) noexcept {
  (void)crypto_init();
  Ed25519Signature sig{};
  crypto_sign_ed25519_detached(sig.data(), nullptr, message.data(), message.size(),
                               secret.data());
  return sig;
}

namespace {

// Keys that passed the point check on this thread. The check is a pure function of the 32
// bytes and costs about half a signature verification (a scalar multiplication for the
// subgroup test); a verifier sees the same few root and holder keys call after call, and a
// chain repeats each holder as the next link's issuer. Only successes are remembered, keyed by
// all 32 bytes, so the answer is always the one the full check would give.
// Set-associative, indexed by the first key byte (keys are uniform); a set holds four keys.
struct ValidKeyCache {
  static constexpr std::size_t kSets = 128;
  static constexpr std::size_t kWays = 4;
  std::array<std::array<Ed25519Public, kWays>, kSets> keys{};
  std::array<std::uint8_t, kSets> used{};
  std::array<std::uint8_t, kSets> next{};
};
thread_local ValidKeyCache t_valid_keys;

}  // namespace

bool ed25519_is_valid_public_key(const Ed25519Public& pub) noexcept {
  if (!crypto_init()) return false;
  ValidKeyCache& cache = t_valid_keys;
  const std::size_t set = pub[0] % ValidKeyCache::kSets;
  for (std::size_t i = 0; i < cache.used[set]; ++i)
    if (cache.keys[set][i] == pub) return true;
  // libsodium 1.0.18: canonical encoding, on the curve, not of small order, and in the
  // prime-order subgroup. The reference rejects non-points and small-order ("weak") keys; the
  // subgroup check is stricter (it also refuses mixed-order points, which no honest key
  // generator produces) — WIRE.md marks adversarial edge cases [U], so we take the strict side.
  if (crypto_core_ed25519_is_valid_point(pub.data()) != 1) return false;
  cache.keys[set][cache.next[set]] = pub;
  cache.next[set] = static_cast<std::uint8_t>((cache.next[set] + 1) % ValidKeyCache::kWays);
  if (cache.used[set] < ValidKeyCache::kWays) ++cache.used[set];
  return true;
}

bool ed25519_verify(const std::array<std::uint8_t, 32>& pub, ByteView message,
                    ByteView sig) noexcept {
  if (sig.size() != crypto_sign_ed25519_BYTES) return false;
  if (!crypto_init()) return false;
  // crypto_sign_verify_detached (1.0.18, non-compat build) rejects non-canonical S,
  // small-order R, and non-canonical or small-order public keys; R is compared by encoding,
  // so a non-canonical R cannot match either. The explicit key check adds the subgroup test.
  if (!ed25519_is_valid_public_key(pub)) return false;
  return crypto_sign_ed25519_verify_detached(sig.data(), message.data(), message.size(),
                                             pub.data()) == 0;
}

bool ed25519_verify_parts(const std::array<std::uint8_t, 32>& pub,
                          std::span<const ByteView> parts, ByteView sig) noexcept {
  // Pure Ed25519 hashes R || A || M, so the message must be contiguous for libsodium.
  std::size_t total = 0;
  for (const auto& p : parts) total += p.size();
  std::vector<std::uint8_t> buf;
  try {
    buf.reserve(total);
  } catch (const std::bad_alloc&) {
    return false;
  }
  for (const auto& p : parts) buf.insert(buf.end(), p.begin(), p.end());
  return ed25519_verify(pub, buf, sig);
}

}  // namespace tenuo::detail
