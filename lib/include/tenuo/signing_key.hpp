#pragma once
// SigningKey: an Ed25519 secret key (32-byte seed). Move-only; the secret lives in
// sodium_malloc'd memory that is wiped on destruction; it has no operator<<, formatter or ==,
// so it is never printed by accident. Reading the secret requires a SecretAccess token, so
// every such read can be found with grep.
// Thread-safety: const members (public_key, sign, clone, the text exports) may be called
// concurrently on one key — signing is reentrant. Moving from, assigning to or destroying a
// key must not race with any other use of it. generate() is thread-safe (libsodium's RNG);
// from_seed/parse are reentrant; from_env reads the environment with getenv(): do not call it
// while another thread runs setenv/putenv/unsetenv.

#include <tenuo/bytes.hpp>
#include <tenuo/export.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/result.hpp>

#include <string>
#include <string_view>

namespace tenuo {

struct SecretAccess {
  explicit SecretAccess() = default;
};

class TENUO_EXPORT SigningKey {
 public:
  static constexpr std::size_t kSeedSize = 32;

  // A fresh random key. Errors: Internal when the system RNG is unavailable.
  static Result<SigningKey> generate();
  // From a 32-byte seed. Errors: InvalidInput.
  static Result<SigningKey> from_seed(ByteView seed);
  // From text: PKCS#8 PEM (v1 48-byte or v2 83-byte form, whose embedded public key must match),
  // legacy hex inside a PRIVATE KEY armour, 64 hex chars, base64 (either alphabet, padding
  // optional) of the seed, or binary PKCS#8 DER. Errors: InvalidInput saying what was wrong.
  static Result<SigningKey> parse(std::string_view text);
  // From the environment variable `name` (base64 or hex seed, or PEM). Errors: InvalidInput.
  static Result<SigningKey> from_env(const char* name);

  SigningKey(SigningKey&& other) noexcept;
  SigningKey& operator=(SigningKey&& other) noexcept;
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  ~SigningKey();

  [[nodiscard]] SigningKey clone(SecretAccess) const;
  [[nodiscard]] const PublicKey& public_key() const noexcept { return m_public; }
  // Ed25519 signature of `message` (deterministic).
  [[nodiscard]] Signature sign(ByteView message) const;

  [[nodiscard]] std::string to_pem(SecretAccess) const;     // PKCS#8 v1 (48 bytes)
  [[nodiscard]] std::string to_pem_v2(SecretAccess) const;  // PKCS#8 v2 with public key
  [[nodiscard]] std::string seed_hex(SecretAccess) const;
  [[nodiscard]] std::string seed_base64(SecretAccess) const;  // standard, padded
  [[nodiscard]] ByteView expose_secret_bytes(SecretAccess) const noexcept;  // the 32-byte seed

 private:
  SigningKey(std::uint8_t* secret, PublicKey pub) noexcept : m_secret(secret), m_public(pub) {}
  std::uint8_t* m_secret = nullptr;  // 64 bytes: libsodium's seed || public key
  PublicKey m_public;
};

}  // namespace tenuo
